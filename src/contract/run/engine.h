// The verdict of one test as messages arrive: a pure state machine, driven by the runner with
// observations and the time, so every rule is unit-tested without a broker or a sleep.
//
// The declared retry strategy, exactly (x-specmatic-retry / retry with maxAttempts N):
//   - an always-failing input yields retry envelopes with retryCount 0, 1, ..., N (N+1 of them,
//     in order, none missing or repeated), then one dead letter with totalRetries N;
//   - a retry-then-success input yields envelopes 0..k (k < N), then the reply;
//   - envelope 0 is due at once after the publish; envelope n+1 is due delay(n) after envelope n
//     (delay(n) = the strategy's DelayBefore(n): initial * multiplier^n, fixed, linear; capped
//     where declared); the reply after envelope k is due delay(k) after it; the dead letter is
//     due at once after envelope N.
// "At once" means within `react_within` (1 s); a declared delay d is met when the measured gap
// is within Tolerance(d) of d, both ways: the larger of `tolerance_floor` (250 ms) and
// `tolerance_ratio` (20 %) of d. Gaps are measured between the messages' own timestamps (Kafka
// CreateTime / SQS SentTimestamp), from the publish record's timestamp for envelope 0.
//
// Waits (how long the runner keeps waiting for a message that is due, on arrival time):
//   reply     reply_timeout after publishing (30 s), when no retry precedes it;
//   retry     each step's due time + its tolerance + `arrival_grace` (3 s);
//   DLQ       waitTimeInSeconds (the contract's) after the retries are exhausted, or after
//             publishing when the example expects no retries.
// A test fails at once on a message that breaks the contract or the example, on a message where
// the example expects none, and when a wait runs out. Once the example's last message (the reply
// or the dead letter) has arrived it settles: it keeps watching for `settle` (by default the
// operation's largest declared retry delay, at least 1 s) to see what a drifting provider sends
// next, then applies the final checks: retry chain and timing, no unexpected messages,
// totalRetries.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "contract/check/check.h"
#include "contract/run/plan.h"
#include "contract/run/result.h"

namespace driftline::contract {

struct Timing {
  std::chrono::milliseconds reply_timeout{30000};
  std::chrono::milliseconds arrival_grace{3000};
  // nullopt: SettleFor() the operation.
  std::optional<std::chrono::milliseconds> settle;
  std::chrono::milliseconds min_settle{1000};
  std::chrono::milliseconds tolerance_floor{250};
  double tolerance_ratio = 0.2;
  std::chrono::milliseconds react_within{1000};

  // How far a gap may be from the declared delay `d`, either way.
  std::chrono::milliseconds Tolerance(std::chrono::milliseconds d) const;
  // The settle window of a test of `operation`: `settle` when set, else the largest declared
  // retry delay of the operation (DelayBefore(0 .. maxAttempts-1)), at least `min_settle`.
  std::chrono::milliseconds SettleFor(const Operation& operation) const;
  // "250 ms or 20 % of the delay, whichever is larger"
  std::string DescribeTolerance() const;
};

// A message on a watched channel that no test could claim: it carried no correlation id where
// the contract says, or one that no test of this run uses.
struct Unclaimed {
  ObservedMessage message;
  bool has_id = false;  // false: no correlation id at all
};

class TestEvaluator {
 public:
  // `plan` and `schemas` are borrowed and must outlive the evaluator.
  TestEvaluator(const TestPlan& plan, const SchemaCatalog& schemas, Timing timing,
                MatchOptions match);

