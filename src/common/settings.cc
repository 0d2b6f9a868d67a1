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
