// Reading contract-test's console output: the summary line and the `Unsuccessful Scenarios:`
// block, as the end-to-end and mutation tests check them.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace driftline::testkit {

struct UnsuccessfulScenario {
  std::string name;
  bool error = false;                // listed with " (error)"
  std::vector<std::string> reasons;  // the `Reason:` line, then its continuation lines
  // The reasons joined with "\n".
  std::string ReasonText() const;
};

struct ContractTestOutput {
  // "Tests run: 6, Successes: 4, Failures: 2, WIP: 0, Errors: 0"; nullopt when absent.
  std::optional<std::string> summary;
  std::vector<UnsuccessfulScenario> unsuccessful;  // in the order listed

  std::set<std::string> UnsuccessfulNames() const;
  // nullptr when `name` is not listed.
  const UnsuccessfulScenario* Find(std::string_view name) const;
};

// Parses what contract-test printed (stdout and stderr interleaved are fine: only the summary
// line and the block after "Unsuccessful Scenarios:" are read).
ContractTestOutput ParseContractTestOutput(std::string_view output);

}  // namespace driftline::testkit
