// Distinctive credentials for the tests that check no credential is ever printed, and the
// check itself. Long enough for RedactCredentials (8+ characters) and unlike anything else in
// a log or a report.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace driftline::testkit {

inline constexpr const char* kTestAccessKeyId = "AKIADLTESTKEYID4711X";
inline constexpr const char* kTestSecretKey = "dlSecretAccessKey/NeverLogged+0123456789abcdef";
inline constexpr const char* kTestSessionToken =
    "dlSessionToken/NeverLogged+IQoJb3JpZ2luX2VjEHgaCXVzLWVh";
inline constexpr const char* kTestSaslPassword = "dlSaslPassword-NeverLogged-8d1f";

// The whole file, or "" when it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The access key id is not a secret to AWS (it names the key, and travels in clear in every
// Authorization header), but nothing needs it printed and the SQS client scrubs it from server
// errors with the rest: its absence is checked too, so printing it becomes a decision.
inline void ExpectNoSecret(const std::string& text, const std::string& where) {
  using ::testing::HasSubstr;
  using ::testing::Not;
  EXPECT_THAT(text, Not(HasSubstr(kTestSecretKey))) << where;
  EXPECT_THAT(text, Not(HasSubstr(kTestSessionToken))) << where;
  EXPECT_THAT(text, Not(HasSubstr(kTestSaslPassword))) << where;
  EXPECT_THAT(text, Not(HasSubstr(kTestAccessKeyId))) << where;
}

}  // namespace driftline::testkit
