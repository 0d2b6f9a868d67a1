#include "harness.h"

#include <algorithm>

namespace driftline::bridge::testing {

void BridgeIntegrationTest::SetUpTopology(int partitions) {
  testkit::TopologyOptions options;
  options.prefix = "it-bridge";
  options.partitions = partitions;
  options.queue_attributes["VisibilityTimeout"] = "180";
  auto topology = testkit::Topology::Create(options);
  ASSERT_TRUE(topology.has_value()) << topology.error().ToString();
  topology_ = std::move(*topology);
  main_topic_ = topology_->main_topic();
  retry_topic_ = topology_->retry_topic();
  dlq_topic_ = topology_->dlq_topic();
  main_group_ = topology_->main_group();
  retry_group_ = topology_->retry_group();
  queue_name_ = topology_->queue_name();
  queue_url_ = topology_->queue_url();
  sqs_ = &topology_->sqs();
}

void BridgeIntegrationTest::TearDown() {
  topology_.reset();  // deletes the topics and the queue
}

BridgeConfig BridgeIntegrationTest::Config() const {
  BridgeConfig c;
  c.kafka_bootstrap = topology_->options().kafka;
  c.main_topic = main_topic_;
  c.retry_topic = retry_topic_;
  c.dlq_topic = dlq_topic_;
  c.main_group = main_group_;
  c.retry_group = retry_group_;
  c.sqs_endpoint = topology_->options().sqs_endpoint;
  c.sqs_queue_url = queue_url_;
  c.metrics_address = "127.0.0.1:0";
  c.shutdown_timeout = std::chrono::seconds(10);
  // Short session timeouts let a killed member's partitions move quickly.
  c.kafka_properties.Set("session.timeout.ms", "6000");
  c.kafka_properties.Set("heartbeat.interval.ms", "500");
  return c;
}

std::vector<std::string> BridgeIntegrationTest::ServiceEnv() const {
  return topology_->ServiceEnv({"METRICS_ADDRESS=127.0.0.1:0",
                                "KAFKA_PROPERTY_SESSION_TIMEOUT_MS=6000",
                                "KAFKA_PROPERTY_HEARTBEAT_INTERVAL_MS=500", "LOG_LEVEL=warn"});
}

std::unique_ptr<ServiceProcess> BridgeIntegrationTest::StartProcess(
    const std::vector<std::string>& env, const std::string& log_path) {
  auto service = ServiceProcess::Start({DRIFTLINE_ORDER_SERVICE_BIN, env, log_path, false});
  EXPECT_TRUE(service.has_value()) << service.error().ToString();
  return service ? std::move(*service) : nullptr;
}

kafka::OutgoingMessage BridgeIntegrationTest::Order(const std::string& payload,
                                                    const std::string& correlation_id,
                                                    std::optional<std::int32_t> partition) const {
  return topology_->Order(payload, correlation_id, partition);
}

void BridgeIntegrationTest::Produce(const std::vector<kafka::OutgoingMessage>& messages) {
  Status s = topology_->Produce(messages);
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
}

std::vector<kafka::Message> BridgeIntegrationTest::ReadTopic(const std::string& topic,
                                                             std::size_t count,
                                                             std::chrono::seconds limit) {
  auto records = topology_->ReadTopic(topic, count, limit);
  EXPECT_TRUE(records.has_value()) << records.error().ToString();
  return records ? std::move(*records) : std::vector<kafka::Message>{};
}

std::vector<sqs::ReceivedMessage> BridgeIntegrationTest::DrainQueue(std::size_t count,
                                                                    std::chrono::seconds limit) {
  // queue_url_, which a test may point at a queue of its own.
  auto messages = testkit::DrainQueue(*sqs_, queue_url_, count, limit);
  EXPECT_TRUE(messages.has_value()) << messages.error().ToString();
  return messages ? std::move(*messages) : std::vector<sqs::ReceivedMessage>{};
}

std::int64_t BridgeIntegrationTest::EndOffsetSum(const std::string& topic) {
  const std::int64_t sum = topology_->EndOffsetSum(topic);
  EXPECT_GE(sum, 0) << "end offsets of " << topic;
  return std::max<std::int64_t>(sum, 0);
}

std::int64_t BridgeIntegrationTest::CommittedSum(const std::string& group,
                                                 const std::string& topic) {
  const std::int64_t sum = topology_->CommittedSum(group, topic);
  EXPECT_GE(sum, 0) << "committed offsets of " << group;
  return std::max<std::int64_t>(sum, 0);
}

}  // namespace driftline::bridge::testing
