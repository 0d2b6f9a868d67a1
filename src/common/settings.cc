#include "common/settings.h"

#include <algorithm>

namespace driftline {

const Setting* FindSetting(std::span<const Setting> table, std::string_view variable) {
  auto it = std::find_if(table.begin(), table.end(),
                         [&](const Setting& s) { return s.variable == variable; });
  return it == table.end() ? nullptr : &*it;
}

std::string SettingName(const Setting& setting) {
  std::string name(setting.variable);
  if (!setting.flag.empty()) name += " (" + std::string(setting.flag) + ")";
  return name;
}

namespace {

std::string RangeText(const IntRange& range) {
  return std::to_string(range.min) + ".." + std::to_string(range.max);
}

// A table cell: pipes escaped, so a help text cannot split the row.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string SettingHelp(const Setting& setting) {
  std::string help = std::string(setting.help) + " [" + std::string(setting.variable);
  if (setting.range) help += ", " + RangeText(*setting.range);
  if (!setting.default_value.empty()) help += ", default " + std::string(setting.default_value);
  return help + "]";
}

std::string SettingsMarkdown(std::span<const Setting> table) {
  std::string out = "| Variable | Flag | Default | Range | Meaning |\n|---|---|---|---|---|\n";
  auto code = [](std::string_view text) {
    return text.empty() ? std::string() : "`" + std::string(text) + "`";
  };
  for (const Setting& s : table) {
    std::string flag = code(s.flag);
    if (!s.switch_value.empty()) flag += " (sets " + std::string(s.switch_value) + ")";
    out += "| " + code(s.variable) + " | " + flag + " | " + Cell(code(s.default_value)) + " | " +
           (s.range ? RangeText(*s.range) : std::string()) + " | " + Cell(s.help) + " |\n";
  }
  return out;
}

Status CheckRange(const Setting& setting, std::int64_t value) {
  if (!setting.range || setting.range->Contains(value)) return Ok();
  return Fail(Code::kInvalidArgument, SettingName(setting) + " = " + std::to_string(value) +
                                          " is out of range " + std::to_string(setting.range->min) +
                                          ".." + std::to_string(setting.range->max));
}

Result<std::int64_t> SettingInt(const Environment& env, const Setting& setting,
                                std::int64_t fallback) {
  auto value = EnvInt(env, setting.variable, fallback);
  if (!value) {
    const std::string raw = env.Get(setting.variable).value_or("");
    std::string message = SettingName(setting) + " = '" + raw + "' is not an integer";
    if (setting.range) {
      message += " (range " + std::to_string(setting.range->min) + ".." +
                 std::to_string(setting.range->max) + ")";
    }
    return Fail(Code::kInvalidArgument, std::move(message));
  }
  if (Status s = CheckRange(setting, *value); !s) return tl::unexpected(s.error());
  return *value;
}

std::optional<std::string> OverlayEnvironment::Get(std::string_view name) const {
  if (auto it = overrides_.find(std::string(name)); it != overrides_.end()) return it->second;
  return base_.Get(name);
}

std::map<std::string, std::string> OverlayEnvironment::WithPrefix(std::string_view prefix) const {
  std::map<std::string, std::string> out = base_.WithPrefix(prefix);
  for (const auto& [name, value] : overrides_) {
    if (std::string_view(name).starts_with(prefix)) out[name] = value;
  }
  return out;
}

}  // namespace driftline
