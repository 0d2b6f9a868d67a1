// Command-line flags from a settings table (common/settings.h): each flag becomes an override
// of its environment variable, so the program reads flags and environment through one
// OverlayEnvironment and checks both the same way.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <span>
#include <string>

#include "common/settings.h"

namespace driftline::apps {

// Adds a flag for every setting of `table` that has one. A value flag stores its text, as
// given, under the setting's variable in `overrides`; a switch stores its switch_value. The
// help line ends with "[VARIABLE]" or "[VARIABLE, min..max]". `overrides` must outlive `app`'s
// parse.
inline void AddSettingFlags(CLI::App& app, std::span<const Setting> table,
                            std::map<std::string, std::string>& overrides) {
  for (const Setting& s : table) {
    if (s.flag.empty()) continue;
    std::string help = std::string(s.help) + " [" + std::string(s.variable);
    if (s.range) {
      help += ", " + std::to_string(s.range->min) + ".." + std::to_string(s.range->max);
    }
    help += "]";
    const std::string variable(s.variable);
    if (!s.switch_value.empty()) {
      const std::string value(s.switch_value);
      app.add_flag_callback(
          std::string(s.flag), [&overrides, variable, value] { overrides[variable] = value; },
          help);
    } else {
      app.add_option_function<std::string>(
          std::string(s.flag),
          [&overrides, variable](const std::string& v) { overrides[variable] = v; }, help);
    }
  }
}

}  // namespace driftline::apps
