// Generated negative tests on the lab's and the project's contract (Google Benchmark): each
// iteration derives the whole list from a contract already loaded and compiled, as the runner
// will before it publishes anything (bases generated, one thing broken, every JSON variant
// checked against every message of its operation). The target is 100 ms for the lab's contract.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>

#include "contract/check/check.h"
#include "contract/negative/negative.h"
#include "contract/spec/asyncapi.h"

namespace driftline::bench {
namespace {

namespace fs = std::filesystem;

const fs::path kLab = fs::path(DRIFTLINE_SOURCE_DIR) /
                      "../shared/reference/kafka-sqs-retry-dlq/.specmatic/repos/labs-contracts/"
                      "asyncapi/kafka-sqs-retry-dlq/order-service-sqs-kafka.yaml";
const fs::path kProject = fs::path(DRIFTLINE_SOURCE_DIR) / "contracts/order-service.yaml";

void Generate(benchmark::State& state, const fs::path& path) {
  auto contract = contract::LoadContract(path);
  if (!contract) {
    state.SkipWithError(contract.error().message().c_str());
    return;
  }
  auto schemas = contract::SchemaCatalog::Build(*contract, true);
  if (!schemas) {
    state.SkipWithError(schemas.error().message().c_str());
    return;
  }
  std::size_t count = 0;
  for (auto _ : state) {
    auto variants = contract::negative::GenerateNegativeVariants(*contract, *schemas, {});
    if (!variants || variants->variants.empty()) {
      state.SkipWithError(variants ? "no variants" : variants.error().message().c_str());
      return;
    }
    count = variants->variants.size();
    benchmark::DoNotOptimize(variants->variants.data());
  }
  state.counters["variants"] = static_cast<double>(count);
}

void BM_LabContract(benchmark::State& state) {
  Generate(state, kLab);
}
void BM_ProjectContract(benchmark::State& state) {
  Generate(state, kProject);
}

BENCHMARK(BM_LabContract)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ProjectContract)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace driftline::bench

BENCHMARK_MAIN();
