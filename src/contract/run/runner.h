// Runs tests against the real servers: one shared watcher per channel, demultiplexing messages
// to the running tests by correlation id.
//
// Order of events for every test: the channels it expects are already being watched (every
// watcher is started, at the channel's end, before the first test publishes); the test
// registers its correlation id; it publishes; then its TestEvaluator is stepped with the
// messages the watchers hand it and at its deadlines. A message produced before the test
// started watching (Kafka record timestamp / SQS SentTimestamp, minus `max_clock_skew`) is stale
// and ignored: the lab's topics keep records of earlier runs with the same ids.
//
// Threads: Run() does all of a run's work on the thread that calls it, however many tests run
// at once. It starts tests (publishing those started together in one PublishBatch per channel),
// steps a test's evaluator when the watchers have handed it messages and when its next deadline
// passes (one timer queue ordered by deadline, on the Clock), and finishes a test as soon as
// its evaluator is done. The only other threads are the transports' watchers (one per channel)
// and, during Prepare(), one short-lived thread per channel.
//
// Tests run in parallel by default (correlation ids keep them apart; two tests with the same id
// never overlap: they run one after the other, in example order), or one by one in example
// order.
//
// Cancel() ends a run early from any thread: every running test stops waiting at once and is an
// error with the reason "cancelled"; a test not started yet is not started and is an error with
// the reason "cancelled (not started)".
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "contract/run/engine.h"
#include "contract/run/plan.h"
#include "contract/run/result.h"
#include "contract/run/test_case.h"
#include "contract/transport/transport.h"

namespace driftline::contract {

struct RunnerOptions {
  bool parallel = true;
  int jobs = 0;  // at most this many tests at once; 0: no limit
  Timing timing;
  MatchOptions match;
  std::chrono::milliseconds max_clock_skew{250};
  std::chrono::milliseconds progress_interval{2000};
  // Start-up time (SuiteResult::startup_time) is measured from here to the first publish;
  // Prepare() when unset.
  std::optional<Clock::MonoTime> origin;
};

// Told what happens, on the thread that called Run(), one call at a time. A test cancelled
// before it started gets OnFinished() only.
class ProgressListener {
 public:
  virtual ~ProgressListener() = default;
  virtual void OnStarted(const TestPlan& plan) = 0;
  // `published`: the message as sent, with its coordinates and, in produced_at, the record's own
  // timestamp.
  virtual void OnPublished(const TestPlan& plan, const ObservedMessage& published) = 0;
  virtual void OnMessage(const TestPlan& plan, const ObservedMessage& message) = 0;
  virtual void OnWaiting(const TestPlan& plan, const std::string& status) = 0;
  virtual void OnFinished(const TestResult& result) = 0;
};

// Which transport serves a channel.
struct Transports {
  ChannelTransport* kafka = nullptr;  // borrowed
  ChannelTransport* sqs = nullptr;    // borrowed
  ChannelTransport* For(const Channel& channel) const;
};

class Runner {
 public:
  Runner(Transports transports, Clock& clock, RunnerOptions options,
         ProgressListener* listener = nullptr);

  // Starts watching every channel the cases need. Errors: a channel on an unsupported protocol,
  // a watch that failed (the server is unreachable, the topic or queue does not exist).
  Status Prepare(const std::vector<TestCase>& cases);

  // Runs the cases (Prepare() first) and returns their results in the cases' order. Returns
  // once every test has finished; all of it happens on the calling thread.
  SuiteResult Run(const std::vector<TestCase>& cases);

  // Ends the run early; thread-safe, idempotent, returns at once. Running tests stop waiting
  // (a publish under way completes first) and end as errors "cancelled"; tests not started yet
  // end as errors "cancelled (not started)" without publishing. A Run() called after Cancel()
  // starts nothing.
  void Cancel();
  bool cancelled() const { return cancelled_.load(); }

 private:
  class Registry;
  struct Active;

  // Runs every case, admitting them as `options_` allow; results[i] is cases[i]'s.
  void RunCases(const std::vector<TestCase>& cases, std::vector<TestResult>& results);
  // Starts the cases `batch` names (indices into `cases`): each registers and then publishes,
  // those with the same input channel in one PublishBatch. Adds them to `active`.
  void Start(const std::vector<TestCase>& cases, const std::vector<std::size_t>& batch,
             std::map<std::size_t, std::unique_ptr<Active>>& active);
  // Hands `messages` to the test, applies its deadlines at `now` and says whether it is over.
  bool Step(Active& test, const std::deque<ObservedMessage>& messages, Clock::MonoTime now);
  // Unregisters a test that is over and returns its result.
  TestResult Finish(Active& test);
  // The result of a test that never started: an error "cancelled (not started)".
  TestResult NotStarted(const TestCase& tc);

  Transports transports_;
  Clock& clock_;
  RunnerOptions options_;
  ProgressListener* listener_;
  std::shared_ptr<Registry> registry_;
  Clock::MonoTime prepared_at_{};
  std::atomic<std::int64_t> first_publish_ms_{-1};
  std::atomic<bool> cancelled_{false};
};

}  // namespace driftline::contract
