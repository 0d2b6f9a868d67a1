#include "testkit/topology.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "sqs/curl_client.h"
#include "testkit/eventually.h"

namespace driftline::testkit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Steady = std::chrono::steady_clock;

constexpr auto kAdminTimeout = seconds(10);

std::int64_t Sum(const Result<std::map<std::int32_t, std::int64_t>>& offsets) {
  if (!offsets) return -1;
  std::int64_t sum = 0;
  for (const auto& [p, o] : *offsets)
    sum += std::max<std::int64_t>(o, 0);
  return sum;
}

}  // namespace

Result<std::unique_ptr<sqs::SqsClient>> LocalSqsClient(
    const std::string& endpoint, const std::optional<sqs::Credentials>& credentials) {
  sqs::SqsClientConfig c;
  c.endpoint_url = endpoint;
  c.region = "us-east-1";
  c.credentials = credentials.value_or(sqs::LocalStackCredentials());
  auto client = sqs::CurlSqsClient::Create(c);
  if (!client) return tl::unexpected(client.error());
  return std::unique_ptr<sqs::SqsClient>(std::move(*client));
}

std::string HeaderOf(const kafka::Message& m, std::string_view name) {
  const kafka::Header* h = m.headers.Find(name);
  return h != nullptr && h->value ? *h->value : "";
}

Topology::Topology(TopologyOptions options)
    : options_(std::move(options)), base_(UniqueName(options_.prefix)) {
  main_topic_ = base_ + "-orders";
  retry_topic_ = base_ + "-retry";
  dlq_topic_ = base_ + "-dlq";
  main_group_ = base_ + "-main";
  retry_group_ = base_ + "-retry-group";
  queue_name_ = base_ + "-queue";
}

Result<std::unique_ptr<Topology>> Topology::Create(TopologyOptions options) {
  std::unique_ptr<Topology> t(new Topology(std::move(options)));
  const TopologyOptions& o = t->options_;
  auto admin = kafka::Admin::Create(kafka::Properties::Make(o.kafka, {}));
  if (!admin) return tl::unexpected(admin.error());
  t->admin_ = std::move(*admin);
  if (Status s = t->admin_->CreateTopics({{t->main_topic_, o.partitions, 1, o.main_topic_configs},
                                          {t->retry_topic_, o.partitions, 1, {}},
                                          {t->dlq_topic_, o.partitions, 1, {}}},
                                         seconds(30));
      !s) {
    return tl::unexpected(s.error());
  }
  // The controller has the topics now, but a broker's metadata may still lag behind it (seen
  // with many topologies created at once): a client asking right away would be told the topic
  // does not exist. Wait (bounded) until the broker answers for each.
  for (const std::string& topic : {t->main_topic_, t->retry_topic_, t->dlq_topic_}) {
    Result<std::int32_t> count = 0;
    Eventually(
        [&] {
          count = t->admin_->PartitionCount(topic, kAdminTimeout);
          return count.has_value();
        },
        milliseconds(30000));
    if (!count) return tl::unexpected(std::move(count.error()).With("waiting for " + topic));
  }
  auto client = LocalSqsClient(o.sqs_endpoint, o.sqs_credentials);
  if (!client) return tl::unexpected(client.error());
  t->sqs_ = std::move(*client);
  sqs::CreateQueueRequest q;
  q.queue_name = t->queue_name_;
  for (const auto& [name, value] : o.queue_attributes)
    q.attributes[name] = value;
  auto url = t->sqs_->CreateQueue(q);
  if (!url) return tl::unexpected(url.error());
  t->queue_url_ = *url;
  return t;
}

Topology::~Topology() {
  if (admin_) (void)admin_->DeleteTopics({main_topic_, retry_topic_, dlq_topic_}, seconds(30));
  if (sqs_ && !queue_url_.empty()) (void)sqs_->DeleteQueue(queue_url_);
}

