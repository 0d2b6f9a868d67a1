// RecordSink against librdkafka's mock cluster: durable reports, resends through an outage,
// a dead letter shrunk until the producer takes it.
#include "bridge/record_sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "bridge/metrics.h"
#include "testkit/captured_log.h"
#include "testkit/kafka_mock.h"

namespace driftline::bridge {
namespace {

using kafka::testing::Eventually;
using kafka::testing::MockCluster;
using std::chrono::seconds;

KafkaOutput Output(KafkaOutput::Kind kind, const std::string& topic, std::string payload) {
  kafka::OutgoingMessage m{topic, 0, std::string("key"), std::move(payload), {}};
  return KafkaOutput{kind, "", std::move(m)};
}

std::vector<kafka::Message> ReadAll(const MockCluster& cluster, const std::string& topic,
                                    std::size_t count) {
  auto consumer = kafka::Consumer::Create(cluster.Props(), "reader");
  EXPECT_TRUE(consumer.has_value());
  EXPECT_TRUE((*consumer)->Assign({{topic, 0, kafka::kOffsetBeginning}}).has_value());
  std::vector<kafka::Message> out;
  kafka::testing::PollUntil(
      **consumer, out, [&](const auto& r) { return r.size() >= count; }, seconds(10));
  return out;
}

TEST(RecordSinkTest, ReportsEachRecordDurableOnce) {
  MockCluster cluster(1);
  cluster.CreateTopic("retry", 1);
  auto sink = RecordSink::Create(cluster.Props(), nullptr);
  ASSERT_TRUE(sink.has_value());
  std::atomic<int> durable{0};
  for (int i = 0; i < 5; ++i) {
    (*sink)->Produce(Output(KafkaOutput::Kind::kRetry, "retry", "{}"), [&] { ++durable; });
  }
  EXPECT_EQ((*sink)->Drain(seconds(10)), 0u);
  EXPECT_EQ(durable.load(), 5);
  EXPECT_EQ((*sink)->Pending(), 0u);
  EXPECT_TRUE((*sink)->Healthy());
  EXPECT_EQ(ReadAll(cluster, "retry", 5).size(), 5u);
}

TEST(RecordSinkTest, ResendsThroughAnOutageUntilDurable) {
  MockCluster cluster(1);
  cluster.CreateTopic("retry", 1);
  kafka::Properties props = cluster.Props();
  props.Set("message.timeout.ms", "300");  // each attempt fails fast while the broker is down
  auto sink = RecordSink::Create(props, nullptr);
  ASSERT_TRUE(sink.has_value());
  ASSERT_TRUE((*sink)->Probe("retry", seconds(5)).has_value());
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  std::atomic<int> durable{0};
  (*sink)->Produce(Output(KafkaOutput::Kind::kRetry, "retry", "{}"), [&] { ++durable; });
  ASSERT_TRUE(Eventually([&] { return !(*sink)->Healthy(); }, seconds(10)));
  EXPECT_EQ(durable.load(), 0);
  rd_kafka_mock_broker_set_up(cluster.get(), 1);
  ASSERT_TRUE(Eventually([&] { return durable.load() == 1; }, seconds(30)));
  EXPECT_TRUE((*sink)->Healthy());
  EXPECT_EQ((*sink)->Pending(), 0u);
}

// The service drains the sink and then destroys the pipelines its callbacks complete into: a
// record that becomes durable after Drain() must not call back.
TEST(RecordSinkTest, NoCallbackRunsOnceDrainedEvenWhenTheRecordBecomesDurable) {
  MockCluster cluster(1);
  cluster.CreateTopic("retry", 1);
  auto sink = RecordSink::Create(cluster.Props(), nullptr);
  ASSERT_TRUE(sink.has_value());
  ASSERT_TRUE((*sink)->Probe("retry", seconds(5)).has_value());
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  std::atomic<int> durable{0};
  (*sink)->Produce(Output(KafkaOutput::Kind::kRetry, "retry", "{}"), [&] { ++durable; });
  EXPECT_EQ((*sink)->Drain(std::chrono::milliseconds(0)), 1u);
  rd_kafka_mock_broker_set_up(cluster.get(), 1);
  // librdkafka still delivers it (its own retries); the sink forgets the entry, silently.
  ASSERT_TRUE(Eventually([&] { return (*sink)->Pending() == 0; }, seconds(30)));
  EXPECT_EQ(ReadAll(cluster, "retry", 1).size(), 1u);
  EXPECT_EQ(durable.load(), 0);
}

TEST(RecordSinkTest, ADeadLetterTooLargeForTheProducerIsShrunk) {
  MockCluster cluster(1);
  cluster.CreateTopic("dlq", 1);
  kafka::Properties props = cluster.Props();
  props.Set("message.max.bytes", "1000");
  auto sink = RecordSink::Create(props, nullptr);
  ASSERT_TRUE(sink.has_value());
  const nlohmann::json body = {{"rawMessageBase64", std::string(4000, 'A')}, {"totalRetries", 0}};
  std::atomic<int> durable{0};
  (*sink)->Produce(Output(KafkaOutput::Kind::kDeadLetter, "dlq", body.dump()), [&] { ++durable; });
  ASSERT_TRUE(Eventually([&] { return durable.load() == 1; }, seconds(30)));
  auto read = ReadAll(cluster, "dlq", 1);
  ASSERT_EQ(read.size(), 1u);
  const auto got = nlohmann::json::parse(read[0].payload);
  EXPECT_FALSE(got.contains("rawMessageBase64"));
  EXPECT_TRUE(got.contains("rawMessageOmitted"));
}

// Kafka's ProduceRequest (librdkafka's mock cluster fails requests by API key).
constexpr std::int16_t kProduceApiKey = 0;

struct Metrics {
  prometheus::Registry registry;
  BridgeMetrics bridge{registry};
};

// The retry topic's size limit is no reason to stall the partition: a retry envelope the
// producer refuses as too large is shrunk like a dead letter (the order down to what identifies
// it, marked) and produced again.
TEST(RecordSinkTest, ARetryEnvelopeTooLargeForTheProducerIsShrunk) {
  MockCluster cluster(1);
  cluster.CreateTopic("retry", 1);
  kafka::Properties props = cluster.Props();
  props.Set("message.max.bytes", "1000");
  Metrics metrics;
  auto sink = RecordSink::Create(props, &metrics.bridge);
  ASSERT_TRUE(sink.has_value());
  const nlohmann::json envelope = {
      {"originalMessage",
       {{"orderType", "STANDARD"}, {"orderId", "ORD-1"}, {"note", std::string(4000, 'n')}}},
      {"messageKey", "ORD-1"},
      {"retryCount", 0},
      {"firstAttemptTimestamp", "2026-01-19T10:00:00Z"},
      {"lastAttemptTimestamp", "2026-01-19T10:00:00Z"},
      {"errorMessage", "e"},
      {"errorStackTrace", "t"}};
  std::atomic<int> durable{0};
  (*sink)->Produce(Output(KafkaOutput::Kind::kRetry, "retry", envelope.dump()), [&] { ++durable; });
  ASSERT_TRUE(Eventually([&] { return durable.load() == 1; }, seconds(30)));
  auto read = ReadAll(cluster, "retry", 1);
  ASSERT_EQ(read.size(), 1u);
  const auto got = nlohmann::json::parse(read[0].payload);
  EXPECT_EQ(got["originalMessage"],
            nlohmann::json({{"orderType", "STANDARD"}, {"orderId", "ORD-1"}}));
  EXPECT_TRUE(got.contains("originalMessageOmitted"));
  EXPECT_EQ(got["messageKey"], "ORD-1");
  EXPECT_EQ(metrics.bridge.kafka_shrunk.Add({{"topic", "retry"}}).Value(), 1);
  EXPECT_TRUE((*sink)->Healthy());
}

// A refusal that is not retryable (here: the topic is not authorised, twice) does not abandon
// the record: it is produced again until it is accepted, and until then the sink is not
// healthy and says why, the refusal is counted, and nobody is told the record is durable.
TEST(RecordSinkTest, ARefusedRecordIsProducedAgainAndReportedUntilAccepted) {
  // Before any librdkafka thread logs, and gone after they are (spdlog's default logger is
  // swapped without synchronisation).
  testkit::CapturedLog log;
  MockCluster cluster(1);
  cluster.CreateTopic("dlq", 1);
  Metrics metrics;
  auto sink = RecordSink::Create(cluster.Props(), &metrics.bridge);
  ASSERT_TRUE(sink.has_value());
  ASSERT_TRUE((*sink)->Probe("dlq", seconds(5)).has_value());
  rd_kafka_mock_push_request_errors(cluster.get(), kProduceApiKey, 2,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  std::atomic<int> durable{0};
  (*sink)->Produce(Output(KafkaOutput::Kind::kDeadLetter, "dlq", "{}"), [&] { ++durable; });
  ASSERT_TRUE(Eventually([&] { return (*sink)->Refused() == 1; }, seconds(10)));
  EXPECT_FALSE((*sink)->Healthy());
  EXPECT_NE((*sink)->Problem().find("TOPIC_AUTHORIZATION_FAILED"), std::string::npos)
      << (*sink)->Problem();
  EXPECT_NE((*sink)->Problem().find("dlq record for key 'key'"), std::string::npos)
      << (*sink)->Problem();
  EXPECT_EQ(metrics.bridge.kafka_refused.Value(), 1);
  EXPECT_NE(log.text().find("refused"), std::string::npos) << log.text();
  EXPECT_EQ(durable.load(), 0);

  ASSERT_TRUE(Eventually([&] { return durable.load() == 1; }, seconds(30)));
  // Two refusals by the broker; librdkafka may also refuse a resend itself while it remembers
  // the topic as not authorised.
  EXPECT_GE(metrics.bridge.kafka_refusals.Add({{"topic", "dlq"}}).Value(), 2) << log.text();
  EXPECT_EQ((*sink)->Refused(), 0u);
  EXPECT_EQ(metrics.bridge.kafka_refused.Value(), 0);
  EXPECT_TRUE((*sink)->Healthy());
  EXPECT_EQ((*sink)->Problem(), "");
  EXPECT_EQ(ReadAll(cluster, "dlq", 1).size(), 1u);
}

// Too large even with nothing left to drop (the key alone is over the limit): never reported
// durable — its input offset stays uncommitted — and never silent.
TEST(RecordSinkTest, ARecordThatCannotBeShrunkEnoughStaysPendingAndReported) {
  MockCluster cluster(1);
  cluster.CreateTopic("dlq", 1);
  kafka::Properties props = cluster.Props();
  props.Set("message.max.bytes", "1000");
  Metrics metrics;
  auto sink = RecordSink::Create(props, &metrics.bridge);
  ASSERT_TRUE(sink.has_value());
  KafkaOutput out = Output(KafkaOutput::Kind::kDeadLetter, "dlq", R"({"originalMessage":{}})");
  out.message.key = std::string(2000, 'k');
  std::atomic<int> durable{0};
  (*sink)->Produce(std::move(out), [&] { ++durable; });
  ASSERT_TRUE(Eventually([&] { return (*sink)->Refused() == 1; }, seconds(10)));
  EXPECT_FALSE((*sink)->Healthy());
  EXPECT_NE((*sink)->Problem().find("MSG_SIZE_TOO_LARGE"), std::string::npos) << (*sink)->Problem();
  // Still produced again (and refused again), never dropped.
  ASSERT_TRUE(Eventually(
      [&] {
        return metrics.bridge.kafka_refusals.Add({{"topic", "dlq"}}).Value() >= 2;
      },
      seconds(10)));
  EXPECT_EQ((*sink)->Pending(), 1u);
  EXPECT_EQ((*sink)->Drain(std::chrono::milliseconds(0)), 1u);
  EXPECT_EQ(durable.load(), 0);
}

TEST(RecordSinkTest, ARetryEnvelopeKeepsItsTimestamp) {
  MockCluster cluster(1);
  cluster.CreateTopic("retry", 1);
  auto sink = RecordSink::Create(cluster.Props(), nullptr);
  ASSERT_TRUE(sink.has_value());
  KafkaOutput out = Output(KafkaOutput::Kind::kRetry, "retry", "{}");
  out.message.timestamp_ms = 1768816801234;
  (*sink)->Produce(std::move(out), [] {});
  EXPECT_EQ((*sink)->Drain(seconds(10)), 0u);
  auto read = ReadAll(cluster, "retry", 1);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].timestamp_ms, 1768816801234);
  EXPECT_EQ(read[0].timestamp_type, kafka::TimestampType::kCreateTime);
}

}  // namespace
}  // namespace driftline::bridge
