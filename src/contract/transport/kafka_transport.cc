#include "contract/transport/kafka_transport.h"

#include <spdlog/spdlog.h>

#include "common/uuid.h"

namespace driftline::contract {

KafkaTransport::KafkaTransport(KafkaTransportConfig config, Clock& clock)
    : config_(std::move(config)), clock_(clock) {}

Result<std::unique_ptr<KafkaTransport>> KafkaTransport::Create(KafkaTransportConfig config,
                                                               Clock& clock) {
  std::unique_ptr<KafkaTransport> t(new KafkaTransport(std::move(config), clock));
  kafka::Properties props = t->config_.properties;
  props.Set("bootstrap.servers", t->config_.bootstrap);
  props.SetDefault("linger.ms", "0");
  props.SetDefault("acks", "all");
  props.SetDefault("message.timeout.ms", std::to_string(t->config_.publish_timeout.count()));
  KafkaTransport* raw = t.get();
  auto producer = kafka::Producer::Create(
      props, [raw](kafka::DeliveryReport report) { raw->OnDelivery(std::move(report)); });
  if (!producer)
    return tl::unexpected(std::move(producer.error()).With("contract-test Kafka producer"));
  t->producer_ = std::move(*producer);
  return t;
}

KafkaTransport::~KafkaTransport() {
  Stop();
  // Before the members OnDelivery() uses (mu_, delivered_, reports_), which are declared after
  // it: its poll thread calls OnDelivery() until it is joined, and its destructor delivers the
  // reports of what it flushes or purges.
  producer_.reset();
}

void KafkaTransport::Stop() {
  stop_.store(true);
  // Taken out under the lock and joined outside it, so a concurrent Stop() never joins the same
  // thread twice; a watcher added after this still sees stop_ and is joined by the next Stop().
  std::vector<std::unique_ptr<Watcher>> watchers;
  {
    std::lock_guard<std::mutex> lock(watchers_mu_);
    watchers.swap(watchers_);
  }
  for (auto& w : watchers) {
    if (w->thread.joinable()) w->thread.join();
    if (w->consumer) (void)w->consumer->Close();
  }
}

Status KafkaTransport::Watch(const Channel& channel, DeliverFn deliver) {
  kafka::Properties props = config_.properties;
  props.Set("bootstrap.servers", config_.bootstrap);
  props.SetDefault("fetch.wait.max.ms", "50");
  props.SetDefault("enable.partition.eof", "false");
  props.SetDefault("allow.auto.create.topics", "false");
  // A group id is required by librdkafka even for a manual assignment; it is never joined
  // or committed to.
  auto consumer = kafka::Consumer::Create(props, "contract-test-watch-" + NewUuid());
  if (!consumer) {
    return tl::unexpected(
        std::move(consumer.error()).With("watching " + channel.Describe() + " on " + Describe()));
  }
  auto assigned = (*consumer)->AssignAtEnd(channel.address, config_.assign_timeout);
  if (!assigned) {
    return tl::unexpected(
        std::move(assigned.error()).With("watching " + channel.Describe() + " on " + Describe()));
  }
  auto w = std::make_unique<Watcher>();
  w->channel = &channel;
  w->consumer = std::move(*consumer);
  w->deliver = std::move(deliver);
  // The runner watches each channel from its own thread.
  std::lock_guard<std::mutex> lock(watchers_mu_);
  Watcher* raw = watchers_.emplace_back(std::move(w)).get();
  raw->thread = std::thread([this, raw] { PollLoop(raw); });
  return Ok();
}

void KafkaTransport::PollLoop(Watcher* w) {
  bool warned = false;
  while (!stop_.load()) {
    auto polled = w->consumer->Poll(std::chrono::milliseconds(100));
    if (!polled) {
      if (!warned) {
        spdlog::warn("contract-test: polling {}: {}", w->channel->Describe(),
                     polled.error().ToString());
        warned = true;
      }
      continue;
    }
    if (!*polled) continue;
    const kafka::Message& record = **polled;
    ObservedMessage m;
    m.channel = w->channel;
    SetPayload(m, record.payload);
    for (const kafka::Header& h : record.headers) {
      m.headers[h.key] = h.value ? nlohmann::json(*h.value) : nlohmann::json(nullptr);
    }
    m.key = record.key;
    // Any int64 may come from a producer: FromEpochMillis saturates instead of overflowing.
    m.produced_at = record.timestamp_ms >= 0 ? FromEpochMillis(record.timestamp_ms) : clock_.Wall();
    m.received_at = clock_.Mono();
    m.coordinates =
        record.topic + "/" + std::to_string(record.partition) + "@" + std::to_string(record.offset);
    (void)w->deliver(m);
  }
}

void KafkaTransport::OnDelivery(kafka::DeliveryReport report) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (abandoned_.erase(report.token) > 0) return;
    reports_[report.token] = std::move(report);
  }
  delivered_.notify_all();
}

