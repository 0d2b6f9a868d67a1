// Faults the mock provider plays on purpose, for its consumers' own negative tests: every output
// later than the contract says (--delay-ms), a share of the outputs to one channel never sent
// (--drop-percent CHANNEL=PERCENT), a share of all outputs sent twice (--duplicate-percent).
// The random choices come from one seeded generator, so a run with the same seed and the same
// inputs in the same order drops and duplicates the same outputs.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "contract/spec/model.h"

namespace driftline::contract::mock {

struct FaultOptions {
  std::chrono::milliseconds delay{0};  // added to every output's due time
  // Channel (its address, e.g. a queue or topic name, or its AsyncAPI id) -> percent 0..100 of
  // the outputs to it that are not sent.
  std::map<std::string, double> drop_percent;
  double duplicate_percent = 0;  // 0..100 of all outputs (not dropped) sent twice
  std::uint64_t seed = 1;
};

// "place-order-queue=100" -> {"place-order-queue", 100}. Errors (kInvalidArgument): no '=', an
// empty channel, a percent that is not a number in 0..100.
Result<std::pair<std::string, double>> ParseDropPercent(std::string_view flag);

class FaultInjector {
 public:
  enum class Fate { kSend, kDrop, kDuplicate };

  // `outputs`: the channels the mock sends to. Errors (kInvalidArgument): a --drop-percent
  // channel that is none of them (the message lists them), a percent outside 0..100, a negative
  // delay.
  static Result<std::unique_ptr<FaultInjector>> Create(FaultOptions options,
                                                       const std::vector<const Channel*>& outputs);

  // What happens to one output to `channel`. Thread-safe.
  Fate Decide(const Channel& channel);
  std::chrono::milliseconds delay() const { return options_.delay; }
  bool any() const;
  // {"delay_ms":..,"drop_percent":{"<address>":..},"duplicate_percent":..,"seed":..}
  nlohmann::json ToJson() const;

 private:
  explicit FaultInjector(FaultOptions options);

  FaultOptions options_;
  std::map<const Channel*, double> drop_;  // fixed after Create
  std::mutex mu_;
  std::mt19937_64 random_;  // guarded by mu_
};

}  // namespace driftline::contract::mock
