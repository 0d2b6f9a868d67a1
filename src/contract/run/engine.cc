#include "contract/run/engine.h"

#include <algorithm>
#include <cstdio>

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

}  // namespace

TestEvaluator::TestEvaluator(const TestPlan& plan, const SchemaCatalog& schemas, Timing timing,
                             MatchOptions match)
    : plan_(plan), schemas_(schemas), timing_(timing), match_(match) {}

void TestEvaluator::Start(Clock::MonoTime mono, Clock::WallTime wall) {
  start_mono_ = mono;
  start_wall_ = wall;
  t0_ = mono;
  t0_wall_ = wall;
  if (plan_.input == nullptr)
    published_ = true;  // nothing to publish: deadlines count from the start
}

void TestEvaluator::Published(Clock::MonoTime mono, Clock::WallTime wall,
                              const ObservedMessage& message) {
  t0_ = mono;
  t0_wall_ = wall;
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

int TestEvaluator::RetryCountOf(std::size_t index) const {
  const auto& envelopes = SeenFor(Role::kRetry);
  if (RetryCountsDeclared()) return envelopes[index].message.payload["retryCount"].get<int>();
  return static_cast<int>(index);
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
    Decide(repeat ? "A second message arrived on " + m.channel->Describe() + "."
                  : "Unexpected message on " + m.channel->Describe() + ".",
           "the example expects " + std::string(repeat ? "one" : "no") +
               " message there for correlation id '" + plan_.correlation_id + "' (" +
               m.coordinates + ")");
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
  const Expectation* retry = plan_.Find(Role::kRetry);
  const int max_attempts = plan_.operation->retry ? plan_.operation->retry->max_attempts : 0;
  if (exp->role == Role::kDeadLetter && retry != nullptr) {
    const auto& envelopes = SeenFor(Role::kRetry);
    const int last = envelopes.empty() ? -1 : RetryCountOf(envelopes.size() - 1);
    if (last < max_attempts) {
      Decide("The dead letter on " + m.channel->Describe() +
                 " arrived before the retries were exhausted.",
             "last retryCount seen: " + (last < 0 ? std::string("none") : std::to_string(last)) +
                 "; maxAttempts: " + std::to_string(max_attempts));
      return;
    }
  }
  if (exp->role == Role::kRetry && Expects(Role::kReply) && !Expects(Role::kDeadLetter)) {
    const int n = RetryCountOf(SeenFor(Role::kRetry).size() - 1);
    if (n >= max_attempts) {
      Decide("Retries were exhausted without a reply on " +
                 plan_.Find(Role::kReply)->channel->Describe() + ".",
             "retry envelope retryCount " + std::to_string(n) + " reached maxAttempts " +
                 std::to_string(max_attempts));
      return;
    }
  }
  if (!settle_until_ && Complete()) settle_until_ = m.received_at + timing_.settle;
}

bool TestEvaluator::Complete() const {
  for (const Expectation& e : plan_.expectations) {
    if (SeenFor(e.role).empty()) return false;
  }
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
  if (retry != nullptr) {
    const RetryPath& policy = *plan_.operation->retry;
    const auto& envelopes = SeenFor(Role::kRetry);
    if (envelopes.empty()) {
      const milliseconds total = policy.strategy.Total(policy.max_attempts);
      consider(Deadline{t0_ + total + timing_.retry_grace, Timeout(retry->channel),
                        "no retry envelope within " + Secs(total + timing_.retry_grace) +
                            " (the strategy's total " + Secs(total) + " + grace " +
                            Secs(timing_.retry_grace) + ")"});
    } else {
      const std::size_t last = envelopes.size() - 1;
      const int n = RetryCountOf(last);
      const Clock::MonoTime arrived = envelopes[last].message.received_at;
      const std::string when = "retryCount " + std::to_string(n) + " arrived at +" +
                               Secs(duration_cast<milliseconds>(arrived - t0_));
      if (n < policy.max_attempts) {
        const bool reply_pending = reply != nullptr && SeenFor(Role::kReply).empty();
        if (reply_pending || (dlq != nullptr && SeenFor(Role::kDeadLetter).empty())) {
          const milliseconds delay = policy.strategy.DelayBefore(n);
          consider(Deadline{arrived + delay + timing_.retry_grace, Timeout(retry->channel),
                            when + "; the next retry" +
                                (reply_pending ? " or the reply on " + reply->channel->Describe()
                                               : std::string()) +
                                " was due within " + Secs(delay) + " + grace " +
                                Secs(timing_.retry_grace)});
        }
      } else if (dlq != nullptr && SeenFor(Role::kDeadLetter).empty()) {
        consider(Deadline{arrived + dlq_wait, Timeout(dlq->channel),
                          when + " (retries exhausted); the dead letter was due within " +
                              Secs(dlq_wait) + " (waitTimeInSeconds)"});
      }
    }
    if (reply != nullptr && SeenFor(Role::kReply).empty()) {
      const milliseconds cap = std::max(
          timing_.reply_timeout, policy.strategy.Total(policy.max_attempts) + timing_.retry_grace);
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
  check.name = "retry count and spacing";
  const RetryPath& policy = *plan_.operation->retry;
  std::vector<const Seen*> envelopes;
  for (const Seen& s : SeenFor(Role::kRetry))
    envelopes.push_back(&s);
  std::stable_sort(envelopes.begin(), envelopes.end(), [](const Seen* a, const Seen* b) {
    return a->message.produced_at < b->message.produced_at;
  });
  const bool declared = RetryCountsDeclared();
  auto count_of = [&](std::size_t i) {
    return declared ? envelopes[i]->message.payload["retryCount"].get<int>() : static_cast<int>(i);
  };
  std::vector<std::string> problems;
  std::string counts;
  std::string gaps;
  for (std::size_t i = 0; i < envelopes.size(); ++i) {
    counts += (i == 0 ? "" : ", ") + std::to_string(count_of(i));
    if (i == 0) continue;
    if (count_of(i) != count_of(i - 1) + 1) {
      problems.push_back("retryCount " + std::to_string(count_of(i)) + " follows " +
                         std::to_string(count_of(i - 1)));
    }
    const milliseconds gap = duration_cast<milliseconds>(envelopes[i]->message.produced_at -
                                                         envelopes[i - 1]->message.produced_at);
    const milliseconds need = policy.strategy.DelayBefore(count_of(i - 1));
    gaps += (gaps.empty() ? "" : ", ") + Secs2(gap) + " >= " + Secs(need);
    if (gap + timing_.spacing_tolerance < need) {
      problems.push_back("retryCount " + std::to_string(count_of(i - 1)) + " -> " +
                         std::to_string(count_of(i)) + " only " + Secs2(gap) +
                         " apart; the strategy declares " + Secs(need));
    }
  }
  const auto& replies = SeenFor(Role::kReply);
  if (!envelopes.empty() && !replies.empty()) {
    const std::size_t last = envelopes.size() - 1;
    const milliseconds gap = duration_cast<milliseconds>(replies.front().message.produced_at -
                                                         envelopes[last]->message.produced_at);
    const milliseconds need = policy.strategy.DelayBefore(count_of(last));
    gaps += (gaps.empty() ? "" : ", ") + std::string("reply ") + Secs2(gap) + " >= " + Secs(need);
    if (gap + timing_.spacing_tolerance < need) {
      problems.push_back("the reply came " + Secs2(gap) + " after retryCount " +
                         std::to_string(count_of(last)) + "; the strategy declares " + Secs(need));
    }
  }
  if (Expects(Role::kDeadLetter)) {
    if (envelopes.empty()) {
      problems.push_back("no retry envelope before the dead letter");
    } else if (declared && count_of(envelopes.size() - 1) != policy.max_attempts) {
      problems.push_back("the last retry envelope has retryCount " +
                         std::to_string(count_of(envelopes.size() - 1)) + "; maxAttempts is " +
                         std::to_string(policy.max_attempts));
    }
  } else if (envelopes.empty()) {
    problems.push_back("no retry envelope arrived");
  }
  check.detail = std::to_string(envelopes.size()) + " envelope(s)" +
                 (counts.empty() ? "" : ", retryCount " + counts) +
                 (gaps.empty() ? "" : "; gaps " + gaps) + "; maxAttempts " +
                 std::to_string(policy.max_attempts) + ", tolerance " +
                 Secs2(timing_.spacing_tolerance);
  if (!problems.empty()) {
    check.passed = false;
    std::string text;
    for (const std::string& p : problems)
      text += (text.empty() ? "" : "; ") + p;
    check.detail = text + " (" + check.detail + ")";
  }
  return check;
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
    none.detail = "none on " + watched + " (settle window " + Secs(timing_.settle) + ")";
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
  const auto& envelopes = SeenFor(Role::kRetry);
  int observed = 0;
  if (!envelopes.empty())
    observed = RetryCountsDeclared() ? RetryCountOf(envelopes.size() - 1)
                                     : static_cast<int>(envelopes.size());
  const double total = p["totalRetries"].get<double>();
  return Check{"totalRetries equals the retries observed",
               total == static_cast<double>(observed),
               "totalRetries " + p["totalRetries"].dump() + ", retries observed " +
                   std::to_string(observed) +
                   (envelopes.empty() ? " (no retry envelopes)"
                                      : " (last retryCount of " + std::to_string(envelopes.size()) +
                                            " envelope(s))"),
               {}};
}

std::vector<Check> TestEvaluator::FinalChecks() const {
  std::vector<Check> checks;
  if (Expects(Role::kRetry) && plan_.operation->retry) checks.push_back(RetryCheck());
  checks.push_back(NoUnexpectedCheck());
  if (auto total = TotalRetriesCheck()) checks.push_back(std::move(*total));
  return checks;
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
    r.checks.push_back(std::move(values));
  }
  std::vector<Check> final_checks = FinalChecks();
  DecideUndecided();
  // A final check that failed decides the outcome unless something already did.
  for (Check& c : final_checks) {
    if (!c.passed && !failed_ && !errored_) {
      failed_ = true;
      reasons_.push_back("Check failed: " + c.name + ".");
      reasons_.push_back(c.detail);
    }
    r.checks.push_back(std::move(c));
  }
  r.outcome = errored_ ? Outcome::kError : failed_ ? Outcome::kFailed : Outcome::kPassed;
  r.reasons = reasons_;
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
