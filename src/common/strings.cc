#include "common/strings.h"

namespace driftline {
namespace {

constexpr std::string_view kAsciiWhitespace = " \t\n\v\f\r";

}  // namespace

std::string_view Trim(std::string_view s) {
  const std::size_t first = s.find_first_not_of(kAsciiWhitespace);
  if (first == std::string_view::npos) return {};
  const std::size_t last = s.find_last_not_of(kAsciiWhitespace);
  return s.substr(first, last - first + 1);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string ReplaceAll(std::string text, std::string_view needle, std::string_view replacement) {
  if (needle.empty()) return text;
  for (auto pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + replacement.size())) {
    text.replace(pos, needle.size(), replacement);
  }
  return text;
}

}  // namespace driftline
