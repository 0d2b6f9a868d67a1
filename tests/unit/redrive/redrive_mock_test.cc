// RunRedrive against librdkafka's in-process mock cluster: what lands on the main topic, what the
// group commits, and what a second run does.
#include <gtest/gtest.h>

#include <map>

#include "dead_letters.h"
#include "kafka/admin.h"
#include "redrive/redrive.h"
#include "testkit/kafka_mock.h"

namespace driftline::redrive {
namespace {

using namespace std::chrono_literals;
using kafka::testing::DeliveryCollector;
using kafka::testing::MockCluster;
using testing::DeadLetterWriter;

constexpr std::int16_t kProduceApiKey = 0;

std::string StandardOrderJson(const std::string& id) {
  return R"({"orderType":"STANDARD","orderId":")" + id + R"(","items":[{"productId":"P"}]})";
}

class RedriveMockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.CreateTopic("orders", 2);
    cluster_.CreateTopic("orders-dlq", 2);
    options_.kafka = cluster_.Props();
    options_.dlq_topic = "orders-dlq";
    options_.group = "redrive-test";
    options_.plan.main_topic = "orders";
    options_.timeout = 30s;
  }

  // The dead letter order-service writes for `in`, on DLQ partition `partition`.
  kafka::OutgoingMessage DeadLetter(const kafka::Message& in, std::int32_t partition) {
    kafka::OutgoingMessage out = writer_.DeadLetterFor(in);
    EXPECT_EQ(out.topic, "orders-dlq");
    out.partition = partition;
    return out;
  }
  kafka::OutgoingMessage DirectDlq(const std::string& corr, std::int32_t partition,
                                   kafka::Headers extra = {}) {
    extra.Add("CorrelationId", corr);
    return DeadLetter(
        writer_.Input(StandardOrderJson("ORD-DIRECT"), "ORD-DIRECT", std::move(extra)), partition);
  }

  void Produce(const std::vector<kafka::OutgoingMessage>& records) {
    DeliveryCollector collector;
    auto producer = kafka::Producer::Create(cluster_.Props(), collector.Handler());
    ASSERT_TRUE(producer.has_value()) << producer.error().ToString();
    for (std::size_t i = 0; i < records.size(); ++i) {
      ASSERT_TRUE((*producer)->Send(records[i], i).has_value());
    }
    ASSERT_TRUE(collector.WaitFor(records.size(), 10s));
    for (const auto& report : collector.Reports()) {
      ASSERT_FALSE(report.error.has_value()) << report.error->ToString();
    }
  }

  std::map<std::int32_t, std::int64_t> Ends(const std::string& topic) {
    auto admin = kafka::Admin::Create(cluster_.Props());
    EXPECT_TRUE(admin.has_value());
    auto ends = (*admin)->EndOffsets(topic, 10s);
    EXPECT_TRUE(ends.has_value()) << ends.error().ToString();
    return ends ? *ends : std::map<std::int32_t, std::int64_t>{};
  }
  std::map<std::int32_t, std::int64_t> Committed() {
    auto admin = kafka::Admin::Create(cluster_.Props());
    EXPECT_TRUE(admin.has_value());
    auto committed = (*admin)->CommittedOffsets(options_.group, "orders-dlq", 10s);
    EXPECT_TRUE(committed.has_value()) << committed.error().ToString();
    return committed ? *committed : std::map<std::int32_t, std::int64_t>{};
  }
  std::int64_t Count(const std::string& topic) {
    std::int64_t n = 0;
    for (const auto& [p, end] : Ends(topic))
      n += end;
    return n;
  }

  // Every record of the main topic.
  std::vector<kafka::Message> MainTopic() {
    const std::int64_t expected = Count("orders");
    auto consumer = kafka::Consumer::Create(cluster_.Props(), "reader");
    EXPECT_TRUE(consumer.has_value());
    EXPECT_TRUE((*consumer)
                    ->Assign({{"orders", 0, kafka::kOffsetBeginning},
                              {"orders", 1, kafka::kOffsetBeginning}})
                    .has_value());
    std::vector<kafka::Message> records;
    EXPECT_TRUE(kafka::testing::PollUntil(
        **consumer, records,
        [&](const std::vector<kafka::Message>& r) {
          return static_cast<std::int64_t>(r.size()) >= expected;
        },
        15s));
    return records;
  }

