// The mock provider's I/O: it watches every channel the contract's provider receives on, asks
// the Responder what a provider that keeps the contract sends for each message, fills in the
// generated payloads, applies the faults it was asked to play and sends every output when it is
// due, through the same transports contract-test uses.
//
// Timing. An input's outputs are planned from the input's own timestamp (a Kafka record's
// CreateTime, an SQS SentTimestamp; the receive time when that is later, or more than 5 s
// earlier: a backlog), so the mock's reaction time is zero in the timestamps a consumer
// measures. An output is never sent before its due time; a Kafka output's CreateTime is its due
// time exactly, so the gaps between retry envelopes are the declared delays however late the
// sender runs. An SQS message's SentTimestamp is when it was sent: its due time or later.
//
// Threads: the transports' watch threads decide and plan (Receive()); `senders` threads send
// what is due, in batches of one channel (10 for SQS, 100 for Kafka). A failed send of a
// retryable kind (the server unreachable, throttled) is retried up to 5 times, 200 ms apart;
// what still fails is counted as failed and logged, never re-planned.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "contract/mock/responder.h"
#include "contract/mock/serve/faults.h"
#include "contract/mock/serve/ledger.h"
#include "contract/run/runner.h"
#include "contract/transport/transport.h"

namespace driftline::contract::mock {

struct ProviderOptions {
  std::size_t log_size = 1000;  // exchanges kept for Log()
  int senders = 4;              // sending threads
  std::uint64_t seed = 1;       // generated payloads: the same seed, the same values
  // The senders read the clock again at least this often while they wait for a due time, so a
  // ManualClock (tests) that is advanced is noticed.
  std::chrono::milliseconds max_wait{100};
};

class MockProvider {
 public:
  enum class State { kStarting, kReady, kDraining, kStopped };

  // Borrowed, and must outlive the provider: `responder`, the transports, `clock`. `faults` may
  // be null (none). Nothing is contacted yet; the senders start here.
  // Errors (kInvalidArgument): a channel of the responder on a protocol with no transport.
  static Result<std::unique_ptr<MockProvider>> Create(Responder& responder, Transports transports,
                                                      std::unique_ptr<FaultInjector> faults,
                                                      Clock& clock, ProviderOptions options = {});
  // Stop().
  ~MockProvider();
  MockProvider(const MockProvider&) = delete;
  MockProvider& operator=(const MockProvider&) = delete;

  // Readies publishing to every output channel and watches every input channel, all at once;
  // returns when every consumer is assigned (state ready). Errors name the channel and server
  // (a topic or queue that does not exist, a server that cannot be reached).
  Status Start();

  // Stops consuming (the transports' watches), then waits until every output already planned
  // has been sent, dropped or has failed, or `limit` passes. Returns how many were still
  // pending (they are not sent). State draining, then stopped.
  std::int64_t Drain(std::chrono::milliseconds limit);

  // Stops the senders; pending outputs are not sent. Idempotent.
  void Stop();

  State state() const;
  // "starting", "ready", "draining", "stopped"
  static std::string_view StateName(State state);

  // What the watches call for every message on an input channel (public for tests).
  void Receive(const ObservedMessage& input);

  // The control API's operations.
  nlohmann::json Verify() const;
  nlohmann::json Log(std::size_t limit) const;
  void Reset();
  // Adds one example (Specmatic's externalized example JSON) matched before the others; its
  // name. Errors as Responder::AddExampleText, naming "expectation-<n>.json".
  Result<std::string> AddExpectation(std::string_view text);

  const std::vector<const Channel*>& inputs() const { return inputs_; }
  const std::vector<const Channel*>& outputs() const { return outputs_; }
  // Outputs planned and not yet sent, dropped or failed.
  std::int64_t pending() const { return ledger_.pending(); }

 private:
  struct Item {
    const Channel* channel = nullptr;
    Role role = Role::kReply;
    Clock::WallTime due{};
    OutgoingExample message;
    std::uint64_t exchange = 0;
    std::size_t index = 0;
    bool duplicate = false;
    const Example* example = nullptr;
  };
  using Key = std::tuple<Clock::WallTime, std::uint64_t>;  // due, then plan order

  MockProvider(Responder& responder, Transports transports, std::unique_ptr<FaultInjector> faults,
               Clock& clock, ProviderOptions options);
  void SendLoop();
  void Send(const Channel& channel, std::vector<Item>& items);
  void Schedule(Item item);  // mu_ held

  Responder& responder_;
  Transports transports_;
  std::unique_ptr<FaultInjector> faults_;
  Clock& clock_;
  ProviderOptions options_;
  std::vector<const Channel*> inputs_;   // fixed
  std::vector<const Channel*> outputs_;  // fixed
  Ledger ledger_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  State state_ = State::kStarting;      // guarded by mu_
  bool stop_ = false;                   // guarded by mu_
  std::map<Key, Item> due_;             // guarded by mu_
  std::uint64_t next_sequence_ = 0;     // guarded by mu_
  std::uint64_t next_expectation_ = 1;  // guarded by mu_
  std::uint64_t generated_ = 0;         // guarded by mu_: seeds of generated payloads
  std::vector<std::thread> senders_;    // joined by Stop()
  std::mutex add_mu_;                   // one AddExpectation at a time
};

}  // namespace driftline::contract::mock
