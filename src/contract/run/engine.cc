#include "contract/run/engine.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace driftline::contract {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::string Secs(milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

std::string Secs2(milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

std::string Timeout(const Channel* channel) {
  return "Timeout waiting for a message on " + channel->Describe() + ".";
}

std::string RoleWord(Role role) {
  switch (role) {
    case Role::kReceive:
      return "published message";
    case Role::kReply:
      return "reply";
    case Role::kRetry:
      return "retry envelope";
    case Role::kDeadLetter:
      return "dead letter";
  }
  return "message";
}

std::string FirstMismatch(const std::vector<Mismatch>& mismatches) {
  if (mismatches.empty()) return {};
  const Mismatch& m = mismatches.front();
  std::string text =
      m.pointer + ": " + m.message + " (expected " + m.expected + ", actual " + m.actual + ")";
  if (mismatches.size() > 1) text += " and " + std::to_string(mismatches.size() - 1) + " more";
  return text;
}

std::string Plus(milliseconds ms) {
  return (ms.count() < 0 ? "" : "+") + Secs2(ms);
}

// "1.0 s ± 0.25 s"
std::string Declared(milliseconds delay, milliseconds tolerance) {
  return Secs(delay) + " ± " + Secs2(tolerance);
}

}  // namespace

milliseconds Timing::Tolerance(milliseconds d) const {
  const auto scaled = milliseconds(std::llround(static_cast<double>(d.count()) * tolerance_ratio));
  return std::max(tolerance_floor, scaled);
}

milliseconds Timing::SettleFor(const Operation& operation) const {
  if (settle) return *settle;
  milliseconds longest = min_settle;
  if (operation.retry) {
    for (int k = 0; k < operation.retry->max_attempts; ++k)
      longest = std::max(longest, operation.retry->strategy.DelayBefore(k));
  }
  return longest;
}

std::string Timing::DescribeTolerance() const {
  char buf[96];
  std::snprintf(buf, sizeof buf, "the larger of %.2f s and %.0f %% of the delay",
                static_cast<double>(tolerance_floor.count()) / 1000.0, tolerance_ratio * 100.0);
  return buf;
}

TestEvaluator::TestEvaluator(const TestPlan& plan, const SchemaCatalog& schemas, Timing timing,
                             MatchOptions match)
    : plan_(plan),
      schemas_(schemas),
      timing_(timing),
      match_(match),
      settle_(timing.SettleFor(*plan.operation)) {}

void TestEvaluator::Start(Clock::MonoTime mono, Clock::WallTime wall) {
  start_mono_ = mono;
  start_wall_ = wall;
  t0_ = mono;
  t0_wall_ = wall;
  published_at_ = wall;
  if (plan_.input == nullptr)
    published_ = true;  // nothing to publish: deadlines count from the start
}

void TestEvaluator::Published(Clock::MonoTime mono, Clock::WallTime wall,
                              const ObservedMessage& message) {
  t0_ = mono;
  t0_wall_ = wall;
  published_at_ = message.produced_at != Clock::WallTime{} ? message.produced_at : wall;
  published_ = true;
  FlowEvent e;
  e.kind = FlowEvent::Kind::kPublished;
  e.role = "receive";
  e.channel = message.channel->Describe();
  e.address = message.channel->address;
  e.at = wall;
  e.coordinates = message.coordinates;
  e.key = message.key;
  e.headers = message.headers;
  e.payload = message.raw_payload;
  flow_.push_back(std::move(e));
}

void TestEvaluator::Errored(const std::string& why) {
  if (done_) return;
  if (!published_) publish_failed_ = true;
  errored_ = true;
  reasons_.push_back(why);
  done_ = true;
}

const std::vector<TestEvaluator::Seen>& TestEvaluator::SeenFor(Role role) const {
  static const std::vector<Seen> kNone;
  auto it = seen_.find(role);
  return it == seen_.end() ? kNone : it->second;
}

std::vector<const TestEvaluator::Seen*> TestEvaluator::Envelopes() const {
  std::vector<const Seen*> envelopes;
  for (const Seen& s : SeenFor(Role::kRetry))
    envelopes.push_back(&s);
  std::stable_sort(envelopes.begin(), envelopes.end(), [](const Seen* a, const Seen* b) {
    return a->message.produced_at < b->message.produced_at;
  });
  return envelopes;
}

