// One Studio run: the runner in its own thread over transports made for the run, every progress
// callback turned into a run event (docs: src/studio/README.md, "Run events"), each event kept in
// memory for replay and written to the History as it happens, subscribers (the page's event
// streams) woken for every new event, and cancellation.
//
// A run's events, in order: "started"; per test "test" (running), "message" (the publish, then
// every message for the test), "waiting", "finished"; last "done". A run that cannot start (its
// transports cannot be created, a channel cannot be watched) still ends with "done", outcome
// "error" (or "cancelled" when it was cancelled meanwhile) and the reason in "error", exactly as
// contract-test would print it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "contract/connect/connect.h"
#include "contract/run/runner.h"
#include "contract/run/suite.h"
#include "contract/run/test_case.h"
#include "studio/history.h"

namespace driftline::studio {

// Makes the transports of one run: contract::ConnectTransports with the server's endpoint flags
// in the server, a fake in tests. Called on the run's thread; an error ends the run ("done",
// outcome "error", its message as "error").
using TransportFactory = std::function<Result<contract::ConnectedTransports>(
    const contract::Suite& suite, const std::vector<contract::TestCase>& cases)>;

// One event of a run, as stored and streamed.
struct RunEvent {
  std::int64_t seq = 0;  // 1, 2, ... in the order emitted
  std::string type;      // "started", "test", "message", "waiting", "finished", "done"
  std::string json;      // one line of JSON, the object with "run_id", "seq", "type", ...
};

struct SessionSetup {
  // The loaded suite; shared so that a later load cannot free what the run still reads.
  std::shared_ptr<const contract::Suite> suite;
  std::vector<contract::TestCase> cases;  // the selected tests, in the suite's order
  std::string contract_key;               // RunRecord::contract_key
  contract::RunnerOptions runner;         // runner.parallel decides "mode"
};

class Session {
 public:
  // Records the run in `history` (state "running") and starts its thread; returns once the run
  // has its id. `history` and `clock` are borrowed and must outlive the Session.
  // Errors: the History's (kUnavailable), when the run cannot be recorded; nothing ran then.
  static Result<std::shared_ptr<Session>> Start(SessionSetup setup, TransportFactory transports,
                                                History& history, Clock& clock);

  // Cancels the run if it is still going and waits for its thread.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  std::int64_t id() const { return id_; }
  // False once "done" has been emitted (and the run's record, suite JSON and reports stored).
  bool running() const;

  // Asks the run to stop; returns at once. False when the run has already ended. Running tests
  // end as errors "cancelled", tests not started as "cancelled (not started)"; "done" says
  // outcome "cancelled" (unless every test had already finished). Watches being started
  // (Runner::Prepare) are not interrupted: the run ends once they have been.
  bool Cancel();
  // Blocks until "done" has been emitted.
  void Wait() const;

  // The events after `after_seq`, in order. When there are none yet, waits for the next one, at
  // most `timeout`, or until ReleaseSubscribers(). `complete` is true once "done" is among the
  // events up to the last one returned.
  struct Batch {
    std::vector<RunEvent> events;
    bool complete = false;
  };
  Batch EventsAfter(std::int64_t after_seq, std::chrono::milliseconds timeout) const;
  // Every waiting EventsAfter() returns now, and later ones do not wait (a server stopping).
  void ReleaseSubscribers();

 private:
  class Listener;
  class RunnerRegistration;
  struct Ending;

  Session(SessionSetup setup, TransportFactory transports, History& history, Clock& clock);
  void Main();
  // Assigns the next seq, stamps "run_id", "seq", "type", "at_ms", "emitted_epoch_ms", writes
  // the event to the History and then hands it to subscribers. Thread-safe.
  void Emit(const std::string& type, nlohmann::json fields);
  // The end of the run: the record, suite JSON and reports stored first, then "done".
  void Finish(const Ending& ending);

  SessionSetup setup_;
  TransportFactory transports_;
  History& history_;
  Clock& clock_;
  Clock::MonoTime started_mono_{};
  std::int64_t id_ = 0;
  RunRecord record_;

  // Serialises emitters, so that seq order, History order and memory order agree.
  std::mutex emit_mu_;
  std::int64_t next_seq_ = 1;  // guarded by emit_mu_

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::vector<RunEvent> events_;        // guarded by mu_
  bool done_ = false;                   // guarded by mu_: "done" emitted
  bool released_ = false;               // guarded by mu_
  bool cancel_requested_ = false;       // guarded by mu_
  contract::Runner* runner_ = nullptr;  // guarded by mu_: while Run() may use it

  std::thread thread_;
};

// Hands the heap's free pages back to the system (glibc's malloc_trim). The studio idles between
// loads and runs; without it the pages a load or a run's threads freed stay resident.
void TrimHeap();

}  // namespace driftline::studio
