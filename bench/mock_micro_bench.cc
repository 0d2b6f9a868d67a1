// The mock provider's per-message work, one stage at a time (Google Benchmark), on the project's
// contract: deciding what an input gets (schema checks and example matching), generating a reply
// from the reply schema, and the schema check alone, valid and invalid. The cost of a change
// shows per stage; `make bench` runs it (section "mock").
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "common/clock.h"
#include "contract/check/check.h"
#include "contract/mock/generate.h"
#include "contract/mock/responder.h"
#include "contract/run/suite.h"

namespace driftline::bench {
namespace {

using nlohmann::json;

struct Fixture {
  contract::Suite suite;
  std::unique_ptr<contract::mock::Responder> responder;
  const contract::Channel* input = nullptr;
  const contract::Message* standard = nullptr;
  const contract::Message* priority = nullptr;
  const contract::Message* wip = nullptr;
};

Fixture& Project() {
  static Fixture* f = [] {
    auto* fx = new Fixture();
    contract::SuiteOptions options;
    options.config = std::filesystem::path(DRIFTLINE_SOURCE_DIR) / "contracts/specmatic.yaml";
    auto suite = contract::LoadSuite(options);
    if (!suite) {
      std::cerr << suite.error().ToString() << "\n";
      std::exit(1);
    }
    fx->suite = std::move(*suite);
    auto responder = contract::mock::Responder::Create(fx->suite, {});
    if (!responder) {
      std::cerr << responder.error().ToString() << "\n";
      std::exit(1);
    }
    fx->responder = std::move(*responder);
    const contract::Contract& c = *fx->suite.specs.at(0)->contract;
    fx->input = c.ChannelByAddress("place-order-topic");
    for (const auto& m : c.messages) {
      if (m->name == "StandardOrder") fx->standard = m.get();
      if (m->name == "PriorityOrder") fx->priority = m.get();
      if (m->name == "OrderInProgress") fx->wip = m.get();
    }
    return fx;
  }();
  return *f;
}

contract::ObservedMessage Input(const json& payload) {
  contract::ObservedMessage m;
  m.channel = Project().input;
  m.payload = payload;
  m.raw_payload = payload.dump();
  m.headers = {{"CorrelationId", "bench-1"}};
  m.correlation_id = "bench-1";
  return m;
}

const json kStandard = json::parse(R"({"orderType":"STANDARD","orderId":"B-1","customerId":"C-1",
  "items":[{"productId":"P-1","quantity":2,"price":4.5},{"productId":"P-2","quantity":1,"price":9}],
  "totalAmount":18,"orderDate":"2026-01-20T09:15:00Z"})");
const json kPriority = json::parse(R"({"orderType":"PRIORITY","orderId":"B-2","customerId":"C-1",
  "items":[{"productId":"P-1","quantity":2,"price":4.5}],"totalAmount":9,
  "orderDate":"2026-01-20T09:15:00Z","priorityLevel":"HIGH",
  "expectedDeliveryDate":"2026-01-21T09:15:00Z"})");
const json kInvalid = json::parse(R"({"orderType":"STANDARD","orderId":"B-3","items":[],
  "totalAmount":"lots","orderDate":"yesterday"})");

// Decide for a valid STANDARD order of no example: the generated-reply path.
void BM_DecideGeneratedStandard(benchmark::State& state) {
  const contract::ObservedMessage in = Input(kStandard);
  const Clock::WallTime now = Clock::System().Wall();
  for (auto _ : state)
    benchmark::DoNotOptimize(Project().responder->Decide(in, now));
}
BENCHMARK(BM_DecideGeneratedStandard);

// A PRIORITY order: the STANDARD candidate is checked (and fails) first.
void BM_DecideGeneratedPriority(benchmark::State& state) {
  const contract::ObservedMessage in = Input(kPriority);
  const Clock::WallTime now = Clock::System().Wall();
  for (auto _ : state)
    benchmark::DoNotOptimize(Project().responder->Decide(in, now));
}
BENCHMARK(BM_DecideGeneratedPriority);

// An invalid order: every candidate fails, the closest is described, a dead letter is planned.
void BM_DecideInvalid(benchmark::State& state) {
  const contract::ObservedMessage in = Input(kInvalid);
  const Clock::WallTime now = Clock::System().Wall();
  for (auto _ : state)
    benchmark::DoNotOptimize(Project().responder->Decide(in, now));
}
BENCHMARK(BM_DecideInvalid);

// Generating the reply to a STANDARD order (every declared member, then checked).
void BM_GenerateReply(benchmark::State& state) {
  const json& schema = Project().wip->payload_schema;
  std::uint64_t seed = 1;
  for (auto _ : state)
    benchmark::DoNotOptimize(contract::mock::GenerateFromSchema(schema, kStandard, seed++, true));
}
BENCHMARK(BM_GenerateReply);

// The schema check of one valid order, and of one invalid order with its mismatches described.
void BM_ValidateValid(benchmark::State& state) {
  const contract::CompiledSchema* s =
      Project().suite.specs.at(0)->schemas->Payload(Project().standard);
  for (auto _ : state)
    benchmark::DoNotOptimize(s->IsValid(kStandard));
}
BENCHMARK(BM_ValidateValid);

void BM_ValidateInvalidDescribed(benchmark::State& state) {
  const contract::CompiledSchema* s =
      Project().suite.specs.at(0)->schemas->Payload(Project().standard);
  for (auto _ : state) {
    std::vector<contract::Mismatch> out;
    benchmark::DoNotOptimize(s->Validate(kInvalid, "/payload", out));
  }
}
BENCHMARK(BM_ValidateInvalidDescribed);

}  // namespace
}  // namespace driftline::bench

BENCHMARK_MAIN();
