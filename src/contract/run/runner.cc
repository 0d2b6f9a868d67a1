#include "contract/run/runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

namespace driftline::contract {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

ChannelTransport* Transports::For(const Channel& channel) const {
  switch (channel.protocol) {
    case Protocol::kKafka:
      return kafka;
    case Protocol::kSqs:
      return sqs;
    case Protocol::kOther:
      break;
  }
  return nullptr;
}

// A running test, as the watchers see it.
struct Slot {
  std::size_t test = 0;  // its case's index
  std::string correlation_id;
  std::vector<const Channel*> watched;
  Clock::WallTime watching_since{};
  // Guarded by the registry's mutex: messages not yet taken by Run(), and whether the slot is
  // on the registry's list of slots with messages.
  std::deque<ObservedMessage> inbox;
  bool has_mail = false;
};

// The messages handed to one running test since Run() last took them, in arrival order.
struct Mail {
  std::size_t test = 0;
  std::deque<ObservedMessage> messages;
};

// Correlation id -> running test, and the correlation locations per channel. The watchers put a
// running test's messages in its inbox; Run() waits for them in Await().
class Runner::Registry {
 public:
  explicit Registry(milliseconds skew) : skew_(skew) {}

  void AddLocations(const Channel* channel, const std::vector<CorrelationIdLocation>& locations) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& list = locations_[channel];
    for (const auto& l : locations) {
      if (std::find(list.begin(), list.end(), l) == list.end()) list.push_back(l);
    }
  }
  void Plan(const std::string& correlation_id) {
    std::lock_guard<std::mutex> lock(mu_);
    planned_.insert(correlation_id);
  }
  // Messages for planned correlation ids that no running test took, per id and kind; messages
  // no test could claim, per channel.
  std::vector<std::string> Notes() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [channel, list] : unclaimed_) {
      int without = 0;
      int foreign = 0;
      for (const Unclaimed& u : list)
        ++(u.has_id ? foreign : without);
      if (without > 0) {
        out.push_back(std::to_string(without) + " message(s) on " + channel->Describe() +
                      " carried no correlation id where the contract says");
      }
      if (foreign > 0) {
        out.push_back(std::to_string(foreign) + " message(s) on " + channel->Describe() +
                      " carried a correlation id of no test of this run");
      }
    }
    for (const auto& [id, n] : stray_) {
      out.push_back(std::to_string(n) + " message(s) for correlation id '" + id +
                    "' arrived while no test of that id was running (late, or retries of an "
                    "earlier run still in flight); ignored");
    }
    for (const auto& [id, n] : stale_) {
      out.push_back(std::to_string(n) + " message(s) for correlation id '" + id +
                    "' were produced before its test started (left by an earlier run); ignored");
    }
    return out;
  }

  void Register(Slot* slot) {
    std::lock_guard<std::mutex> lock(mu_);
    if (slot->correlation_id.empty())
      catch_all_ = slot;
    else
      slots_[slot->correlation_id] = slot;
  }
  // Makes every Await() return at once, now and from now on (a cancelled run stops waiting).
  void Interrupt() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      interrupted_ = true;
    }
    arrived_.notify_all();
  }
  // Unregisters the slot and drops what it has not taken: nothing reaches it afterwards.
  void Unregister(Slot* slot) {
    std::lock_guard<std::mutex> lock(mu_);
    if (catch_all_ == slot) catch_all_ = nullptr;
    if (auto it = slots_.find(slot->correlation_id); it != slots_.end() && it->second == slot)
      slots_.erase(it);
    if (slot->has_mail) {
      with_mail_.erase(std::find(with_mail_.begin(), with_mail_.end(), slot));
      slot->has_mail = false;
    }
    slot->inbox.clear();
  }

  // Waits until a registered test has messages, Interrupt() or `timeout` (real time), and takes
  // the messages: one Mail per test that has some, in the order they got their first.
  std::vector<Mail> Await(std::chrono::nanoseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (timeout > std::chrono::nanoseconds(0)) {
      arrived_.wait_for(lock, timeout, [&] { return !with_mail_.empty() || interrupted_; });
    }
    std::vector<Mail> out;
    out.reserve(with_mail_.size());
    for (Slot* slot : with_mail_) {
      out.push_back(Mail{slot->test, std::move(slot->inbox)});
      slot->inbox.clear();
      slot->has_mail = false;
    }
    with_mail_.clear();
    return out;
  }

  // Runs on a watcher thread.
  Disposition Deliver(ObservedMessage& m) {
    std::lock_guard<std::mutex> lock(mu_);
    auto loc = locations_.find(m.channel);
    if (loc == locations_.end()) return Disposition::kForeign;
    auto id = ExtractCorrelationId(m.headers, m.payload, loc->second);
    Slot* slot = nullptr;
    if (id) {
      m.correlation_id = *id;
      if (auto it = slots_.find(*id); it != slots_.end()) slot = it->second;
    }
    if (slot == nullptr && catch_all_ != nullptr && !(id && planned_.count(*id))) {
      // A test without a correlation id runs alone: what no other test of the run can claim
      // is its.
      slot = catch_all_;
    }
    if (slot == nullptr) {
      if (!id)
        Keep(m, false);
      else if (planned_.count(*id))
        ++stray_[*id];
      else
        Keep(m, true);
      return Disposition::kForeign;
    }
    if (std::find(slot->watched.begin(), slot->watched.end(), m.channel) == slot->watched.end())
      return Disposition::kForeign;
    if (m.produced_at + skew_ < slot->watching_since) {
      spdlog::debug("contract-test: stale {} on {} for '{}', produced {} ms before its test",
                    m.coordinates, m.channel->Describe(), m.correlation_id,
                    duration_cast<milliseconds>(slot->watching_since - m.produced_at).count());
      ++stale_[slot->correlation_id.empty() ? "(none)" : slot->correlation_id];
      return Disposition::kStale;
    }
    slot->inbox.push_back(m);
    if (!slot->has_mail) {
      slot->has_mail = true;
      with_mail_.push_back(slot);
      // Only Run()'s thread waits: it is woken once per batch, not once per message.
      arrived_.notify_one();
    }
    return Disposition::kMatched;
  }

  // The unclaimed messages on `channels` produced since `since` (minus the clock skew).
  std::vector<Unclaimed> UnclaimedSince(const std::vector<const Channel*>& channels,
                                        Clock::WallTime since) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Unclaimed> out;
    for (const Channel* c : channels) {
      auto it = unclaimed_.find(c);
      if (it == unclaimed_.end()) continue;
      for (const Unclaimed& u : it->second) {
        if (u.message.produced_at + skew_ >= since) out.push_back(u);
      }
    }
    return out;
  }

 private:
  // At most this many unclaimed messages are kept per channel (a busy shared topic must not
  // fill the memory); the first ones are the telling ones.
  static constexpr std::size_t kUnclaimedKept = 500;

  void Keep(const ObservedMessage& m, bool has_id) {
    auto& list = unclaimed_[m.channel];
    if (list.size() >= kUnclaimedKept) return;
    // SQS hands a released message out again: once per message id.
    if (!unclaimed_ids_[m.channel].insert(m.coordinates).second) return;
    list.push_back(Unclaimed{m, has_id});
  }

  const milliseconds skew_;
  std::mutex mu_;
  std::map<const Channel*, std::vector<CorrelationIdLocation>> locations_;  // guarded by mu_
  std::map<std::string, Slot*> slots_;                                      // guarded by mu_
  std::condition_variable arrived_;   // a slot got messages, or Interrupt()
  std::vector<Slot*> with_mail_;      // registered slots whose inbox is not empty; guarded by mu_
  bool interrupted_ = false;          // guarded by mu_
  Slot* catch_all_ = nullptr;         // the running test without a correlation id; guarded by mu_
  std::set<std::string> planned_;     // guarded by mu_
  std::map<std::string, int> stray_;  // guarded by mu_
  std::map<std::string, int> stale_;  // guarded by mu_
  std::map<const Channel*, std::vector<Unclaimed>> unclaimed_;     // guarded by mu_
  std::map<const Channel*, std::set<std::string>> unclaimed_ids_;  // guarded by mu_
};

