#include "generated_tests.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>

#include "contract/check/check.h"
#include "contract/negative/negative.h"

namespace driftline::contract {
namespace {

bool Selected(const std::string& name, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  return std::any_of(filters.begin(), filters.end(),
                     [&](const std::string& f) { return name.find(f) != std::string::npos; });
}

std::uint64_t NewSeed() {
  std::random_device device;
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  // Kept below 2^53 so that it prints and parses the same everywhere (JSON numbers too).
  return ((static_cast<std::uint64_t>(device()) << 21) ^ static_cast<std::uint64_t>(now)) &
         ((std::uint64_t{1} << 53) - 1);
}

}  // namespace

void GenerateFlags::AddTo(CLI::App& app) {
  app.add_option("--generate", kinds,
                 "also run generated tests of this kind: negative (invalid inputs each receive "
                 "operation with a dead-letter route must dead-letter at once); also "
                 "settings.x-driftline-generate in the config")
      ->check(CLI::IsMember({"negative"}));
  app.add_option("--generate-limit", limit,
                 "at most this many generated tests (the first ones; also "
                 "settings.x-driftline-generate-limit)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--generate-seed", seed,
                 "seed of the generated values and correlation ids (default: a new one, printed; "
                 "the list of tests and its order do not depend on it)");
}

Result<GeneratedTests> AddGeneratedTests(const Suite& suite, const GenerateFlags& flags,
                                         const std::vector<std::string>& filters,
                                         std::vector<TestCase>& cases) {
  GeneratedTests out;
  std::vector<std::string> kinds = flags.kinds;
  if (kinds.empty() && suite.config) kinds = suite.config->generate;
  if (std::find(kinds.begin(), kinds.end(), "negative") == kinds.end()) return out;

  std::optional<std::size_t> limit;
  if (flags.limit >= 0)
    limit = static_cast<std::size_t>(flags.limit);
  else if (suite.config)
    limit = suite.config->generate_limit;
  std::uint64_t seed = 0;
  if (flags.seed.empty()) {
    seed = NewSeed();
  } else {
    std::size_t used = 0;
    try {
      seed = std::stoull(flags.seed, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != flags.seed.size())
      return Fail(Code::kInvalidArgument,
                  "--generate-seed: '" + flags.seed + "' is not a whole number");
  }

  for (const auto& spec : suite.specs) {
    const auto started = std::chrono::steady_clock::now();
    // Generation needs the whole schemas (a lenient catalog accepts a missing member).
    std::optional<SchemaCatalog> strict;
    const SchemaCatalog* catalog = spec->schemas.get();
    if (!catalog->strict()) {
      auto built = SchemaCatalog::Build(*spec->contract, true);
      if (!built) return tl::unexpected(built.error());
      strict = std::move(*built);
      catalog = &*strict;
    }
    negative::NegativeOptions options;
    options.seed = seed;
    if (limit) {
      std::size_t used = 0;
      for (const auto& t : out.negative)
        used += t.plans.size();
      options.limit = *limit > used ? *limit - used : 0;
    }
    auto variants = negative::GenerateNegativeVariants(*spec->contract, *catalog, options);
    if (!variants)
      return Fail(Code::kInvalidArgument,
                  spec->contract->path + ": negative tests: " + variants.error().message());
    auto tests = negative::PlanNegativeTests(*spec->contract, spec->contract->path, *variants);
    if (!tests) return tl::unexpected(tests.error());
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();

    std::size_t selected = 0;
    for (const auto& plan : tests->plans) {
      if (!Selected(plan->example->name, filters)) continue;
      cases.push_back(TestCase{plan.get(), spec->schemas.get(), nullptr});
      out.names.push_back(plan->example->name);
      ++selected;
    }
    std::string line = "negative tests: " + std::to_string(tests->plans.size()) +
                       " generated from " + spec->contract->path + " in " + std::to_string(ms) +
                       " ms (seed " + std::to_string(variants->seed) + ")";
    if (selected != tests->plans.size())
      line += ", " + std::to_string(selected) + " selected by --filter";
    if (!variants->dropped.empty())
      line += ", " + std::to_string(variants->dropped.size()) +
              " left out because a message of the contract accepts them";
    if (variants->beyond_limit > 0)
      line += ", " + std::to_string(variants->beyond_limit) + " beyond --generate-limit";
    out.lines.push_back(line);
    for (const auto& d : variants->dropped)
      out.lines.push_back("  left out: " + d.name + " (" + d.accepted_by + " accepts it)");
    std::size_t alone = 0;
    for (const auto& plan : tests->plans)
      alone += plan->correlation_id.empty() ? 1U : 0U;
    if (alone > 0)
      out.lines.push_back("  " + std::to_string(alone) +
                          " of them carry no correlation id (it is what they break): each runs "
                          "alone after the others and claims what no other test can");
    out.negative.push_back(std::move(*tests));
  }
  return out;
}

std::string FormatNegativeSummary(const GeneratedTests& generated, const SuiteResult& result) {
  if (generated.names.empty()) return "";
  const std::set<std::string> names(generated.names.begin(), generated.names.end());
  int run = 0;
  int passed = 0;
  // Per first reason (what the provider did), the tests.
  std::map<std::string, std::vector<std::string>> failures;
  for (const TestResult& t : result.tests) {
    if (!names.count(t.name)) continue;
    ++run;
    if (t.outcome == Outcome::kPassed) {
      ++passed;
      continue;
    }
    std::string why = t.reasons.empty() ? "no reason given" : t.reasons.front();
    failures[why].push_back(t.name);
  }
  std::string out = "Negative tests: " + std::to_string(run) + " run, " + std::to_string(passed) +
                    " passed, " + std::to_string(run - passed) + " failed\n";
  for (const auto& [why, list] : failures) {
    out += "  " + std::to_string(list.size()) + " x " + why + "\n";
    std::size_t shown = 0;
    for (const std::string& n : list) {
      if (shown++ == 8) {
        out += "      and " + std::to_string(list.size() - 8) + " more\n";
        break;
      }
      out += "      " + n + "\n";
    }
  }
  return out;
}

}  // namespace driftline::contract