bool TestEvaluator::RetryCountsDeclared() const {
  const auto& envelopes = SeenFor(Role::kRetry);
  if (envelopes.empty()) return false;
  for (const Seen& s : envelopes) {
    const auto& p = s.message.payload;
    if (!p.is_object() || !p.contains("retryCount") || !p["retryCount"].is_number_integer())
      return false;
  }
  return true;
}

int TestEvaluator::RetryCountOf(const std::vector<const Seen*>& envelopes,
                                std::size_t index) const {
  if (RetryCountsDeclared()) return envelopes[index]->message.payload["retryCount"].get<int>();
  return static_cast<int>(index);
}

int TestEvaluator::MaxAttempts() const {
  return plan_.operation->retry ? plan_.operation->retry->max_attempts : 0;
}

void TestEvaluator::Decide(std::string reason, std::string detail) {
  if (failed_ || errored_) return;
  failed_ = true;
  reasons_.push_back(std::move(reason));
  if (!detail.empty()) reasons_.push_back(std::move(detail));
  done_ = true;
}

void TestEvaluator::AddFlow(const ObservedMessage& m, FlowEvent::Kind kind, std::string role,
                            const MessageVerdict* verdict) {
  FlowEvent e;
  e.kind = kind;
  e.role = std::move(role);
  e.channel = m.channel->Describe();
  e.address = m.channel->address;
  e.at = m.produced_at;
  e.offset = duration_cast<milliseconds>(m.produced_at - t0_wall_);
  e.coordinates = m.coordinates;
  e.key = m.key;
  e.headers = m.headers;
  e.payload = m.raw_payload;
  if (verdict != nullptr) {
    e.message_name = verdict->message != nullptr ? verdict->message->name : "";
    e.ok = verdict->ok();
    e.mismatches = verdict->schema_mismatches;
    e.mismatches.insert(e.mismatches.end(), verdict->value_mismatches.begin(),
                        verdict->value_mismatches.end());
  } else {
    e.ok = kind != FlowEvent::Kind::kUnexpected;
  }
  flow_.push_back(std::move(e));
}

void TestEvaluator::Observe(const ObservedMessage& m) {
  if (done_) return;
  const Expectation* exp = nullptr;
  for (const Expectation& e : plan_.expectations) {
    if (e.channel == m.channel) exp = &e;
  }
  const bool repeat = exp != nullptr && exp->role != Role::kRetry && !SeenFor(exp->role).empty();
  if (exp == nullptr || repeat) {
    unexpected_.push_back(m);
    AddFlow(m, FlowEvent::Kind::kUnexpected, "", nullptr);
    std::string when;
    if (repeat) {
      const milliseconds after = duration_cast<milliseconds>(
          m.produced_at - SeenFor(exp->role).front().message.produced_at);
      when = ", " + Secs2(after) + " after the first";
    }
    Decide(repeat ? "A second message arrived on " + m.channel->Describe() + "."
                  : "Unexpected message on " + m.channel->Describe() + ".",
           std::string(plan_.negative ? "the test expects " : "the example expects ") +
               (repeat ? "one" : "no") + " message there for correlation id '" +
               plan_.correlation_id + "' (" + m.coordinates + when + ")");
    return;
  }
  Seen seen{m, CheckMessage(schemas_, exp->messages, exp->expected, m, match_)};
  AddFlow(m, FlowEvent::Kind::kReceived, std::string(RoleKey(exp->role)), &seen.verdict);
  const MessageVerdict verdict = seen.verdict;
  seen_[exp->role].push_back(std::move(seen));
  if (!verdict.schema_ok()) {
    Decide("The " + RoleWord(exp->role) + " on " + m.channel->Describe() +
               " does not conform to the contract.",
           FirstMismatch(verdict.schema_mismatches));
    return;
  }
  if (!verdict.values_ok()) {
    Decide("The " + RoleWord(exp->role) + " on " + m.channel->Describe() +
               " does not match the example.",
           FirstMismatch(verdict.value_mismatches));
    return;
  }
  if (exp->role == Role::kRetry && Expects(Role::kReply) && !Expects(Role::kDeadLetter)) {
    const auto envelopes = Envelopes();
    int n = 0;
    for (std::size_t i = 0; i < envelopes.size(); ++i)
      n = std::max(n, RetryCountOf(envelopes, i));
    if (n >= MaxAttempts()) {
      Decide("Retries were exhausted without a reply on " +
                 plan_.Find(Role::kReply)->channel->Describe() + ".",
             "retry envelope retryCount " + std::to_string(n) + " reached maxAttempts " +
                 std::to_string(MaxAttempts()));
      return;
    }
  }
  // Ordering across channels (a dead letter before the last envelope, ...) is judged once the
  // test settles, on the messages' own timestamps: watchers of different channels may hand
  // them over in another order than they were produced.
  if (!settle_until_ && Complete()) settle_until_ = m.received_at + settle_;
}