  MockCluster cluster_{1};
  DeadLetterWriter writer_;
  RedriveOptions options_;
};

std::string HeaderOf(const kafka::Message& m, std::string_view name) {
  const kafka::Header* h = m.headers.Find(name);
  return h && h->value ? *h->value : "<none>";
}

TEST_F(RedriveMockTest, ADryRunShowsWhatItWouldDoAndChangesNothing) {
  Produce({DirectDlq("a", 0), DirectDlq("b", 0), DirectDlq("c", 1),
           DeadLetter(writer_.Input("poison", "p"), 1)});
  options_.dry_run = true;
  for (int run = 0; run < 2; ++run) {
    const RedriveReport report = RunRedrive(options_);
    ASSERT_FALSE(report.error.has_value()) << report.error->Trace();
    EXPECT_TRUE(report.dry_run);
    EXPECT_EQ(report.read, 4);
    EXPECT_EQ(report.matched, 4);
    EXPECT_EQ(report.redriven, 4) << "would redrive";
    EXPECT_EQ(report.rows.size(), 4u);
  }
  EXPECT_EQ(Count("orders"), 0) << "nothing re-published";
  for (const auto& [p, offset] : Committed())
    EXPECT_EQ(offset, kafka::kOffsetInvalid) << p;
}

TEST_F(RedriveMockTest, RedrivesOnceWithKeyBytesAndHeadersAndASecondRunDoesNothing) {
  const std::string poison("\x01not json\xff", 10);
  Produce({DirectDlq("a", 0, {{"traceparent", "00-aa"}}), DirectDlq("b", 0),
           DeadLetter(writer_.Input(poison, "poison-key", {{"CorrelationId", "p"}}), 1)});

  RedriveReport report = RunRedrive(options_);
  ASSERT_FALSE(report.error.has_value()) << report.error->Trace();
  EXPECT_EQ(report.read, 3);
  EXPECT_EQ(report.redriven, 3);
  EXPECT_EQ(report.refused, 0);
  EXPECT_EQ(report.skipped, 0);
  EXPECT_EQ(Committed(), (std::map<std::int32_t, std::int64_t>{{0, 2}, {1, 1}}));

  const std::vector<kafka::Message> main = MainTopic();
  ASSERT_EQ(main.size(), 3u);
  std::map<std::string, kafka::Message> by_corr;
  for (const auto& m : main)
    by_corr[HeaderOf(m, "CorrelationId")] = m;
  ASSERT_EQ(by_corr.size(), 3u);
  const kafka::Message& poisoned = by_corr.at("p");
  EXPECT_EQ(poisoned.payload, poison) << "the exact bytes";
  EXPECT_EQ(poisoned.key, "poison-key");
  EXPECT_EQ(HeaderOf(poisoned, "redrive-count"), "1");
  EXPECT_EQ(HeaderOf(poisoned, "redrive-source"), "orders-dlq/1/0");
  const kafka::Message& a = by_corr.at("a");
  EXPECT_EQ(a.key, "ORD-DIRECT");
  EXPECT_EQ(nlohmann::json::parse(a.payload),
            nlohmann::json::parse(StandardOrderJson("ORD-DIRECT")));
  EXPECT_EQ(HeaderOf(a, "traceparent"), "00-aa");
  EXPECT_EQ(HeaderOf(a, "redrive-source"), "orders-dlq/0/0");
  EXPECT_EQ(a.headers.Find("dlq-reason"), nullptr);

  // The second run starts where the first committed.
  report = RunRedrive(options_);
  ASSERT_FALSE(report.error.has_value()) << report.error->Trace();
  EXPECT_EQ(report.read, 0);
  EXPECT_EQ(report.redriven, 0);
  EXPECT_EQ(Count("orders"), 3);

  // New dead letters: one redriven 3 times already (refused), one not matched (skipped, and
  // committed past), one matched.
  Produce({DirectDlq("d", 0, {{"redrive-count", "3"}}), DirectDlq("e", 1), DirectDlq("f", 1)});
  options_.filter.correlation_ids = {"d", "f"};
  report = RunRedrive(options_);
  ASSERT_FALSE(report.error.has_value()) << report.error->Trace();
  EXPECT_EQ(report.read, 3);
  EXPECT_EQ(report.matched, 2);
  EXPECT_EQ(report.redriven, 1);
  EXPECT_EQ(report.refused, 1);
  EXPECT_EQ(report.skipped, 1);
  ASSERT_EQ(report.rows.size(), 2u) << "the matched ones";
  EXPECT_EQ(Count("orders"), 4);
  EXPECT_EQ(Committed(), (std::map<std::int32_t, std::int64_t>{{0, 3}, {1, 3}}));
}

