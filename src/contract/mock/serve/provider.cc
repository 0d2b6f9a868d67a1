#include "contract/mock/serve/provider.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>

#include "contract/mock/generate.h"

namespace driftline::contract::mock {

namespace {

using std::chrono::milliseconds;

constexpr std::size_t kSqsBatch = 10;
constexpr std::size_t kKafkaBatch = 100;
// How far past the first due item a sender looks for more of the same channel.
constexpr std::size_t kBatchScan = 256;
constexpr int kSendAttempts = 5;
constexpr milliseconds kSendRetryPause{200};
// An input older than this is a backlog: its outputs are planned from when it was received.
constexpr milliseconds kBacklogAge{5000};

OutgoingExample ToOutgoing(const PlannedOutput& o) {
  OutgoingExample m;
  m.payload = o.payload.dump();  // compact JSON, as the runner publishes examples
  for (auto it = o.headers.begin(); it != o.headers.end(); ++it) {
    m.headers.emplace_back(it.key(),
                           it.value().is_string() ? it.value().get<std::string>() : it->dump());
  }
  m.key = o.key;
  m.timestamp = o.due;
  return m;
}

}  // namespace

MockProvider::MockProvider(Responder& responder, Transports transports,
                           std::unique_ptr<FaultInjector> faults, Clock& clock,
                           ProviderOptions options)
    : responder_(responder),
      transports_(transports),
      faults_(std::move(faults)),
      clock_(clock),
      options_(options),
      inputs_(responder.InputChannels()),
      outputs_(responder.OutputChannels()),
      ledger_(
          [&] {
            std::vector<const Channel*> all = inputs_;
            all.insert(all.end(), outputs_.begin(), outputs_.end());
            return all;
          }(),
          options.log_size) {}

Result<std::unique_ptr<MockProvider>> MockProvider::Create(Responder& responder,
                                                           Transports transports,
                                                           std::unique_ptr<FaultInjector> faults,
                                                           Clock& clock, ProviderOptions options) {
  std::unique_ptr<MockProvider> p(
      new MockProvider(responder, transports, std::move(faults), clock, options));
  for (const auto* list : {&p->inputs_, &p->outputs_}) {
    for (const Channel* c : *list) {
      if (transports.For(*c) == nullptr) {
        return Fail(Code::kInvalidArgument, c->Describe() + ": no transport for protocol '" +
                                                std::string(ProtocolName(c->protocol)) + "'");
      }
    }
  }
  const int senders = std::max(1, p->options_.senders);
  for (int i = 0; i < senders; ++i)
    p->senders_.emplace_back([raw = p.get()] { raw->SendLoop(); });
  return p;
}

MockProvider::~MockProvider() {
  Stop();
}

Status MockProvider::Start() {
  // Every warm-up and watch at once: start-up takes the slowest, not their sum.
  std::vector<std::future<Status>> steps;
  for (const Channel* c : outputs_) {
    steps.push_back(std::async(std::launch::async,
                               [this, c] { return transports_.For(*c)->PrepareToPublish(*c); }));
  }
  for (const Channel* c : inputs_) {
    steps.push_back(std::async(std::launch::async, [this, c] {
      return transports_.For(*c)->Watch(*c, [this](ObservedMessage& m) {
        Receive(m);
        return Disposition::kMatched;
      });
    }));
  }
  Status first = Ok();
  for (auto& step : steps) {
    Status s = step.get();
    if (!s && first) first = std::move(s);
  }
  if (!first) return first;
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::kStarting) state_ = State::kReady;
  return Ok();
}

MockProvider::State MockProvider::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

std::string_view MockProvider::StateName(State state) {
  switch (state) {
    case State::kStarting:
      return "starting";
    case State::kReady:
      return "ready";
    case State::kDraining:
      return "draining";
    case State::kStopped:
      return "stopped";
  }
  return "stopped";
}