bool TestEvaluator::Complete() const {
  const Expectation* reply = plan_.Find(Role::kReply);
  const Expectation* dlq = plan_.Find(Role::kDeadLetter);
  if (reply == nullptr && dlq == nullptr) return !SeenFor(Role::kRetry).empty();
  if (reply != nullptr && SeenFor(Role::kReply).empty()) return false;
  if (dlq != nullptr && SeenFor(Role::kDeadLetter).empty()) return false;
  return true;
}

std::optional<TestEvaluator::Deadline> TestEvaluator::PendingDeadline() const {
  if (!published_ || settle_until_) return std::nullopt;
  std::optional<Deadline> best;
  auto consider = [&best](Deadline d) {
    if (!best || d.at < best->at) best = std::move(d);
  };
  const Expectation* reply = plan_.Find(Role::kReply);
  const Expectation* retry = plan_.Find(Role::kRetry);
  const Expectation* dlq = plan_.Find(Role::kDeadLetter);
  const milliseconds dlq_wait = plan_.operation->dead_letter
                                    ? plan_.operation->dead_letter->wait_time
                                    : timing_.reply_timeout;
  const milliseconds grace = timing_.arrival_grace;
  if (retry != nullptr && plan_.operation->retry) {
    const RetryPath& policy = *plan_.operation->retry;
    const auto envelopes = Envelopes();
    const bool reply_pending = reply != nullptr && SeenFor(Role::kReply).empty();
    const bool dlq_pending = dlq != nullptr && SeenFor(Role::kDeadLetter).empty();
    if (envelopes.empty()) {
      const milliseconds due = timing_.react_within + timing_.Tolerance(milliseconds(0));
      consider(Deadline{t0_ + due + grace, Timeout(retry->channel),
                        "retryCount 0 was due at once after the publish (within " +
                            Secs(timing_.react_within) + "); waited " + Secs(due + grace)});
    } else {
      const std::size_t last = envelopes.size() - 1;
      const int n = RetryCountOf(envelopes, last);
      const Clock::MonoTime arrived = envelopes[last]->message.received_at;
      const std::string when = "retryCount " + std::to_string(n) + " arrived at +" +
                               Secs(duration_cast<milliseconds>(arrived - t0_));
      if (n < policy.max_attempts && (reply_pending || dlq_pending)) {
        const milliseconds delay = policy.strategy.DelayBefore(std::max(n, 0));
        const milliseconds tolerance = timing_.Tolerance(delay);
        const std::string next = "retryCount " + std::to_string(n + 1);
        if (reply_pending) {
          consider(Deadline{arrived + delay + tolerance + grace, Timeout(reply->channel),
                            when + "; the reply (or " + next + " on " + retry->channel->Describe() +
                                ") was due " + Declared(delay, tolerance) + " after it"});
        } else {
          consider(Deadline{
              arrived + delay + tolerance + grace, Timeout(retry->channel),
              when + "; " + next + " was due " + Declared(delay, tolerance) + " after it"});
        }
      } else if (dlq_pending) {
        consider(Deadline{arrived + dlq_wait, Timeout(dlq->channel),
                          when + " (retries exhausted: maxAttempts " +
                              std::to_string(policy.max_attempts) +
                              "); the dead letter was due at once, waited " + Secs(dlq_wait) +
                              " (waitTimeInSeconds)"});
      }
    }
    if (reply_pending) {
      milliseconds chain = timing_.react_within;
      for (int k = 0; k < policy.max_attempts; ++k) {
        const milliseconds d = policy.strategy.DelayBefore(k);
        chain += d + timing_.Tolerance(d);
      }
      const milliseconds cap = std::max(timing_.reply_timeout, chain + grace);
      consider(Deadline{t0_ + cap, Timeout(reply->channel),
                        "no reply within " + Secs(cap) + " of publishing"});
    }
    return best;
  }
  if (reply != nullptr && SeenFor(Role::kReply).empty()) {
    consider(Deadline{t0_ + timing_.reply_timeout, Timeout(reply->channel),
                      "no reply within " + Secs(timing_.reply_timeout) + " of publishing"});
  }
  if (dlq != nullptr && SeenFor(Role::kDeadLetter).empty()) {
    consider(
        Deadline{t0_ + dlq_wait, Timeout(dlq->channel),
                 "no dead letter within " + Secs(dlq_wait) + " of publishing (waitTimeInSeconds)"});
  }
  return best;
}

