#include "bridge/config.h"

#include <gtest/gtest.h>

namespace driftline::bridge {
namespace {

TEST(BridgeConfigTest, LabDefaults) {
  MapEnvironment env;
  auto c = LoadBridgeConfig(env);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->main_topic, "place-order-topic");
  EXPECT_EQ(c->retry_topic, "place-order-retry-topic");
  EXPECT_EQ(c->dlq_topic, "place-order-dlq-topic");
  EXPECT_EQ(c->main_group, "kafka-to-sqs-bridge-group");
  EXPECT_EQ(c->retry_group, "retry-consumer-group");
  EXPECT_EQ(c->retry_policy.max_retries, 3);
  EXPECT_FALSE(c->faults.enabled);
  EXPECT_EQ(c->faults.fail_once, std::set<std::string>{"ORD-RETRY-90001"});
  EXPECT_EQ(c->faults.always_fail, std::set<std::string>{"ORD-DLQ-90001"});
  EXPECT_EQ(c->faults.direct_dlq, std::set<std::string>{"ORD-RECEIVE-DLQ-90001"});
  EXPECT_TRUE(c->retry_consumer_enabled);
  EXPECT_EQ(c->metrics_address, "127.0.0.1:9400");
  EXPECT_TRUE(Validate(*c).has_value());
}

TEST(BridgeConfigTest, VariablesOverrideAndListsReplaceDefaults) {
  MapEnvironment env({{"MAX_RETRIES", "5"},
                      {"ENABLE_TEST_FAILURE_SCENARIOS", "true"},
                      {"FAIL_ONCE_ORDER_IDS", " A , B,,"},
                      {"ALWAYS_FAIL_ORDER_IDS", ""},
                      {"RETRY_CONSUMER_ENABLED", "false"},
                      {"KAFKA_PROPERTY_SECURITY_PROTOCOL", "SASL_SSL"},
                      {"KAFKA_PROPERTY_SASL_PASSWORD", "hunter2"}});
  auto c = LoadBridgeConfig(env);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->retry_policy.max_retries, 5);
  EXPECT_TRUE(c->faults.enabled);
  EXPECT_EQ(c->faults.fail_once, (std::set<std::string>{"A", "B"}));
  EXPECT_TRUE(c->faults.always_fail.empty());
  EXPECT_FALSE(c->retry_consumer_enabled);
  EXPECT_EQ(c->kafka_properties.Get("security.protocol"), "SASL_SSL");
  const std::string described = c->Describe();
  EXPECT_EQ(described.find("hunter2"), std::string::npos) << described;
  EXPECT_NE(described.find("retry_consumer=OFF"), std::string::npos);
}

TEST(BridgeConfigTest, BadValuesNameTheVariable) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"MAX_RETRIES", "three"},
                                                        {"MAX_RETRIES", "-1"},
                                                        {"RETRY_CONSUMER_ENABLED", "sometimes"},
                                                        {"SQS_BATCH_SIZE", "0"}}) {
    MapEnvironment env(std::map<std::string, std::string>{{name, value}});
    auto c = LoadBridgeConfig(env);
    ASSERT_FALSE(c.has_value()) << name << "=" << value;
    EXPECT_NE(c.error().message().find(name), std::string::npos) << c.error().message();
  }
  MapEnvironment env(std::map<std::string, std::string>{{"SQS_BATCH_SIZE", "11"}});
  auto c = LoadBridgeConfig(env);
  ASSERT_TRUE(c.has_value());
  EXPECT_FALSE(Validate(*c).has_value());
}

}  // namespace
}  // namespace driftline::bridge
