// contract-test against the real stack and a real order-service:
//   - the lab's own files, unchanged, pass 6 of 6 and print the lab's table;
//   - with the retry consumer off (the lab's drift) exactly the two retry scenarios fail;
//   - the project's own contract passes;
//   - the generated negative tests pass against the service holding its input to the contract,
//     and show where the lab's rules (the service without ORDER_CONTRACT) drift from it.
// Each test starts its own order-service in fresh consumer groups that begin at the topics'
// end, so records left in the lab's topics by earlier runs (retry envelopes of a run with the
// retry consumer off, say) are never processed again; contract-test itself ignores anything
// produced before it started watching.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "e2e_support.h"
#include "testkit/child_process.h"
#include "testkit/contract_output.h"
#include "testkit/service.h"
#include "testkit/stack_env.h"

namespace driftline::e2e {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using testkit::CapturedRun;
using testkit::OrderServicesOnTopics;
using testkit::RunCaptured;
using testkit::RunQuietly;
namespace fs = std::filesystem;

using e2e_support::kLab;
using e2e_support::kLabTable;
using e2e_support::kOutput;
using e2e_support::kRepo;
using e2e_support::SqsAccountUrl;

// The reason text of the scenario `name` under "Unsuccessful Scenarios:" ("" when not listed).
std::string ReasonOf(const std::string& output, const std::string& name) {
  const testkit::ContractTestOutput parsed = testkit::ParseContractTestOutput(output);
  const testkit::UnsuccessfulScenario* s = parsed.Find(name);
  return s == nullptr ? std::string() : s->ReasonText();
}

class ContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(RunQuietly((kRepo / "stack/stack.sh").string() + " status"), 0)
        << "the local stack is not ready: run `make stack-up` (stack/stack.sh up)";
    // These tests own the lab's topics while they run: another service on them would answer
    // the same orders. Someone else's may be about to stop; wait a bounded while, never kill.
    const std::set<std::string> topics = {"place-order-topic", "place-order-retry-topic",
                                          "place-order-dlq-topic"};
    auto others = OrderServicesOnTopics(topics);
    for (int i = 0; i < 600 && !others.empty(); ++i) {
      std::this_thread::sleep_for(milliseconds(100));
      others = OrderServicesOnTopics(topics);
    }
    ASSERT_TRUE(others.empty())
        << "another order-service is still running against the lab's topics after 60 s; stop "
           "it first (these tests own the topics while they run):\n  "
        << ::testing::PrintToString(others);
  }

  // Starts order-service (fault injection on, fresh groups at the topics' end) and waits until
  // /healthz answers 200.
  void StartService(const std::string& name, std::vector<std::string> extra_env = {}) {
    std::vector<std::string> env = {"KAFKA_BOOTSTRAP_SERVERS=" + testkit::KafkaBootstrap(),
                                    "SQS_ENDPOINT=" + testkit::SqsEndpoint(),
                                    "SQS_QUEUE_URL=" + SqsAccountUrl() + "/place-order-queue",
                                    "ENABLE_TEST_FAILURE_SCENARIOS=true",
                                    "MAX_RETRIES=3",
                                    "KAFKA_MAIN_GROUP_ID=" + testkit::UniqueName("contract-main"),
                                    "KAFKA_RETRY_GROUP_ID=" + testkit::UniqueName("contract-retry"),
                                    "KAFKA_PROPERTY_AUTO_OFFSET_RESET=latest",
                                    "LOG_LEVEL=info"};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    service_log_ = kOutput / (name + "-order-service.log");
    fs::create_directories(service_log_.parent_path());
    fs::remove(service_log_);  // this run's log only
    // METRICS_ADDRESS on a free loopback port, for /healthz.
    auto service = testkit::ServiceProcess::Start(
        {DRIFTLINE_ORDER_SERVICE_BIN, env, service_log_.string(), /*health_port=*/true});
    ASSERT_TRUE(service.has_value()) << service.error().ToString();
    service_ = std::move(*service);
    ASSERT_TRUE(service_->WaitHealthy(milliseconds(60000)))
        << "order-service did not become healthy within 60 s; log: " << service_log_;
  }

  CapturedRun RunContractTest(const std::string& name, const std::vector<std::string>& args) {
    return e2e_support::RunContractTest(name, args, "order-service log " + service_log_.string());
  }

  void TearDown() override {
    if (service_) {
      EXPECT_EQ(service_->Terminate(), 0)
          << "order-service did not stop cleanly; log: " << service_log_;
    }
  }

  fs::path service_log_;
  std::unique_ptr<testkit::ServiceProcess> service_;
};

