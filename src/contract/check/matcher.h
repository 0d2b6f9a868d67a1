// Comparing an observed value with what an example expects.
//
// An expected value is either a plain literal, compared by value (numbers numerically, objects
// and arrays deeply; an object lists the members it cares about, extra members are allowed),
// or a matcher written as a string:
//   "$match(exact: 2)"             the value, read in the actual value's type
//   "$match(dataType: datetime)"   a type (the same names as the bare forms below)
//   "$match(pattern: VRF-[0-9]+)"  an ECMAScript regular expression matching the whole string
//   "(datetime)" "(date)" "(time)" "(string)" "(number)" "(integer)" "(boolean)" "(uuid)"
//   "(email)" "(url)" "(null)" "(anyvalue)"
// Specmatic compares plain literals against the schema only; MatchOptions::literals_by_value
// = false gives that looser behaviour (a literal then only needs a value of the same JSON type).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace driftline::contract {

enum class DataType {
  kString,
  kNumber,
  kInteger,
  kBoolean,
  kNull,
  kDateTime,
  kDate,
  kTime,
  kUuid,
  kEmail,
  kUrl,
  kAnyValue,
};

// "datetime" (also "date-time"), "date", ... case-insensitive; nullopt when unknown.
std::optional<DataType> ParseDataType(std::string_view name);
std::string_view DataTypeName(DataType type);
// Whether `value` is of `type` (datetime: RFC 3339 with a valid calendar date; uuid: 8-4-4-4-12
// hex digits; integer: a number without a fractional part).
bool HasDataType(const nlohmann::json& value, DataType type);
// The JSON Schema "type" a data type implies ("string", "number", "integer", "boolean",
// "null"); empty for kAnyValue.
std::string_view JsonTypeOf(DataType type);

struct Matcher {
  enum class Kind { kExact, kDataType, kPattern };
  Kind kind = Kind::kExact;
  std::string argument;               // "2", "datetime", "VRF-[0-9]{6}"
  std::optional<DataType> data_type;  // kDataType only
  std::string text;                   // as written
};

// A matcher when `value` is a string in one of the forms above; nullopt for any literal.
// Errors: kInvalidArgument for "$match(...)" with an unknown kind or data type, or a pattern
// that is not a valid regular expression.
Result<std::optional<Matcher>> ParseMatcher(const nlohmann::json& value);

// One difference between expected and actual.
struct Mismatch {
  std::string pointer;   // JSON pointer into the message: "/payload/itemsCount", "/headers/X"
  std::string expected;  // what was expected, in words or JSON
  std::string actual;    // the actual value as JSON, or "(missing)"
  std::string message;   // a sentence
};

struct MatchOptions {
  bool literals_by_value = true;
};

// Appends every difference between `expected` (literals and matchers) and `actual` to `out`.
// `pointer` prefixes the mismatches' pointers. Returns true when there was none.
bool CompareValues(const nlohmann::json& expected, const nlohmann::json& actual,
                   const std::string& pointer, const MatchOptions& options,
                   std::vector<Mismatch>& out);
// Whether CompareValues() would find no difference, without describing any (stops at the first).
bool ValuesMatch(const nlohmann::json& expected, const nlohmann::json& actual,
                 const MatchOptions& options);

// Whether two JSON values are equal by value: numbers numerically (2 == 2.0), objects and
// arrays member by member.
bool JsonEqual(const nlohmann::json& a, const nlohmann::json& b);

// Compact JSON, cut to `limit` characters with "…".
std::string Abbreviate(const nlohmann::json& value, std::size_t limit = 160);

}  // namespace driftline::contract
