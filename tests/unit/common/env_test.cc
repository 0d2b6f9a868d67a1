#include "common/env.h"

#include <gtest/gtest.h>

namespace driftline {
namespace {

TEST(EnvTest, StringFallsBackWhenUnsetOrEmpty) {
  MapEnvironment env({{"A", "x"}, {"EMPTY", ""}});
  EXPECT_EQ(EnvString(env, "A", "d"), "x");
  EXPECT_EQ(EnvString(env, "EMPTY", "d"), "d");
  EXPECT_EQ(EnvString(env, "MISSING", "d"), "d");
}

TEST(EnvTest, IntRejectsGarbageAndNamesTheVariable) {
  MapEnvironment env({{"MAX_RETRIES", "5"}, {"BAD", "5x"}});
  EXPECT_EQ(EnvInt(env, "MAX_RETRIES", 3).value(), 5);
  EXPECT_EQ(EnvInt(env, "UNSET", 3).value(), 3);
  auto bad = EnvInt(env, "BAD", 3);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("BAD='5x'"), std::string::npos);
}

TEST(EnvTest, BoolAcceptsCommonSpellings) {
  MapEnvironment env({{"T", "TRUE"}, {"F", "off"}, {"X", "maybe"}});
  EXPECT_TRUE(EnvBool(env, "T", false).value());
  EXPECT_FALSE(EnvBool(env, "F", true).value());
  EXPECT_TRUE(EnvBool(env, "UNSET", true).value());
  EXPECT_FALSE(EnvBool(env, "X", true).has_value());
}

TEST(EnvTest, PropertiesFromEnvMapsNames) {
  MapEnvironment env({{"KAFKA_PROPERTY_SECURITY_PROTOCOL", "SASL_SSL"},
                      {"KAFKA_PROPERTY_SASL_MECHANISM", "PLAIN"},
                      {"KAFKA_BOOTSTRAP_SERVERS", "ignored"}});
  auto props = PropertiesFromEnv(env, "KAFKA_PROPERTY_");
  ASSERT_EQ(props.size(), 2u);
  EXPECT_EQ(props["security.protocol"], "SASL_SSL");
  EXPECT_EQ(props["sasl.mechanism"], "PLAIN");
}

}  // namespace
}  // namespace driftline
