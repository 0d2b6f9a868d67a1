// AWS credentials and region for signing SQS requests, read from the standard variables.
//
// Credentials are secrets: nothing in this module formats them, no Error carries them, and
// RedactCredentials() scrubs them out of any text that came back from a server. Keep it that
// way: never log a Credentials value or put it in a message.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace driftline::sqs {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  // Temporary credentials (STS) also need their token, sent as X-Amz-Security-Token.
  std::optional<std::string> session_token;
};

// What to do when AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the region are unset.
enum class WhenMissing {
  kFail,                   // kInvalidArgument naming the variables (production)
  kUseLocalStackDefaults,  // test/test and us-east-1, what ElasticMQ and moto accept
};

// The credentials ElasticMQ and moto accept (they are not secret).
Credentials LocalStackCredentials();
inline constexpr std::string_view kLocalStackRegion = "us-east-1";

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, when set, AWS_SESSION_TOKEN. Setting only one of
// the pair is always an error (a half-configured environment is never silently replaced).
// Errors: kInvalidArgument naming the missing variables, never their values.
Result<Credentials> CredentialsFromEnv(const Environment& env,
                                       WhenMissing when_missing = WhenMissing::kFail);

// AWS_REGION, then AWS_DEFAULT_REGION. Errors: kInvalidArgument naming both variables.
Result<std::string> RegionFromEnv(const Environment& env,
                                  WhenMissing when_missing = WhenMissing::kFail);

// `text` with every credential value of 8 or more characters replaced by "[REDACTED]".
// Shorter values ("test") are not secrets worth hiding and would mangle ordinary words.
std::string RedactCredentials(std::string text, const Credentials& credentials);

}  // namespace driftline::sqs
