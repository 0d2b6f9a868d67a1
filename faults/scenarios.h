// The fault campaign's scenarios. Each one runs order-service (the real binary) against the
// real stack on a private topology, injects one kind of fault, and accounts for every order it
// produced: where it was due (SQS or the dead-letter topic), whether it got there, how often.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "faults/feed.h"
#include "faults/orders.h"

namespace driftline::faults {

struct CampaignOptions {
  bool short_form = false;  // smaller sizes and shorter outages (make test)
  std::uint64_t seed = 0;   // random kill moments
};

// One expectation of a scenario and whether it held.
struct Check {
  std::string what;
  bool ok = false;
  std::string detail;
};

struct ScenarioResult {
  std::string name;
  Tally tally;
  double seconds = 0;
  std::vector<Check> checks;
  std::vector<std::string> notes;  // what happened: seed, moments, timings

  // No loss, nothing misrouted, every check held.
  bool Passed() const;
};

struct Scenario {
  std::string name;
  std::string summary;
  ScenarioResult (*run)(const Environment& env, const CampaignOptions& options);
};

// Every scenario, in campaign order.
const std::vector<Scenario>& AllScenarios();

// The summary table (scenario, orders, in SQS, in DLQ, lost, duplicates, seconds, verdict).
std::string FormatTable(const std::vector<ScenarioResult>& results);
nlohmann::json ToJson(const ScenarioResult& result);

}  // namespace driftline::faults
