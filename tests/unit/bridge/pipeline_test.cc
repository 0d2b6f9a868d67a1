// Pipeline over a scripted consumer (fake_consumer.h) and an in-memory SQS (fake_sqs_client.h)
// whose sends the test releases one by one: offsets, revocations and shutdown, asserted as
// orderings, never as durations.
#include "bridge/pipeline.h"

#include <gtest/gtest.h>

#include "bridge/metrics.h"
#include "fake_consumer.h"
#include "fake_sqs_client.h"
#include "testkit/captured_log.h"

namespace driftline::bridge::testing {
namespace {

using std::chrono::milliseconds;

std::string OrderWithId(const std::string& id) {
  return R"({"orderType":"STANDARD","orderId":")" + id + R"(","items":[{"productId":"P"}]})";
}

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() {
    config_.kafka_bootstrap = "127.0.0.1:1";  // the sink's producer; nothing is produced
    config_.sqs_queue_url = "http://sqs.test/000000000000/orders";
    config_.faults.enabled = true;
    config_.faults.fail_once = {"ORD-R0", "ORD-R1"};
    sender_ = std::make_unique<SqsSender>(
        sqs_, SqsSenderOptions{config_.sqs_queue_url, 1, 4, milliseconds(0)}, nullptr);
    auto sink = RecordSink::Create(kafka::Properties::Make(config_.kafka_bootstrap, {}), nullptr);
    EXPECT_TRUE(sink.has_value());
    sink_ = std::move(*sink);
  }
  ~PipelineTest() override {
    // Completions must not reach a destroyed pipeline: stop the senders first.
    sqs_.OpenAll();
    sender_->Stop(milliseconds(0));
    pipeline_.reset();
  }

  Pipeline& Make(Pipeline::Kind kind, const Clock& clock = Clock::System(),
                 BridgeMetrics* metrics = nullptr) {
    auto p = Pipeline::Create(kind, config_, *sender_, *sink_, metrics, clock, kafka_.Factory());
    EXPECT_TRUE(p.has_value());
    pipeline_ = std::move(*p);
    return *pipeline_;
  }
  FakeGroup& Main() { return kafka_.Group(config_.main_group); }
  FakeGroup& Retry() { return kafka_.Group(config_.retry_group); }
  TopicPartition MainP(std::int32_t p) { return {config_.main_topic, p}; }
  TopicPartition RetryP(std::int32_t p) { return {config_.retry_topic, p}; }

  // A retry envelope for `order_id` made at the clock's time, as the retry consumer reads it.
  kafka::Message Envelope(const std::string& order_id, std::int64_t offset, const Clock& clock) {
    kafka::Message in;
    in.topic = config_.main_topic;
    in.payload = OrderWithId(order_id);
    auto out = std::get<KafkaOutput>(RouteMain(in, {config_, clock}));
    kafka::Message m;
    m.topic = config_.retry_topic;
    m.partition = 0;
    m.offset = offset;
    m.payload = out.message.payload;
    m.headers = out.message.headers;
    m.timestamp_ms = out.message.timestamp_ms.value_or(-1);
    return m;
  }