void TestEvaluator::Advance(Clock::MonoTime now) {
  if (done_) return;
  if (settle_until_) {
    if (now >= *settle_until_) done_ = true;
    return;
  }
  if (auto d = PendingDeadline(); d && now >= d->at) Decide(d->reason, d->detail);
}

std::optional<Clock::MonoTime> TestEvaluator::NextDeadline() const {
  if (done_) return std::nullopt;
  if (settle_until_) return settle_until_;
  if (auto d = PendingDeadline()) return d->at;
  return std::nullopt;
}

std::string TestEvaluator::Waiting(Clock::MonoTime now) const {
  if (done_) return "done";
  if (!published_) return "publishing";
  if (settle_until_) {
    return "all expected messages seen; settling (" +
           Secs(duration_cast<milliseconds>(*settle_until_ - now)) + " left)";
  }
  auto d = PendingDeadline();
  if (!d) return "waiting";
  std::string what = d->reason;
  // "Timeout waiting for a message on X." -> "waiting for a message on X"
  static constexpr std::string_view kPrefix = "Timeout waiting";
  if (what.rfind(kPrefix, 0) == 0) what = "waiting" + what.substr(kPrefix.size());
  if (!what.empty() && what.back() == '.') what.pop_back();
  const auto left = std::max(milliseconds(0), duration_cast<milliseconds>(d->at - now));
  return what + " (" + Secs(left) + " left)";
}

