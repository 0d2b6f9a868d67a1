#include "testkit/readers.h"

#include "testkit/stack_env.h"
#include "testkit/topology.h"

namespace driftline::testkit {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<milliseconds>(Steady::now().time_since_epoch()).count();
}

}  // namespace

// ---- SqsCollector ----

Result<std::unique_ptr<SqsCollector>> SqsCollector::Start(
    const std::string& endpoint, const std::string& queue_url, int threads,
    OnCorrelationId on_message, std::optional<sqs::Credentials> credentials) {
  std::unique_ptr<SqsCollector> c(new SqsCollector(std::move(on_message)));
  c->last_ms_ = SteadyMs();
  for (int i = 0; i < threads; ++i) {
    auto client = LocalSqsClient(endpoint, credentials);
    if (!client) return tl::unexpected(client.error());
    c->clients_.push_back(std::move(*client));
  }
  for (auto& client : c->clients_) {
    c->threads_.emplace_back(
        [raw = c.get(), cl = client.get(), url = queue_url] { raw->Loop(*cl, url); });
  }
  return c;
}

SqsCollector::~SqsCollector() {
  stop_ = true;
  for (auto& t : threads_)
    t.join();
}

std::int64_t SqsCollector::IdleMs() const {
  return SteadyMs() - last_ms_.load();
}

std::vector<SqsDelivery> SqsCollector::Deliveries() const {
  std::lock_guard lock(mu_);
  return deliveries_;
}

void SqsCollector::Loop(sqs::SqsClient& client, std::string queue_url) {
  while (!stop_) {
    sqs::ReceiveRequest r;
    r.queue_url = queue_url;
    r.wait_time_seconds = 1;
    r.message_attribute_names = {"CorrelationId"};
    r.system_attribute_names = {"SentTimestamp"};
    auto got = client.ReceiveMessage(r);
    if (!got) {
      std::this_thread::sleep_for(milliseconds(200));
      continue;
    }
    if (got->empty()) continue;
    std::vector<std::string> handles;
    std::vector<SqsDelivery> batch;
    for (const auto& m : *got) {
      handles.push_back(m.receipt_handle);
      SqsDelivery d;
      auto corr = m.message_attributes.find("CorrelationId");
      if (corr != m.message_attributes.end()) d.correlation_id = corr->second.string_value;
      auto sent = m.attributes.find("SentTimestamp");
      if (sent != m.attributes.end()) d.sent_ms = std::stoll(sent->second);
      if (on_message_) on_message_(d.correlation_id);
      batch.push_back(std::move(d));
    }
    {
      std::lock_guard lock(mu_);
      deliveries_.insert(deliveries_.end(), batch.begin(), batch.end());
    }
    received_ += static_cast<std::int64_t>(got->size());
    last_ms_ = SteadyMs();
    // A failed delete only means the message comes back after the visibility timeout, which
    // would count as a duplicate; retry a few times so that the count stays the service's own.
    for (int attempt = 0; attempt < 5; ++attempt) {
      auto results = client.DeleteMessageBatch(queue_url, handles);
      std::vector<std::string> again;
      if (results.entries.size() != handles.size()) {
        again = handles;  // the whole call failed
      } else {
        for (std::size_t i = 0; i < handles.size(); ++i) {
          if (!results.entries[i]) again.push_back(handles[i]);
        }
      }
      if (again.empty()) break;
      handles = std::move(again);
      std::this_thread::sleep_for(milliseconds(100));
    }
  }
}

// ---- TopicTail ----

Result<std::unique_ptr<TopicTail>> TopicTail::Start(const std::string& kafka,
                                                    const std::string& topic, int partitions,
                                                    OnCorrelationId on_record) {
  std::unique_ptr<TopicTail> t(new TopicTail(std::move(on_record)));
  auto consumer =
      kafka::Consumer::Create(kafka::Properties::Make(kafka, {}), UniqueName(topic + "-tail"));
  if (!consumer) return tl::unexpected(consumer.error());
  t->consumer_ = std::move(*consumer);
  std::vector<kafka::TopicPartitionOffset> parts;
  for (std::int32_t p = 0; p < partitions; ++p)
    parts.push_back({topic, p, kafka::kOffsetBeginning});
  if (Status s = t->consumer_->Assign(parts); !s) return tl::unexpected(s.error());
  t->thread_ = std::thread([raw = t.get()] { raw->Loop(); });
  return t;
}

TopicTail::~TopicTail() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void TopicTail::Loop() {
  while (!stop_) {
    auto m = consumer_->Poll(milliseconds(200));
    if (!m || !*m) continue;
    kafka::Message& msg = **m;
    if (on_record_) on_record_(HeaderOf(msg, "CorrelationId"));
    std::lock_guard lock(mu_);
    next_[msg.partition] = msg.offset + 1;
    records_.push_back(std::move(msg));
  }
}

bool TopicTail::CaughtUp(const std::map<std::int32_t, std::int64_t>& ends) const {
  std::lock_guard lock(mu_);
  for (const auto& [p, end] : ends) {
    if (end == 0) continue;
    auto it = next_.find(p);
    if (it == next_.end() || it->second < end) return false;
  }
  return true;
}

std::vector<kafka::Message> TopicTail::Records() const {
  std::lock_guard lock(mu_);
  return records_;
}

std::size_t TopicTail::Count() const {
  std::lock_guard lock(mu_);
  return records_.size();
}

}  // namespace driftline::testkit