TEST_F(RedriveMockTest, UnreadableRecordsAreSkippedAndListed) {
  kafka::OutgoingMessage junk{"orders-dlq", 0, "k", "not a dead letter", {}};
  Produce({junk, DirectDlq("a", 0)});
  const RedriveReport report = RunRedrive(options_);
  ASSERT_FALSE(report.error.has_value()) << report.error->Trace();
  EXPECT_EQ(report.read, 2);
  EXPECT_EQ(report.skipped, 1);
  EXPECT_EQ(report.unreadable, 1);
  EXPECT_EQ(report.redriven, 1);
  ASSERT_EQ(report.rows.size(), 2u);
  EXPECT_NE(report.rows[0].why.find("unreadable"), std::string::npos);
  EXPECT_EQ(Committed().at(0), 2);
}

// A re-publication the broker refuses stops the run before anything after it is committed;
// the next run redrives what is left, and nothing lands twice.
TEST_F(RedriveMockTest, AFailedDeliveryStopsTheRunAndTheNextRunFinishesIt) {
  Produce({DirectDlq("a", 0), DirectDlq("b", 0), DirectDlq("c", 0)});
  // Every produce request of this run is refused.
  std::vector<rd_kafka_resp_err_t> refusals(50, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  rd_kafka_mock_push_request_errors_array(cluster_.get(), kProduceApiKey, refusals.size(),
                                          refusals.data());
  RedriveReport report = RunRedrive(options_);
  ASSERT_TRUE(report.error.has_value());
  // Which record the error names depends on which refusal is seen first: a delivery report
  // (record 0, at the settle) or, when the producer has seen it already, the next send.
  EXPECT_NE(report.error->Trace().find("re-publishing orders-dlq/0/"), std::string::npos)
      << report.error->Trace();
  EXPECT_NE(report.error->Trace().find("TOPIC_AUTHORIZATION_FAILED"), std::string::npos);
  EXPECT_EQ(report.redriven, 0);
  EXPECT_EQ(Count("orders"), 0);
  EXPECT_EQ(Committed().at(0), kafka::kOffsetInvalid) << "nothing committed past the failure";

  rd_kafka_mock_clear_request_errors(cluster_.get(), kProduceApiKey);
  report = RunRedrive(options_);
  ASSERT_FALSE(report.error.has_value()) << report.error->Trace();
  EXPECT_EQ(report.redriven, 3);
  EXPECT_EQ(Count("orders"), 3) << "each dead letter once";
  EXPECT_EQ(Committed().at(0), 3);
}

TEST_F(RedriveMockTest, AnUnreachableClusterStopsTheRunWithAnError) {
  rd_kafka_mock_broker_set_down(cluster_.get(), 1);
  options_.timeout = 1500ms;
  const RedriveReport report = RunRedrive(options_);
  ASSERT_TRUE(report.error.has_value());
  EXPECT_EQ(report.read, 0);
  EXPECT_NE(report.error->Trace().find("orders-dlq"), std::string::npos) << report.error->Trace();
}

}  // namespace
}  // namespace driftline::redrive
