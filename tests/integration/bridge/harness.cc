#include "harness.h"

#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "sqs/curl_client.h"
#include "support/stack_env.h"

namespace driftline::bridge::testing {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

// ---- ServiceProcess ----

ServiceProcess::ServiceProcess(const std::vector<std::string>& env, const std::string& log_path) {
  auto child = faults::ChildProcess::Spawn({DRIFTLINE_ORDER_SERVICE_BIN}, env, log_path);
  EXPECT_TRUE(child) << child.error().ToString();
  if (child) child_ = std::move(*child);
}

ServiceProcess::~ServiceProcess() = default;  // the child's destructor kills and reaps it

void ServiceProcess::Kill() {
  if (child_) child_->Kill();
}

int ServiceProcess::Terminate() {
  if (!child_) return -1;
  return child_->Terminate(std::chrono::seconds(30)).value_or(-1);
}

// ---- orders ----

std::string StandardOrder(const std::string& id, int items) {
  nlohmann::json j = {{"orderType", "STANDARD"}, {"orderId", id},
                      {"customerId", "CUST-IT"}, {"items", nlohmann::json::array()},
                      {"totalAmount", 10.5},     {"orderDate", "2026-01-19T10:00:00Z"}};
  for (int i = 0; i < items; ++i) {
    j["items"].push_back({{"productId", "P" + std::to_string(i)}, {"quantity", 1}, {"price", 1.5}});
  }
  return j.dump();
}

std::string PriorityOrder(const std::string& id) {
  nlohmann::json j = nlohmann::json::parse(StandardOrder(id, 2));
  j["orderType"] = "PRIORITY";
  j["priorityLevel"] = "URGENT";
  j["expectedDeliveryDate"] = "2026-01-20T18:00:00Z";
  return j.dump();
}

std::string BulkOrder(const std::string& batch_id, const std::vector<int>& items_per_order) {
  nlohmann::json j = {{"orderType", "BULK"},
                      {"batchId", batch_id},
                      {"customerId", "CUST-IT"},
                      {"orders", nlohmann::json::array()},
                      {"totalOrderCount", items_per_order.size()},
                      {"batchTotalAmount", 100},
                      {"orderDate", "2026-01-19T10:00:00Z"}};
  int k = 0;
  for (int n : items_per_order) {
    nlohmann::json o = {{"orderId", batch_id + "-" + std::to_string(k++)},
                        {"items", nlohmann::json::array()},
                        {"totalAmount", 1}};
    for (int i = 0; i < n; ++i)
      o["items"].push_back({{"productId", "P"}, {"quantity", 2}});
    j["orders"].push_back(o);
  }
  return j.dump();
}

// ---- fixture ----

void BridgeIntegrationTest::SetUpTopology(int partitions) {
  const std::string base = driftline::testing::UniqueName("it-bridge");
  main_topic_ = base + "-orders";
  retry_topic_ = base + "-retry";
  dlq_topic_ = base + "-dlq";
  main_group_ = base + "-main";
  retry_group_ = base + "-retry-group";
  queue_name_ = base + "-queue";

  auto admin =
      kafka::Admin::Create(kafka::Properties::Make(driftline::testing::KafkaBootstrap(), {}));
  ASSERT_TRUE(admin.has_value()) << admin.error().ToString();
  admin_ = std::move(*admin);
  Status created = admin_->CreateTopics({{main_topic_, partitions, 1, {}},
                                         {retry_topic_, partitions, 1, {}},
                                         {dlq_topic_, partitions, 1, {}}},
                                        std::chrono::seconds(30));
  ASSERT_TRUE(created.has_value()) << created.error().ToString();

  sqs::SqsClientConfig c;
  c.endpoint_url = driftline::testing::SqsEndpoint();
  c.region = "us-east-1";
  c.credentials = sqs::LocalStackCredentials();
  auto client = sqs::CurlSqsClient::Create(c);
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  sqs_ = std::move(*client);
  sqs::CreateQueueRequest q;
  q.queue_name = queue_name_;
  q.attributes["VisibilityTimeout"] = "180";
  auto url = sqs_->CreateQueue(q);
  ASSERT_TRUE(url.has_value()) << url.error().ToString();
  queue_url_ = *url;
}

void BridgeIntegrationTest::TearDown() {
  if (admin_) {
    (void)admin_->DeleteTopics({main_topic_, retry_topic_, dlq_topic_}, std::chrono::seconds(30));
  }
  if (sqs_ && !queue_url_.empty()) (void)sqs_->DeleteQueue(queue_url_);
}

BridgeConfig BridgeIntegrationTest::Config() const {
  BridgeConfig c;
  c.kafka_bootstrap = driftline::testing::KafkaBootstrap();
  c.main_topic = main_topic_;
  c.retry_topic = retry_topic_;
  c.dlq_topic = dlq_topic_;
  c.main_group = main_group_;
  c.retry_group = retry_group_;
  c.sqs_endpoint = driftline::testing::SqsEndpoint();
  c.sqs_queue_url = queue_url_;
  c.metrics_address = "127.0.0.1:0";
  c.shutdown_timeout = std::chrono::seconds(10);
  // Short session timeouts let a killed member's partitions move quickly.
  c.kafka_properties.Set("session.timeout.ms", "6000");
  c.kafka_properties.Set("heartbeat.interval.ms", "500");
  return c;
}

std::vector<std::string> BridgeIntegrationTest::ServiceEnv() const {
  return {"KAFKA_BOOTSTRAP_SERVERS=" + driftline::testing::KafkaBootstrap(),
          "KAFKA_TOPIC=" + main_topic_,
          "RETRY_TOPIC=" + retry_topic_,
          "DLQ_TOPIC=" + dlq_topic_,
          "KAFKA_MAIN_GROUP_ID=" + main_group_,
          "KAFKA_RETRY_GROUP_ID=" + retry_group_,
          "SQS_ENDPOINT=" + driftline::testing::SqsEndpoint(),
          "SQS_QUEUE_URL=" + queue_url_,
          "METRICS_ADDRESS=127.0.0.1:0",
          "KAFKA_PROPERTY_SESSION_TIMEOUT_MS=6000",
          "KAFKA_PROPERTY_HEARTBEAT_INTERVAL_MS=500",
          "LOG_LEVEL=warn"};
}

kafka::OutgoingMessage BridgeIntegrationTest::Order(const std::string& payload,
                                                    const std::string& correlation_id,
                                                    std::optional<std::int32_t> partition) const {
  kafka::OutgoingMessage m{main_topic_, partition, std::nullopt, payload, {}};
  if (!correlation_id.empty()) m.headers.Add("CorrelationId", correlation_id);
  return m;
}

void BridgeIntegrationTest::Produce(const std::vector<kafka::OutgoingMessage>& messages) {
  std::mutex mu;
  std::condition_variable cv;
  std::size_t done = 0;
  std::vector<std::string> errors;
  auto producer = kafka::Producer::Create(kafka::WithReliableDelivery(kafka::Properties::Make(
                                              driftline::testing::KafkaBootstrap(), {})),
                                          [&](kafka::DeliveryReport r) {
                                            std::lock_guard lock(mu);
                                            if (r.error) errors.push_back(r.error->ToString());
                                            ++done;
                                            cv.notify_all();
                                          });
  ASSERT_TRUE(producer.has_value()) << producer.error().ToString();
  std::uint64_t token = 0;
  for (const auto& m : messages) {
    Status s = (*producer)->Send(m, ++token);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
  }
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return done == messages.size(); }));
  ASSERT_TRUE(errors.empty()) << errors.front();
}

