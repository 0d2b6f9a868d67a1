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

// Lists the settings of `table` without a flag in `app`'s help footer, one line each.
inline void AddEnvironmentOnlyFooter(CLI::App& app, std::span<const Setting> table) {
  std::string environment_only;
  for (const Setting& s : table) {
    if (s.flag.empty())
      environment_only += "\n  " + std::string(s.variable) + ": " + SettingHelp(s);
  }
  if (!environment_only.empty()) {
    app.footer("Settings without a flag (environment only):" + environment_only);
  }
}

// Adds a flag for every setting of `table` that has one. A value flag stores its text, as
// given, under the setting's variable in `overrides`; a switch stores its switch_value. The
// help line ends with "[VARIABLE]", "[VARIABLE, min..max]" and the default (SettingHelp); the
// settings without a flag are listed in the help's footer. `overrides` must outlive `app`'s
// parse.
inline void AddSettingFlags(CLI::App& app, std::span<const Setting> table,
                            std::map<std::string, std::string>& overrides) {
  for (const Setting& s : table) {
    if (s.flag.empty()) continue;
    const std::string help = SettingHelp(s);
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
  AddEnvironmentOnlyFooter(app, table);
}

// Adds the hidden --settings-markdown: prints the table as Markdown (SettingsMarkdown) and
// exits 0. The README's settings tables are this output (scripts/readme-settings.py checks).
inline void AddSettingsMarkdownFlag(CLI::App& app, std::span<const Setting> table) {
  app.add_flag_callback(
         "--settings-markdown", [table] { throw CLI::CallForVersion(SettingsMarkdown(table), 0); },
         "Print every setting as a Markdown table")
      ->group("");
}

}  // namespace driftline::apps
