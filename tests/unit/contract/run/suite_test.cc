#include "contract/run/suite.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "contract/transport/sqs_transport.h"
#include "sample_contract.h"
#include "temp_dir.h"

namespace driftline::contract {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kLab =
    std::filesystem::path(DRIFTLINE_SOURCE_DIR) / "../shared/reference/kafka-sqs-retry-dlq";

class SuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("orders.yaml", testing::kSampleContract);
    dir_.Write("orders_examples/a.json", R"J({"name": "A", "receive": {"topic": "orders-in",
        "payload": {"id": "A", "count": 1}, "headers": {"CorrelationId": "c-a"}},
        "send": {"topic": "orders-out", "payload": {"id": "A", "status": "ACCEPTED",
                 "at": "(datetime)"}}})J");
  }
  testing::TempDir dir_;
};

TEST_F(SuiteTest, ContractWithDefaultExamplesDirectory) {
  SuiteOptions options;
  options.contracts.push_back(dir_.path() / "orders.yaml");
  options.strict = true;
  auto suite = LoadSuite(options);
  ASSERT_TRUE(suite) << suite.error().message();
  EXPECT_TRUE(suite->strict);
  ASSERT_EQ(suite->Cases().size(), 1u);
  EXPECT_EQ(suite->Cases()[0].plan->correlation_id, "c-a");
  EXPECT_THAT(suite->Title(), HasSubstr("orders.yaml (Sample orders 1.0.0)"));
}

TEST_F(SuiteTest, StrictModeRejectsAnInvalidExampleBeforeSendingAnything) {
  dir_.Write("orders_examples/b.json", R"({"name": "B", "receive": {"topic": "orders-in",
      "payload": {"id": "B", "count": "two"}, "headers": {"CorrelationId": "c-b"}}})");
  SuiteOptions options;
  options.contracts.push_back(dir_.path() / "orders.yaml");
  options.strict = true;
  auto suite = LoadSuite(options);
  ASSERT_FALSE(suite);
  EXPECT_EQ(suite.error().code(), Code::kInvalidArgument);
  EXPECT_THAT(suite.error().message(), HasSubstr("(strict mode)"));
  EXPECT_THAT(suite.error().message(), HasSubstr("b.json (at /receive/payload/count)"));
  // Lenient mode runs it.
  options.strict = false;
  EXPECT_TRUE(LoadSuite(options));
}

TEST_F(SuiteTest, FiltersByName) {
  dir_.Write("orders_examples/c.json", R"({"name": "C", "receive": {"topic": "orders-in",
      "payload": {"id": "C", "count": 1}, "headers": {"CorrelationId": "c-c"}}})");
  SuiteOptions options;
  options.contracts.push_back(dir_.path() / "orders.yaml");
  options.filters = {"C"};
  auto suite = LoadSuite(options);
  ASSERT_TRUE(suite) << suite.error().message();
  ASSERT_EQ(suite->Cases().size(), 1u);
  EXPECT_EQ(suite->Cases()[0].plan->example->name, "C");
}

TEST_F(SuiteTest, ExampleForAnUnknownTopicIsAContractError) {
  dir_.Write(
      "orders_examples/z.json",
      R"({"name": "Z", "receive": {"topic": "elsewhere", "headers": {"CorrelationId": "z"}}})");
  SuiteOptions options;
  options.contracts.push_back(dir_.path() / "orders.yaml");
  auto suite = LoadSuite(options);
  ASSERT_FALSE(suite);
  EXPECT_THAT(suite.error().message(), HasSubstr("z.json (at /receive/topic)"));
}

TEST_F(SuiteTest, EndpointPrecedence) {
  SuiteOptions options;
  options.contracts.push_back(dir_.path() / "orders.yaml");
  auto suite = LoadSuite(options);
  ASSERT_TRUE(suite);
  MapEnvironment env;
  auto from_contract = ResolveEndpoints(*suite, {}, env);
  EXPECT_EQ(from_contract.kafka_bootstrap, "localhost:9092");
  EXPECT_EQ(from_contract.sqs_host, "http://localhost:4566/000000000000");
  EXPECT_EQ(from_contract.sqs_access_key_id, "test");
  EXPECT_EQ(from_contract.sqs_ca_bundle, "");
  env.Set("CONTRACT_KAFKA", "10.0.0.1:9092");
  env.Set("CONTRACT_SQS", "http://10.0.0.1:4566/1");
  env.Set("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE");
  env.Set("AWS_SECRET_ACCESS_KEY", "secret");
  env.Set("AWS_REGION", "eu-west-1");
  env.Set("AWS_CA_BUNDLE", "/etc/corp/ca.pem");
  auto from_env = ResolveEndpoints(*suite, {}, env);
  EXPECT_EQ(from_env.kafka_bootstrap, "10.0.0.1:9092");
  EXPECT_EQ(from_env.kafka_source, "CONTRACT_KAFKA");
  EXPECT_EQ(from_env.sqs_host, "http://10.0.0.1:4566/1");
  EXPECT_EQ(from_env.sqs_access_key_id, "AKIAEXAMPLE");
  EXPECT_EQ(from_env.sqs_region, "eu-west-1");
  EXPECT_EQ(from_env.sqs_ca_bundle, "/etc/corp/ca.pem");
  auto from_flags = ResolveEndpoints(*suite, {"127.0.0.1:9092", "http://127.0.0.1:4566/0"}, env);
  EXPECT_EQ(from_flags.kafka_bootstrap, "127.0.0.1:9092");
  EXPECT_EQ(from_flags.sqs_source, "command line");
}

