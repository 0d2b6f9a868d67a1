// Reading members of the SQS JSON protocol's objects, shared by the error mapping and the
// response decoders.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace driftline::sqs {

// The string member `key` of `object`; nullopt when absent, null or not a string.
inline std::optional<std::string> OptionalString(const nlohmann::json& object,
                                                 std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace driftline::sqs