Runner::Runner(Transports transports, Clock& clock, RunnerOptions options,
               ProgressListener* listener)
    : transports_(transports),
      clock_(clock),
      options_(options),
      listener_(listener),
      registry_(std::make_shared<Registry>(options.max_clock_skew)) {}

Status Runner::Prepare(const std::vector<TestCase>& cases) {
  prepared_at_ = options_.origin.value_or(clock_.Mono());
  std::vector<const Channel*> channels;
  for (const TestCase& tc : cases) {
    if (!tc.plan->correlation_id.empty()) registry_->Plan(tc.plan->correlation_id);
    for (const Channel* c : tc.plan->watched) {
      registry_->AddLocations(c, tc.plan->correlation_locations);
      if (std::find(channels.begin(), channels.end(), c) == channels.end()) channels.push_back(c);
    }
    if (tc.plan->input != nullptr && transports_.For(*tc.plan->input) == nullptr) {
      return Fail(Code::kUnimplemented, tc.plan->input->Describe() + ": protocol '" +
                                            std::string(ProtocolName(tc.plan->input->protocol)) +
                                            "' is not supported (kafka, sqs)");
    }
  }
  // Watches start in parallel: each Kafka watch resolves end offsets with a broker round trip.
  // The channels examples publish to are readied at the same time (a first Kafka record would
  // otherwise wait for librdkafka's 1 s topic scan).
  std::vector<const Channel*> inputs;
  for (const TestCase& tc : cases) {
    const Channel* in = tc.plan->input;
    if (in != nullptr && std::find(inputs.begin(), inputs.end(), in) == inputs.end()) {
      inputs.push_back(in);
    }
  }
  std::vector<Status> warmed(inputs.size(), Ok());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    threads.emplace_back([this, &inputs, &warmed, i] {
      ChannelTransport* t = transports_.For(*inputs[i]);  // checked above: never null here
      if (t != nullptr) warmed[i] = t->PrepareToPublish(*inputs[i]);
    });
  }
  std::vector<Status> results(channels.size(), Ok());
  for (std::size_t i = 0; i < channels.size(); ++i) {
    threads.emplace_back([this, &channels, &results, i] {
      const Channel* c = channels[i];
      ChannelTransport* t = transports_.For(*c);
      if (t == nullptr) {
        results[i] = Fail(Code::kUnimplemented, c->Describe() + ": protocol '" +
                                                    std::string(ProtocolName(c->protocol)) +
                                                    "' is not supported (kafka, sqs)");
        return;
      }
      std::shared_ptr<Registry> registry = registry_;
      results[i] = t->Watch(*c, [registry](ObservedMessage& m) { return registry->Deliver(m); });
    });
  }
  for (auto& t : threads)
    t.join();
  for (const Status& s : results) {
    if (!s) return s;
  }
  for (const Status& s : warmed) {
    if (!s) return s;
  }
  return Ok();
}

