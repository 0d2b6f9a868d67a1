// Generated tests beside the examples: `--generate negative` (or the config's
// settings.x-driftline-generate), `--generate-limit N`, `--generate-seed N`.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "contract/negative/tests.h"
#include "contract/run/result.h"
#include "contract/run/suite.h"
#include "contract/run/test_case.h"

namespace driftline::contract {

struct GenerateFlags {
  std::vector<std::string> kinds;  // --generate
  long long limit = -1;            // --generate-limit; -1: the config's, else none
  std::string seed;                // --generate-seed; "": a new one, printed

  void AddTo(CLI::App& app);
};

// The generated tests of a run, owning their plans.
struct GeneratedTests {
  std::vector<negative::NegativeTests> negative;  // one per contract
  std::vector<std::string> lines;                 // what was generated, for the start-up lines
  std::vector<std::string> names;                 // every generated test's name
};

// Generates what the flags (else the config) ask for and appends the tests to `cases`, after
// the examples, keeping only names that contain one of `filters` (when any). Errors
// (kInvalidArgument): an unknown kind, a seed that is not a number, a contract no valid base
// message can be generated for.
Result<GeneratedTests> AddGeneratedTests(const Suite& suite, const GenerateFlags& flags,
                                         const std::vector<std::string>& filters,
                                         std::vector<TestCase>& cases);

// "Negative tests: 74 run, 70 passed, 4 failed" and, per kind of failure, how many and which;
// "" when the run had none.
std::string FormatNegativeSummary(const GeneratedTests& generated, const SuiteResult& result);

}  // namespace driftline::contract
