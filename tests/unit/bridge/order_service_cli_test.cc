// order-service's command line: flags and variables are held to the same ranges, and a value out
// of range from either source exits 2 naming the setting, the value and the range before anything
// is started (no server is needed); so does an ORDER_CONTRACT that does not load or has no
// operation for the input topic.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "testkit/child_process.h"
#include "testkit/secrets.h"

namespace driftline::bridge {
namespace {

using namespace std::chrono_literals;

testkit::CapturedRun RunService(std::vector<std::string> env, std::vector<std::string> args) {
  std::vector<std::string> argv = {"/usr/bin/env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(DRIFTLINE_ORDER_SERVICE_BIN);
  argv.insert(argv.end(), args.begin(), args.end());
  return testkit::RunCaptured(argv, 30s);
}

struct Case {
  std::vector<std::string> env;
  std::vector<std::string> args;
  std::string message;
};

TEST(OrderServiceCliTest, OutOfRangeExitsTwoNamingSettingValueAndRange) {
  const std::vector<Case> cases = {
      {{},
       {"--max-in-flight", "0"},
       "MAX_IN_FLIGHT_MESSAGES (--max-in-flight) = 0 is out of range 1..1000000"},
      {{}, {"--max-retries", "-1"}, "MAX_RETRIES (--max-retries) = -1 is out of range 0..1000"},
      {{"MAX_RETRIES=-1"}, {}, "MAX_RETRIES (--max-retries) = -1 is out of range 0..1000"},
      {{"MAX_IN_FLIGHT_MESSAGES=0"},
       {},
       "MAX_IN_FLIGHT_MESSAGES (--max-in-flight) = 0 is out of range 1..1000000"},
      {{}, {"--batch-size", "11"}, "SQS_BATCH_SIZE (--batch-size) = 11 is out of range 1..10"},
      {{},
       {"--batches-in-flight", "0"},
       "SQS_MAX_IN_FLIGHT_BATCHES (--batches-in-flight) = 0 is out of range 1..64"},
      {{}, {"--linger-ms", "-5"}, "SQS_BATCH_LINGER_MS (--linger-ms) = -5 is out of range 0..1000"},
      {{},
       {"--max-in-flight", "lots"},
       "MAX_IN_FLIGHT_MESSAGES (--max-in-flight) = 'lots' is not an integer (range 1..1000000)"},
      // The flag wins over a valid variable, and is checked.
      {{"MAX_RETRIES=3"},
       {"--max-retries", "1001"},
       "MAX_RETRIES (--max-retries) = 1001 is out of range 0..1000"},
  };
  for (const Case& c : cases) {
    const testkit::CapturedRun run = RunService(c.env, c.args);
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("order-service: " + c.message), std::string::npos) << run.output;
  }
}

TEST(OrderServiceCliTest, UnreadableCaBundleExitsTwoNamingVariableAndPath) {
  for (const auto& [env, args] :
       std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>{
           {{"AWS_CA_BUNDLE=/nonexistent/ca.pem"}, {}},
           {{}, {"--ca-bundle", "/nonexistent/ca.pem"}}}) {
    const testkit::CapturedRun run = RunService(env, args);
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("order-service: AWS_CA_BUNDLE (--ca-bundle) = /nonexistent/ca.pem: "
                              "cannot be read (no such file)"),
              std::string::npos)
        << run.output;
  }
}

TEST(OrderServiceCliTest, AContractThatDoesNotLoadExitsTwoWithTheLoadersError) {
  for (const auto& [env, args] :
       std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>{
           {{"ORDER_CONTRACT=/nonexistent/contract.yaml"}, {}},
           {{}, {"--contract", "/nonexistent/contract.yaml"}}}) {
    const testkit::CapturedRun run = RunService(env, args);
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("order-service: ORDER_CONTRACT (--contract): "
                              "/nonexistent/contract.yaml: "),
              std::string::npos)
        << run.output;
  }
}

TEST(OrderServiceCliTest, AContractWithoutAnOperationForTheTopicExitsTwoNamingFileAndTopic) {
  // The lab's contract without its dead-letter route: nothing to fall back on for a topic that
  // is not its channel's address.
  const std::string lab =
      std::string(DRIFTLINE_SOURCE_DIR) +
      "/../shared/reference/kafka-sqs-retry-dlq/.specmatic/repos/"
      "labs-contracts/asyncapi/kafka-sqs-retry-dlq/order-service-sqs-kafka.yaml";
  std::string text = testkit::ReadFile(lab);
  ASSERT_NE(text.find("x-specmatic-dlq:"), std::string::npos);
  text.replace(text.find("x-specmatic-dlq:"), 16, "x-not-a-dlq:");
  const std::filesystem::path contract =
      std::filesystem::temp_directory_path() /
      ("order-service-cli-" + std::to_string(::getpid()) + "-no-dlq.yaml");
  std::ofstream(contract) << text;
  const testkit::CapturedRun run =
      RunService({"KAFKA_TOPIC=orders-elsewhere"}, {"--contract", contract.string()});
  std::filesystem::remove(contract);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("order-service: ORDER_CONTRACT (--contract): " + contract.string() +
                            ": no receive operation on topic 'orders-elsewhere' (KAFKA_TOPIC)"),
            std::string::npos)
      << run.output;
}

TEST(OrderServiceCliTest, UnknownFlagExitsTwo) {
  const testkit::CapturedRun run = RunService({}, {"--no-such-flag"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
}

TEST(OrderServiceCliTest, HelpNamesEveryVariableAndRange) {
  const testkit::CapturedRun run = RunService({}, {"--help"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  for (const char* expected :
       {"--max-in-flight", "[MAX_IN_FLIGHT_MESSAGES, 1..1000000, default 2000]",
        "[MAX_RETRIES, 0..1000, default 3]", "--no-retry-consumer",
        "[RETRY_CONSUMER_ENABLED, default true]", "--kafka-properties",
        "Settings without a flag (environment only):", "AWS_REGION"}) {
    EXPECT_NE(run.output.find(expected), std::string::npos) << expected << "\n" << run.output;
  }
}

}  // namespace
}  // namespace driftline::bridge