  BridgeConfig config_;
  // Outlives the pipeline (its thread reads it until the fixture stops it).
  ManualClock manual_clock_{Clock::WallTime{std::chrono::seconds(1768816800)}};
  FakeSqsClient sqs_;
  FakeKafka kafka_;
  std::unique_ptr<SqsSender> sender_;
  std::unique_ptr<RecordSink> sink_;
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(PipelineTest, AnOffsetIsStoredOnlyOnceEverythingBeforeItIsDurable) {
  Pipeline& p = Make(Pipeline::Kind::kMain);
  FakeGroup& g = Main();
  // Checked at the moment of every store: each record below the stored position was sent.
  std::vector<std::string> violations;
  const std::vector<std::string> ids = {"ORD-A", "ORD-B", "ORD-C"};
  g.OnStore([&](const FakeGroup::Stored& s) {
    for (std::int64_t o = 0; o < s.next_offset; ++o) {
      if (!sqs_.WasSent(ids[static_cast<std::size_t>(o)])) {
        violations.push_back("stored " + std::to_string(s.next_offset) + " before " +
                             ids[static_cast<std::size_t>(o)] + " was durable");
      }
    }
  });
  sqs_.Gate("ORD-A");
  sqs_.Gate("ORD-B");
  p.Start();
  g.Push(FakeGroup::Assign{{MainP(0)}});
  for (std::int64_t o = 0; o < 3; ++o)
    g.PushRecord(config_.main_topic, 0, o, OrderWithId(ids[static_cast<std::size_t>(o)]));

  // Completions arrive C, B, A.
  ASSERT_TRUE(g.WaitUntil([&] { return sqs_.WasSent("ORD-C") && sqs_.Waiting() == 2; }));
  sqs_.Open("ORD-B");
  // B's completion has reached the pipeline (the sender counts it done only after calling
  // back) and a whole loop has drained it, before A may complete.
  ASSERT_TRUE(g.WaitUntil([&] { return sqs_.WasSent("ORD-B") && sender_->Pending() == 1; }));
  ASSERT_TRUE(g.WaitPolls(2));
  sqs_.Open("ORD-A");
  ASSERT_TRUE(
      g.WaitUntil([&] { return !g.stores().empty() && g.stores().back().next_offset == 3; }));

  EXPECT_TRUE(violations.empty()) << violations.front();
  const auto sent = sqs_.Sent();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_NE(sent[0].find("ORD-C"), std::string::npos);
  EXPECT_NE(sent[2].find("ORD-A"), std::string::npos);
  EXPECT_EQ(g.StoresOf(MainP(0)), std::vector<std::int64_t>{3});
}

TEST_F(PipelineTest, RevokeWaitsForInFlightRecordsAndCommitsThem) {
  Pipeline& p = Make(Pipeline::Kind::kMain);
  FakeGroup& g = Main();
  sqs_.Gate("ORD-A");
  p.Start();
  g.Push(FakeGroup::Assign{{MainP(0)}});
  g.PushRecord(config_.main_topic, 0, 0, OrderWithId("ORD-A"));
  ASSERT_TRUE(g.WaitUntil([&] { return sqs_.Waiting() == 1; }));
  g.Push(FakeGroup::Revoke{{MainP(0)}, false});
  ASSERT_TRUE(g.WaitUntil([&] { return g.logged("revoke-begin"); }));
  sqs_.Open("ORD-A");  // only now can the record become durable
  ASSERT_TRUE(g.WaitUntil([&] { return g.logged("revoke-end"); }));
  EXPECT_EQ(g.Log(), (std::vector<std::string>{"revoke-begin", "store place-order-topic[0]=1",
                                               "commit", "revoke-end"}));
}

TEST_F(PipelineTest, ALostPartitionsInFlightAndParkedRecordsAreDropped) {
  ManualClock& clock = manual_clock_;
  const kafka::Message e0 = Envelope("ORD-R0", 0, clock);
  clock.Advance(milliseconds(1000));
  const kafka::Message e1 = Envelope("ORD-R1", 1, clock);  // due 1 s after e0
  Pipeline& p = Make(Pipeline::Kind::kRetry, clock);
  FakeGroup& g = Retry();
  sqs_.Gate("ORD-R0");
  p.Start();
  g.Push(FakeGroup::Assign{{RetryP(0)}});
  g.Push(e0);  // due: sent, held at the gate
  g.Push(e1);  // not due: parked
  ASSERT_TRUE(g.WaitUntil([&] { return sqs_.Waiting() == 1; }));
  ASSERT_TRUE(g.WaitIdle());

  // Taken away (session lost), then given back: a new assignment of the same partition.
  g.Push(FakeGroup::Revoke{{RetryP(0)}, true});
  g.Push(FakeGroup::Assign{{RetryP(0)}});
  ASSERT_TRUE(g.WaitIdle());
  sqs_.Open("ORD-R0");  // the old record completes now
  ASSERT_TRUE(g.WaitUntil([&] { return sender_->Pending() == 0; }));
  clock.Advance(milliseconds(5000));  // the parked one would be due
  ASSERT_TRUE(g.WaitPolls(3));        // completions drained and due retries released since

  EXPECT_TRUE(g.StoresOf(RetryP(0)).empty()) << "a completion from before the loss was stored";
  EXPECT_FALSE(sqs_.WasSent("ORD-R1")) << "a parked retry of the lost partition ran";
}

// A retry-due-at far in the future parks the record no longer than the policy's largest
// delay (4 s for MAX_RETRIES=3), says so in the log and counts it — and once released, the
// record runs (it is not clamped and parked again).
TEST_F(PipelineTest, AFarFutureDueTimeParksARecordNoLongerThanTheLargestDelay) {
  ManualClock& clock = manual_clock_;
  kafka::Message e0 = Envelope("ORD-R0", 0, clock);
  e0.headers = kafka::Headers{{"CorrelationId", "c"}, {"retry-due-at", "9223372036854775807"}};
  prometheus::Registry registry;
  BridgeMetrics metrics(registry);
  // The log is captured while no librdkafka thread logs (spdlog's default logger is swapped
  // without synchronisation): the fixture's sink is replaced by one made after it.
  sink_.reset();
  testkit::CapturedLog log;
  auto sink = RecordSink::Create(kafka::Properties::Make(config_.kafka_bootstrap, {}), nullptr);
  ASSERT_TRUE(sink.has_value());
  sink_ = std::move(*sink);
  Pipeline& p = Make(Pipeline::Kind::kRetry, clock, &metrics);
  FakeGroup& g = Retry();
  p.Start();
  g.Push(FakeGroup::Assign{{RetryP(0)}});
  g.Push(e0);
  ASSERT_TRUE(g.WaitIdle());
  EXPECT_EQ(metrics.timestamps_clamped.Add({{"field", "retry-due-at"}}).Value(), 1);
  EXPECT_NE(log.text().find("place-order-retry-topic[0]@0: retry-due-at 9223372036854775807"),
            std::string::npos)
      << log.text();
  clock.Advance(milliseconds(3999));
  ASSERT_TRUE(g.WaitPolls(3));  // due retries released since, had there been any
  EXPECT_FALSE(sqs_.WasSent("ORD-R0"));
  clock.Advance(milliseconds(1));
  ASSERT_TRUE(g.WaitUntil([&] { return g.stores().size() == 1; }));
  EXPECT_TRUE(sqs_.WasSent("ORD-R0"));
  EXPECT_EQ(metrics.timestamps_clamped.Add({{"field", "retry-due-at"}}).Value(), 1);
  p.RequestStop(milliseconds(0));  // before `metrics` goes
  p.Join();
  sink_.reset();  // and its producer before `log`
}

TEST_F(PipelineTest, StopWithWorkInFlightReportsItAndStoresNothingBeyondDurable) {
  Pipeline& p = Make(Pipeline::Kind::kMain);
  FakeGroup& g = Main();
  sqs_.Gate("ORD-A");
  p.Start();
  g.Push(FakeGroup::Assign{{MainP(0), MainP(1)}});
  g.PushRecord(config_.main_topic, 0, 0, OrderWithId("ORD-A"));
  g.PushRecord(config_.main_topic, 1, 0, OrderWithId("ORD-B"));
  ASSERT_TRUE(g.WaitUntil([&] { return sqs_.Waiting() == 1 && g.stores().size() == 1; }));

  p.RequestStop(milliseconds(0));
  EXPECT_EQ(p.Join(), 1u) << "ORD-A is unfinished";
  sqs_.Open("ORD-A");
  sender_->Stop(std::chrono::seconds(30));  // ORD-A completes into a stopped pipeline

  EXPECT_TRUE(g.StoresOf(MainP(0)).empty());
  EXPECT_EQ(g.StoresOf(MainP(1)), std::vector<std::int64_t>{1});
  const auto log = g.Log();
  ASSERT_GE(log.size(), 2u);
  EXPECT_EQ(log.back(), "close");
  EXPECT_TRUE(g.Closed());
}

TEST_F(PipelineTest, StopWaitsForInFlightWorkWithinTheDrainTime) {
  Pipeline& p = Make(Pipeline::Kind::kMain);
  FakeGroup& g = Main();
  sqs_.Gate("ORD-A");
  p.Start();
  g.Push(FakeGroup::Assign{{MainP(0)}});
  g.PushRecord(config_.main_topic, 0, 0, OrderWithId("ORD-A"));
  ASSERT_TRUE(g.WaitUntil([&] { return sqs_.Waiting() == 1; }));
  p.RequestStop(std::chrono::seconds(30));
  sqs_.Open("ORD-A");
  EXPECT_EQ(p.Join(), 0u);
  const auto log = g.Log();
  const auto store = std::find(log.begin(), log.end(), "store place-order-topic[0]=1");
  ASSERT_NE(store, log.end());
  EXPECT_LT(store - log.begin(), std::find(log.begin(), log.end(), "close") - log.begin());
}

TEST_F(PipelineTest, ReadyOnlyOnceTheStartOffsetsAreResolved) {
  Pipeline& p = Make(Pipeline::Kind::kMain);
  FakeGroup& g = Main();
  EXPECT_FALSE(p.Assigned());
  p.Start();
  g.Push(FakeGroup::Assign{{MainP(0)}, false});
  ASSERT_TRUE(g.WaitIdle());
  EXPECT_TRUE(p.Assigned());
  EXPECT_FALSE(p.Ready());
  g.Push(FakeGroup::Revoke{{MainP(0)}, false});
  g.Push(FakeGroup::Assign{{MainP(0)}, true});
  ASSERT_TRUE(g.WaitIdle());
  EXPECT_TRUE(p.Ready());
}

TEST_F(PipelineTest, DestroyedBeforeStartClosesItsConsumer) {
  Make(Pipeline::Kind::kMain);
  EXPECT_TRUE(Main().Created());
  pipeline_.reset();
  EXPECT_TRUE(Main().Closed());
  EXPECT_EQ(Main().Polls(), 0);
  EXPECT_TRUE(Main().Stores().empty());
}

}  // namespace
}  // namespace driftline::bridge::testing