TEST_F(ContractTest, LabFilesUnchangedPassAgainstTheFixedService) {
  if (!fs::exists(kLab / "specmatic.yaml"))
    GTEST_SKIP() << "skipped: ../shared is absent (" << kLab << "), so the lab's files are too";
  StartService("lab-fixed");
  const CapturedRun r =
      RunContractTest("lab-fixed", {"--config", (kLab / "specmatic.yaml").string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("Tests run: 6, Successes: 6, Failures: 0, WIP: 0, Errors: 0"));
  EXPECT_THAT(r.output, HasSubstr(kLabTable));
  EXPECT_THAT(r.output, Not(HasSubstr("Unsuccessful Scenarios:")));
}

TEST_F(ContractTest, LabFilesCatchTheDriftWhenTheRetryConsumerIsOff) {
  if (!fs::exists(kLab / "specmatic.yaml"))
    GTEST_SKIP() << "skipped: ../shared is absent (" << kLab << "), so the lab's files are too";
  StartService("lab-drift", {"RETRY_CONSUMER_ENABLED=false"});
  const CapturedRun r =
      RunContractTest("lab-drift", {"--config", (kLab / "specmatic.yaml").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("Tests run: 6, Successes: 4, Failures: 2, WIP: 0, Errors: 0"));
  EXPECT_THAT(testkit::ParseContractTestOutput(r.output).UnsuccessfulNames(),
              ::testing::ElementsAre("Receive_Retry_DLQ_Scenario_Priority_Order",
                                     "Retry_Scenario_Standard_Order"));
  // Each headline names the channel that was due: the next envelope of the always-failing
  // order, the reply (after envelope 0) of the order that fails once.
  const std::string dlq = ReasonOf(r.output, "Receive_Retry_DLQ_Scenario_Priority_Order");
  EXPECT_THAT(dlq, HasSubstr("Timeout waiting for a message on topic 'place-order-retry-topic'."));
  EXPECT_THAT(dlq, HasSubstr("retryCount 1 was due 1.0 s"));
  EXPECT_THAT(ReasonOf(r.output, "Retry_Scenario_Standard_Order"),
              HasSubstr("Timeout waiting for a message on queue 'place-order-queue'."));
}

// A service that retries fewer times than the contract declares fails the retry-to-DLQ
// scenario, and the reason says why: the dead letter's totalRetries and the chain's end.
TEST_F(ContractTest, LabFilesCatchAServiceThatRetriesTwiceWhereTheContractSaysThree) {
  if (!fs::exists(kLab / "specmatic.yaml"))
    GTEST_SKIP() << "skipped: ../shared is absent (" << kLab << "), so the lab's files are too";
  StartService("lab-max-retries-2", {"MAX_RETRIES=2"});
  const CapturedRun r = RunContractTest("lab-max-retries-2",
                                        {"--config", (kLab / "specmatic.yaml").string(), "--filter",
                                         "Receive_Retry_DLQ_Scenario_Priority_Order"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("Tests run: 1, Successes: 0, Failures: 1, WIP: 0, Errors: 0"));
  const std::string why = ReasonOf(r.output, "Receive_Retry_DLQ_Scenario_Priority_Order");
  EXPECT_THAT(why, HasSubstr("/payload/totalRetries"));
  EXPECT_THAT(why, HasSubstr("the chain ends at retryCount 2: maxAttempts 3 needs retryCount "
                             "0..3 before the dead letter (1 too few)"));
}

TEST_F(ContractTest, ProjectContractPasses) {
  StartService("project");
  const CapturedRun r =
      RunContractTest("project", {"--config", (kRepo / "contracts/specmatic.yaml").string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("Tests run: 8, Successes: 8, Failures: 0, WIP: 0, Errors: 0"));
}

// The generated negative tests (contract-test --generate negative) of the lab's contract: 74
// invalid inputs, each of which must be dead-lettered at once.
const fs::path kLabContract = kLab /
                              ".specmatic/repos/labs-contracts/asyncapi/kafka-sqs-retry-dlq/"
                              "order-service-sqs-kafka.yaml";

TEST_F(ContractTest, GeneratedNegativeTestsPassAgainstTheServiceHoldingItsInputToTheContract) {
  if (!fs::exists(kLab / "specmatic.yaml"))
    GTEST_SKIP() << "skipped: ../shared is absent (" << kLab << "), so the lab's files are too";
  StartService("lab-negative", {"ORDER_CONTRACT=" + kLabContract.string()});
  const CapturedRun r =
      RunContractTest("lab-negative", {"--config", (kLab / "specmatic.yaml").string(), "--generate",
                                       "negative", "--generate-seed", "1"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, ::testing::ContainsRegex("negative tests: 74 generated from [^ ]*/"
                                                 "order-service-sqs-kafka.yaml in [0-9]+ ms"));
  EXPECT_THAT(r.output, HasSubstr("Tests run: 80, Successes: 80, Failures: 0, WIP: 0, Errors: 0"));
  EXPECT_THAT(r.output, HasSubstr("Negative tests: 74 run, 74 passed, 0 failed"));
  EXPECT_THAT(r.output,
              HasSubstr("| place-order-topic       | 80                      | 80       |"));
  EXPECT_THAT(r.output,
              HasSubstr("| place-order-dlq-topic   | 76                      | 76       |"));
  EXPECT_THAT(r.output, Not(HasSubstr("Unsuccessful Scenarios:")));
}

// Without ORDER_CONTRACT the service keeps the lab's rules: it checks what its transform needs
// and answers the rest, which the contract refuses.
TEST_F(ContractTest, GeneratedNegativeTestsShowWhereTheLabsRulesDriftFromTheContract) {
  if (!fs::exists(kLab / "specmatic.yaml"))
    GTEST_SKIP() << "skipped: ../shared is absent (" << kLab << "), so the lab's files are too";
  StartService("lab-negative-lenient");
  const CapturedRun r = RunContractTest(
      "lab-negative-lenient", {"--config", (kLab / "specmatic.yaml").string(), "--generate",
                               "negative", "--generate-seed", "1", "--filter", "Negative_"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("Tests run: 74, Successes: 28, Failures: 46, WIP: 0, Errors: 0"));
  EXPECT_THAT(r.output, HasSubstr("  46 x The provider replied to an input the contract refuses on "
                                  "queue 'place-order-queue'; it must be dead-lettered at once."));
  EXPECT_THAT(ReasonOf(r.output, "Negative_sendOrder_PlaceOrderMessage.customerId_missing"),
              HasSubstr("The provider replied"));
  EXPECT_THAT(ReasonOf(r.output,
                       "Negative_sendOrder_PlaceOrderMessage.headers.CorrelationId_missingHeader"),
              HasSubstr("The provider replied"));
  EXPECT_EQ(ReasonOf(r.output, "Negative_sendOrder_payload_notJson"), "");  // passed
  EXPECT_EQ(ReasonOf(r.output, "Negative_sendOrder_PlaceOrderMessage.orderType_notInEnum"), "");
}

// The command line's configuration errors: exit code 2, file and line (or JSON pointer), no
// stack dump, nothing sent (these run without any server).
class CommandLineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = kOutput / ("cli-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy(kRepo / "contracts", dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::trunc) << text;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(dir_ / name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  CapturedRun Run(std::vector<std::string> args) {
    args.insert(args.begin(), DRIFTLINE_CONTRACT_TEST_BIN);
    // Unreachable servers: a run that tried to send anything would fail differently.
    args.insert(args.end(), {"--kafka", "127.0.0.1:1", "--sqs", "http://127.0.0.1:1/0"});
    CapturedRun r = RunCaptured(args, milliseconds(60000));
    std::cout << r.output << "\n(exit " << r.exit_code << ")\n";
    return r;
  }
  static void NoStackDump(const std::string& output) {
    EXPECT_THAT(output, Not(HasSubstr("terminate called")));
    EXPECT_THAT(output, Not(HasSubstr("what()")));
    EXPECT_THAT(output, Not(HasSubstr("Aborted")));
  }

  fs::path dir_;
};

// The config's switch for generated tests, and the limit: --validate-only lists them, in the
// contract's order, and sends nothing.
TEST_F(CommandLineTest, ValidateOnlyListsTheGeneratedTestsTheConfigAsksFor) {
  std::string config = Read("specmatic.yaml");
  const std::string at = "      strictMode: true\n";
  config.replace(
      config.find(at), at.size(),
      at + "      x-driftline-generate: [negative]\n      x-driftline-generate-limit: 7\n");
  Write("specmatic.yaml", config);
  const CapturedRun r = Run(
      {"--config", (dir_ / "specmatic.yaml").string(), "--validate-only", "--generate-seed", "5"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("negative tests: 7 generated from "));
  EXPECT_THAT(r.output, HasSubstr("(seed 5)"));
  EXPECT_THAT(r.output, HasSubstr("beyond --generate-limit"));
  EXPECT_THAT(r.output, HasSubstr("\n  Negative_processOrder_payload_notJson\n"));
  // The flag wins over the config's limit.
  const CapturedRun all = Run({"--config", (dir_ / "specmatic.yaml").string(), "--validate-only",
                               "--generate-limit", "1000"});
  EXPECT_EQ(all.exit_code, 0);
  EXPECT_THAT(all.output, HasSubstr("negative tests: 101 generated from "));
  NoStackDump(r.output);
}

TEST_F(CommandLineTest, MalformedConfigNamesFileAndLine) {
  Write("specmatic.yaml", "version: 3\nsystemUnderTest:\n  service: [\n");
  const CapturedRun r = Run({"--config", (dir_ / "specmatic.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr((dir_ / "specmatic.yaml").string() + ":4:"));
  NoStackDump(r.output);
}

TEST_F(CommandLineTest, MalformedExampleNamesFileAndLine) {
  Write("order-service_examples/01-standard.json", "{\"name\": \"x\",\n  \"receive\": {,}\n}\n");
  const CapturedRun r = Run({"--config", (dir_ / "specmatic.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("01-standard.json:2:"));
  NoStackDump(r.output);
}

TEST_F(CommandLineTest, StrictModeRejectsAnInvalidExampleBeforeSending) {
  std::string example = Read("order-service_examples/01-standard.json");
  const std::string from = "\"itemsCount\": 3";
  example.replace(example.find(from), from.size(), "\"itemsCount\": \"3\"");
  Write("order-service_examples/01-standard.json", example);
  const CapturedRun r = Run({"--config", (dir_ / "specmatic.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("(strict mode)"));
  EXPECT_THAT(r.output, HasSubstr("01-standard.json (at /send/payload/itemsCount)"));
  EXPECT_THAT(r.output, Not(HasSubstr("Tests run:")));
  NoStackDump(r.output);
}

TEST_F(CommandLineTest, DanglingReferenceInTheContract) {
  std::string contract = Read("order-service.yaml");
  const std::string from = "schemas/common.yaml#/LineItem";
  contract.replace(contract.find(from), from.size(), "schemas/common.yaml#/Nothing");
  Write("order-service.yaml", contract);
  const CapturedRun r = Run({"--config", (dir_ / "specmatic.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("order-service.yaml:"));
  EXPECT_THAT(r.output, HasSubstr("'schemas/common.yaml#/Nothing' points at nothing"));
}

TEST_F(CommandLineTest, ValidateOnlyAcceptsTheProjectContract) {
  const CapturedRun r = Run({"--config", (dir_ / "specmatic.yaml").string(), "--validate-only"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("8 example(s) valid"));
}

}  // namespace
}  // namespace driftline::e2e