Status KafkaTransport::PrepareToPublish(const Channel& channel) {
  if (Status s = producer_->WarmUp(channel.address, config_.assign_timeout); !s) {
    return tl::unexpected(
        std::move(s.error()).With("publishing to " + channel.Describe() + " on " + Describe()));
  }
  return Ok();
}

namespace {

kafka::OutgoingMessage ToKafkaRecord(const Channel& channel, const OutgoingExample& message,
                                     Clock::WallTime produced_at) {
  kafka::OutgoingMessage out;
  out.topic = channel.address;
  out.key = message.key;
  out.payload = message.payload;
  for (const auto& [name, value] : message.headers)
    out.headers.Add(name, value);
  // The record's CreateTime, explicit: the engine measures the first retry envelope from it.
  out.timestamp_ms = ToEpochMillis(message.timestamp.value_or(produced_at));
  return out;
}

std::string Coordinates(const kafka::DeliveryReport& report) {
  return report.topic + "/" + std::to_string(report.partition) + "@" +
         std::to_string(report.offset);
}

}  // namespace

Result<PublishReceipt> KafkaTransport::Publish(const Channel& channel,
                                               const OutgoingExample& message) {
  std::vector<Result<PublishReceipt>> one = PublishBatch(channel, {message});
  return std::move(one.front());
}

std::vector<Result<PublishReceipt>> KafkaTransport::PublishBatch(
    const Channel& channel, const std::vector<OutgoingExample>& messages) {
  const Clock::WallTime produced_at = clock_.Wall();
  std::vector<Result<PublishReceipt>> out(
      messages.size(), Result<PublishReceipt>(Fail(Code::kInternal, "not published")));
  std::vector<std::uint64_t> tokens(messages.size(), 0);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (std::uint64_t& token : tokens)
      token = next_token_++;
  }
  std::size_t sent = 0;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const kafka::OutgoingMessage record = ToKafkaRecord(channel, messages[i], produced_at);
    if (auto s = producer_->Send(record, tokens[i]); !s) {
      out[i] = tl::unexpected(std::move(s.error()).With("publishing to " + channel.Describe()));
      tokens[i] = 0;
    } else {
      ++sent;
    }
  }
  if (sent == 0) return out;
  const auto deadline =
      std::chrono::steady_clock::now() + config_.publish_timeout + std::chrono::seconds(5);
  std::unique_lock<std::mutex> lock(mu_);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (tokens[i] == 0) continue;
    const std::uint64_t token = tokens[i];
    const bool arrived =
        delivered_.wait_until(lock, deadline, [&] { return reports_.count(token) > 0; });
    if (!arrived) {
      out[i] = Fail(Code::kDeadlineExceeded,
                    "publishing to " + channel.Describe() + ": no delivery report in time");
      // A report that still comes is dropped by OnDelivery() (nobody waits for it).
      abandoned_.insert(token);
      continue;
    }
    kafka::DeliveryReport report = std::move(reports_[token]);
    reports_.erase(token);
    if (report.error) {
      out[i] = tl::unexpected(std::move(*report.error).With("publishing to " + channel.Describe()));
    } else {
      const Clock::WallTime stamped = messages[i].timestamp.value_or(produced_at);
      out[i] = PublishReceipt{Coordinates(report), stamped};
    }
  }
  return out;
}

}  // namespace driftline::contract