Check TestEvaluator::RetryCheck() const {
  Check check;
  check.name = "retry chain and timing";
  const int max_attempts = MaxAttempts();
  const auto envelopes = Envelopes();
  const bool declared = RetryCountsDeclared();
  auto count_of = [&](std::size_t i) { return RetryCountOf(envelopes, i); };
  std::vector<std::string> problems;
  std::string counts;
  for (std::size_t i = 0; i < envelopes.size(); ++i)
    counts += (i == 0 ? "" : ", ") + std::to_string(count_of(i));
  if (envelopes.empty()) {
    problems.push_back(Expects(Role::kDeadLetter) ? "no retry envelope before the dead letter"
                                                  : "no retry envelope arrived");
  } else {
    if (declared && count_of(0) != 0) {
      problems.push_back("the retry chain starts at retryCount " + std::to_string(count_of(0)) +
                         "; its first envelope must have retryCount 0");
    }
    for (std::size_t i = 1; i < envelopes.size(); ++i) {
      const int c = count_of(i);
      const int p = count_of(i - 1);
      if (c == p) {
        problems.push_back("retryCount " + std::to_string(c) + " repeated");
      } else if (c > p + 1) {
        problems.push_back("retryCount " + std::to_string(c) + " follows " + std::to_string(p) +
                           " (retryCount " + std::to_string(p + 1) +
                           (c > p + 2 ? ".." + std::to_string(c - 1) : std::string()) +
                           " missing)");
      } else if (c < p) {
        problems.push_back("retryCount " + std::to_string(c) + " follows " + std::to_string(p) +
                           " (out of order)");
      }
    }
    const int last = count_of(envelopes.size() - 1);
    if (Expects(Role::kDeadLetter)) {
      if (last < max_attempts) {
        problems.push_back(
            "the chain ends at retryCount " + std::to_string(last) + ": maxAttempts " +
            std::to_string(max_attempts) + " needs retryCount 0.." + std::to_string(max_attempts) +
            " before the dead letter (" + std::to_string(max_attempts - last) + " too few)");
      } else if (last > max_attempts) {
        problems.push_back("the chain goes on to retryCount " + std::to_string(last) +
                           ": maxAttempts " + std::to_string(max_attempts) +
                           " allows retryCount 0.." + std::to_string(max_attempts) + " (" +
                           std::to_string(last - max_attempts) + " too many)");
      }
    } else if (last >= max_attempts) {
      problems.push_back("retryCount " + std::to_string(last) + " reached maxAttempts " +
                         std::to_string(max_attempts) + ", yet the example expects a reply");
    }
  }
  std::string gaps;
  if (!envelopes.empty()) RetryTimingProblems(envelopes, problems, gaps);
  check.detail = std::to_string(envelopes.size()) + " envelope(s)" +
                 (counts.empty() ? "" : ", retryCount " + counts) +
                 (gaps.empty() ? "" : "; gaps " + gaps) + "; maxAttempts " +
                 std::to_string(max_attempts) + ", tolerance " + timing_.DescribeTolerance();
  if (!problems.empty()) {
    check.passed = false;
    std::string text;
    for (const std::string& p : problems)
      text += (text.empty() ? "" : "; ") + p;
    check.detail = text + " (" + check.detail + ")";
  }
  return check;
}

void TestEvaluator::RetryTimingProblems(const std::vector<const Seen*>& envelopes,
                                        std::vector<std::string>& problems,
                                        std::string& gaps) const {
  const RetryStrategy& strategy = plan_.operation->retry->strategy;
  const std::string kind =
      "the " + std::string(RetryStrategyTypeName(strategy.type)) + " strategy declares ";
  auto count_of = [&](std::size_t i) { return RetryCountOf(envelopes, i); };
  auto at = [&](std::size_t i) { return envelopes[i]->message.produced_at; };
  auto add_gap = [&gaps](const std::string& g) { gaps += (gaps.empty() ? "" : ", ") + g; };

  const milliseconds first = duration_cast<milliseconds>(at(0) - published_at_);
  add_gap("publish -> " + std::to_string(count_of(0)) + " " + Secs2(first) + " (at once)");
  if (first > timing_.react_within) {
    problems.push_back("retryCount " + std::to_string(count_of(0)) + " came " + Secs2(first) +
                       " after the publish; it is due at once (within " +
                       Secs(timing_.react_within) + ")");
  }
  for (std::size_t i = 1; i < envelopes.size(); ++i) {
    const int p = count_of(i - 1);
    const int c = count_of(i);
    const milliseconds delay = strategy.DelayBefore(std::max(p, 0));
    const milliseconds tolerance = timing_.Tolerance(delay);
    const milliseconds gap = duration_cast<milliseconds>(at(i) - at(i - 1));
    add_gap(std::to_string(p) + " -> " + std::to_string(c) + " " + Secs2(gap) + " (" +
            Declared(delay, tolerance) + ")");
    if (gap < delay - tolerance || gap > delay + tolerance) {
      problems.push_back("retryCount " + std::to_string(p) + " -> " + std::to_string(c) + ": " +
                         Secs2(gap) + " apart; " + kind + Declared(delay, tolerance));
    }
  }
  const std::size_t last = envelopes.size() - 1;
  const int last_count = count_of(last);
  if (const auto& replies = SeenFor(Role::kReply); !replies.empty()) {
    const Clock::WallTime reply_at = replies.front().message.produced_at;
    const milliseconds delay = strategy.DelayBefore(std::max(last_count, 0));
    const milliseconds tolerance = timing_.Tolerance(delay);
    const milliseconds gap = duration_cast<milliseconds>(reply_at - at(last));
    add_gap(std::to_string(last_count) + " -> reply " + Secs2(gap) + " (" +
            Declared(delay, tolerance) + ")");
    if (gap < delay - tolerance || gap > delay + tolerance) {
      problems.push_back("the reply came " + Secs2(gap) + " after retryCount " +
                         std::to_string(last_count) + "; " + kind + Declared(delay, tolerance));
    }
  }
  if (const auto& dead = SeenFor(Role::kDeadLetter); !dead.empty()) {
    const Clock::WallTime dead_at = dead.front().message.produced_at;
    std::string later;
    for (std::size_t i = 0; i < envelopes.size(); ++i) {
      if (at(i) > dead_at) later += (later.empty() ? "" : ", ") + std::to_string(count_of(i));
    }
    if (!later.empty()) {
      problems.push_back("the dead letter came before the retries were exhausted: retryCount " +
                         later + " followed it");
    } else {
      const milliseconds gap = duration_cast<milliseconds>(dead_at - at(last));
      add_gap(std::to_string(last_count) + " -> dead letter " + Secs2(gap) + " (at once)");
      if (gap > timing_.react_within) {
        problems.push_back("the dead letter came " + Secs2(gap) + " after retryCount " +
                           std::to_string(last_count) + "; it is due at once (within " +
                           Secs(timing_.react_within) + ")");
      }
    }
  }
}

