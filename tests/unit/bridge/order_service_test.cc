// OrderService with scripted consumers, an in-memory SQS and librdkafka's mock cluster for its
// producer: readiness, stop with work in flight, destruction before start.
#include <gtest/gtest.h>

#include "bridge/service.h"
#include "fake_consumer.h"
#include "fake_sqs_client.h"
#include "ops/metrics_text.h"
#include "sqs/protocol/errors.h"
#include "testkit/captured_log.h"
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

// SIGTERM while the broker is slow. Stop() gives up on dead letters still on their way (the
// pipelines leave their offsets unstored) and the sink's producer, destroyed after it, waits
// for their delivery reports. Those reports must reach nothing that is gone: before, the
// pipelines were destroyed before the sink, whose flush then ran Pipeline::Complete on freed
// memory (ASan: heap-use-after-free). Now no report calls back once the sink is drained, and
// the sink goes before the pipelines.
TEST_F(OrderServiceTest, DeliveriesThatCompleteDuringDestructionTouchNothingFreed) {
  config_.kafka_properties.Set("reconnect.backoff.max.ms", "200");
  testkit::CapturedLog log;  // before the service's librdkafka threads log, gone after them
  auto svc = Make();
  ASSERT_TRUE(svc);
  svc->Start();
  FakeGroup& main = kafka_.Group(config_.main_group);
  main.Push(FakeGroup::Assign{{{config_.main_topic, 0}}});
  // The sink knows the DLQ topic's leader (the probe warms it up).
  ASSERT_TRUE(kafka::testing::Eventually(
      [&] { return svc->HealthReport().find("kafka: ok") != std::string::npos; },
      std::chrono::seconds(30)))
      << svc->HealthReport();
  // The broker goes away: the dead letters of the records below are queued, not delivered.
  rd_kafka_mock_broker_set_down(cluster_.get(), 1);
  for (int i = 0; i < 3; ++i) {
    main.PushRecord(config_.main_topic, 0, i, "not an order " + std::to_string(i));
  }
  ASSERT_TRUE(main.WaitIdle());
  EXPECT_EQ(svc->Stop(), 3u);
  // It comes back slow: each produce is answered 3 s late, while the service is destroyed.
  constexpr std::int16_t kProduce = 0;  // the ProduceRequest API key
  rd_kafka_mock_broker_push_request_error_rtts(
      cluster_.get(), 1, kProduce, 3, RD_KAFKA_RESP_ERR_NO_ERROR, 3000, RD_KAFKA_RESP_ERR_NO_ERROR,
      3000, RD_KAFKA_RESP_ERR_NO_ERROR, 3000);
  rd_kafka_mock_broker_set_up(cluster_.get(), 1);
  svc.reset();
  // The reports did arrive during the destruction (the scenario happened), and were told to
  // nobody: the offsets stay unstored, the inputs will be consumed again.
  EXPECT_NE(log.text().find("3 retry/DLQ record(s) were written after the stop"), std::string::npos)
      << log.text();
  EXPECT_TRUE(main.Stores().empty());
  auto reader = kafka::Consumer::Create(cluster_.Props(), "dlq-reader");
  ASSERT_TRUE(reader.has_value());
  ASSERT_TRUE((*reader)->Assign({{config_.dlq_topic, 0, kafka::kOffsetBeginning}}).has_value());
  std::vector<kafka::Message> dead_letters;
  kafka::testing::PollUntil(
      **reader, dead_letters, [](const auto& r) { return r.size() >= 3; },
      std::chrono::seconds(10));
  EXPECT_EQ(dead_letters.size(), 3u);
}

// A dead letter the broker refuses for good (the topic is not authorised, three times) pins
// its partition's offset: the service is not ready while it lasts and says which record and
// why, the refusal is counted, and the offset is stored once the dead letter is accepted.
TEST_F(OrderServiceTest, ARefusedDeadLetterMakesTheServiceNotReadyAndSaysWhy) {
  auto svc = Make();
  ASSERT_TRUE(svc);
  svc->Start();
  FakeGroup& main = kafka_.Group(config_.main_group);
  main.Push(FakeGroup::Assign{{{config_.main_topic, 0}}});
  kafka_.Group(config_.retry_group).Push(FakeGroup::Assign{{{config_.retry_topic, 0}}});
  ASSERT_TRUE(kafka::testing::Eventually([&] { return svc->Ready(); }, std::chrono::seconds(30)))
      << svc->HealthReport();
  constexpr std::int16_t kProduce = 0;  // the ProduceRequest API key
  rd_kafka_mock_push_request_errors(
      cluster_.get(), kProduce, 3, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  main.PushRecord(config_.main_topic, 0, 0, "not an order");
  ASSERT_TRUE(kafka::testing::Eventually(
      [&] { return svc->HealthReport().find("TOPIC_AUTHORIZATION_FAILED") != std::string::npos; },
      std::chrono::seconds(30)))
      << svc->HealthReport();
  const std::string health = svc->HealthReport();
  EXPECT_FALSE(svc->Ready()) << health;
  EXPECT_NE(health.find("kafka: NOT READY (1 record(s) refused"), std::string::npos) << health;
  EXPECT_NE(health.find("(input place-order-topic@0)"), std::string::npos) << health;
  EXPECT_NE(ops::MetricsText(svc->registry()).find("driftline_kafka_refused 1"), std::string::npos);
  EXPECT_TRUE(main.Stores().empty());

  ASSERT_TRUE(main.WaitUntil([&] { return !main.stores().empty(); }));
  EXPECT_EQ(main.StoresOf({config_.main_topic, 0}), std::vector<std::int64_t>{1});
  EXPECT_TRUE(kafka::testing::Eventually([&] { return svc->Ready(); }, std::chrono::seconds(30)))
      << svc->HealthReport();
  EXPECT_NE(ops::MetricsText(svc->registry()).find("driftline_kafka_refused 0"), std::string::npos);
}

// Create() failing part way (here: the main consumer, after the SQS sender and the sink were
// built) leaves a half-built service to destroy: that stops only what exists.
TEST_F(OrderServiceTest, ACreateThatFailsPartWayDestroysWhatItBuilt) {
  ConsumerFactory failing = [](const kafka::Properties&, const std::string&,
                               AssignmentListener&) -> Result<std::unique_ptr<RecordConsumer>> {
    return tl::unexpected(Error(Code::kInvalidArgument, "no consumer today"));
  };
  auto svc =
      OrderService::Create(config_, Clock::System(), std::make_unique<FakeSqsClient>(), failing);
  ASSERT_FALSE(svc.has_value());
  EXPECT_NE(svc.error().Trace().find("no consumer today"), std::string::npos)
      << svc.error().Trace();
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
