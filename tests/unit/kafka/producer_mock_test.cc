// Producer against librdkafka's in-process mock cluster (no external server).
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "kafka/producer.h"
#include "testkit/kafka_mock.h"

namespace driftline::kafka {
namespace {

using namespace std::chrono_literals;
using testing::DeliveryCollector;
using testing::MockCluster;

constexpr std::int16_t kProduceApiKey = 0;

OutgoingMessage Record(const std::string& topic, int i) {
  OutgoingMessage m;
  m.topic = topic;
  m.key = "key-" + std::to_string(i);
  m.payload = std::string("payload\0", 8) + std::to_string(i);
  m.headers.Add("CorrelationId", "corr-" + std::to_string(i));
  m.headers.Add("trace", std::nullopt);
  return m;
}

TEST(ProducerMockTest, ReliableDeliveryDefaultsDoNotOverride) {
  const Properties defaults = WithReliableDelivery(Properties::Make("b:9092"));
  EXPECT_EQ(defaults.Get("enable.idempotence"), "true");
  EXPECT_EQ(defaults.Get("acks"), "all");
  Properties mine = Properties::Make("b:9092");
  mine.Set("acks", "1").Set("enable.idempotence", "false");
  EXPECT_EQ(WithReliableDelivery(mine), mine);
}

TEST(ProducerMockTest, CreateRejectsBadPropertyByName) {
  Properties props = Properties::Make("b:9092");
  props.Set("linger.ms", "soon");
  auto producer = Producer::Create(props, [](DeliveryReport) {});
  ASSERT_FALSE(producer.has_value());
  EXPECT_EQ(producer.error().code(), Code::kInvalidArgument);
  EXPECT_NE(producer.error().message().find("linger.ms"), std::string::npos);
}

TEST(ProducerMockTest, WarmUpFetchesTheTopicsMetadata) {
  MockCluster cluster(3);
  cluster.CreateTopic("orders", 3);
  DeliveryCollector collector;
  auto producer = Producer::Create(cluster.Props(), collector.Handler());
  ASSERT_TRUE(producer.has_value()) << producer.error().message();
  auto warmed = (*producer)->WarmUp("orders", 5s);
  EXPECT_TRUE(warmed.has_value()) << warmed.error().message();
}

TEST(ProducerMockTest, WarmUpFailsWhenNoBrokerAnswers) {
  MockCluster cluster(1);
  cluster.CreateTopic("orders", 1);
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  DeliveryCollector collector;
  auto producer = Producer::Create(cluster.Props(), collector.Handler());
  ASSERT_TRUE(producer.has_value()) << producer.error().message();
  EXPECT_FALSE((*producer)->WarmUp("orders", 300ms).has_value());
}

TEST(ProducerMockTest, EveryRecordGetsAReportWithItsOffset) {
  MockCluster cluster(3);
  cluster.CreateTopic("orders", 3);
  DeliveryCollector collector;
  auto producer = Producer::Create(WithReliableDelivery(cluster.Props()), collector.Handler());
  ASSERT_TRUE(producer.has_value()) << producer.error().message();

  constexpr int kCount = 30;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE((*producer)->Send(Record("orders", i), static_cast<std::uint64_t>(i)).has_value());
  }
  ASSERT_TRUE((*producer)->Flush(5s).has_value());
  EXPECT_EQ((*producer)->Outstanding(), 0);

  const auto reports = collector.Reports();
  ASSERT_EQ(reports.size(), static_cast<std::size_t>(kCount));
  std::set<std::uint64_t> tokens;
  std::map<std::int32_t, std::set<std::int64_t>> offsets;
  for (const auto& r : reports) {
    EXPECT_FALSE(r.error.has_value()) << r.error->message();
    EXPECT_EQ(r.topic, "orders");
    tokens.insert(r.token);
    offsets[r.partition].insert(r.offset);
  }
  EXPECT_EQ(tokens.size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(*tokens.rbegin(), static_cast<std::uint64_t>(kCount - 1));
  for (const auto& [partition, seen] : offsets) {
    // Offsets in each partition are 0..n-1: nothing lost, nothing written twice.
    EXPECT_EQ(*seen.begin(), 0) << partition;
    EXPECT_EQ(*seen.rbegin(), static_cast<std::int64_t>(seen.size()) - 1) << partition;
  }
}

TEST(ProducerMockTest, WithoutPollThreadReportsArriveOnThePollingThread) {
  MockCluster cluster(1);
  cluster.CreateTopic("orders", 1);
  std::vector<std::thread::id> threads;
  ProducerOptions options;
  options.poll_thread = false;
  auto producer = Producer::Create(
      cluster.Props(), [&](DeliveryReport) { threads.push_back(std::this_thread::get_id()); },
      options);
  ASSERT_TRUE(producer.has_value()) << producer.error().message();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*producer)->Send(Record("orders", i), 1).has_value());
  }
  ASSERT_TRUE(testing::Eventually(
      [&] {
        (*producer)->Poll(50ms);
        return threads.size() == 5;
      },
      5s));
  for (const auto& id : threads) {
    EXPECT_EQ(id, std::this_thread::get_id());
  }
}

