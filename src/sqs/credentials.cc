#include "sqs/credentials.h"

#include <array>
#include <utility>

#include "common/strings.h"

namespace driftline::sqs {
namespace {

// Unset and empty are the same here: an empty key can never sign a request.
std::optional<std::string> NonEmpty(const Environment& env, std::string_view name) {
  auto value = env.Get(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

}  // namespace

Credentials LocalStackCredentials() {
  return Credentials{"test", "test", std::nullopt};
}

Result<Credentials> CredentialsFromEnv(const Environment& env, WhenMissing when_missing) {
  auto key_id = NonEmpty(env, "AWS_ACCESS_KEY_ID");
  auto secret = NonEmpty(env, "AWS_SECRET_ACCESS_KEY");
  auto token = NonEmpty(env, "AWS_SESSION_TOKEN");
  if (key_id && secret) return Credentials{*key_id, *secret, token};
  if (!key_id && !secret && !token && when_missing == WhenMissing::kUseLocalStackDefaults) {
    return LocalStackCredentials();
  }
  std::string missing;
  if (!key_id) missing = "AWS_ACCESS_KEY_ID";
  if (!secret) missing += missing.empty() ? "AWS_SECRET_ACCESS_KEY" : " and AWS_SECRET_ACCESS_KEY";
  return Fail(Code::kInvalidArgument,
              "SQS credentials incomplete: set " + missing +
                  " (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together; AWS_SESSION_TOKEN "
                  "is optional)");
}

Result<std::string> RegionFromEnv(const Environment& env, WhenMissing when_missing) {
  if (auto region = NonEmpty(env, "AWS_REGION")) return *region;
  if (auto region = NonEmpty(env, "AWS_DEFAULT_REGION")) return *region;
  if (when_missing == WhenMissing::kUseLocalStackDefaults) return std::string(kLocalStackRegion);
  return Fail(Code::kInvalidArgument, "SQS region unset: set AWS_REGION or AWS_DEFAULT_REGION");
}

std::string RedactCredentials(std::string text, const Credentials& credentials) {
  constexpr std::size_t kMinSecretLength = 8;
  constexpr std::string_view kRedacted = "[REDACTED]";
  // Longest first, so a value that contains another is still hidden whole.
  const std::array<const std::string*, 3> values = {
      credentials.session_token ? &*credentials.session_token : nullptr,
      &credentials.secret_access_key, &credentials.access_key_id};
  for (const std::string* value : values) {
    if (value != nullptr && value->size() >= kMinSecretLength) {
      text = ReplaceAll(std::move(text), *value, kRedacted);
    }
  }
  return text;
}

}  // namespace driftline::sqs
