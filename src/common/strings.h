// Small ASCII string helpers shared by every module, so each is written (and tested) once.
// None of them depends on the C++ locale: they only ever touch the ASCII range.
#pragma once

#include <string>
#include <string_view>

namespace driftline {

// `s` without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r). The view points
// into `s`: it lives as long as the text it was taken from.
std::string_view Trim(std::string_view s);

// `s` with 'A'..'Z' lowered; every other byte (UTF-8 included) is left as it is.
std::string Lower(std::string_view s);

// `text` with every occurrence of `needle` replaced by `replacement`, left to right, never
// rescanning a replacement. An empty `needle` changes nothing.
std::string ReplaceAll(std::string text, std::string_view needle, std::string_view replacement);

}  // namespace driftline
