// OrderService with scripted consumers, an in-memory SQS and librdkafka's mock cluster for its
// producer: readiness, stop with work in flight, destruction before start.
#include <gtest/gtest.h>

#include "bridge/service.h"
#include "fake_consumer.h"
#include "fake_sqs_client.h"
#include "ops/metrics_text.h"
#include "sqs/protocol/errors.h"
#include "testkit/kafka_mock.h"

namespace driftline::bridge::testing {
namespace {

using std::chrono::milliseconds;

class OrderServiceTest : public ::testing::Test {
 protected:
  OrderServiceTest() : cluster_(1) {
    config_.kafka_bootstrap = cluster_.Props().Get("bootstrap.servers").value_or("");
    cluster_.CreateTopic(config_.main_topic, 1);
    cluster_.CreateTopic(config_.retry_topic, 1);
    cluster_.CreateTopic(config_.dlq_topic, 1);
    config_.sqs_queue_url = "http://sqs.test/000000000000/orders";
    config_.metrics_address = "";
    config_.shutdown_timeout = milliseconds(0);
  }

  std::unique_ptr<OrderService> Make() {
    auto sqs = std::make_unique<FakeSqsClient>();
    sqs_ = sqs.get();
    auto svc = OrderService::Create(config_, Clock::System(), std::move(sqs), kafka_.Factory());
    EXPECT_TRUE(svc.has_value()) << svc.error().Trace();
    return svc ? std::move(*svc) : nullptr;
  }

  kafka::testing::MockCluster cluster_;
  BridgeConfig config_;
  FakeKafka kafka_;
  FakeSqsClient* sqs_ = nullptr;  // owned by the service
};

TEST_F(OrderServiceTest, ReadyOnlyWhenBothConsumersHaveResolvedStartOffsets) {
  auto svc = Make();
  ASSERT_TRUE(svc);
  svc->Start();
  FakeGroup& main = kafka_.Group(config_.main_group);
  FakeGroup& retry = kafka_.Group(config_.retry_group);
  main.Push(FakeGroup::Assign{{{config_.main_topic, 0}}, false});
  retry.Push(FakeGroup::Assign{{{config_.retry_topic, 0}}, true});
  ASSERT_TRUE(main.WaitIdle());
  ASSERT_TRUE(retry.WaitIdle());
  // Everything else ready: SQS and Kafka answer.
  ASSERT_TRUE(kafka::testing::Eventually(
      [&] {
        const std::string h = svc->HealthReport();
        return h.find("sqs queue: ok") != std::string::npos &&
               h.find("kafka: ok") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << svc->HealthReport();
  EXPECT_FALSE(svc->Ready()) << svc->HealthReport();
  EXPECT_NE(svc->HealthReport().find("start offsets not resolved"), std::string::npos);

  main.Push(FakeGroup::Revoke{{{config_.main_topic, 0}}, false});
  main.Push(FakeGroup::Assign{{{config_.main_topic, 0}}, true});
  ASSERT_TRUE(main.WaitIdle());
  EXPECT_TRUE(svc->Ready()) << svc->HealthReport();
}

TEST_F(OrderServiceTest, ConsumesNothingUntilTheQueueAnswersAndSaysWhy) {
  auto svc = Make();
  ASSERT_TRUE(svc);
  sqs_->FailProbe(sqs::ErrorFromResponse(sqs::HttpResponse{
      400,
      {},
      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does )"
      R"(not exist."})"}));
  svc->Start();
  FakeGroup& main = kafka_.Group(config_.main_group);
  FakeGroup& retry = kafka_.Group(config_.retry_group);
  // Several probes have failed (the third starts after the first two were recorded).
  ASSERT_TRUE(
      kafka::testing::Eventually([&] { return sqs_->Probes() >= 3; }, std::chrono::seconds(30)));
  EXPECT_FALSE(main.Subscribed()) << "joined the group before the queue answered";
  EXPECT_FALSE(retry.Subscribed());
  EXPECT_EQ(main.Polls(), 0);
  EXPECT_FALSE(svc->Ready());
  const std::string health = svc->HealthReport();
  EXPECT_NE(health.find("sqs queue: NOT READY (" + config_.sqs_queue_url +
                        " does not answer; infrastructure: QueueDoesNotExist: "),
            std::string::npos)
      << health;
  EXPECT_NE(health.find("The specified queue does not exist."), std::string::npos) << health;
  EXPECT_NE(health.find("main consumer (" + config_.main_group +
                        "): NOT STARTED (waits for the SQS queue to answer)"),
            std::string::npos)
      << health;
  const std::string metrics = ops::MetricsText(svc->registry());
  EXPECT_NE(metrics.find(R"(driftline_sqs_probe_failures_total{cause="QueueDoesNotExist"})"),
            std::string::npos);

  // The queue exists now: the consumers join, and the service becomes ready.
  sqs_->FailProbe(std::nullopt);
  ASSERT_TRUE(main.WaitPolls(1));
  EXPECT_TRUE(main.Subscribed());
  main.Push(FakeGroup::Assign{{{config_.main_topic, 0}}, true});
  retry.Push(FakeGroup::Assign{{{config_.retry_topic, 0}}, true});
  ASSERT_TRUE(main.WaitIdle());
  ASSERT_TRUE(retry.WaitIdle());
  EXPECT_TRUE(kafka::testing::Eventually([&] { return svc->Ready(); }, std::chrono::seconds(30)))
      << svc->HealthReport();
}

TEST_F(OrderServiceTest, StopReportsWorkInFlightAndStoresNothingForIt) {
  auto svc = Make();
  ASSERT_TRUE(svc);
  sqs_->FailRequests(1 << 30, Code::kUnavailable);  // an outage: never durable
  svc->Start();
  FakeGroup& main = kafka_.Group(config_.main_group);
  main.Push(FakeGroup::Assign{{{config_.main_topic, 0}}});
  main.PushRecord(config_.main_topic, 0, 0,
                  R"({"orderType":"STANDARD","orderId":"ORD-1","items":[{"productId":"P"}]})");
  ASSERT_TRUE(main.WaitUntil([&] { return sqs_->Requests() >= 1; }));
  EXPECT_EQ(svc->Stop(), 1u);
  EXPECT_TRUE(main.Stores().empty());
  EXPECT_TRUE(main.Closed());
  EXPECT_TRUE(kafka_.Group(config_.retry_group).Closed());
  EXPECT_EQ(svc->Stop(), 0u) << "a second Stop does nothing";
}

TEST_F(OrderServiceTest, DestroyedBeforeStart) {
  auto svc = Make();
  ASSERT_TRUE(svc);
  EXPECT_FALSE(svc->Ready());
  svc.reset();
  EXPECT_TRUE(kafka_.Group(config_.main_group).Closed());
  EXPECT_TRUE(kafka_.Group(config_.retry_group).Closed());
  EXPECT_EQ(kafka_.Group(config_.main_group).Polls(), 0);
}

TEST_F(OrderServiceTest, WithoutTheRetryConsumerOnlyTheMainGroupIsJoined) {
  config_.retry_consumer_enabled = false;
  auto svc = Make();
  ASSERT_TRUE(svc);
  EXPECT_TRUE(kafka_.Group(config_.main_group).Created());
  EXPECT_FALSE(kafka_.Group(config_.retry_group).Created());
}

}  // namespace
}  // namespace driftline::bridge::testing