void Runner::Cancel() {
  cancelled_.store(true);
  registry_->Interrupt();
}

TestResult Runner::NotStarted(const TestCase& tc) {
  TestEvaluator eval(*tc.plan, *tc.schemas, options_.timing, options_.match);
  const Clock::MonoTime now = clock_.Mono();
  eval.Start(now, clock_.Wall());
  eval.Errored("cancelled (not started)");
  TestResult result = eval.Finish(now);
  if (listener_ != nullptr) listener_->OnFinished(result);
  return result;
}

namespace {

// A bound on a whole test even if its evaluator waited for nothing in time: every wait the plan
// can add up to, and a minute more.
milliseconds HardCap(const TestPlan& plan, const Timing& timing) {
  milliseconds cap = timing.reply_timeout + timing.SettleFor(*plan.operation) +
                     timing.react_within + timing.arrival_grace + milliseconds(60000);
  if (const RetryPath* retry = plan.operation->retry ? &*plan.operation->retry : nullptr) {
    for (int k = 0; k < retry->max_attempts; ++k) {
      const milliseconds d = retry->strategy.DelayBefore(k);
      cap += d + timing.Tolerance(d) + timing.arrival_grace;
    }
  }
  if (plan.operation->dead_letter) cap += plan.operation->dead_letter->wait_time;
  return cap;
}

// The message a test publishes: its generated test's bytes as they are, or its example's
// `receive` with matchers turned into values.
OutgoingExample OutgoingFor(const TestCase& tc, Clock::WallTime now) {
  const TestPlan& plan = *tc.plan;
  OutgoingExample out;
  if (plan.raw_input) {
    out.payload = plan.raw_input->payload;
    out.headers = plan.raw_input->headers;
    out.key = plan.raw_input->key;
    return out;
  }
  const ExampleMessage& receive = *plan.example->receive;
  const nlohmann::json payload = MaterializeForPublish(
      receive.payload.value_or(nlohmann::json(nullptr)), tc.input_schema, now);
  out.payload = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const nlohmann::json headers = MaterializeForPublish(receive.headers, nullptr, now);
  for (auto it = headers.begin(); it != headers.end(); ++it)
    out.headers.emplace_back(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
  if (receive.key)
    out.key = receive.key->is_string() ? receive.key->get<std::string>() : receive.key->dump();
  return out;
}

// At most this many tests start (and publish) together before Run() looks at what arrived and
// which deadlines passed: the first publish is not held up by a thousand others, and a test
// started early is not stepped late.
constexpr std::size_t kStartBatch = 32;

}  // namespace

// A started test: what Run()'s loop keeps for it.
struct Runner::Active {
  Active(const TestCase& c, const Timing& timing, const MatchOptions& match)
      : tc(&c), eval(*c.plan, *c.schemas, timing, match) {}

