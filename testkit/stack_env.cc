#include "testkit/stack_env.h"

#include <unistd.h>

#include <cstdlib>
#include <random>

namespace driftline::testkit {
namespace {
std::string FromEnv(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : std::string(fallback);
}
}  // namespace

std::string KafkaBootstrap() {
  return FromEnv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
}
std::string SqsEndpoint() {
  return FromEnv("SQS_ENDPOINT", "http://127.0.0.1:4566");
}

std::string UniqueName(std::string_view prefix) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string suffix;
  auto r = rng();
  for (int i = 0; i < 8; ++i, r >>= 4)
    suffix += kHex[r & 0xF];
  return std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + suffix;
}

}  // namespace driftline::testkit