std::vector<std::string> Topology::ServiceEnv(const std::vector<std::string>& extra) const {
  std::vector<std::string> env = {"KAFKA_BOOTSTRAP_SERVERS=" + options_.kafka,
                                  "KAFKA_TOPIC=" + main_topic_,
                                  "RETRY_TOPIC=" + retry_topic_,
                                  "DLQ_TOPIC=" + dlq_topic_,
                                  "KAFKA_MAIN_GROUP_ID=" + main_group_,
                                  "KAFKA_RETRY_GROUP_ID=" + retry_group_,
                                  "SQS_ENDPOINT=" + options_.sqs_endpoint,
                                  "SQS_QUEUE_URL=" + queue_url_};
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

Result<std::map<std::int32_t, std::int64_t>> Topology::EndOffsets(const std::string& topic) {
  return admin_->EndOffsets(topic, kAdminTimeout);
}

Result<std::map<std::int32_t, std::int64_t>> Topology::CommittedOffsets(const std::string& group,
                                                                        const std::string& topic) {
  auto c = admin_->CommittedOffsets(group, topic, kAdminTimeout);
  if (!c) return c;
  for (auto& [p, o] : *c)
    o = std::max<std::int64_t>(o, 0);
  return c;
}

std::int64_t Topology::EndOffsetSum(const std::string& topic) {
  return Sum(EndOffsets(topic));
}

std::int64_t Topology::CommittedSum(const std::string& group, const std::string& topic) {
  return Sum(CommittedOffsets(group, topic));
}

std::int64_t Topology::QueueDepth(bool in_flight) {
  std::vector<std::string> names = {"ApproximateNumberOfMessages"};
  if (in_flight) names.push_back("ApproximateNumberOfMessagesNotVisible");
  auto a = sqs_->GetQueueAttributes(queue_url_, names);
  if (!a) return -1;
  std::int64_t depth = a->approximate_number_of_messages().value_or(0);
  if (in_flight) depth += a->Int("ApproximateNumberOfMessagesNotVisible").value_or(0);
  return depth;
}

kafka::OutgoingMessage Topology::Order(const std::string& payload,
                                       const std::string& correlation_id,
                                       std::optional<std::int32_t> partition) const {
  kafka::OutgoingMessage m{main_topic_, partition, std::nullopt, payload, {}};
  if (!correlation_id.empty()) m.headers.Add("CorrelationId", correlation_id);
  return m;
}

Status Topology::Produce(const std::vector<kafka::OutgoingMessage>& messages, milliseconds limit,
                         int linger_ms) {
  std::mutex mu;
  std::condition_variable cv;
  std::size_t done = 0;
  std::vector<Error> errors;
  kafka::Properties props = kafka::Properties::Make(options_.kafka, {});
  if (linger_ms >= 0) props.Set("linger.ms", std::to_string(linger_ms));
  auto producer =
      kafka::Producer::Create(kafka::WithReliableDelivery(props), [&](kafka::DeliveryReport r) {
        std::lock_guard lock(mu);
        if (r.error) errors.push_back(*r.error);
        ++done;
        cv.notify_all();
      });
  if (!producer) return tl::unexpected(producer.error());
  std::uint64_t token = 0;
  for (const auto& m : messages) {
    if (Status s = (*producer)->Send(m, ++token); !s) return s;
  }
  std::unique_lock lock(mu);
  if (!cv.wait_for(lock, limit, [&] { return done == messages.size(); })) {
    return Fail(Code::kDeadlineExceeded, std::to_string(messages.size() - done) + " of " +
                                             std::to_string(messages.size()) +
                                             " records without a delivery report");
  }
  if (!errors.empty()) return tl::unexpected(errors.front());
  return Ok();
}

Result<std::vector<kafka::Message>> Topology::ReadTopic(const std::string& topic, std::size_t count,
                                                        milliseconds limit) {
  std::vector<kafka::Message> out;
  auto consumer = kafka::Consumer::Create(kafka::Properties::Make(options_.kafka, {}),
                                          UniqueName(base_ + "-reader"), nullptr);
  if (!consumer) return tl::unexpected(consumer.error());
  auto n = admin_->PartitionCount(topic, kAdminTimeout);
  if (!n) return tl::unexpected(n.error());
  std::vector<kafka::TopicPartitionOffset> parts;
  for (std::int32_t p = 0; p < *n; ++p)
    parts.push_back({topic, p, kafka::kOffsetBeginning});
  if (Status s = (*consumer)->Assign(parts); !s) return tl::unexpected(s.error());
  const auto deadline = Steady::now() + limit;
  while (out.size() < count && Steady::now() < deadline) {
    auto m = (*consumer)->Poll(milliseconds(200));
    if (m && *m) out.push_back(std::move(**m));
  }
  // Anything beyond `count` that is already there (an unexpected extra) is read too.
  for (int idle = 0; idle < 3;) {
    auto m = (*consumer)->Poll(milliseconds(100));
    if (m && *m) {
      out.push_back(std::move(**m));
    } else {
      ++idle;
    }
  }
  return out;
}

Result<std::vector<sqs::ReceivedMessage>> DrainQueue(sqs::SqsClient& sqs,
                                                     const std::string& queue_url,
                                                     std::size_t count, milliseconds limit) {
  std::vector<sqs::ReceivedMessage> out;
  const auto deadline = Steady::now() + limit;
  int empty_after_count = 0;
  while (Steady::now() < deadline && empty_after_count < 2) {
    sqs::ReceiveRequest r;
    r.queue_url = queue_url;
    r.wait_time_seconds = out.size() >= count ? 1 : 2;
    auto got = sqs.ReceiveMessage(r);
    if (!got) return tl::unexpected(got.error());
    if (got->empty() && out.size() >= count) ++empty_after_count;
    std::vector<std::string> handles;
    for (auto& m : *got) {
      handles.push_back(m.receipt_handle);
      out.push_back(std::move(m));
    }
    if (!handles.empty()) (void)sqs.DeleteMessageBatch(queue_url, handles);
  }
  return out;
}

Result<std::vector<sqs::ReceivedMessage>> Topology::DrainQueue(std::size_t count,
                                                               milliseconds limit) {
  return testkit::DrainQueue(*sqs_, queue_url_, count, limit);
}

}  // namespace driftline::testkit
