// What Studio shows, as JSON: the loaded contract and its examples, one test's result, a whole
// run's result, and the live timeline of one test's messages. Pure: no file, clock or network.
// Text travels unchanged (escaping for display is the page's job).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "contract/run/plan.h"
#include "contract/run/result.h"
#include "contract/run/suite.h"
#include "contract/run/test_case.h"
#include "contract/spec/observed_message.h"

namespace driftline::studio {

// The contract view of api.md; paths relative to `root`.
nlohmann::json ContractView(const contract::Suite& suite, const std::filesystem::path& root,
                            const std::optional<std::filesystem::path>& config_file);
// One test's result; `plan` may be null.
nlohmann::json TestJson(const contract::TestResult& result, const contract::TestPlan* plan);
// A whole run's result; plans looked up in `cases` by name.
nlohmann::json SuiteJson(const contract::SuiteResult& suite,
                         const std::vector<contract::TestCase>& cases);
// success | retry-then-success | retry-then-dlq | direct-dlq | send-only
std::string FlowKind(const contract::TestPlan& plan);

// One test's messages as they arrive, as the fields of api.md's "message" event (without
// "test"). `plan` is borrowed. Not thread-safe: the test's own thread calls it.
class TimelineTracker {
 public:
  explicit TimelineTracker(const contract::TestPlan& plan);
  nlohmann::json Published(const std::string& coordinates,
                           std::optional<Clock::WallTime> produced_at, Clock::WallTime now);
  nlohmann::json Observed(const contract::ObservedMessage& message);

 private:
  const contract::TestPlan& plan_;
  std::optional<Clock::WallTime> published_at_;
};

}  // namespace driftline::studio
