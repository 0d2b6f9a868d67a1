#include "contract/check/matcher.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <regex>
#include <string_view>

#include "common/strings.h"
#include "contract/spec/document.h"

namespace driftline::contract {
namespace {

using nlohmann::json;

int ToInt(const std::string& s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool ValidDate(int year, int month, int day) {
  if (month < 1 || month > 12 || day < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int max = (month == 2 && leap) ? 29 : kDays[month - 1];
  return day <= max;
}

bool IsDateTimeText(const std::string& s) {
  static const std::regex kRe(
      "([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\\.[0-9]+)?"
      "([Zz]|[+-]([0-9]{2}):([0-9]{2}))");
  std::smatch m;
  if (!std::regex_match(s, m, kRe)) return false;
  if (!ValidDate(ToInt(m[1]), ToInt(m[2]), ToInt(m[3]))) return false;
  if (ToInt(m[4]) > 23 || ToInt(m[5]) > 59 || ToInt(m[6]) > 60) return false;
  if (m[9].matched && (ToInt(m[9]) > 23 || ToInt(m[10]) > 59)) return false;
  return true;
}

bool IsDateText(const std::string& s) {
  static const std::regex kRe("([0-9]{4})-([0-9]{2})-([0-9]{2})");
  std::smatch m;
  return std::regex_match(s, m, kRe) && ValidDate(ToInt(m[1]), ToInt(m[2]), ToInt(m[3]));
}

bool IsTimeText(const std::string& s) {
  static const std::regex kRe(
      "([0-9]{2}):([0-9]{2}):([0-9]{2})(\\.[0-9]+)?([Zz]|[+-]([0-9]{2}):([0-9]{2}))?");
  std::smatch m;
  return std::regex_match(s, m, kRe) && ToInt(m[1]) <= 23 && ToInt(m[2]) <= 59 &&
         ToInt(m[3]) <= 60 && (!m[6].matched || (ToInt(m[6]) <= 23 && ToInt(m[7]) <= 59));
}

// The JSON type family used when only types are compared: numbers are one family.
std::string_view Family(const json& v) {
  if (v.is_number()) return "number";
  return v.type_name();
}

std::string Unquote(const std::string& s) {
  if (s.size() >= 2 &&
      ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\''))) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

bool ExactMatches(const std::string& argument, const json& actual) {
  const bool quoted = Unquote(argument) != argument;
  const std::string text = Unquote(argument);
  if (actual.is_string()) return actual.get_ref<const std::string&>() == text;
  if (quoted) return false;
  if (actual.is_number()) {
    double expected = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), expected);
    if (ec != std::errc() || p != text.data() + text.size()) return false;
    if (actual.is_number_float()) return actual.get<double>() == expected;
    // Integers compared exactly when the text is an integer too.
    std::int64_t i = 0;
    if (auto [q, ec2] = std::from_chars(text.data(), text.data() + text.size(), i);
        ec2 == std::errc() && q == text.data() + text.size()) {
      return actual.is_number_unsigned()
                 ? (i >= 0 && actual.get<std::uint64_t>() == static_cast<std::uint64_t>(i))
                 : actual.get<std::int64_t>() == i;
    }
    return actual.get<double>() == expected;
  }
  if (actual.is_boolean()) return text == (actual.get<bool>() ? "true" : "false");
  if (actual.is_null()) return text == "null";
  const json parsed = json::parse(text, nullptr, false);
  return !parsed.is_discarded() && JsonEqual(parsed, actual);
}

void Add(std::vector<Mismatch>& out, const std::string& pointer, std::string expected,
         const json* actual, std::string message) {
  out.push_back(Mismatch{pointer.empty() ? "/" : pointer, std::move(expected),
                         actual == nullptr ? "(missing)" : Abbreviate(*actual),
                         std::move(message)});
}

// A pattern comes from a contract: matching it must not take exponential time (the default
// executor backtracks: matcher_fuzz found patterns that ran for minutes against a ten-character
// value). libstdc++'s __polynomial flag selects its breadth-first executor, linear in the value
// for a given pattern; it refuses back-references (error_complexity), which need backtracking.
std::regex CompilePattern(const std::string& pattern) {
  return std::regex(pattern, std::regex::ECMAScript | std::regex_constants::__polynomial);
}

// libstdc++'s std::regex reads the number of a back-reference (\N) or of a repetition ({n,m})
// into a long digit by digit, without an overflow check: 19 digits or more are undefined
// behaviour (UBSan in regex_compiler.tcc, found by matcher_fuzz). Such a number, and any that
// does not fit an int, is refused before the pattern is compiled. Returns the first one.
constexpr std::size_t kMaxPatternNumberDigits = 9;
std::optional<std::string> OversizedNumber(std::string_view pattern) {
  auto digits_at = [&](std::size_t at) {
    std::size_t end = at;
    while (end < pattern.size() && pattern[end] >= '0' && pattern[end] <= '9')
      ++end;
    return end - at;
  };
  bool in_braces = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    std::size_t run = 0;
    if (c == '\\' && i + 1 < pattern.size()) {
      run = digits_at(i + 1);
      if (run == 0) {
        ++i;  // an escaped character: never a brace or a number
        continue;
      }
      ++i;
    } else if (c == '{') {
      in_braces = true;
      continue;
    } else if (c == '}') {
      in_braces = false;
      continue;
    } else if (in_braces) {
      run = digits_at(i);
    }
    if (run > kMaxPatternNumberDigits) return std::string(pattern.substr(i, run));
    if (run > 0) i += run - 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<DataType> ParseDataType(std::string_view name) {
  const std::string n = Lower(Trim(name));
  if (n == "string") return DataType::kString;
  if (n == "number") return DataType::kNumber;
  if (n == "integer" || n == "int") return DataType::kInteger;
  if (n == "boolean" || n == "bool") return DataType::kBoolean;
  if (n == "null") return DataType::kNull;
  if (n == "datetime" || n == "date-time" || n == "date_time") return DataType::kDateTime;
  if (n == "date") return DataType::kDate;
  if (n == "time") return DataType::kTime;
  if (n == "uuid") return DataType::kUuid;
  if (n == "email") return DataType::kEmail;
  if (n == "url" || n == "uri") return DataType::kUrl;
  if (n == "anyvalue" || n == "anything" || n == "any") return DataType::kAnyValue;
  return std::nullopt;
}

std::string_view DataTypeName(DataType type) {
  switch (type) {
    case DataType::kString:
      return "string";
    case DataType::kNumber:
      return "number";
    case DataType::kInteger:
      return "integer";
    case DataType::kBoolean:
      return "boolean";
    case DataType::kNull:
      return "null";
    case DataType::kDateTime:
      return "datetime";
    case DataType::kDate:
      return "date";
    case DataType::kTime:
      return "time";
    case DataType::kUuid:
      return "uuid";
    case DataType::kEmail:
      return "email";
    case DataType::kUrl:
      return "url";
    case DataType::kAnyValue:
      return "anyvalue";
  }
  return "?";
}

std::string_view JsonTypeOf(DataType type) {
  switch (type) {
    case DataType::kNumber:
      return "number";
    case DataType::kInteger:
      return "integer";
    case DataType::kBoolean:
      return "boolean";
    case DataType::kNull:
      return "null";
    case DataType::kAnyValue:
      return "";
    default:
      return "string";
  }
}

bool HasDataType(const json& value, DataType type) {
  switch (type) {
    case DataType::kString:
      return value.is_string();
    case DataType::kNumber:
      return value.is_number();
    case DataType::kInteger:
      return value.is_number_integer() ||
             (value.is_number_float() && std::isfinite(value.get<double>()) &&
              std::floor(value.get<double>()) == value.get<double>());
    case DataType::kBoolean:
      return value.is_boolean();
    case DataType::kNull:
      return value.is_null();
    case DataType::kAnyValue:
      return true;
    default:
      break;
  }
  if (!value.is_string()) return false;
  const std::string& s = value.get_ref<const std::string&>();
  switch (type) {
    case DataType::kDateTime:
      return IsDateTimeText(s);
    case DataType::kDate:
      return IsDateText(s);
    case DataType::kTime:
      return IsTimeText(s);
    case DataType::kUuid: {
      static const std::regex kUuid(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
      return std::regex_match(s, kUuid);
    }
    case DataType::kEmail: {
      static const std::regex kEmail("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
      return std::regex_match(s, kEmail);
    }
    case DataType::kUrl: {
      static const std::regex kUrl("[a-zA-Z][a-zA-Z0-9+.-]*://\\S+");
      return std::regex_match(s, kUrl);
    }
    default:
      return false;
  }
}

Result<std::optional<Matcher>> ParseMatcher(const json& value) {
  if (!value.is_string()) return std::optional<Matcher>();
  const std::string& text = value.get_ref<const std::string&>();
  const std::string trimmed(Trim(text));
  if (trimmed.rfind("$match(", 0) == 0) {
    static const std::regex kMatch("\\$match\\(\\s*([A-Za-z]+)\\s*:\\s*([\\s\\S]*?)\\s*\\)");
    std::smatch m;
    if (!std::regex_match(trimmed, m, kMatch)) {
      return Fail(Code::kInvalidArgument,
                  "matcher '" + text + "' is not of the form $match(kind: argument)");
    }
    Matcher matcher;
    matcher.text = text;
    matcher.argument = m[2].str();
    const std::string kind = Lower(m[1].str());
    if (kind == "exact") {
      matcher.kind = Matcher::Kind::kExact;
    } else if (kind == "datatype") {
      matcher.kind = Matcher::Kind::kDataType;
      matcher.data_type = ParseDataType(matcher.argument);
      if (!matcher.data_type) {
        return Fail(Code::kInvalidArgument,
                    "matcher '" + text + "': unknown data type '" + matcher.argument + "'");
      }
    } else if (kind == "pattern") {
      matcher.kind = Matcher::Kind::kPattern;
      if (auto number = OversizedNumber(matcher.argument)) {
        return Fail(Code::kInvalidArgument,
                    "matcher '" + text + "': invalid regular expression: the number " + *number +
                        " (a back-reference or a repetition) "
                        "is too large");
      }
      try {
        (void)CompilePattern(matcher.argument);
      } catch (const std::regex_error& e) {
        return Fail(Code::kInvalidArgument,
                    "matcher '" + text + "': invalid regular expression: " +
                        (e.code() == std::regex_constants::error_complexity
                             ? std::string("back-references are not supported")
                             : std::string(e.what())));
      }
    } else {
      return Fail(Code::kInvalidArgument, "matcher '" + text + "': unknown kind '" + m[1].str() +
                                              "' (exact, dataType or pattern)");
    }
    return std::optional<Matcher>(std::move(matcher));
  }
  if (trimmed.size() > 2 && trimmed.front() == '(' && trimmed.back() == ')') {
    const std::string inner = trimmed.substr(1, trimmed.size() - 2);
    if (auto type = ParseDataType(inner)) {
      Matcher matcher;
      matcher.kind = Matcher::Kind::kDataType;
      matcher.argument = inner;
      matcher.data_type = type;
      matcher.text = text;
      return std::optional<Matcher>(std::move(matcher));
    }
  }
  return std::optional<Matcher>();
}

bool JsonEqual(const json& a, const json& b) {
  if (a.is_number() && b.is_number())
    return a == b;  // nlohmann compares integers and floats numerically
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !JsonEqual(it.value(), *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!JsonEqual(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

std::string Abbreviate(const json& value, std::size_t limit) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > limit) {
    text.resize(limit);
    text += "…";
  }
  return text;
}

namespace {

// CompareValues() when `out` is given; when it is null, only whether the values match: it stops
// at the first difference and builds no pointer or description (the mock's example matching).
bool Compare(const json& expected, const json& actual, const std::string& pointer,
             const MatchOptions& options, std::vector<Mismatch>* out) {
  const std::size_t before = out != nullptr ? out->size() : 0;
  auto differs = [&](auto&& describe) {
    if (out != nullptr) describe(*out);
    return false;
  };
  auto matcher = ParseMatcher(expected);
  if (!matcher) {
    return differs([&](std::vector<Mismatch>& o) {
      Add(o, pointer, expected.get<std::string>(), &actual, matcher.error().message());
    });
  }
  if (*matcher) {
    const Matcher& m = **matcher;
    switch (m.kind) {
      case Matcher::Kind::kExact:
        if (!ExactMatches(m.argument, actual)) {
          return differs([&](std::vector<Mismatch>& o) {
            Add(o, pointer, "exactly " + m.argument, &actual, "value differs from " + m.text);
          });
        }
        break;
      case Matcher::Kind::kDataType:
        if (!HasDataType(actual, *m.data_type)) {
          return differs([&](std::vector<Mismatch>& o) {
            Add(o, pointer, "a " + std::string(DataTypeName(*m.data_type)), &actual,
                "value is not a " + std::string(DataTypeName(*m.data_type)) + " (" + m.text + ")");
          });
        }
        break;
      case Matcher::Kind::kPattern: {
        const std::regex re = CompilePattern(m.argument);
        if (!actual.is_string() || !std::regex_match(actual.get_ref<const std::string&>(), re)) {
          return differs([&](std::vector<Mismatch>& o) {
            Add(o, pointer, "a string matching /" + m.argument + "/", &actual,
                "value does not match the pattern of " + m.text);
          });
        }
        break;
      }
    }
    return true;
  }
  if (expected.is_object()) {
    if (!actual.is_object()) {
      return differs([&](std::vector<Mismatch>& o) {
        Add(o, pointer, "an object", &actual, "expected an object");
      });
    }
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      const std::string child = out != nullptr ? AppendPointer(pointer, it.key()) : std::string();
      auto found = actual.find(it.key());
      if (found == actual.end()) {
        if (out == nullptr) return false;
        Add(*out, child, Abbreviate(it.value()), nullptr, "member '" + it.key() + "' is missing");
        continue;
      }
      if (!Compare(it.value(), *found, child, options, out) && out == nullptr) return false;
    }
    return out == nullptr || out->size() == before;
  }
  if (expected.is_array()) {
    if (!actual.is_array()) {
      return differs([&](std::vector<Mismatch>& o) {
        Add(o, pointer, "an array", &actual, "expected an array");
      });
    }
    if (expected.size() != actual.size()) {
      return differs([&](std::vector<Mismatch>& o) {
        Add(o, pointer, std::to_string(expected.size()) + " items", &actual,
            "expected " + std::to_string(expected.size()) + " items, got " +
                std::to_string(actual.size()));
      });
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const std::string child = out != nullptr ? AppendPointer(pointer, i) : std::string();
      if (!Compare(expected[i], actual[i], child, options, out) && out == nullptr) return false;
    }
    return out == nullptr || out->size() == before;
  }
  if (options.literals_by_value) {
    if (!JsonEqual(expected, actual)) {
      return differs([&](std::vector<Mismatch>& o) {
        Add(o, pointer, Abbreviate(expected), &actual, "value differs");
      });
    }
  } else if (Family(expected) != Family(actual)) {
    return differs([&](std::vector<Mismatch>& o) {
      Add(o, pointer, "a " + std::string(Family(expected)) + " (schema-only literal)", &actual,
          "value is of a different type");
    });
  }
  return true;
}

}  // namespace

bool CompareValues(const json& expected, const json& actual, const std::string& pointer,
                   const MatchOptions& options, std::vector<Mismatch>& out) {
  return Compare(expected, actual, pointer, options, &out);
}

bool ValuesMatch(const json& expected, const json& actual, const MatchOptions& options) {
  return Compare(expected, actual, std::string(), options, nullptr);
}

}  // namespace driftline::contract
