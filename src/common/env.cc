#include "common/env.h"

#include <unistd.h>  // environ (declared with _GNU_SOURCE, which g++ and clang++ define)

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "common/strings.h"

namespace driftline {
namespace {

class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> Get(std::string_view name) const override {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  }
  std::map<std::string, std::string> WithPrefix(std::string_view prefix) const override {
    std::map<std::string, std::string> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      std::string_view entry(*e);
      const auto eq = entry.find('=');
      if (eq == std::string_view::npos) continue;
      const std::string_view key = entry.substr(0, eq);
      if (key.starts_with(prefix)) out.emplace(key, entry.substr(eq + 1));
    }
    return out;
  }
};

}  // namespace

const Environment& Environment::Process() {
  static ProcessEnvironment env;
  return env;
}

std::optional<std::string> MapEnvironment::Get(std::string_view name) const {
  auto it = vars_.find(std::string(name));
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, std::string> MapEnvironment::WithPrefix(std::string_view prefix) const {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : vars_) {
    if (std::string_view(k).starts_with(prefix)) out.emplace(k, v);
  }
  return out;
}

std::string EnvString(const Environment& env, std::string_view name, std::string_view fallback) {
  auto v = env.Get(name);
  if (!v || v->empty()) return std::string(fallback);
  return *v;
}

Result<std::int64_t> EnvInt(const Environment& env, std::string_view name, std::int64_t fallback) {
  auto v = env.Get(name);
  if (!v || v->empty()) return fallback;
  char* end = nullptr;
  errno = 0;
  const long long parsed = std::strtoll(v->c_str(), &end, 10);
  if (errno != 0 || end == v->c_str() || *end != '\0') {
    return Fail(Code::kInvalidArgument, std::string(name) + "='" + *v + "' is not an integer");
  }
  return static_cast<std::int64_t>(parsed);
}

Result<bool> EnvBool(const Environment& env, std::string_view name, bool fallback) {
  auto v = env.Get(name);
  if (!v || v->empty()) return fallback;
  const std::string s = Lower(*v);
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  return Fail(Code::kInvalidArgument,
              std::string(name) + "='" + *v + "' is not a boolean (true/false)");
}

std::map<std::string, std::string> PropertiesFromEnv(const Environment& env,
                                                     std::string_view prefix) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : env.WithPrefix(prefix)) {
    std::string name = Lower(std::string_view(key).substr(prefix.size()));
    std::replace(name.begin(), name.end(), '_', '.');
    if (!name.empty()) out[name] = value;
  }
  return out;
}

}  // namespace driftline
