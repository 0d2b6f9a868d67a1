// A private topology on the real stack for one test, benchmark or fault scenario: the three
// topics order-service uses, its two consumer groups and an SQS queue, all with unique names so
// runs never see each other's records; deleted again by the destructor. Also what a caller
// needs around it: the service's environment for it, offsets, the queue's depth, producing
// orders into it and reading back what landed on each channel.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "kafka/admin.h"
#include "kafka/message.h"
#include "sqs/client.h"
#include "sqs/credentials.h"
#include "testkit/stack_env.h"

namespace driftline::testkit {

struct TopologyOptions {
  std::string kafka = KafkaBootstrap();      // bootstrap servers
  std::string sqs_endpoint = SqsEndpoint();  // http://127.0.0.1:PORT
  std::string prefix = "testkit";            // names are UniqueName(prefix) + "-orders", ...
  int partitions = 1;                        // of each topic
  std::map<std::string, std::string> main_topic_configs;  // e.g. message.timestamp.type
  std::map<std::string, std::string> queue_attributes;    // e.g. VisibilityTimeout
  // What the topology's own SQS client signs with (the stack's when unset; moto needs real ones).
  std::optional<sqs::Credentials> sqs_credentials;
};

class Topology {
 public:
  // Errors: whatever creating the topics or the queue returned.
  static Result<std::unique_ptr<Topology>> Create(TopologyOptions options);
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  const TopologyOptions& options() const { return options_; }
  const std::string& base() const { return base_; }
  const std::string& main_topic() const { return main_topic_; }    // <base>-orders
  const std::string& retry_topic() const { return retry_topic_; }  // <base>-retry
  const std::string& dlq_topic() const { return dlq_topic_; }      // <base>-dlq
  const std::string& main_group() const { return main_group_; }    // <base>-main
  const std::string& retry_group() const { return retry_group_; }  // <base>-retry-group
  const std::string& queue_name() const { return queue_name_; }    // <base>-queue
  const std::string& queue_url() const { return queue_url_; }
  kafka::Admin& admin() { return *admin_; }
  sqs::SqsClient& sqs() { return *sqs_; }

  // The order-service environment for this topology (Kafka, the topics and groups, SQS and the
  // queue), then `extra` (a later entry wins when the child's environment is built).
  std::vector<std::string> ServiceEnv(const std::vector<std::string>& extra = {}) const;

  // partition -> end offset of `topic`; partition -> committed offset of `group` (0 where none).
  Result<std::map<std::int32_t, std::int64_t>> EndOffsets(const std::string& topic);
  Result<std::map<std::int32_t, std::int64_t>> CommittedOffsets(const std::string& group,
                                                                const std::string& topic);
  // Their sums over every partition; -1 when the broker did not answer.
  std::int64_t EndOffsetSum(const std::string& topic);
  std::int64_t CommittedSum(const std::string& group, const std::string& topic);
  // ApproximateNumberOfMessages (plus ...NotVisible with `in_flight`) of the queue; -1 when the
  // call failed.
  std::int64_t QueueDepth(bool in_flight = false);

  // Produces `messages` with reliable delivery and waits (up to `limit`) for every delivery
  // report. Errors: the first failed send or delivery, or kDeadlineExceeded.
  Status Produce(const std::vector<kafka::OutgoingMessage>& messages,
                 std::chrono::milliseconds limit = std::chrono::seconds(60), int linger_ms = -1);
  // A record for the main topic with a CorrelationId header (none when empty).
  kafka::OutgoingMessage Order(const std::string& payload, const std::string& correlation_id,
                               std::optional<std::int32_t> partition = std::nullopt) const;

  // Every record of `topic` from the beginning, waiting (bounded by `limit`) until at least
  // `count`, plus whatever else is already there (an unexpected extra).
  Result<std::vector<kafka::Message>> ReadTopic(const std::string& topic, std::size_t count,
                                                std::chrono::milliseconds limit);
  // testkit::DrainQueue of this topology's queue.
  Result<std::vector<sqs::ReceivedMessage>> DrainQueue(std::size_t count,
                                                       std::chrono::milliseconds limit);

 private:
  explicit Topology(TopologyOptions options);
  TopologyOptions options_;
  std::string base_, main_topic_, retry_topic_, dlq_topic_, main_group_, retry_group_, queue_name_,
      queue_url_;
  std::unique_ptr<kafka::Admin> admin_;
  std::unique_ptr<sqs::SqsClient> sqs_;
};

// Receives and deletes from `queue_url` until `count` messages were seen (and the queue then
// stays empty for two receives) or `limit` passes. Errors: a failed receive.
Result<std::vector<sqs::ReceivedMessage>> DrainQueue(sqs::SqsClient& sqs,
                                                     const std::string& queue_url,
                                                     std::size_t count,
                                                     std::chrono::milliseconds limit);

// An SQS client for the local stack at `endpoint` (region us-east-1, `credentials` or the
// stack's).
Result<std::unique_ptr<sqs::SqsClient>> LocalSqsClient(
    const std::string& endpoint, const std::optional<sqs::Credentials>& credentials = std::nullopt);

// A header's value ("" when absent).
std::string HeaderOf(const kafka::Message& m, std::string_view name);

}  // namespace driftline::testkit