  const TestCase* tc;
  TestEvaluator eval;
  Slot slot;
  Clock::MonoTime give_up{};
  Clock::MonoTime next_progress{};
  // When Step() must run next at the latest: its key in the timer queue.
  Clock::MonoTime wake{};
};

void Runner::Start(const std::vector<TestCase>& cases, const std::vector<std::size_t>& batch,
                   std::map<std::size_t, std::unique_ptr<Active>>& active) {
  // Every test of the batch watches before any of them publishes.
  std::vector<Active*> started;
  for (std::size_t i : batch) {
    const TestPlan& plan = *cases[i].plan;
    auto test = std::make_unique<Active>(cases[i], options_.timing, options_.match);
    test->slot.test = i;
    test->slot.correlation_id = plan.correlation_id;
    test->slot.watched = plan.watched;
    test->slot.watching_since = clock_.Wall();
    test->eval.Start(clock_.Mono(), test->slot.watching_since);
    registry_->Register(&test->slot);
    if (listener_ != nullptr) listener_->OnStarted(plan);
    started.push_back(test.get());
    active[i] = std::move(test);
  }
  // One PublishBatch per input channel, in the batch's order.
  std::vector<const Channel*> inputs;
  for (Active* t : started) {
    const Channel* in = t->tc->plan->input;
    if (in != nullptr && std::find(inputs.begin(), inputs.end(), in) == inputs.end())
      inputs.push_back(in);
  }
  for (const Channel* in : inputs) {
    std::vector<Active*> senders;
    std::vector<OutgoingExample> messages;
    for (Active* t : started) {
      if (t->tc->plan->input != in) continue;
      if (cancelled_.load()) {
        t->eval.Errored("cancelled");
        continue;
      }
      senders.push_back(t);
      messages.push_back(OutgoingFor(*t->tc, clock_.Wall()));
    }
    if (messages.empty()) continue;
    std::vector<Result<PublishReceipt>> receipts =
        transports_.For(*in)->PublishBatch(*in, messages);
    const Clock::MonoTime mono = clock_.Mono();
    const Clock::WallTime wall = clock_.Wall();
    for (std::size_t k = 0; k < senders.size(); ++k) {
      Active& t = *senders[k];
      const TestPlan& plan = *t.tc->plan;
      const Result<PublishReceipt>& receipt = receipts[k];
      if (!receipt) {
        t.eval.Errored("Could not publish to " + in->Describe() + ": " +
                       receipt.error().ToString());
        continue;
      }
      std::int64_t expected = -1;
      first_publish_ms_.compare_exchange_strong(
          expected, duration_cast<milliseconds>(mono - prepared_at_).count());
      ObservedMessage published;
      published.channel = in;
      published.raw_payload = messages[k].payload;
      published.key = messages[k].key;
      for (const auto& [name, value] : messages[k].headers)
        published.headers[name] = value;
      published.coordinates = receipt->coordinates;
      published.produced_at = receipt->produced_at;
      t.eval.Published(mono, wall, published);
      if (listener_ != nullptr) listener_->OnPublished(plan, published);
    }
  }
  // Cancelled while the batch started: none of it starts waiting.
  for (Active* t : started) {
    if (cancelled_.load()) t->eval.Errored("cancelled");
  }
  const Clock::MonoTime now = clock_.Mono();
  for (Active* t : started) {
    t->give_up = now + HardCap(*t->tc->plan, options_.timing);
    t->next_progress = now + options_.progress_interval;
  }
}

bool Runner::Step(Active& test, const std::deque<ObservedMessage>& messages, Clock::MonoTime now) {
  const TestPlan& plan = *test.tc->plan;
  for (const ObservedMessage& m : messages) {
    if (listener_ != nullptr) listener_->OnMessage(plan, m);
    test.eval.Observe(m);
  }
  if (cancelled_.load()) {
    test.eval.Errored("cancelled");
    return true;
  }
  test.eval.Advance(now);
  if (test.eval.done() || now >= test.give_up) return true;
  if (now >= test.next_progress) {
    if (listener_ != nullptr) listener_->OnWaiting(plan, test.eval.Waiting(now));
    test.next_progress = now + options_.progress_interval;
  }
  return false;
}

TestResult Runner::Finish(Active& test) {
  registry_->Unregister(&test.slot);
  test.eval.NoteUnclaimed(
      registry_->UnclaimedSince(test.tc->plan->watched, test.slot.watching_since));
  TestResult result = test.eval.Finish(clock_.Mono());
  if (listener_ != nullptr) listener_->OnFinished(result);
  return result;
}

void Runner::RunCases(const std::vector<TestCase>& cases, std::vector<TestResult>& results) {
  // Which cases may start: in example order; in parallel, any whose correlation id no running
  // or earlier waiting test has (up to `jobs`), and the tests without an id last, one at a
  // time, once every other test is over (each claims what no other test can, which only works
  // while it runs alone); sequentially, one at a time.
  std::vector<std::size_t> waiting;  // not started, in example order
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (!options_.parallel || !cases[i].plan->correlation_id.empty()) waiting.push_back(i);
  }
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (options_.parallel && cases[i].plan->correlation_id.empty()) waiting.push_back(i);
  }
  std::map<std::size_t, std::unique_ptr<Active>> active;
  std::set<std::string> running_ids;
  std::set<std::pair<Clock::MonoTime, std::size_t>> timers;  // (wake, case index)

  auto admit = [&] {
    std::vector<std::size_t> batch;
    std::set<std::string> held;  // ids of tests passed over: a later test of the id waits too
    for (auto it = waiting.begin(); it != waiting.end();) {
      const std::size_t i = *it;
      const std::string& id = cases[i].plan->correlation_id;
      const std::size_t running = active.size() + batch.size();
      if (!options_.parallel || id.empty()) {
        if (running > 0 || !held.empty()) break;
        batch.push_back(i);
        it = waiting.erase(it);
        break;
      }
      if (options_.jobs > 0 && running >= static_cast<std::size_t>(options_.jobs)) break;
      if (batch.size() >= kStartBatch) break;
      if (running_ids.count(id) > 0 || held.count(id) > 0) {
        held.insert(id);
        ++it;
        continue;
      }
      running_ids.insert(id);
      batch.push_back(i);
      it = waiting.erase(it);
    }
    return batch;
  };
  auto schedule = [&](std::size_t i, Active& t) {
    timers.erase({t.wake, i});
    t.wake = std::min(t.give_up, t.next_progress);
    if (auto d = t.eval.NextDeadline()) t.wake = std::min(t.wake, *d);
    timers.insert({t.wake, i});
  };
  auto finish = [&](std::size_t i) {
    auto it = active.find(i);
    timers.erase({it->second->wake, i});
    results[i] = Finish(*it->second);
    running_ids.erase(cases[i].plan->correlation_id);
    active.erase(it);
  };

  bool may_admit = true;  // a test finished (or none started yet) since admit() last ran
  while (!waiting.empty() || !active.empty()) {
    if (cancelled_.load()) {
      // Every running test stops at once, with what had already arrived for it.
      std::map<std::size_t, std::deque<ObservedMessage>> last;
      for (Mail& mail : registry_->Await(std::chrono::nanoseconds(0)))
        last[mail.test] = std::move(mail.messages);
      while (!active.empty()) {
        const std::size_t i = active.begin()->first;
        Step(*active.begin()->second, last[i], clock_.Mono());
        finish(i);
      }
      for (std::size_t i : waiting)
        results[i] = NotStarted(cases[i]);
      waiting.clear();
      break;
    }
    bool more_to_start = false;
    if (may_admit) {
      std::vector<std::size_t> batch = admit();
      may_admit = batch.size() == kStartBatch;  // there may be more right away
      more_to_start = may_admit;
      if (!batch.empty()) {
        Start(cases, batch, active);
        for (std::size_t i : batch) {
          Active& t = *active.at(i);
          if (t.eval.done()) {
            finish(i);
            may_admit = true;
          } else {
            schedule(i, t);
          }
        }
      }
    }
    if (active.empty()) {
      may_admit = true;  // every started test was over at once (errors): start the next
      continue;
    }

    // Wait for messages or the earliest deadline; not at all while more tests are to start.
    std::chrono::nanoseconds timeout(0);
    if (!more_to_start && !timers.empty()) {
      timeout = std::chrono::ceil<milliseconds>(timers.begin()->first - clock_.Mono());
    }
    std::vector<Mail> mail = registry_->Await(timeout);
    const Clock::MonoTime now = clock_.Mono();
    for (Mail& m : mail) {
      auto it = active.find(m.test);
      if (it == active.end()) continue;
      if (Step(*it->second, m.messages, now)) {
        finish(m.test);
        may_admit = true;
      } else {
        schedule(m.test, *it->second);
      }
    }
    std::vector<std::size_t> due;
    for (auto it = timers.begin(); it != timers.end() && it->first <= now; ++it)
      due.push_back(it->second);
    for (std::size_t i : due) {
      Active& t = *active.at(i);
      if (Step(t, {}, now)) {
        finish(i);
        may_admit = true;
      } else {
        schedule(i, t);
      }
    }
  }
}

SuiteResult Runner::Run(const std::vector<TestCase>& cases) {
  SuiteResult suite;
  suite.parallel = options_.parallel;
  suite.started = clock_.Wall();
  const Clock::MonoTime start = clock_.Mono();
  suite.tests.resize(cases.size());
  RunCases(cases, suite.tests);
  suite.wall_time = duration_cast<milliseconds>(clock_.Mono() - start);
  suite.warnings = registry_->Notes();
  const std::int64_t first = first_publish_ms_.load();
  suite.startup_time = milliseconds(first < 0 ? 0 : first);
  return suite;
}

}  // namespace driftline::contract
