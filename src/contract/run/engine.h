// The verdict of one test as messages arrive: a pure state machine, driven by the runner with
// observations and the time, so every rule is unit-tested without a broker or a sleep.
//
// Waits (Timing):
//   reply     reply_timeout after publishing (30 s by default);
//   retry     the first envelope within the strategy's total (1+2+4 s for the lab) + grace;
//             after envelope retryCount n, the next step (envelope n+1, or the reply) within
//             the declared delay before retry n + grace: a stalled chain fails then, not later;
//   DLQ       waitTimeInSeconds after the retries are exhausted (after publishing when the
//             example expects no retries).
// A test fails as soon as its outcome is decided (a mismatch, an unexpected message, a dead
// letter before the retries ran out, a deadline passed). When everything expected has arrived
// it settles for `settle` to catch unexpected extras, then passes or fails on the final checks:
// retry count and spacing (each gap >= the declared delay - spacing_tolerance), no unexpected
// messages, totalRetries equal to the retries observed.
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
  std::chrono::milliseconds retry_grace{5000};
  std::chrono::milliseconds settle{1000};
  std::chrono::milliseconds spacing_tolerance{250};
};

class TestEvaluator {
 public:
  // `plan` and `schemas` are borrowed and must outlive the evaluator.
  TestEvaluator(const TestPlan& plan, const SchemaCatalog& schemas, Timing timing,
                MatchOptions match);

  // The test watches from now on.
  void Start(Clock::MonoTime mono, Clock::WallTime wall);
  // The trigger was published (`message` as sent, with its coordinates); deadlines count
  // from here.
  void Published(Clock::MonoTime mono, Clock::WallTime wall, const ObservedMessage& message);
  // Publishing or watching failed: the test is an error (not a failure of the service).
  void Errored(const std::string& why);
  // A message carrying this test's correlation id arrived.
  void Observe(const ObservedMessage& message);
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
  // retryCount of an envelope (its payload's, else its position).
  int RetryCountOf(std::size_t index) const;
  bool RetryCountsDeclared() const;
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
  Check NoUnexpectedCheck() const;
  std::optional<Check> TotalRetriesCheck() const;
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
  bool published_ = false;
  bool publish_failed_ = false;

  std::map<Role, std::vector<Seen>> seen_;
  std::vector<ObservedMessage> unexpected_;
  std::vector<FlowEvent> flow_;
  std::vector<std::string> reasons_;
  bool failed_ = false;
  bool errored_ = false;
  std::optional<Clock::MonoTime> settle_until_;
  bool done_ = false;
};

}  // namespace driftline::contract
