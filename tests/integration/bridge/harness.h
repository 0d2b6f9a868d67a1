// The order-service integration tests' fixture: a private testkit::Topology on the real local
// stack (so tests never see each other's records), with its names at hand, and the test kit's
// helpers to produce orders, read back what landed on each channel, start the binary and play
// an SQS outage.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bridge/config.h"
#include "testkit/captured_log.h"
#include "testkit/eventually.h"
#include "testkit/orders.h"
#include "testkit/service.h"
#include "testkit/tcp_proxy.h"
#include "testkit/topology.h"

namespace driftline::bridge::testing {

using testkit::BulkOrder;
using testkit::CapturedLog;
using testkit::Eventually;
using testkit::PriorityOrder;
using testkit::ServiceProcess;
using testkit::StandardOrder;
using testkit::TcpProxy;

class BridgeIntegrationTest : public ::testing::Test {
 protected:
  // Creates `partitions`-partition topics and a queue with unique names.
  void SetUpTopology(int partitions = 1);
  void TearDown() override;

  // A service configuration for this topology (metrics listener on a free port).
  BridgeConfig Config() const;
  // Environment variables for the order-service binary with this topology.
  std::vector<std::string> ServiceEnv() const;
  // The order-service binary (DRIFTLINE_ORDER_SERVICE_BIN) with `env`, its output appended to
  // `log_path`; the test fails when it cannot start (null then). Killed when it goes away.
  std::unique_ptr<ServiceProcess> StartProcess(const std::vector<std::string>& env,
                                               const std::string& log_path);

  // Produces and waits for every delivery report.
  void Produce(const std::vector<kafka::OutgoingMessage>& messages);
  kafka::OutgoingMessage Order(const std::string& payload, const std::string& correlation_id,
                               std::optional<std::int32_t> partition = std::nullopt) const;

  // Every record of `topic` from the beginning, waiting (bounded) until at least `count`.
  std::vector<kafka::Message> ReadTopic(const std::string& topic, std::size_t count,
                                        std::chrono::seconds limit = std::chrono::seconds(60));
  // Receives and deletes until `count` messages were seen or `limit` passes.
  std::vector<sqs::ReceivedMessage> DrainQueue(
      std::size_t count, std::chrono::seconds limit = std::chrono::seconds(60));
  std::int64_t EndOffsetSum(const std::string& topic);
  std::int64_t CommittedSum(const std::string& group, const std::string& topic);

  std::unique_ptr<testkit::Topology> topology_;
  sqs::SqsClient* sqs_ = nullptr;  // the topology's client
  std::string main_topic_, retry_topic_, dlq_topic_, main_group_, retry_group_;
  std::string queue_name_, queue_url_;
};

}  // namespace driftline::bridge::testing