Check TestEvaluator::PublishCheck() const {
  return Check{"publish to " + plan_.input->Describe(),
               published_ && !publish_failed_,
               published_ && !flow_.empty() ? flow_.front().coordinates : "not published",
               {}};
}

std::pair<Check, Check> TestEvaluator::ExpectationChecks(const Expectation& e) const {
  const auto& seen = SeenFor(e.role);
  const std::string role(RoleKey(e.role));
  Check schema{
      role + ": " + RoleWord(e.role) + " on " + e.channel->Describe() + " conforms to the contract",
      !seen.empty(),
      "",
      {}};
  Check values{
      role + ": " + RoleWord(e.role) + " on " + e.channel->Describe() + " matches the example",
      !seen.empty(),
      "",
      {}};
  if (seen.empty()) {
    schema.detail = values.detail = "no message arrived";
    return {std::move(schema), std::move(values)};
  }
  std::string names;
  for (const Seen& s : seen) {
    if (!s.verdict.schema_ok()) schema.passed = false;
    if (!s.verdict.values_ok()) values.passed = false;
    schema.mismatches.insert(schema.mismatches.end(), s.verdict.schema_mismatches.begin(),
                             s.verdict.schema_mismatches.end());
    values.mismatches.insert(values.mismatches.end(), s.verdict.value_mismatches.begin(),
                             s.verdict.value_mismatches.end());
    const std::string name = s.verdict.message != nullptr ? s.verdict.message->name : "?";
    if (names.find(name) == std::string::npos) names += (names.empty() ? "" : ", ") + name;
  }
  schema.detail = std::to_string(seen.size()) + " message(s), as " + names;
  values.detail = std::to_string(seen.size()) + " message(s) checked";
  return {std::move(schema), std::move(values)};
}

Check TestEvaluator::NoUnexpectedCheck() const {
  Check none{"no unexpected messages", unexpected_.empty(), "", {}};
  std::string watched;
  for (const Channel* c : plan_.watched)
    watched += (watched.empty() ? "" : ", ") + c->Describe();
  if (unexpected_.empty()) {
    none.detail = "none on " + watched + " (settle window " + Secs(settle_) + ")";
  } else {
    for (const ObservedMessage& m : unexpected_)
      none.detail +=
          (none.detail.empty() ? "" : "; ") + m.channel->Describe() + " " + m.coordinates;
  }
  return none;
}