// The settings table (--help, --settings-markdown, the README, the man page) names what
// ResolveEndpoints reads: each of its endpoint variables, set alone, changes the endpoints, and
// a variable set to the default the table shows changes nothing.
TEST_F(SuiteTest, EveryEndpointVariableOfTheSettingsTableIsRead) {
  SuiteOptions options;
  options.contracts.push_back(dir_.path() / "orders.yaml");
  auto suite = LoadSuite(options);
  ASSERT_TRUE(suite);
  auto text = [](const Endpoints& e) {
    return e.kafka_bootstrap + " " + e.sqs_host + " " + e.sqs_region + " " + e.sqs_access_key_id +
           " " + e.sqs_secret_access_key + " " + e.sqs_ca_bundle;
  };
  const std::string unset = text(ResolveEndpoints(*suite, {}, MapEnvironment()));
  int endpoint_variables = 0;
  for (const Setting& s : ContractTestSettings()) {
    if (s.variable == "XDG_DATA_HOME") continue;  // Studio's history (studio/history_test.cc)
    ++endpoint_variables;
    MapEnvironment env;
    env.Set(std::string(s.variable), "value-of-" + std::string(s.variable));
    if (s.variable == "AWS_ACCESS_KEY_ID") env.Set("AWS_SECRET_ACCESS_KEY", "secret");
    EXPECT_NE(text(ResolveEndpoints(*suite, {}, env)), unset) << s.variable << " is not read";
    if (!s.default_value.empty()) {
      MapEnvironment same;
      same.Set(std::string(s.variable), std::string(s.default_value));
      EXPECT_EQ(text(ResolveEndpoints(*suite, {}, same)), unset)
          << s.variable << "=" << s.default_value << " is not the default";
    }
  }
  EXPECT_EQ(endpoint_variables, 6);
}

TEST(SplitSqsHostTest, Forms) {
  auto a = SplitSqsHost("http://localstack:4566/000000000000");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, "http://localstack:4566");
  EXPECT_EQ(a->second, "http://localstack:4566/000000000000");
  auto b = SplitSqsHost("https://sqs.eu-west-1.amazonaws.com/");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->first, "https://sqs.eu-west-1.amazonaws.com");
  EXPECT_EQ(b->second, "");
  EXPECT_FALSE(SplitSqsHost("localstack:4566"));
}

// The lab's files, unchanged: config, contract and six examples load, and strict mode accepts
// every example.
TEST(LabSuiteTest, LoadsAndValidatesTheLabUnchanged) {
  if (!std::filesystem::exists(kLab)) GTEST_SKIP() << "../shared is absent: " << kLab;
  SuiteOptions options;
  options.config = kLab / "specmatic.yaml";
  auto suite = LoadSuite(options);
  ASSERT_TRUE(suite) << suite.error().message();
  EXPECT_TRUE(suite->strict);
  const auto cases = suite->Cases();
  ASSERT_EQ(cases.size(), 6u);
  std::vector<std::string> names;
  for (const TestCase& tc : cases)
    names.push_back(tc.plan->example->name);
  EXPECT_THAT(names,
              ::testing::ElementsAre("Bulk_Order_SQS_Kafka", "Priority_Order_Kafka_SQS",
                                     "Receive_DLQ_Scenario_Standard_Order",
                                     "Receive_Retry_DLQ_Scenario_Priority_Order",
                                     "Retry_Scenario_Standard_Order", "Standard_Order_Kafka_SQS"));
  MapEnvironment env;
  auto endpoints = ResolveEndpoints(*suite, {}, env);
  EXPECT_EQ(endpoints.kafka_bootstrap, "kafka:9092");  // the lab's Docker host names
  EXPECT_EQ(endpoints.sqs_host, "http://localstack:4566/000000000000");
  EXPECT_EQ(endpoints.sqs_region, "us-east-1");
}

}  // namespace
}  // namespace driftline::contract