// Produces one record so that metadata and connections exist before errors are injected.
void WarmUp(Producer& producer, DeliveryCollector& collector) {
  ASSERT_TRUE(producer.Send(Record("orders", 0), 0).has_value());
  ASSERT_TRUE(collector.WaitFor(1, 5s));
  ASSERT_FALSE(collector.Reports()[0].error.has_value());
}

TEST(ProducerMockTest, InjectedRetriableErrorIsRetriedAndDelivered) {
  MockCluster cluster(1);
  cluster.CreateTopic("orders", 1);
  DeliveryCollector collector;
  Properties props = cluster.Props();
  props.Set("retry.backoff.ms", "10");
  auto producer = Producer::Create(props, collector.Handler());
  ASSERT_TRUE(producer.has_value());
  WarmUp(**producer, collector);

  rd_kafka_mock_push_request_errors(cluster.get(), kProduceApiKey, 2,
                                    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                                    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  ASSERT_TRUE((*producer)->Send(Record("orders", 1), 1).has_value());
  ASSERT_TRUE(collector.WaitFor(2, 5s));
  const DeliveryReport report = collector.Reports()[1];
  EXPECT_EQ(report.token, 1u);
  EXPECT_FALSE(report.error.has_value()) << report.error->message();
  EXPECT_EQ(report.offset, 1);
}

TEST(ProducerMockTest, InjectedRetriableErrorWithoutRetriesIsARetryableReport) {
  MockCluster cluster(1);
  cluster.CreateTopic("orders", 1);
  DeliveryCollector collector;
  Properties props = cluster.Props();
  props.Set("retries", "0");
  auto producer = Producer::Create(props, collector.Handler());
  ASSERT_TRUE(producer.has_value());
  WarmUp(**producer, collector);

  rd_kafka_mock_push_request_errors(cluster.get(), kProduceApiKey, 1,
                                    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  ASSERT_TRUE((*producer)->Send(Record("orders", 7), 7).has_value());
  ASSERT_TRUE(collector.WaitFor(2, 5s));
  const DeliveryReport report = collector.Reports()[1];
  EXPECT_EQ(report.token, 7u);
  ASSERT_TRUE(report.error.has_value());
  EXPECT_EQ(report.error->code(), Code::kUnavailable);
  EXPECT_TRUE(report.error->retryable());
  EXPECT_NE(report.error->message().find("NOT_ENOUGH_REPLICAS"), std::string::npos)
      << report.error->message();
  EXPECT_NE(report.error->message().find("orders[0]"), std::string::npos);
}

TEST(ProducerMockTest, InjectedPermanentErrorIsAFailedReport) {
  MockCluster cluster(1);
  cluster.CreateTopic("orders", 1);
  DeliveryCollector collector;
  auto producer = Producer::Create(cluster.Props(), collector.Handler());
  ASSERT_TRUE(producer.has_value());
  WarmUp(**producer, collector);

  rd_kafka_mock_push_request_errors(cluster.get(), kProduceApiKey, 1,
                                    RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  ASSERT_TRUE((*producer)->Send(Record("orders", 3), 3).has_value());
  ASSERT_TRUE(collector.WaitFor(2, 5s));
  const DeliveryReport report = collector.Reports()[1];
  ASSERT_TRUE(report.error.has_value());
  EXPECT_EQ(report.error->code(), Code::kInvalidArgument);
  EXPECT_FALSE(report.error->retryable());
}

TEST(ProducerMockTest, SendRejectsOversizedPayloadAtOnce) {
  MockCluster cluster(1);
  cluster.CreateTopic("orders", 1);
  Properties props = cluster.Props();
  props.Set("message.max.bytes", "1000");
  auto producer = Producer::Create(props, [](DeliveryReport) {});
  ASSERT_TRUE(producer.has_value());
  OutgoingMessage big = Record("orders", 0);
  big.payload.assign(5000, 'x');
  auto sent = (*producer)->Send(big, 0);
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code(), Code::kInvalidArgument) << sent.error().message();
}

TEST(ProducerMockTest, FlushTimesOutAndDestructorPurgesWhenBrokerIsDown) {
  MockCluster cluster(1);
  cluster.CreateTopic("orders", 1);
  DeliveryCollector collector;
  ProducerOptions options;
  options.close_timeout = 100ms;
  auto producer = Producer::Create(cluster.Props(), collector.Handler(), options);
  ASSERT_TRUE(producer.has_value());
  WarmUp(**producer, collector);

  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  for (std::uint64_t token = 10; token < 13; ++token) {
    ASSERT_TRUE((*producer)->Send(Record("orders", 1), token).has_value());
  }
  auto flushed = (*producer)->Flush(200ms);
  ASSERT_FALSE(flushed.has_value());
  EXPECT_EQ(flushed.error().code(), Code::kDeadlineExceeded);
  EXPECT_NE(flushed.error().message().find("3 records"), std::string::npos)
      << flushed.error().message();

  producer->reset();  // flushes for close_timeout, then purges
  const auto reports = collector.Reports();
  ASSERT_EQ(reports.size(), 4u);
  for (std::size_t i = 1; i < reports.size(); ++i) {
    ASSERT_TRUE(reports[i].error.has_value());
    EXPECT_EQ(reports[i].error->code(), Code::kAborted) << reports[i].error->message();
    EXPECT_TRUE(reports[i].error->retryable());
  }
}

TEST(ProducerMockTest, SendGivesUpWhenTheQueueStaysFull) {
  MockCluster cluster(1);
  cluster.CreateTopic("orders", 1);
  DeliveryCollector collector;
  Properties props = cluster.Props();
  props.Set("queue.buffering.max.messages", "2");
  ProducerOptions options;
  options.queue_full_timeout = 200ms;
  options.close_timeout = 50ms;
  auto producer = Producer::Create(props, collector.Handler(), options);
  ASSERT_TRUE(producer.has_value());
  WarmUp(**producer, collector);

  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  ASSERT_TRUE((*producer)->Send(Record("orders", 1), 1).has_value());
  ASSERT_TRUE((*producer)->Send(Record("orders", 2), 2).has_value());
  auto third = (*producer)->Send(Record("orders", 3), 3);
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().code(), Code::kResourceExhausted);
  EXPECT_TRUE(third.error().retryable());
  EXPECT_NE(third.error().message().find("queue full"), std::string::npos);

  // The two queued records are reported (purged) on destruction; the rejected one never is.
  producer->reset();
  const auto reports = collector.Reports();
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[1].token + reports[2].token, 3u);
}

TEST(ProducerMockTest, FatalErrorStopsTheIdempotentProducer) {
  MockCluster cluster(1);
  cluster.CreateTopic("orders", 1);
  DeliveryCollector collector;
  auto producer = Producer::Create(WithReliableDelivery(cluster.Props()), collector.Handler());
  ASSERT_TRUE(producer.has_value());
  WarmUp(**producer, collector);
  EXPECT_FALSE((*producer)->FatalError().has_value());

  // A sequence gap is unrecoverable for an idempotent (non-transactional) producer.
  rd_kafka_mock_push_request_errors(cluster.get(), kProduceApiKey, 1,
                                    RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  ASSERT_TRUE((*producer)->Send(Record("orders", 1), 1).has_value());
  ASSERT_TRUE(collector.WaitFor(2, 5s));
  ASSERT_TRUE(collector.Reports()[1].error.has_value());
  ASSERT_TRUE(testing::Eventually([&] { return (*producer)->FatalError().has_value(); }, 5s));
  EXPECT_EQ((*producer)->FatalError()->code(), Code::kInternal);

  auto sent = (*producer)->Send(Record("orders", 2), 2);
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code(), Code::kInternal) << sent.error().message();
}

}  // namespace
}  // namespace driftline::kafka
