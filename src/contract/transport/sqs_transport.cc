#include "contract/transport/sqs_transport.h"

#include <spdlog/spdlog.h>

#include <charconv>

namespace driftline::contract {

Result<std::pair<std::string, std::string>> SplitSqsHost(std::string_view host) {
  const std::size_t scheme = host.find("://");
  if (scheme == std::string_view::npos ||
      (host.substr(0, scheme) != "http" && host.substr(0, scheme) != "https")) {
    return Fail(Code::kInvalidArgument,
                "SQS host '" + std::string(host) + "' is not an http(s) URL");
  }
  const std::size_t path = host.find('/', scheme + 3);
  std::string endpoint(host.substr(0, path));
  std::string base;
  if (path != std::string_view::npos) {
    base = std::string(host);
    while (!base.empty() && base.back() == '/')
      base.pop_back();
    if (base == endpoint) base.clear();
  }
  return std::make_pair(std::move(endpoint), std::move(base));
}

Result<std::unique_ptr<SqsTransport>> SqsTransport::Create(const SqsTransportConfig& config,
                                                           Clock& clock) {
  auto client = sqs::CurlSqsClient::Create(config.client);
  if (!client) return tl::unexpected(std::move(client.error()).With("contract-test SQS client"));
  return std::make_unique<SqsTransport>(std::move(*client), config, clock);
}

SqsTransport::SqsTransport(std::unique_ptr<sqs::SqsClient> client, SqsTransportConfig config,
                           Clock& clock)
    : client_(std::move(client)), config_(std::move(config)), clock_(clock) {}

SqsTransport::~SqsTransport() {
  Stop();
}

void SqsTransport::Stop() {
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
  }
}

Result<std::string> SqsTransport::QueueUrl(const Channel& channel) {
  if (!config_.queue_base.empty()) return config_.queue_base + "/" + channel.address;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto known = queue_urls_.find(channel.address); known != queue_urls_.end())
      return known->second;
  }
  auto url = client_->GetQueueUrl(channel.address);
  if (url) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_urls_.emplace(channel.address, *url);
  }
  return url;
}

Status SqsTransport::Watch(const Channel& channel, DeliverFn deliver) {
  auto url = QueueUrl(channel);
  if (!url) {
    return tl::unexpected(
        std::move(url.error()).With("watching " + channel.Describe() + " on " + Describe()));
  }
  // Fails early, with a clear message, when the queue does not exist or SQS is unreachable.
  auto attributes = client_->GetQueueAttributes(*url, {"QueueArn"});
  if (!attributes) {
    return tl::unexpected(
        std::move(attributes.error()).With("watching " + channel.Describe() + " at " + *url));
  }
  auto w = std::make_unique<Watcher>();
  w->channel = &channel;
  w->queue_url = *url;
  w->deliver = std::move(deliver);
  // The runner watches each channel from its own thread.
  std::lock_guard<std::mutex> lock(watchers_mu_);
  Watcher* raw = watchers_.emplace_back(std::move(w)).get();
  raw->thread = std::thread([this, raw] { PollLoop(raw); });
  return Ok();
}