std::optional<Check> TestEvaluator::TotalRetriesCheck() const {
  const auto& dead = SeenFor(Role::kDeadLetter);
  if (dead.empty()) return std::nullopt;
  const auto& p = dead.front().message.payload;
  if (!p.is_object() || !p.contains("totalRetries") || !p["totalRetries"].is_number())
    return std::nullopt;
  const double total = p["totalRetries"].get<double>();
  if (!Expects(Role::kRetry)) {
    return Check{"totalRetries is 0 for a dead letter without retries",
                 total == 0.0,
                 "totalRetries " + p["totalRetries"].dump(),
                 {}};
  }
  const auto envelopes = Envelopes();
  int observed = 0;
  if (!envelopes.empty()) {
    observed = RetryCountsDeclared() ? RetryCountOf(envelopes, envelopes.size() - 1)
                                     : static_cast<int>(envelopes.size());
  }
  const int max_attempts = MaxAttempts();
  const bool ok =
      total == static_cast<double>(max_attempts) && total == static_cast<double>(observed);
  return Check{"totalRetries equals maxAttempts and the retries observed",
               ok,
               "totalRetries " + p["totalRetries"].dump() + "; maxAttempts " +
                   std::to_string(max_attempts) + "; retries observed " + std::to_string(observed) +
                   (envelopes.empty() ? " (no retry envelopes)"
                                      : " (last retryCount of " + std::to_string(envelopes.size()) +
                                            " envelope(s))"),
               {}};
}

void TestEvaluator::NoteUnclaimed(std::vector<Unclaimed> messages) {
  std::set<std::string> known;
  for (const Unclaimed& u : unclaimed_)
    known.insert(u.message.coordinates);
  for (Unclaimed& u : messages) {
    if (known.insert(u.message.coordinates).second) unclaimed_.push_back(std::move(u));
  }
}

