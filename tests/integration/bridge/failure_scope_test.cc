// order-service in-process against the real stack when the queue, not the order, is at fault:
// a backlog waiting for a queue that does not exist yet, and a queue deleted mid-stream and
// created again. Nothing may be dead-lettered or retried for it, nothing lost; /healthz is not
// ready and names the cause while it lasts, ready after.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "bridge/service.h"
#include "harness.h"
#include "ops/metrics_text.h"

namespace driftline::bridge::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class FailureScopeTest : public BridgeIntegrationTest {
 protected:
  void SetUp() override { SetUpTopology(1); }
  void TearDown() override {
    if (!late_queue_url_.empty()) (void)sqs_->DeleteQueue(late_queue_url_);
    BridgeIntegrationTest::TearDown();
  }

  std::unique_ptr<OrderService> Create(BridgeConfig config) {
    auto svc = OrderService::Create(std::move(config), Clock::System());
    EXPECT_TRUE(svc.has_value()) << svc.error().Trace();
    return svc ? std::move(*svc) : nullptr;
  }

  std::vector<kafka::OutgoingMessage> Orders(const std::string& prefix, int n) {
    std::vector<kafka::OutgoingMessage> out;
    for (int i = 0; i < n; ++i) {
      out.push_back(Order(StandardOrder(prefix + std::to_string(i)), prefix + std::to_string(i)));
    }
    return out;
  }

  // The distinct order ids among `count` messages drained from the queue.
  std::set<std::string> ReceivedIds(std::size_t count) {
    std::set<std::string> ids;
    for (const auto& m : DrainQueue(count, seconds(60))) {
      ids.insert(json::parse(m.body)["orderId"].get<std::string>());
    }
    return ids;
  }

  static bool Contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
  }

  std::string late_queue_url_;  // a queue a test creates itself, deleted in TearDown
};

TEST_F(FailureScopeTest, ABacklogWaitsForItsQueueAndNothingIsDeadLettered) {
  // The service's queue does not exist yet; its backlog is already there.
  const std::string name = queue_name_ + "-late";
  late_queue_url_ = queue_url_.substr(0, queue_url_.rfind('/') + 1) + name;
  ASSERT_FALSE(sqs_->GetQueueUrl(name).has_value());
  constexpr int kOrders = 300;
  Produce(Orders("LATE-", kOrders));

  BridgeConfig c = Config();
  c.sqs_queue_url = late_queue_url_;
  auto svc = Create(c);
  ASSERT_TRUE(svc);
  svc->Start();
  ASSERT_TRUE(
      Eventually([&] { return Contains(svc->HealthReport(), "QueueDoesNotExist"); }, seconds(30)))
      << svc->HealthReport();
  const std::string health = svc->HealthReport();
  EXPECT_FALSE(svc->Ready()) << health;
  EXPECT_TRUE(Contains(health, "sqs queue: NOT READY (" + late_queue_url_ +
                                   " does not answer; infrastructure: QueueDoesNotExist"))
      << health;
  EXPECT_TRUE(Contains(health, "NOT STARTED (waits for the SQS queue to answer)")) << health;
  EXPECT_TRUE(Contains(ops::MetricsText(svc->registry()),
                       R"(driftline_sqs_probe_failures_total{cause="QueueDoesNotExist"})"));

  // The queue stays missing for a few seconds (the outage being simulated): the service takes
  // no input meanwhile, so nothing can be dead-lettered, retried or committed.
  std::this_thread::sleep_for(seconds(3));
  EXPECT_FALSE(svc->Ready());
  EXPECT_EQ(CommittedSum(main_group_, main_topic_), 0);
  EXPECT_EQ(EndOffsetSum(dlq_topic_), 0);

  sqs::CreateQueueRequest create{name, {{"VisibilityTimeout", "180"}}};
  auto created = sqs_->CreateQueue(create);
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  ASSERT_EQ(*created, late_queue_url_);
  queue_url_ = late_queue_url_;  // what DrainQueue reads
  EXPECT_TRUE(Eventually([&] { return svc->Ready(); }, seconds(60))) << svc->HealthReport();

  const auto ids = ReceivedIds(kOrders);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kOrders)) << "every order reaches the queue";
  EXPECT_EQ(svc->Stop(), 0u);
  EXPECT_EQ(CommittedSum(main_group_, main_topic_), kOrders);
  EXPECT_EQ(EndOffsetSum(dlq_topic_), 0) << "a missing queue is not the orders' fault";
  EXPECT_EQ(EndOffsetSum(retry_topic_), 0);
}

TEST_F(FailureScopeTest, AQueueDeletedMidStreamHoldsTheOrdersUntilItIsBack) {
  BridgeConfig c = Config();
  c.max_in_flight_messages = 50;  // so the outage also drives the pipeline into backpressure
  auto svc = Create(c);
  ASSERT_TRUE(svc);
  svc->Start();
  ASSERT_TRUE(Eventually([&] { return svc->Ready(); }, seconds(60))) << svc->HealthReport();
  Produce(Orders("BEFORE-", 50));
  ASSERT_EQ(ReceivedIds(50).size(), 50u);

  ASSERT_TRUE(sqs_->DeleteQueue(queue_url_).has_value());
  constexpr int kOrders = 150;
  Produce(Orders("DURING-", kOrders));
  // Sends fail for the missing queue: the service says so, and keeps the orders.
  const std::string metric =
      R"(driftline_sqs_errors_total{cause="QueueDoesNotExist",kind="infrastructure"})";
  ASSERT_TRUE(
      Eventually([&] { return Contains(ops::MetricsText(svc->registry()), metric); }, seconds(30)))
      << ops::MetricsText(svc->registry());
  EXPECT_TRUE(Eventually([&] { return !svc->Ready(); }, seconds(10))) << svc->HealthReport();
  EXPECT_TRUE(Contains(svc->HealthReport(), "infrastructure: QueueDoesNotExist"))
      << svc->HealthReport();
  EXPECT_EQ(EndOffsetSum(dlq_topic_), 0);

  sqs::CreateQueueRequest create{queue_name_, {{"VisibilityTimeout", "180"}}};
  auto created = sqs_->CreateQueue(create);
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  ASSERT_EQ(*created, queue_url_);
  const auto ids = ReceivedIds(kOrders);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kOrders)) << "every order reaches the queue";
  EXPECT_TRUE(Eventually([&] { return svc->Ready(); }, seconds(30))) << svc->HealthReport();
  EXPECT_EQ(svc->Stop(), 0u);
  EXPECT_EQ(CommittedSum(main_group_, main_topic_), 50 + kOrders);
  EXPECT_EQ(EndOffsetSum(dlq_topic_), 0) << "a deleted queue is not the orders' fault";
  EXPECT_EQ(EndOffsetSum(retry_topic_), 0);
}

}  // namespace
}  // namespace driftline::bridge::testing
