// Which transports a suite needs and the errors contract-test prints when one cannot be made.
// Nothing here reaches a server: creating a transport contacts none.
#include "contract/connect/connect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sample_contract.h"
#include "temp_dir.h"

namespace driftline::contract {
namespace {

using ::testing::HasSubstr;

class ConnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("orders.yaml", testing::kSampleContract);
    dir_.Write("orders_examples/a.json", R"J({"name": "A", "receive": {"topic": "orders-in",
        "payload": {"id": "A", "count": 1}, "headers": {"CorrelationId": "c-a"}},
        "send": {"topic": "orders-out", "payload": {"id": "A", "status": "ACCEPTED"}}})J");
    SuiteOptions options;
    options.contracts.push_back(dir_.path() / "orders.yaml");
    auto suite = LoadSuite(options);
    ASSERT_TRUE(suite) << suite.error().message();
    suite_ = std::move(*suite);
    cases_ = suite_.Cases();
  }

  static MapEnvironment Env(std::map<std::string, std::string> vars) {
    return MapEnvironment(std::move(vars));
  }
  Result<ConnectedTransports> Connect(const MapEnvironment& env,
                                      const EndpointOverrides& overrides = {}) {
    return ConnectTransports(suite_, cases_, overrides, env, Clock::System());
  }

  testing::TempDir dir_;
  Suite suite_;
  std::vector<TestCase> cases_;
};

TEST_F(ConnectTest, TheCasesNeedKafkaAndSqs) {
  const TransportNeeds needs = NeededTransports(cases_);
  EXPECT_TRUE(needs.kafka);  // orders-in
  EXPECT_TRUE(needs.sqs);    // orders-out
  EXPECT_FALSE(NeededTransports({}).kafka);
}

TEST_F(ConnectTest, CreatesBothTransportsFromTheContractsServers) {
  auto connected = Connect(MapEnvironment{});
  ASSERT_TRUE(connected) << connected.error().message();
  ASSERT_NE(connected->kafka, nullptr);
  ASSERT_NE(connected->sqs, nullptr);
  EXPECT_EQ(connected->kafka->Describe(), "kafka localhost:9092");
  EXPECT_EQ(connected->sqs->Describe(), "sqs http://localhost:4566");
  EXPECT_EQ(connected->transports().kafka, connected->kafka.get());
  EXPECT_EQ(connected->transports().sqs, connected->sqs.get());
  EXPECT_EQ(connected->endpoints.kafka_bootstrap, "localhost:9092");
  connected->Stop();
}

TEST_F(ConnectTest, OverridesWin) {
  auto connected = Connect(MapEnvironment{}, EndpointOverrides{"127.0.0.1:19092", ""});
  ASSERT_TRUE(connected) << connected.error().message();
  EXPECT_EQ(connected->kafka->Describe(), "kafka 127.0.0.1:19092");
}

TEST_F(ConnectTest, AnUnusableSqsHostSaysWhereToGiveOne) {
  auto connected = Connect(Env({{"CONTRACT_SQS", "localhost:4566"}}));
  ASSERT_FALSE(connected);
  EXPECT_EQ(connected.error().message(),
            "SQS host 'localhost:4566' is not an http(s) URL (give --sqs or CONTRACT_SQS)");
}

TEST_F(ConnectTest, AnUnusableCaBundleIsNamed) {
  auto connected = Connect(Env({{"CONTRACT_SQS", "https://localhost:4566/1"},
                                {"AWS_CA_BUNDLE", (dir_.path() / "none.pem").string()}}));
  ASSERT_FALSE(connected);
  EXPECT_THAT(connected.error().message(), HasSubstr("AWS_CA_BUNDLE = "));
  EXPECT_THAT(connected.error().message(), HasSubstr("none.pem"));
}

TEST_F(ConnectTest, KafkaPropertiesComeFromTheEnvironment) {
  // A property librdkafka rejects proves the variable reached it.
  auto connected = Connect(Env({{"CONTRACT_KAFKA_PROPERTY_NO_SUCH_PROPERTY", "1"}}));
  ASSERT_FALSE(connected);
  EXPECT_THAT(connected.error().message(), HasSubstr("no.such.property"));
}

}  // namespace
}  // namespace driftline::contract