void SqsTransport::PollLoop(Watcher* w) {
  sqs::ReceiveRequest request;
  request.queue_url = w->queue_url;
  request.max_messages = 10;
  request.wait_time_seconds = config_.wait_seconds;
  request.visibility_timeout = config_.visibility_seconds;
  bool warned = false;
  while (!stop_.load()) {
    auto received = client_->ReceiveMessage(request);
    if (!received) {
      if (!warned) {
        spdlog::warn("contract-test: receiving from {}: {}", w->channel->Describe(),
                     received.error().ToString());
        warned = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // back off before retrying
      continue;
    }
    // Matched messages are deleted together once the whole batch is delivered: one request per
    // receive, not one per message (a thousand tests' replies on one queue).
    std::vector<std::string> matched;
    std::vector<std::string> matched_ids;
    for (const sqs::ReceivedMessage& r : *received) {
      ObservedMessage m;
      m.channel = w->channel;
      SetPayload(m, r.body);
      for (const auto& [name, value] : r.message_attributes) {
        if (value.is_binary()) {
          m.headers[name] = value.binary_value;
        } else if (value.data_type.rfind("Number", 0) == 0) {
          const nlohmann::json n = nlohmann::json::parse(value.string_value, nullptr, false);
          m.headers[name] = n.is_number() ? n : nlohmann::json(value.string_value);
        } else {
          m.headers[name] = value.string_value;
        }
      }
      m.produced_at = clock_.Wall();
      if (auto sent = r.attributes.find("SentTimestamp"); sent != r.attributes.end()) {
        std::int64_t ms = 0;
        auto [p, ec] =
            std::from_chars(sent->second.data(), sent->second.data() + sent->second.size(), ms);
        if (ec == std::errc()) m.produced_at = FromEpochMillis(ms);
      }
      m.received_at = clock_.Mono();
      m.coordinates = r.message_id;
      switch (w->deliver(m)) {
        case Disposition::kMatched:
          matched.push_back(r.receipt_handle);
          matched_ids.push_back(r.message_id);
          break;
        case Disposition::kForeign: {
          bool first = false;
          {
            std::lock_guard<std::mutex> lock(mu_);
            first = released_.insert(r.message_id).second;
          }
          if (first) (void)client_->ChangeMessageVisibility(w->queue_url, r.receipt_handle, 0);
          break;
        }
        case Disposition::kStale:
          break;
      }
    }
    if (matched.empty()) continue;
    const sqs::BatchResults<void> deleted = client_->DeleteMessageBatch(w->queue_url, matched);
    for (std::size_t i = 0; i < deleted.entries.size() && i < matched_ids.size(); ++i) {
      if (!deleted.entries[i]) {
        spdlog::warn("contract-test: deleting {} from {}: {}", matched_ids[i],
                     w->channel->Describe(), deleted.entries[i].error().ToString());
      }
    }
  }
}

Status SqsTransport::PrepareToPublish(const Channel& channel) {
  auto url = QueueUrl(channel);
  if (url && !config_.queue_base.empty()) {
    // The URL was made from the base: ask the queue itself.
    if (auto probe = client_->GetQueueAttributes(*url, {"QueueArn"}); !probe)
      return tl::unexpected(std::move(probe.error())
                                .With("publishing to " + channel.Describe() + " on " + Describe()));
  }
  if (!url) {
    return tl::unexpected(
        std::move(url.error()).With("publishing to " + channel.Describe() + " on " + Describe()));
  }
  return Ok();
}

namespace {

sqs::OutgoingMessage ToSqsMessage(const Channel& channel, const OutgoingExample& message) {
  sqs::OutgoingMessage out;
  out.body = message.payload;
  for (const auto& [name, value] : message.headers)
    out.attributes.emplace(name, sqs::MessageAttributeValue::String(value));
  if (channel.address.ends_with(".fifo")) {
    out.message_group_id = message.key.value_or("contract-test");
  }
  return out;
}

}  // namespace

Result<PublishReceipt> SqsTransport::Publish(const Channel& channel,
                                             const OutgoingExample& message) {
  auto url = QueueUrl(channel);
  if (!url)
    return tl::unexpected(std::move(url.error()).With("publishing to " + channel.Describe()));
  const sqs::OutgoingMessage out = ToSqsMessage(channel, message);
  const Clock::WallTime produced_at = clock_.Wall();
  auto sent = client_->SendMessage(*url, out);
  if (!sent)
    return tl::unexpected(std::move(sent.error()).With("publishing to " + channel.Describe()));
  return PublishReceipt{sent->message_id, produced_at};
}

std::vector<Result<PublishReceipt>> SqsTransport::PublishBatch(
    const Channel& channel, const std::vector<OutgoingExample>& messages) {
  std::vector<Result<PublishReceipt>> out;
  out.reserve(messages.size());
  auto url = QueueUrl(channel);
  if (!url) {
    for (std::size_t i = 0; i < messages.size(); ++i)
      out.push_back(tl::unexpected(Error(url.error()).With("publishing to " + channel.Describe())));
    return out;
  }
  std::vector<sqs::OutgoingMessage> batch;
  batch.reserve(messages.size());
  for (const OutgoingExample& m : messages)
    batch.push_back(ToSqsMessage(channel, m));
  const Clock::WallTime produced_at = clock_.Wall();
  auto sent = client_->SendMessageBatch(*url, batch);
  for (auto& entry : sent.entries) {
    if (entry) {
      out.push_back(PublishReceipt{entry->message_id, produced_at});
    } else {
      out.push_back(
          tl::unexpected(std::move(entry.error()).With("publishing to " + channel.Describe())));
    }
  }
  return out;
}

}  // namespace driftline::contract
