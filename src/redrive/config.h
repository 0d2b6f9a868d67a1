// dlq-redrive's configuration: order-service's names where they mean the same thing
// (KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC, DLQ_TOPIC, KAFKA_PROPERTY_<NAME>, KAFKA_PROPERTIES_FILE)
// plus its own, each with a flag; the filters are flags only (they describe one run).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/settings.h"
#include "common/status.h"
#include "redrive/redrive.h"

namespace driftline::redrive {

// Every setting with its variable, flag and (for integers) range, for the command line and the
// checks of LoadRedriveOptions().
std::span<const Setting> RedriveSettings();

// The options from `env` (an OverlayEnvironment holding the flags), without the filter.
// Errors (kInvalidArgument) name the variable and its flag, the value and the range.
Result<RedriveOptions> LoadRedriveOptions(const Environment& env);

// The filter flags as given.
struct FilterFlags {
  std::string reason;
  std::vector<std::string> error_kinds;
  std::vector<std::string> failure_reasons;
  std::string since;  // "2026-01-19T10:00:00Z" or "2026-01-19"; empty: no bound
  std::string until;
  std::vector<std::string> correlation_ids;
  std::vector<std::string> order_ids;
};

// Errors (kInvalidArgument): a time that is not one of the accepted forms (naming the flag and
// the value), --since not before --until.
Result<Filter> MakeFilter(const FilterFlags& flags);

}  // namespace driftline::redrive