std::vector<std::string> TestEvaluator::UnclaimedLines() const {
  // Per channel and kind (no id / an id of no test), in the order first seen.
  std::vector<std::pair<const Channel*, bool>> order;
  std::map<std::pair<const Channel*, bool>, std::vector<const Unclaimed*>> groups;
  for (const Unclaimed& u : unclaimed_) {
    const auto key = std::make_pair(u.message.channel, u.has_id);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(&u);
  }
  std::vector<std::string> lines;
  for (const auto& key : order) {
    const auto& list = groups[key];
    const Channel* channel = key.first;
    std::string where;
    for (const CorrelationIdLocation& l : plan_.correlation_locations) {
      std::string name = l.pointer.empty() ? l.expression : l.pointer.substr(1);
      std::string text;
      if (l.source == CorrelationIdLocation::Source::kHeader) {
        text =
            "a " + name + (channel->protocol == Protocol::kSqs ? " message attribute" : " header");
      } else {
        text = "a correlation id at payload " + l.pointer;
      }
      where += (where.empty() ? "" : " or ") + text;
    }
    if (where.empty()) where = "a correlation id";
    std::string line =
        std::to_string(list.size()) + (list.size() == 1 ? " message" : " messages") +
        " arrived on " + channel->Describe() +
        (key.second ? " with a correlation id of no test" + std::string(" of this run")
                    : " without " + where) +
        " while the test ran:";
    std::size_t shown = 0;
    for (const Unclaimed* u : list) {
      if (shown++ == 5) {
        line += " and " + std::to_string(list.size() - 5) + " more";
        break;
      }
      line += (shown == 1 ? " " : ", ") +
              Plus(duration_cast<milliseconds>(u->message.produced_at - t0_wall_)) + " " +
              u->message.coordinates;
      if (key.second) line += " ('" + u->message.correlation_id + "')";
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<Check> TestEvaluator::FinalChecks() const {
  std::vector<Check> checks;
  if (Expects(Role::kRetry) && plan_.operation->retry) checks.push_back(RetryCheck());
  checks.push_back(NoUnexpectedCheck());
  if (auto total = TotalRetriesCheck()) checks.push_back(std::move(*total));
  return checks;
}

std::string TestEvaluator::NegativeVerdict() const {
  const Operation& op = *plan_.operation;
  const Channel* retry = op.retry ? op.retry->channel : nullptr;
  const Channel* reply = op.reply ? op.reply->channel : nullptr;
  int retries = 0;
  int replies = 0;
  int dead_letters = static_cast<int>(SeenFor(Role::kDeadLetter).size());
  const Expectation* dlq = plan_.Find(Role::kDeadLetter);
  for (const ObservedMessage& m : unexpected_) {
    if (m.channel == retry) ++retries;
    if (m.channel == reply) ++replies;
    if (dlq != nullptr && m.channel == dlq->channel) ++dead_letters;
  }
  const std::string refused = "an input the contract refuses";
  if (retries > 0) {
    return "The provider retried " + refused +
           " (a permanently bad message): " + std::to_string(retries) + " retry envelope(s) on " +
           retry->Describe() + "; it must be dead-lettered at once, without retries.";
  }
  if (replies > 0) {
    return "The provider replied to " + refused + " on " + reply->Describe() +
           "; it must be dead-lettered at once.";
  }
  if (dead_letters > 1) {
    return "The provider dead-lettered " + refused + " " + std::to_string(dead_letters) +
           " times; once is what the contract says.";
  }
  if (dead_letters == 0) {
    const milliseconds wait = op.dead_letter ? op.dead_letter->wait_time : timing_.reply_timeout;
    return "The provider sent no dead letter for " + refused + " within " + Secs(wait) +
           ": it ignored the input, or crashed or stopped consuming (then later tests time out "
           "too).";
  }
  return "The provider dead-lettered " + refused + ", but not as the contract says.";
}

void TestEvaluator::DecideUndecided() {
  if (done_ || failed_ || errored_) return;
  if (auto d = PendingDeadline())
    Decide(d->reason, d->detail);
  else
    Decide("The run stopped before the outcome was known.", "");
}

TestResult TestEvaluator::Finish(Clock::MonoTime now) {
  TestResult r;
  r.name = plan_.example->name;
  r.file = plan_.example->file;
  r.operation = plan_.operation->id;
  r.correlation_id = plan_.correlation_id;
  r.wip = plan_.example->IsWip();
  r.started = start_wall_;
  r.duration = duration_cast<milliseconds>(now - start_mono_);
  r.warnings = plan_.example->warnings;
  for (const std::string& u : plan_.example->unsupported)
    r.warnings.push_back("'" + u + "' fixtures are not supported and were ignored");

  if (plan_.input != nullptr) r.checks.push_back(PublishCheck());
  for (const Expectation& e : plan_.expectations) {
    auto [schema, values] = ExpectationChecks(e);
    r.checks.push_back(std::move(schema));
    // A generated test has no example to match.
    if (!plan_.negative) r.checks.push_back(std::move(values));
  }
  std::vector<Check> final_checks = FinalChecks();
  DecideUndecided();
  // A final check that failed decides the outcome unless something already did; when something
  // did (a message that does not match, say), the failed checks follow it: a dead letter with
  // the wrong totalRetries is also a chain that ended early.
  for (Check& c : final_checks) {
    if (!c.passed && !errored_) {
      if (!failed_) {
        failed_ = true;
        reasons_.push_back("Check failed: " + c.name + ".");
        reasons_.push_back(c.detail);
      } else if (c.name != "no unexpected messages") {
        reasons_.push_back("Also failed: " + c.name + ": " + c.detail);
      }
    }
    r.checks.push_back(std::move(c));
  }
  r.outcome = errored_ ? Outcome::kError : failed_ ? Outcome::kFailed : Outcome::kPassed;
  r.reasons = reasons_;
  if (plan_.negative && r.outcome == Outcome::kFailed)
    r.reasons.insert(r.reasons.begin(), NegativeVerdict());
  // What arrived that no test could claim: the likely cause of a timeout.
  for (std::string& line : UnclaimedLines()) {
    if (r.outcome == Outcome::kPassed)
      r.warnings.push_back(std::move(line));
    else
      r.reasons.push_back(std::move(line));
  }
  r.flow = flow_;
  std::stable_sort(r.flow.begin(), r.flow.end(),
                   [](const FlowEvent& a, const FlowEvent& b) { return a.at < b.at; });
  if (plan_.input != nullptr)
    r.tally.emplace_back(plan_.input->address, published_ && !publish_failed_);
  for (const Expectation& e : plan_.expectations)
    r.tally.emplace_back(e.channel->address, !SeenFor(e.role).empty());
  done_ = true;
  return r;
}

}  // namespace driftline::contract