std::vector<kafka::Message> BridgeIntegrationTest::ReadTopic(const std::string& topic,
                                                             std::size_t count,
                                                             std::chrono::seconds limit) {
  std::vector<kafka::Message> out;
  auto consumer =
      kafka::Consumer::Create(kafka::Properties::Make(driftline::testing::KafkaBootstrap(), {}),
                              driftline::testing::UniqueName("it-reader"), nullptr);
  EXPECT_TRUE(consumer.has_value());
  if (!consumer) return out;
  auto n = admin_->PartitionCount(topic, std::chrono::seconds(10));
  EXPECT_TRUE(n.has_value());
  if (!n) return out;
  std::vector<kafka::TopicPartitionOffset> parts;
  for (std::int32_t p = 0; p < *n; ++p)
    parts.push_back({topic, p, kafka::kOffsetBeginning});
  EXPECT_TRUE((*consumer)->Assign(parts).has_value());
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

std::vector<sqs::ReceivedMessage> BridgeIntegrationTest::DrainQueue(std::size_t count,
                                                                    std::chrono::seconds limit) {
  std::vector<sqs::ReceivedMessage> out;
  const auto deadline = Steady::now() + limit;
  int empty_after_count = 0;
  while (Steady::now() < deadline && empty_after_count < 2) {
    sqs::ReceiveRequest r;
    r.queue_url = queue_url_;
    r.wait_time_seconds = out.size() >= count ? 1 : 2;
    auto got = sqs_->ReceiveMessage(r);
    EXPECT_TRUE(got.has_value()) << got.error().ToString();
    if (!got) break;
    if (got->empty() && out.size() >= count) ++empty_after_count;
    std::vector<std::string> handles;
    for (auto& m : *got) {
      handles.push_back(m.receipt_handle);
      out.push_back(std::move(m));
    }
    if (!handles.empty()) (void)sqs_->DeleteMessageBatch(queue_url_, handles);
  }
  return out;
}

std::int64_t BridgeIntegrationTest::EndOffsetSum(const std::string& topic) {
  auto ends = admin_->EndOffsets(topic, std::chrono::seconds(10));
  EXPECT_TRUE(ends.has_value());
  std::int64_t sum = 0;
  if (ends) {
    for (const auto& [p, o] : *ends)
      sum += o;
  }
  return sum;
}

std::int64_t BridgeIntegrationTest::CommittedSum(const std::string& group,
                                                 const std::string& topic) {
  auto committed = admin_->CommittedOffsets(group, topic, std::chrono::seconds(10));
  EXPECT_TRUE(committed.has_value());
  std::int64_t sum = 0;
  if (committed) {
    for (const auto& [p, o] : *committed)
      sum += o < 0 ? 0 : o;
  }
  return sum;
}

}  // namespace driftline::bridge::testing
