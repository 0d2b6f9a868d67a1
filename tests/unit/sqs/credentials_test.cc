#include "sqs/credentials.h"

#include <gtest/gtest.h>

namespace driftline::sqs {
namespace {

TEST(CredentialsFromEnvTest, ReadsTheStandardVariables) {
  MapEnvironment env({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                      {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
                      {"AWS_SESSION_TOKEN", "token-123"}});
  auto credentials = CredentialsFromEnv(env);
  ASSERT_TRUE(credentials.has_value()) << credentials.error().ToString();
  EXPECT_EQ(credentials->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(credentials->secret_access_key, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  EXPECT_EQ(credentials->session_token, "token-123");
}

TEST(CredentialsFromEnvTest, SessionTokenIsOptional) {
  MapEnvironment env({{"AWS_ACCESS_KEY_ID", "id"}, {"AWS_SECRET_ACCESS_KEY", "secret"}});
  auto credentials = CredentialsFromEnv(env);
  ASSERT_TRUE(credentials.has_value());
  EXPECT_FALSE(credentials->session_token.has_value());
}

TEST(CredentialsFromEnvTest, MissingCredentialsNameTheVariables) {
  MapEnvironment env;
  auto credentials = CredentialsFromEnv(env);
  ASSERT_FALSE(credentials.has_value());
  EXPECT_EQ(credentials.error().code(), Code::kInvalidArgument);
  EXPECT_NE(credentials.error().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_NE(credentials.error().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST(CredentialsFromEnvTest, HalfConfiguredIsAnErrorEvenWithLocalDefaults) {
  MapEnvironment env(
      std::map<std::string, std::string>{{"AWS_ACCESS_KEY_ID", "AKIAHALFCONFIGURED"}});
  auto credentials = CredentialsFromEnv(env, WhenMissing::kUseLocalStackDefaults);
  ASSERT_FALSE(credentials.has_value());
  EXPECT_TRUE(credentials.error().message().starts_with(
      "SQS credentials incomplete: set AWS_SECRET_ACCESS_KEY ("))
      << credentials.error().message();
  EXPECT_EQ(credentials.error().ToString().find("AKIAHALFCONFIGURED"), std::string::npos);
}

TEST(CredentialsFromEnvTest, LocalStackDefaultsOnlyWhenAskedFor) {
  MapEnvironment env;
  auto credentials = CredentialsFromEnv(env, WhenMissing::kUseLocalStackDefaults);
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->access_key_id, "test");
  EXPECT_EQ(credentials->secret_access_key, "test");
}

TEST(RegionFromEnvTest, PrefersAwsRegionThenDefaultRegion) {
  EXPECT_EQ(RegionFromEnv(
                MapEnvironment({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "us-west-2"}}))
                .value(),
            "eu-west-1");
  EXPECT_EQ(RegionFromEnv(MapEnvironment(std::map<std::string, std::string>{
                              {"AWS_DEFAULT_REGION", "us-west-2"}}))
                .value(),
            "us-west-2");
  EXPECT_EQ(RegionFromEnv(MapEnvironment(), WhenMissing::kUseLocalStackDefaults).value(),
            "us-east-1");
  auto missing = RegionFromEnv(MapEnvironment());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Code::kInvalidArgument);
  EXPECT_NE(missing.error().message().find("AWS_REGION"), std::string::npos);
  EXPECT_NE(missing.error().message().find("AWS_DEFAULT_REGION"), std::string::npos);
}

TEST(RedactCredentialsTest, HidesEveryLongCredentialValue) {
  Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                          "session-token-value"};
  const std::string text =
      "Credential=AKIDEXAMPLE/20150830 secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY token "
      "session-token-value and again AKIDEXAMPLE";
  const std::string redacted = RedactCredentials(text, credentials);
  EXPECT_EQ(redacted,
            "Credential=[REDACTED]/20150830 secret [REDACTED] token [REDACTED] and again "
            "[REDACTED]");
}

TEST(RedactCredentialsTest, LeavesShortPlaceholderCredentialsAlone) {
  // test/test are not secrets; redacting "test" would mangle queue names in messages.
  EXPECT_EQ(RedactCredentials("queue test-queue", LocalStackCredentials()), "queue test-queue");
}

}  // namespace
}  // namespace driftline::sqs
