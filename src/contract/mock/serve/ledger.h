// What the mock provider received and what it sent: the counters behind GET /_mock/verify and
// the last exchanges behind GET /_mock/log. Pure bookkeeping, thread-safe, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "contract/mock/responder.h"
#include "contract/spec/example.h"
#include "contract/spec/model.h"
#include "contract/spec/observed_message.h"

namespace driftline::contract::mock {

class Ledger {
 public:
  enum class Outcome { kSent, kDropped, kFailed };

  // `channels`: every channel to list in Verify() even before anything happened on it.
  // `log_size`: how many exchanges Log() keeps (the oldest go first).
  Ledger(const std::vector<const Channel*>& channels, std::size_t log_size);

  // One message received and what was decided for it (`response.outputs` with their final due
  // times, faults applied to none yet: each output is pending until Settled()). Returns the
  // exchange's id (1, 2, ...), which Settled() takes.
  std::uint64_t Received(const ObservedMessage& input, const Response& response,
                         Clock::WallTime at);
  // One more copy of an output is planned (a duplicate): pending until settled.
  void Duplicated(const Channel& channel);
  // What became of output `index` of exchange `exchange` (or of a duplicate copy when
  // `duplicate`): sent, dropped by a fault, or failed (`error` says why). `example` is the
  // exchange's example (nullptr when none), counted even after the exchange left the log.
  void Settled(std::uint64_t exchange, std::size_t index, bool duplicate, const Channel& channel,
               Role role, const Example* example, Outcome outcome, const std::string& error = {});

  // GET /_mock/verify's body; `examples` lists every example that can match (all are listed,
  // matched or not), `faults` is put as is.
  nlohmann::json Verify(const std::vector<const Example*>& examples,
                        const nlohmann::json& faults) const;
  // GET /_mock/log's body: the last `limit` exchanges, oldest first.
  nlohmann::json Log(std::size_t limit) const;
  // Every counter and the log back to zero; outputs still pending stay pending.
  void Reset();
  // Outputs planned and not settled yet, over all channels.
  std::int64_t pending() const;

 private:
  struct ChannelCounts {
    std::int64_t received = 0;
    std::int64_t emitted = 0;
    std::int64_t replies = 0;
    std::int64_t retries = 0;
    std::int64_t dead_letters = 0;
    std::int64_t failed = 0;
    std::int64_t dropped = 0;
    std::int64_t duplicated = 0;
  };
  struct ExampleCounts {
    std::int64_t matched = 0;
    std::map<const Channel*, std::int64_t> emitted;
  };
  struct OutputEntry {
    const Channel* channel = nullptr;
    Role role = Role::kReply;
    Clock::WallTime due{};
    int retry_count = -1;
    int total_retries = -1;
    const char* status = "pending";
    std::string error;
  };
  struct Exchange {
    std::uint64_t id = 0;
    Clock::WallTime received_at{};
    const Channel* channel = nullptr;
    Response::Kind kind = Response::Kind::kNotConsumed;
    const Example* example = nullptr;
    std::string correlation_id;
    std::string reason;
    nlohmann::json input;
    std::vector<OutputEntry> outputs;
  };

  ChannelCounts& CountsOf(const Channel* channel);  // mu_ held

  const std::size_t log_size_;
  std::vector<const Channel*> channels_;  // listing order: the constructor's, then first seen
  mutable std::mutex mu_;
  std::uint64_t next_id_ = 1;                         // guarded by mu_
  std::int64_t inputs_ = 0;                           // guarded by mu_
  std::map<Response::Kind, std::int64_t> kinds_;      // guarded by mu_
  std::map<const Channel*, ChannelCounts> counts_;    // guarded by mu_
  std::map<const Channel*, std::int64_t> pending_;    // guarded by mu_ (never reset)
  std::map<const Example*, ExampleCounts> examples_;  // guarded by mu_
  std::deque<Exchange> log_;                          // guarded by mu_, ids ascending
};

}  // namespace driftline::contract::mock
