// The help text of a contract-test flag that stands for an environment variable, from the
// settings table (contract/run/suite.h), so --help, the README and the man page say the same.
#pragma once

#include <string>
#include <string_view>

#include "common/settings.h"
#include "contract/run/suite.h"

namespace driftline::apps {

inline std::string ContractTestFlagHelp(std::string_view variable) {
  const Setting* setting = FindSetting(contract::ContractTestSettings(), variable);
  return setting == nullptr ? std::string(variable) : SettingHelp(*setting);
}

}  // namespace driftline::apps