  // The test watches from now on.
  void Start(Clock::MonoTime mono, Clock::WallTime wall);
  // The trigger was published (`message` as sent, with its coordinates and, in produced_at,
  // the record's own timestamp); deadlines count from `mono`, envelope 0's gap from
  // message.produced_at (from `wall` when unset).
  void Published(Clock::MonoTime mono, Clock::WallTime wall, const ObservedMessage& message);
  // Publishing or watching failed: the test is an error (not a failure of the service).
  void Errored(const std::string& why);
  // A message carrying this test's correlation id arrived.
  void Observe(const ObservedMessage& message);
  // Messages on this test's channels, while it ran, that no test claimed (given before Finish):
  // named in the reasons when the test failed, as a warning when it passed.
  void NoteUnclaimed(std::vector<Unclaimed> messages);
  // Applies the deadlines at `now`.
  void Advance(Clock::MonoTime now);

  bool done() const { return done_; }
  // When Advance() must run next at the latest; nullopt while waiting for nothing in time.
  std::optional<Clock::MonoTime> NextDeadline() const;
  // "waiting for a message on topic 'x' (12.3 s left)", for progress lines.
  std::string Waiting(Clock::MonoTime now) const;

  // The result; call once, when done() or when giving up.
  TestResult Finish(Clock::MonoTime now);

 private:
  struct Seen {
    ObservedMessage message;
    MessageVerdict verdict;
  };
  struct Deadline {
    Clock::MonoTime at;
    std::string reason;
    std::string detail;
  };

  bool Expects(Role role) const { return plan_.Find(role) != nullptr; }
  const std::vector<Seen>& SeenFor(Role role) const;
  // The envelopes in the order they were produced (stable: arrival order on equal timestamps).
  std::vector<const Seen*> Envelopes() const;
  // retryCount of an envelope (its payload's when every envelope declares one, else its
  // position in `envelopes`).
  int RetryCountOf(const std::vector<const Seen*>& envelopes, std::size_t index) const;
  bool RetryCountsDeclared() const;
  int MaxAttempts() const;
  // The example's last message (the reply, else the dead letter) has arrived.
  bool Complete() const;
  std::optional<Deadline> PendingDeadline() const;
  void Decide(std::string reason, std::string detail);
  void AddFlow(const ObservedMessage& m, FlowEvent::Kind kind, std::string role,
               const MessageVerdict* verdict);
  // The checks of Finish(), in the order they are reported.
  Check PublishCheck() const;
  // "conforms to the contract" and "matches the example" for one expected message.
  std::pair<Check, Check> ExpectationChecks(const Expectation& e) const;
  // Checked once the test is over: retry count and spacing, no unexpected messages,
  // totalRetries (when the dead letter carries it).
  std::vector<Check> FinalChecks() const;
  Check RetryCheck() const;
  // Appends the timing problems of the retry chain to `problems` and the measured gaps to
  // `gaps`.
  void RetryTimingProblems(const std::vector<const Seen*>& envelopes,
                           std::vector<std::string>& problems, std::string& gaps) const;
  std::vector<std::string> UnclaimedLines() const;
  Check NoUnexpectedCheck() const;
  std::optional<Check> TotalRetriesCheck() const;
  // A failed negative test: what the provider did instead of one dead letter at once.
  std::string NegativeVerdict() const;
  // At Finish() with the outcome still open: the pending deadline decides it, else "stopped".
  void DecideUndecided();

  const TestPlan& plan_;
  const SchemaCatalog& schemas_;
  Timing timing_;
  MatchOptions match_;

  Clock::MonoTime start_mono_{};
  Clock::WallTime start_wall_{};
  Clock::MonoTime t0_{};
  Clock::WallTime t0_wall_{};
  // The published record's own timestamp: where envelope 0's gap is measured from.
  Clock::WallTime published_at_{};
  bool published_ = false;
  bool publish_failed_ = false;

  std::map<Role, std::vector<Seen>> seen_;
  std::vector<ObservedMessage> unexpected_;
  std::vector<Unclaimed> unclaimed_;
  std::chrono::milliseconds settle_{};
  std::vector<FlowEvent> flow_;
  std::vector<std::string> reasons_;
  bool failed_ = false;
  bool errored_ = false;
  std::optional<Clock::MonoTime> settle_until_;
  bool done_ = false;
};

}  // namespace driftline::contract
