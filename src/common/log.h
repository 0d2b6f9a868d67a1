// Process-wide logging on spdlog: human-readable lines by default, one JSON object a line with
// LOG_FORMAT=json. Never log credentials; the SQS client keeps them out of everything it prints.
#pragma once

#include <string_view>

#include "common/status.h"

namespace driftline {

enum class LogFormat { kText, kJson };

// level: trace|debug|info|warn|error|critical|off (case-insensitive; "warning" accepted).
// format: "text" or "json". Errors name the bad value; logging stays at its default then.
Status InitLogging(std::string_view level, std::string_view format);

}  // namespace driftline