void MockProvider::Receive(const ObservedMessage& input) {
  const Clock::WallTime received = clock_.Wall();
  Clock::WallTime now = received;
  if (input.produced_at <= received && received - input.produced_at <= kBacklogAge)
    now = input.produced_at;
  Response response = responder_.Decide(input, now);
  if (faults_ && faults_->delay().count() > 0) {
    for (PlannedOutput& o : response.outputs)
      o.due += faults_->delay();
  }
  // Payloads to generate: seeded by their order of arrival, so a run is repeatable.
  std::vector<std::string> failures(response.outputs.size());
  for (std::size_t i = 0; i < response.outputs.size(); ++i) {
    PlannedOutput& o = response.outputs[i];
    if (!o.payload.is_null() || o.generate_from == nullptr) continue;
    std::uint64_t n = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      n = generated_++;
    }
    static const nlohmann::json kNoInput;
    const nlohmann::json& input_payload = input.payload_is_json ? input.payload : kNoInput;
    auto value = GenerateFromSchema(*o.generate_from, input_payload, options_.seed + n, true);
    if (!value)  // Every declared member is more than the schema can take together: required only.
      value = GenerateFromSchema(*o.generate_from, input_payload, options_.seed + n, false);
    if (!value) {
      failures[i] = "cannot generate the payload: " + value.error().message();
      continue;
    }
    CompleteGenerated(o, std::move(*value), response.correlation_id);
  }
  const std::uint64_t exchange = ledger_.Received(input, response, received);
  std::vector<Item> items;
  for (std::size_t i = 0; i < response.outputs.size(); ++i) {
    const PlannedOutput& o = response.outputs[i];
    if (!failures[i].empty()) {
      spdlog::error("contract-test mock: {} for {}: {}", o.Describe(now), input.coordinates,
                    failures[i]);
      ledger_.Settled(exchange, i, false, *o.channel, o.role, response.example,
                      Ledger::Outcome::kFailed, failures[i]);
      continue;
    }
    const FaultInjector::Fate fate =
        faults_ ? faults_->Decide(*o.channel) : FaultInjector::Fate::kSend;
    if (fate == FaultInjector::Fate::kDrop) {
      ledger_.Settled(exchange, i, false, *o.channel, o.role, response.example,
                      Ledger::Outcome::kDropped);
      continue;
    }
    Item item{o.channel, o.role, o.due, ToOutgoing(o), exchange, i, false, response.example};
    if (fate == FaultInjector::Fate::kDuplicate) {
      ledger_.Duplicated(*o.channel);
      Item copy = item;
      copy.duplicate = true;
      items.push_back(std::move(copy));
    }
    items.push_back(std::move(item));
  }
  if (items.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (Item& item : items)
      Schedule(std::move(item));
  }
  wake_.notify_all();
}

void MockProvider::Schedule(Item item) {
  const Key key{item.due, next_sequence_++};
  due_.emplace(key, std::move(item));
}

void MockProvider::SendLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (stop_) return;
    if (due_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const Clock::WallTime now = clock_.Wall();
    const Clock::WallTime first_due = std::get<0>(due_.begin()->first);
    if (now < first_due) {
      const auto wait = std::min<Clock::WallTime::duration>(first_due - now, options_.max_wait);
      wake_.wait_for(lock, wait);
      continue;
    }
    // The earliest due item, and more due ones of its channel.
    const Channel* channel = due_.begin()->second.channel;
    const std::size_t limit = channel->protocol == Protocol::kSqs ? kSqsBatch : kKafkaBatch;
    std::vector<Item> batch;
    std::size_t scanned = 0;
    for (auto it = due_.begin(); it != due_.end() && batch.size() < limit && scanned < kBatchScan &&
                                 std::get<0>(it->first) <= now;
         ++scanned) {
      if (it->second.channel == channel) {
        batch.push_back(std::move(it->second));
        it = due_.erase(it);
      } else {
        ++it;
      }
    }
    if (!due_.empty()) wake_.notify_one();  // more for another sender
    lock.unlock();
    Send(*channel, batch);
    lock.lock();
  }
}

