// A program's settings as one table: each setting is an environment variable, optionally a
// command-line flag that overrides it, and for an integer its range.
//
// Flags and the environment go through the same code: a program turns the flags it was given
// into overrides of their variables (FlagOverrides), reads the variables through an
// OverlayEnvironment, and every value, whatever its source, is parsed and range-checked by
// SettingInt() against the one table. An error names the variable, the flag, the value and the
// range: "MAX_IN_FLIGHT_MESSAGES (--max-in-flight) = 0 is out of range 1..1000000".
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace driftline {

struct IntRange {
  std::int64_t min = std::numeric_limits<std::int64_t>::min();
  std::int64_t max = std::numeric_limits<std::int64_t>::max();

  bool Contains(std::int64_t v) const { return v >= min && v <= max; }
};

struct Setting {
  std::string_view variable;  // MAX_IN_FLIGHT_MESSAGES
  std::string_view flag;      // "--max-in-flight"; empty: the variable only
  std::string_view help;      // one line, for --help
  // Integers only: the accepted values.
  std::optional<IntRange> range = std::nullopt;
  // Non-empty: the flag takes no value, and giving it sets the variable to this value
  // ("--no-retry-consumer" sets RETRY_CONSUMER_ENABLED=false).
  std::string_view switch_value = {};
  // What the program uses when the variable is unset, as it would be written in the variable;
  // empty: nothing (the feature is off, or the help says what happens). A test per table sets
  // every default explicitly and checks the program's configuration does not change.
  std::string_view default_value = {};
};

// The entry for `variable`; nullptr when the table has none.
const Setting* FindSetting(std::span<const Setting> table, std::string_view variable);

// "NAME (--flag)" or "NAME" for a setting without a flag.
std::string SettingName(const Setting& setting);

// The help line of a setting: its text, then "[VARIABLE]", "[VARIABLE, min..max]",
// "[VARIABLE, default 10]" or "[VARIABLE, 1..10, default 10]".
std::string SettingHelp(const Setting& setting);

// The table as Markdown: one row per setting with its variable, flag, default, range and help,
// for the README and the man pages (`--settings-markdown`).
std::string SettingsMarkdown(std::span<const Setting> table);

// kInvalidArgument "<NAME (--flag)> = <value> is out of range <min>..<max>" unless `value`
// is in the setting's range (a setting without a range accepts any value).
Status CheckRange(const Setting& setting, std::int64_t value);

// The setting's integer from `env` (`fallback` when unset or empty), parsed and range-checked.
// Errors (kInvalidArgument) name the setting and the value.
Result<std::int64_t> SettingInt(const Environment& env, const Setting& setting,
                                std::int64_t fallback);

// The environment with some variables replaced: what a program reads once its flags are
// parsed. `base` is borrowed and must outlive this.
class OverlayEnvironment final : public Environment {
 public:
  OverlayEnvironment(const Environment& base, std::map<std::string, std::string> overrides)
      : base_(base), overrides_(std::move(overrides)) {}
  std::optional<std::string> Get(std::string_view name) const override;
  std::map<std::string, std::string> WithPrefix(std::string_view prefix) const override;

 private:
  const Environment& base_;
  std::map<std::string, std::string> overrides_;
};

}  // namespace driftline
