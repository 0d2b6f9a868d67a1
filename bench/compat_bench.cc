// `contract-test compat` on the lab's contract pair (Google Benchmark): the contract against
// itself, and against a copy with maxAttempts 2 (one behavioural finding); each iteration loads
// both files and compares them, as the command does. The target is 50 ms a pair.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "contract/compat/compat.h"

namespace driftline::bench {
namespace {

namespace fs = std::filesystem;

const fs::path kLab = fs::path(DRIFTLINE_SOURCE_DIR) /
                      "../shared/reference/kafka-sqs-retry-dlq/.specmatic/repos/labs-contracts/"
                      "asyncapi/kafka-sqs-retry-dlq/order-service-sqs-kafka.yaml";
const fs::path kProject = fs::path(DRIFTLINE_SOURCE_DIR) / "contracts/order-service.yaml";

// A copy of the lab's contract with maxAttempts 2, in the temp dir (written once).
const fs::path& FewerRetries() {
  static const fs::path copy = [] {
    std::ifstream in(kLab);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    const std::size_t at = s.find("maxAttempts: 3");
    if (at == std::string::npos) {
      std::cerr << kLab << ": no 'maxAttempts: 3'\n";
      std::exit(1);
    }
    s.replace(at, 14, "maxAttempts: 2");
    const fs::path out = fs::temp_directory_path() / "compat_bench_max_attempts_2.yaml";
    std::ofstream(out) << s;
    return out;
  }();
  return copy;
}

void Compare(benchmark::State& state, const fs::path& old_path, const fs::path& new_path,
             std::size_t expected) {
  if (!fs::exists(old_path)) {
    state.SkipWithError(("absent: " + old_path.string()).c_str());
    return;
  }
  for (auto _ : state) {
    auto report = contract::compat::CompareContractFiles(old_path, new_path);
    if (!report || report->findings.size() != expected) {
      state.SkipWithError(report ? "unexpected findings" : report.error().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(report->findings.data());
  }
}

void BM_CompatLabAgainstItself(benchmark::State& state) {
  Compare(state, kLab, kLab, 0);
}
void BM_CompatLabFewerRetries(benchmark::State& state) {
  Compare(state, kLab, FewerRetries(), 1);
}
void BM_CompatProjectAgainstItself(benchmark::State& state) {
  Compare(state, kProject, kProject, 0);
}

BENCHMARK(BM_CompatLabAgainstItself)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CompatLabFewerRetries)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CompatProjectAgainstItself)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace driftline::bench

BENCHMARK_MAIN();
