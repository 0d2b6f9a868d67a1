#include "contract/run/result.h"

#include <algorithm>

namespace driftline::contract {

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPassed:
      return "passed";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kError:
      return "error";
  }
  return "?";
}

Counts SuiteResult::Tally() const {
  Counts c;
  for (const TestResult& t : tests) {
    ++c.run;
    if (t.wip)
      ++c.wip;
    else if (t.outcome == Outcome::kPassed)
      ++c.successes;
    else if (t.outcome == Outcome::kFailed)
      ++c.failures;
    else
      ++c.errors;
  }
  return c;
}

std::vector<ChannelCount> SuiteResult::MessageCounts() const {
  std::vector<ChannelCount> out;
  for (const TestResult& t : tests) {
    for (const auto& [channel, seen] : t.tally) {
      // A named copy of the binding: lambdas may not capture structured bindings before clang 16.
      const std::string& name = channel;
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const ChannelCount& c) { return c.channel == name; });
      if (it == out.end()) {
        out.push_back(ChannelCount{channel, 0, 0});
        it = out.end() - 1;
      }
      ++it->expected;
      if (seen) ++it->actual;
    }
  }
  return out;
}

int SuiteResult::ExitCode() const {
  const Counts c = Tally();
  return (c.failures > 0 || c.errors > 0) ? 1 : 0;
}

}  // namespace driftline::contract