void MockProvider::Send(const Channel& channel, std::vector<Item>& items) {
  ChannelTransport* transport = transports_.For(channel);
  std::vector<std::size_t> open(items.size());
  for (std::size_t i = 0; i < items.size(); ++i)
    open[i] = i;
  std::vector<std::string> errors(items.size());
  for (int attempt = 1; attempt <= kSendAttempts && !open.empty(); ++attempt) {
    if (attempt > 1) {
      std::unique_lock<std::mutex> lock(mu_);
      if (wake_.wait_for(lock, kSendRetryPause, [this] { return stop_; })) break;
    }
    std::vector<OutgoingExample> messages;
    messages.reserve(open.size());
    for (std::size_t i : open)
      messages.push_back(items[i].message);
    std::vector<Result<PublishReceipt>> results = transport->PublishBatch(channel, messages);
    std::vector<std::size_t> again;
    for (std::size_t k = 0; k < open.size(); ++k) {
      Item& item = items[open[k]];
      if (k < results.size() && results[k]) {
        ledger_.Settled(item.exchange, item.index, item.duplicate, channel, item.role, item.example,
                        Ledger::Outcome::kSent);
        continue;
      }
      const Error error =
          k < results.size() ? results[k].error() : Error(Code::kInternal, "no outcome");
      errors[open[k]] = error.ToString();
      if (error.retryable())
        again.push_back(open[k]);
      else
        ledger_.Settled(item.exchange, item.index, item.duplicate, channel, item.role, item.example,
                        Ledger::Outcome::kFailed, errors[open[k]]);
    }
    open.swap(again);
  }
  for (std::size_t i : open) {
    spdlog::error("contract-test mock: sending to {}: {}", channel.Describe(), errors[i]);
    ledger_.Settled(items[i].exchange, items[i].index, items[i].duplicate, channel, items[i].role,
                    items[i].example, Ledger::Outcome::kFailed, errors[i]);
  }
}

std::int64_t MockProvider::Drain(std::chrono::milliseconds limit) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kStopped) return ledger_.pending();
    state_ = State::kDraining;
  }
  // No new input: the watches end (publishing goes on).
  if (transports_.kafka != nullptr) transports_.kafka->Stop();
  if (transports_.sqs != nullptr) transports_.sqs->Stop();
  const Clock::MonoTime deadline = clock_.Mono() + limit;
  while (ledger_.pending() > 0 && clock_.Mono() < deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, milliseconds(20), [this] { return stop_; });
    if (stop_) break;
  }
  const std::int64_t left = ledger_.pending();
  Stop();
  return left;
}

void MockProvider::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    state_ = State::kStopped;
  }
  wake_.notify_all();
  for (std::thread& t : senders_) {
    if (t.joinable()) t.join();
  }
  senders_.clear();
}

nlohmann::json MockProvider::Verify() const {
  return ledger_.Verify(responder_.Examples(),
                        faults_ ? faults_->ToJson() : nlohmann::json::object());
}

nlohmann::json MockProvider::Log(std::size_t limit) const {
  return ledger_.Log(limit);
}

void MockProvider::Reset() {
  ledger_.Reset();
}

Result<std::string> MockProvider::AddExpectation(std::string_view text) {
  std::lock_guard<std::mutex> add(add_mu_);
  std::uint64_t n = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = next_expectation_++;
  }
  const std::string name = "expectation-" + std::to_string(n) + ".json";
  if (Status s = responder_.AddExampleText(text, name); !s) return tl::unexpected(s.error());
  const std::vector<const Example*> all = responder_.Examples();
  return all.empty() ? name : all.back()->name;
}

}  // namespace driftline::contract::mock
