#include "contract/run/runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

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
  std::string correlation_id;
  std::vector<const Channel*> watched;
  Clock::WallTime watching_since{};
  std::mutex mu;
  std::condition_variable arrived;
  std::deque<ObservedMessage> inbox;  // guarded by mu
};

// Correlation id -> running test, and the correlation locations per channel.
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
  // Wakes every registered test; each sees `cancelled` (set before this call) once awake.
  void WakeAll() {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, slot] : slots_) {
      // Under the slot's lock: a test between checking its wait predicate and blocking cannot
      // miss the notification.
      std::lock_guard<std::mutex> slot_lock(slot->mu);
      slot->arrived.notify_all();
    }
    if (catch_all_ != nullptr) {
      std::lock_guard<std::mutex> slot_lock(catch_all_->mu);
      catch_all_->arrived.notify_all();
    }
  }
  void Unregister(Slot* slot) {
    std::lock_guard<std::mutex> lock(mu_);
    if (catch_all_ == slot) catch_all_ = nullptr;
    if (auto it = slots_.find(slot->correlation_id); it != slots_.end() && it->second == slot)
      slots_.erase(it);
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
    {
      std::lock_guard<std::mutex> slot_lock(slot->mu);
      slot->inbox.push_back(m);
    }
    slot->arrived.notify_all();
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
  registry_->WakeAll();
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

TestResult Runner::RunOne(const TestCase& tc) {
  if (cancelled_.load()) return NotStarted(tc);
  const TestPlan& plan = *tc.plan;
  TestEvaluator eval(plan, *tc.schemas, options_.timing, options_.match);
  Slot slot;
  slot.correlation_id = plan.correlation_id;
  slot.watched = plan.watched;
  slot.watching_since = clock_.Wall();
  eval.Start(clock_.Mono(), slot.watching_since);
  registry_->Register(&slot);
  if (listener_ != nullptr) listener_->OnStarted(plan);

  if (cancelled_.load()) {
    eval.Errored("cancelled");
  } else if (plan.input != nullptr) {
    OutgoingExample out;
    if (plan.raw_input) {
      out.payload = plan.raw_input->payload;
      out.headers = plan.raw_input->headers;
      out.key = plan.raw_input->key;
    } else {
      const ExampleMessage& receive = *plan.example->receive;
      const nlohmann::json payload = MaterializeForPublish(
          receive.payload.value_or(nlohmann::json(nullptr)), tc.input_schema, clock_.Wall());
      out.payload = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      const nlohmann::json headers = MaterializeForPublish(receive.headers, nullptr, clock_.Wall());
      for (auto it = headers.begin(); it != headers.end(); ++it)
        out.headers.emplace_back(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
      if (receive.key)
        out.key = receive.key->is_string() ? receive.key->get<std::string>() : receive.key->dump();
    }
    ChannelTransport* transport = transports_.For(*plan.input);
    auto receipt = transport->Publish(*plan.input, out);
    if (!receipt) {
      eval.Errored("Could not publish to " + plan.input->Describe() + ": " +
                   receipt.error().ToString());
    } else {
      std::int64_t expected = -1;
      first_publish_ms_.compare_exchange_strong(
          expected, duration_cast<milliseconds>(clock_.Mono() - prepared_at_).count());
      ObservedMessage published;
      published.channel = plan.input;
      published.raw_payload = out.payload;
      published.key = out.key;
      for (const auto& [k, v] : out.headers)
        published.headers[k] = v;
      published.coordinates = receipt->coordinates;
      published.produced_at = receipt->produced_at;
      eval.Published(clock_.Mono(), clock_.Wall(), published);
      if (listener_ != nullptr) listener_->OnPublished(plan, published);
    }
  }

  // A bound on the whole test even if the evaluator waited for nothing in time: every wait the
  // plan can add up to, and a minute more.
  const Timing& timing = options_.timing;
  milliseconds hard_cap = timing.reply_timeout + timing.SettleFor(*plan.operation) +
                          timing.react_within + timing.arrival_grace + milliseconds(60000);
  if (const RetryPath* retry = plan.operation->retry ? &*plan.operation->retry : nullptr) {
    for (int k = 0; k < retry->max_attempts; ++k) {
      const milliseconds d = retry->strategy.DelayBefore(k);
      hard_cap += d + timing.Tolerance(d) + timing.arrival_grace;
    }
  }
  if (plan.operation->dead_letter) hard_cap += plan.operation->dead_letter->wait_time;
  const Clock::MonoTime give_up = clock_.Mono() + hard_cap;
  Clock::MonoTime next_progress = clock_.Mono() + options_.progress_interval;
  while (!eval.done()) {
    std::deque<ObservedMessage> batch;
    {
      std::unique_lock<std::mutex> lock(slot.mu);
      Clock::MonoTime wake = std::min(give_up, next_progress);
      if (auto d = eval.NextDeadline()) wake = std::min(wake, *d);
      const auto wait =
          std::max(milliseconds(0), duration_cast<milliseconds>(wake - clock_.Mono()));
      slot.arrived.wait_for(lock, wait, [&] { return !slot.inbox.empty() || cancelled_.load(); });
      batch.swap(slot.inbox);
    }
    for (const ObservedMessage& m : batch) {
      if (listener_ != nullptr) listener_->OnMessage(plan, m);
      eval.Observe(m);
    }
    if (cancelled_.load()) {
      eval.Errored("cancelled");
      break;
    }
    const Clock::MonoTime now = clock_.Mono();
    eval.Advance(now);
    if (eval.done() || now >= give_up) break;
    if (now >= next_progress) {
      if (listener_ != nullptr) listener_->OnWaiting(plan, eval.Waiting(now));
      next_progress = now + options_.progress_interval;
    }
  }
  registry_->Unregister(&slot);
  eval.NoteUnclaimed(registry_->UnclaimedSince(plan.watched, slot.watching_since));
  TestResult result = eval.Finish(clock_.Mono());
  if (listener_ != nullptr) listener_->OnFinished(result);
  return result;
}

SuiteResult Runner::Run(const std::vector<TestCase>& cases) {
  SuiteResult suite;
  suite.parallel = options_.parallel;
  suite.started = clock_.Wall();
  const Clock::MonoTime start = clock_.Mono();
  suite.tests.resize(cases.size());
  if (!options_.parallel) {
    for (std::size_t i = 0; i < cases.size(); ++i)
      suite.tests[i] = RunOne(cases[i]);
  } else {
    // Waves of tests with distinct correlation ids, each wave fully concurrent (up to `jobs`);
    // then the tests without a correlation id, one at a time: each claims what no other test
    // can, which only works while it runs alone.
    std::vector<bool> done(cases.size(), false);
    std::size_t remaining = cases.size();
    std::vector<std::size_t> alone;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      if (cases[i].plan->correlation_id.empty()) {
        alone.push_back(i);
        done[i] = true;
        --remaining;
      }
    }
    while (remaining > 0) {
      std::vector<std::size_t> wave;
      std::set<std::string> ids;
      for (std::size_t i = 0; i < cases.size(); ++i) {
        if (done[i] || ids.count(cases[i].plan->correlation_id)) continue;
        if (options_.jobs > 0 && wave.size() >= static_cast<std::size_t>(options_.jobs)) break;
        ids.insert(cases[i].plan->correlation_id);
        wave.push_back(i);
      }
      std::vector<std::thread> threads;
      for (std::size_t i : wave)
        threads.emplace_back([this, &suite, &cases, i] { suite.tests[i] = RunOne(cases[i]); });
      for (auto& t : threads)
        t.join();
      for (std::size_t i : wave)
        done[i] = true;
      remaining -= wave.size();
    }
    for (std::size_t i : alone)
      suite.tests[i] = RunOne(cases[i]);
  }
  suite.wall_time = duration_cast<milliseconds>(clock_.Mono() - start);
  suite.warnings = registry_->Notes();
  const std::int64_t first = first_publish_ms_.load();
  suite.startup_time = milliseconds(first < 0 ? 0 : first);
  return suite;
}

}  // namespace driftline::contract
