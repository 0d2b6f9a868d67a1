// libFuzzer target: any text as an example value — parsed as a matcher ($match(...), (type))
// and compared with a few actual values. Errors are values; nothing may crash or throw.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "contract/check/matcher.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using nlohmann::json;
  const std::string text(reinterpret_cast<const char*>(data), size);
  // Example files are JSON: their strings are valid UTF-8 (anything else fails to load first).
  json expected = json::parse(json(text).dump(-1, ' ', false, json::error_handler_t::ignore));
  (void)driftline::contract::ParseMatcher(expected);
  static const std::vector<json> actuals = {json("2026-01-19T10:00:05Z"),
                                            json(4),
                                            json(4.5),
                                            json(true),
                                            json(nullptr),
                                            json("VRF-123456"),
                                            json::parse(R"({"a":[1,"x"]})")};
  driftline::contract::MatchOptions options;
  for (const auto& actual : actuals) {
    std::vector<driftline::contract::Mismatch> out;
    (void)driftline::contract::CompareValues(expected, actual, "/payload", options, out);
  }
  return 0;
}
