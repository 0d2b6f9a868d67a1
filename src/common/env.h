// Configuration from environment variables, behind an interface so tests pass a map.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace driftline {

class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value; nullopt when unset. An empty value is returned as "".
  virtual std::optional<std::string> Get(std::string_view name) const = 0;
  // Every variable whose name starts with `prefix`, prefix included.
  virtual std::map<std::string, std::string> WithPrefix(std::string_view prefix) const = 0;

  // The real process environment.
  static const Environment& Process();
};

class MapEnvironment final : public Environment {
 public:
  MapEnvironment() = default;
  explicit MapEnvironment(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
  std::optional<std::string> Get(std::string_view name) const override;
  std::map<std::string, std::string> WithPrefix(std::string_view prefix) const override;
  void Set(std::string name, std::string value) { vars_[std::move(name)] = std::move(value); }

 private:
  std::map<std::string, std::string> vars_;
};

// Unset or empty gives the fallback.
std::string EnvString(const Environment& env, std::string_view name, std::string_view fallback);
// Errors name the variable and the offending value.
Result<std::int64_t> EnvInt(const Environment& env, std::string_view name, std::int64_t fallback);
// Accepts true/false/1/0/yes/no/on/off, any case.
Result<bool> EnvBool(const Environment& env, std::string_view name, bool fallback);

// Client properties passed through from the environment: KAFKA_PROPERTY_SASL_MECHANISM=PLAIN
// becomes {"sasl.mechanism": "PLAIN"} for prefix "KAFKA_PROPERTY_" (lower case, '_' -> '.').
std::map<std::string, std::string> PropertiesFromEnv(const Environment& env,
                                                     std::string_view prefix);

}  // namespace driftline
