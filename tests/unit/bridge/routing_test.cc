#include "bridge/routing.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bridge/input_check.h"
#include "common/base64.h"

namespace driftline::bridge {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr const char* kStandard =
    R"({"orderType":"STANDARD","orderId":"ORD-1","customerId":"C","items":[{},{}],
        "totalAmount":1,"orderDate":"2026-01-19T10:00:00Z"})";

class RoutingTest : public ::testing::Test {
 protected:
  RoutingTest() {
    config_.faults.enabled = true;
    config_.faults.fail_once = {"ORD-RETRY-90001"};
    config_.faults.always_fail = {"ORD-DLQ-90001"};
    config_.faults.direct_dlq = {"ORD-RECEIVE-DLQ-90001"};
  }

  kafka::Message Main(std::string payload, std::optional<std::string> corr = "corr-1") {
    kafka::Message m;
    m.topic = config_.main_topic;
    m.partition = 0;
    m.offset = 42;
    m.payload = std::move(payload);
    if (corr) m.headers.Add("CorrelationId", *corr);
    return m;
  }

  // The retry-topic record that RouteMain/RouteRetry produced, as the retry consumer reads it.
  kafka::Message AsConsumed(const KafkaOutput& out, std::int64_t offset = 7) {
    kafka::Message m;
    m.topic = out.message.topic;
    m.partition = 0;
    m.offset = offset;
    m.key = out.message.key;
    m.payload = out.message.payload;
    m.headers = out.message.headers;
    return m;
  }

  static std::string HeaderOf(const kafka::OutgoingMessage& m, std::string_view name) {
    const kafka::Header* h = m.headers.Find(name);
    return h && h->value ? *h->value : "<none>";
  }

  static std::string OrderWithId(const char* id, const char* type = "STANDARD") {
    return std::string(R"({"orderType":")") + type + R"(","orderId":")" + id +
           R"(","items":[{"productId":"P"}]})";
  }

  RouteContext Ctx() { return RouteContext{config_, clock_}; }

  BridgeConfig config_;
  ManualClock clock_{Clock::WallTime{std::chrono::seconds(1768816800)}};  // 10:00:00Z
};

TEST_F(RoutingTest, GoodOrderGoesToSqsWithCorrelationAndDedupIds) {
  Route r = RouteMain(Main(kStandard), Ctx());
  ASSERT_TRUE(std::holds_alternative<SqsOutput>(r));
  const auto& out = std::get<SqsOutput>(r);
  EXPECT_EQ(json::parse(out.body)["status"], "WIP");
  EXPECT_EQ(out.correlation_id, "corr-1");
  EXPECT_EQ(out.group_id, "ORD-1");
  EXPECT_EQ(out.dedup_id, "place-order-topic-0-42");
}

TEST_F(RoutingTest, MissingCorrelationIdGetsAUuid) {
  Route r = RouteMain(Main(kStandard, std::nullopt), Ctx());
  EXPECT_EQ(std::get<SqsOutput>(r).correlation_id.size(), 36u);
}

TEST_F(RoutingTest, RetryableFailureMakesEnvelopeZeroDueInOneSecond) {
  Route r = RouteMain(Main(OrderWithId("ORD-RETRY-90001")), Ctx());
  ASSERT_TRUE(std::holds_alternative<KafkaOutput>(r));
  const auto& out = std::get<KafkaOutput>(r);
  EXPECT_EQ(out.kind, KafkaOutput::Kind::kRetry);
  EXPECT_EQ(out.message.topic, "place-order-retry-topic");
  EXPECT_EQ(out.message.key, "ORD-RETRY-90001");
  EXPECT_EQ(HeaderOf(out.message, "CorrelationId"), "corr-1");
  EXPECT_EQ(HeaderOf(out.message, "retry-due-at"), std::to_string(1768816800LL * 1000 + 1000));
  const json e = json::parse(out.message.payload);
  EXPECT_EQ(e["retryCount"], 0);
  EXPECT_EQ(e["messageKey"], "ORD-RETRY-90001");
  EXPECT_EQ(e["originalMessage"]["orderId"], "ORD-RETRY-90001");
  EXPECT_EQ(e["firstAttemptTimestamp"], "2026-01-19T10:00:00Z");
  EXPECT_EQ(e["lastAttemptTimestamp"], "2026-01-19T10:00:00Z");
  EXPECT_NE(e["errorMessage"].get<std::string>().find("ORD-RETRY-90001"), std::string::npos);
  const std::string trace = e["errorStackTrace"];
  EXPECT_NE(trace.find("transform STANDARD order ORD-RETRY-90001"), std::string::npos) << trace;
  EXPECT_NE(trace.find("place-order-topic[0]@42"), std::string::npos) << trace;
}

TEST_F(RoutingTest, FailOnceIsHeldUntilDueThenSucceeds) {
  auto first = std::get<KafkaOutput>(RouteMain(Main(OrderWithId("ORD-RETRY-90001")), Ctx()));
  const kafka::Message retry = AsConsumed(first);
  clock_.Advance(milliseconds(999));
  Route early = RouteRetry(retry, Ctx());
  ASSERT_TRUE(std::holds_alternative<Hold>(early));
  EXPECT_EQ(std::get<Hold>(early).due, Clock::WallTime{milliseconds(1768816801000)});
  clock_.Advance(milliseconds(1));
  Route due = RouteRetry(retry, Ctx());
  ASSERT_TRUE(std::holds_alternative<SqsOutput>(due));
  EXPECT_EQ(std::get<SqsOutput>(due).correlation_id, "corr-1");
  EXPECT_EQ(json::parse(std::get<SqsOutput>(due).body)["orderId"], "ORD-RETRY-90001");
}

TEST_F(RoutingTest, AlwaysFailWalksZeroToThreeThenDeadLetters) {
  config_.retry_policy.max_retries = 3;
  KafkaOutput out =
      std::get<KafkaOutput>(RouteMain(Main(OrderWithId("ORD-DLQ-90001", "PRIORITY")), Ctx()));
  const long delays[] = {1000, 2000, 4000};
  for (int n = 0; n < 3; ++n) {
    EXPECT_EQ(json::parse(out.message.payload)["retryCount"], n);
    clock_.Advance(milliseconds(delays[n]));
    Route r = RouteRetry(AsConsumed(out), Ctx());
    ASSERT_TRUE(std::holds_alternative<KafkaOutput>(r)) << "n=" << n;
    out = std::get<KafkaOutput>(r);
    ASSERT_EQ(out.kind, KafkaOutput::Kind::kRetry);
  }
  const json e3 = json::parse(out.message.payload);
  EXPECT_EQ(e3["retryCount"], 3);
  EXPECT_EQ(e3["firstAttemptTimestamp"], "2026-01-19T10:00:00Z");
  EXPECT_EQ(e3["lastAttemptTimestamp"], "2026-01-19T10:00:07Z");

  // retryCount 3 >= MAX_RETRIES: dead letter at once, no wait.
  Route r = RouteRetry(AsConsumed(out), Ctx());
  ASSERT_TRUE(std::holds_alternative<KafkaOutput>(r));
  const auto& dl = std::get<KafkaOutput>(r);
  EXPECT_EQ(dl.kind, KafkaOutput::Kind::kDeadLetter);
  EXPECT_EQ(dl.message.topic, "place-order-dlq-topic");
  const json d = json::parse(dl.message.payload);
  EXPECT_EQ(d["totalRetries"], 3);
  EXPECT_EQ(d["messageKey"], "ORD-DLQ-90001");
  EXPECT_EQ(d["originalMessage"]["orderType"], "PRIORITY");
  EXPECT_EQ(d["firstAttemptTimestamp"], "2026-01-19T10:00:00Z");
  EXPECT_EQ(d["failedTimestamp"], "2026-01-19T10:00:07Z");
  EXPECT_TRUE(d["finalErrorStackTrace"].is_string());
  EXPECT_EQ(HeaderOf(dl.message, "dlq-error-kind"), "retries-exhausted");
  EXPECT_EQ(HeaderOf(dl.message, "dlq-consumer-group"), "retry-consumer-group");
  EXPECT_EQ(HeaderOf(dl.message, "CorrelationId"), "corr-1");
}

// Headers the bridge does not own travel with the order through every retry into the dead
// letter (a redriven order that fails again keeps its redrive-count); those it owns are its own.
TEST_F(RoutingTest, ForeignHeadersTravelThroughRetriesIntoTheDeadLetter) {
  config_.retry_policy.max_retries = 1;
  kafka::Message in = Main(OrderWithId("ORD-DLQ-90001"));
  in.headers.Add("redrive-count", "2");
  in.headers.Add("redrive-source", "place-order-dlq-topic/0/17");
  in.headers.Add("traceparent", std::nullopt);
  in.headers.Add("retry-count", "9");       // not the input's to set: replaced
  in.headers.Add("dlq-reason", "spoofed");  // idem
  KafkaOutput out = std::get<KafkaOutput>(RouteMain(in, Ctx()));
  ASSERT_EQ(out.kind, KafkaOutput::Kind::kRetry);
  const kafka::Headers expected_retry{{"CorrelationId", "corr-1"},
                                      {"redrive-count", "2"},
                                      {"redrive-source", "place-order-dlq-topic/0/17"},
                                      {"traceparent", std::nullopt},
                                      {"retry-count", "0"},
                                      {"retry-due-at", HeaderOf(out.message, "retry-due-at")}};
  EXPECT_EQ(out.message.headers, expected_retry);

  clock_.Advance(milliseconds(1000));
  out = std::get<KafkaOutput>(RouteRetry(AsConsumed(out), Ctx()));
  ASSERT_EQ(out.kind, KafkaOutput::Kind::kRetry);
  out = std::get<KafkaOutput>(RouteRetry(AsConsumed(out), Ctx()));
  ASSERT_EQ(out.kind, KafkaOutput::Kind::kDeadLetter);
  EXPECT_EQ(HeaderOf(out.message, "redrive-count"), "2");
  EXPECT_EQ(HeaderOf(out.message, "redrive-source"), "place-order-dlq-topic/0/17");
  ASSERT_NE(out.message.headers.Find("traceparent"), nullptr);
  EXPECT_EQ(HeaderOf(out.message, "dlq-reason"), "retries-exhausted");
  int retry_counts = 0;
  for (const kafka::Header& h : out.message.headers)
    retry_counts += h.key == "retry-count";
  EXPECT_EQ(retry_counts, 0) << "a dead letter carries no retry header";

  // Poison input too.
  kafka::Message poison = Main("not json");
  poison.headers.Add("redrive-count", "1");
  const KafkaOutput dl = std::get<KafkaOutput>(RouteMain(poison, Ctx()));
  EXPECT_EQ(HeaderOf(dl.message, "redrive-count"), "1");
}

TEST_F(RoutingTest, DirectDlqIdIsDeadLetteredWithZeroRetries) {
  Route r = RouteMain(Main(OrderWithId("ORD-RECEIVE-DLQ-90001")), Ctx());
  const auto& dl = std::get<KafkaOutput>(r);
  EXPECT_EQ(dl.kind, KafkaOutput::Kind::kDeadLetter);
  const json d = json::parse(dl.message.payload);
  EXPECT_EQ(d["totalRetries"], 0);
  EXPECT_EQ(d["originalMessage"]["orderId"], "ORD-RECEIVE-DLQ-90001");
  EXPECT_FALSE(d.contains("rawMessageBase64"));
  EXPECT_EQ(HeaderOf(dl.message, "dlq-original-offset"), "42");
  EXPECT_EQ(HeaderOf(dl.message, "dlq-original-topic"), "place-order-topic");
  EXPECT_EQ(HeaderOf(dl.message, "dlq-consumer-group"), "kafka-to-sqs-bridge-group");
  EXPECT_EQ(HeaderOf(dl.message, "dlq-error-kind"), "permanent");
}

TEST_F(RoutingTest, PoisonInputKeepsItsExactBytes) {
  const std::string garbage("\x00\xff{not json\x80", 13);
  Route r = RouteMain(Main(garbage), Ctx());
  const auto& dl = std::get<KafkaOutput>(r);
  const json d = json::parse(dl.message.payload);
  EXPECT_TRUE(d["originalMessage"].is_object());
  EXPECT_EQ(Base64Decode(d["rawMessageBase64"].get<std::string>()).value(), garbage);
  EXPECT_EQ(d["messageKey"], "unknown");
  EXPECT_EQ(d["failureReason"], "not-utf8");
  for (const char* k : {"originalMessage", "messageKey", "totalRetries", "firstAttemptTimestamp",
                        "failedTimestamp", "finalErrorMessage"}) {
    EXPECT_TRUE(d.contains(k)) << k;
  }
}

TEST_F(RoutingTest, UnknownTypeIsPermanentAndKeepsTheObject) {
  Route r = RouteMain(Main(R"({"orderType":"EXPRESS","orderId":"X-1"})"), Ctx());
  const json d = json::parse(std::get<KafkaOutput>(r).message.payload);
  EXPECT_EQ(d["totalRetries"], 0);
  EXPECT_EQ(d["originalMessage"]["orderType"], "EXPRESS");
  EXPECT_EQ(d["messageKey"], "X-1");
  EXPECT_EQ(d["failureReason"], "unknown-order-type");
}

TEST_F(RoutingTest, MalformedEnvelopeOnRetryTopicIsDeadLettered) {
  kafka::Message m = Main("{\"retryCount\": \"x\"}");
  m.topic = config_.retry_topic;
  Route r = RouteRetry(m, Ctx());
  const auto& dl = std::get<KafkaOutput>(r);
  EXPECT_EQ(dl.kind, KafkaOutput::Kind::kDeadLetter);
  EXPECT_EQ(json::parse(dl.message.payload)["failureReason"], "invalid-envelope");
}

TEST_F(RoutingTest, WithoutDueHeaderTheLastAttemptTimestampAnchorsTheDelay) {
  auto first = std::get<KafkaOutput>(RouteMain(Main(OrderWithId("ORD-RETRY-90001")), Ctx()));
  kafka::Message retry = AsConsumed(first);
  retry.headers = kafka::Headers{{"CorrelationId", "corr-1"}};  // as another producer writes it
  EXPECT_TRUE(std::holds_alternative<Hold>(RouteRetry(retry, Ctx())));
  clock_.Advance(milliseconds(1000));
  EXPECT_TRUE(std::holds_alternative<SqsOutput>(RouteRetry(retry, Ctx())));
}

TEST_F(RoutingTest, RetryEnvelopesAreTimestampedWithTheReadingThatDecidedThem) {
  const std::int64_t t0 = 1768816800LL * 1000;
  auto first = std::get<KafkaOutput>(RouteMain(Main(OrderWithId("ORD-DLQ-90001")), Ctx()));
  EXPECT_EQ(first.message.timestamp_ms, t0);
  EXPECT_EQ(HeaderOf(first.message, "retry-due-at"), std::to_string(t0 + 1000));

  kafka::Message consumed = AsConsumed(first);
  consumed.timestamp_ms = t0;
  clock_.Advance(milliseconds(1234));  // found due late: the next delay counts from here
  auto second = std::get<KafkaOutput>(RouteRetry(consumed, Ctx()));
  EXPECT_EQ(second.message.timestamp_ms, t0 + 1234);
  EXPECT_EQ(HeaderOf(second.message, "retry-due-at"), std::to_string(t0 + 1234 + 2000));
}

// The due header is written when envelope n is built; the envelope may reach the log later
// (produce latency). Its timestamp + delay(n) is the floor, so envelope n+1 never comes less
// than delay(n) after envelope n.
TEST_F(RoutingTest, ARecordIsHeldUntilItsTimestampPlusTheDelayWhenTheHeaderSaysEarlier) {
  const std::int64_t t0 = 1768816800LL * 1000;
  auto first = std::get<KafkaOutput>(RouteMain(Main(OrderWithId("ORD-DLQ-90001")), Ctx()));
  ASSERT_EQ(HeaderOf(first.message, "retry-due-at"), std::to_string(t0 + 1000));
  kafka::Message consumed = AsConsumed(first);
  consumed.timestamp_ms = t0 + 21;  // appended 21 ms after the header was computed
  consumed.timestamp_type = kafka::TimestampType::kCreateTime;

  clock_.Advance(milliseconds(1000));  // the header's due time
  Route early = RouteRetry(consumed, Ctx());
  ASSERT_TRUE(std::holds_alternative<Hold>(early));
  EXPECT_EQ(std::get<Hold>(early).due, Clock::WallTime{milliseconds(t0 + 21 + 1000)});
  clock_.Advance(milliseconds(20));
  ASSERT_TRUE(std::holds_alternative<Hold>(RouteRetry(consumed, Ctx())));
  clock_.Advance(milliseconds(1));
  Route due = RouteRetry(consumed, Ctx());
  ASSERT_TRUE(std::holds_alternative<KafkaOutput>(due));
  const auto& next = std::get<KafkaOutput>(due).message;
  ASSERT_TRUE(next.timestamp_ms.has_value());
  EXPECT_GE(*next.timestamp_ms - consumed.timestamp_ms, 1000);
}

TEST_F(RoutingTest, AHeaderLaterThanTimestampPlusDelayStillDecides) {
  const std::int64_t t0 = 1768816800LL * 1000;
  auto first = std::get<KafkaOutput>(RouteMain(Main(OrderWithId("ORD-RETRY-90001")), Ctx()));
  kafka::Message consumed = AsConsumed(first);
  consumed.timestamp_ms = t0 - 500;  // a producer clock behind ours
  clock_.Advance(milliseconds(999));
  ASSERT_TRUE(std::holds_alternative<Hold>(RouteRetry(consumed, Ctx())));
  clock_.Advance(milliseconds(1));
  EXPECT_TRUE(std::holds_alternative<SqsOutput>(RouteRetry(consumed, Ctx())));
}

// retry-due-at is read from the record: a far-future value would park it (and pin its
// partition) for that long. No retry is due later than now + the largest delay (4 s for
// MAX_RETRIES=3), so that is where any later value is clamped, and the clamp is reported.
TEST_F(RoutingTest, AFarFutureDueHeaderIsClampedToNowPlusTheLargestDelay) {
  const std::int64_t t0 = 1768816800LL * 1000;
  auto first = std::get<KafkaOutput>(RouteMain(Main(OrderWithId("ORD-RETRY-90001")), Ctx()));
  kafka::Message consumed = AsConsumed(first);
  for (const std::string far : {"9223372036854775807", "253402300800000", "1768816804001"}) {
    consumed.headers = kafka::Headers{{"CorrelationId", "corr-1"}, {"retry-due-at", far}};
    std::vector<ClampedTimestamp> clamped;
    Route r = RouteRetry(consumed, RouteContext{config_, clock_, &clamped});
    ASSERT_TRUE(std::holds_alternative<Hold>(r)) << far;
    EXPECT_EQ(std::get<Hold>(r).due, Clock::WallTime{milliseconds(t0 + 4000)}) << far;
    ASSERT_EQ(clamped.size(), 1u) << far;
    EXPECT_EQ(clamped[0].field, "retry-due-at");
    EXPECT_EQ(clamped[0].value, far);
    EXPECT_EQ(clamped[0].used, Clock::WallTime{milliseconds(t0 + 4000)});
  }
  // Exactly the largest delay is what the policy can ask for: not clamped.
  consumed.headers = kafka::Headers{{"retry-due-at", std::to_string(t0 + 4000)}};
  std::vector<ClampedTimestamp> clamped;
  Route r = RouteRetry(consumed, RouteContext{config_, clock_, &clamped});
  EXPECT_EQ(std::get<Hold>(r).due, Clock::WallTime{milliseconds(t0 + 4000)});
  EXPECT_TRUE(clamped.empty());
}

TEST_F(RoutingTest, AFarPastOrNegativeDueHeaderIsDueNow) {
  auto first = std::get<KafkaOutput>(RouteMain(Main(OrderWithId("ORD-RETRY-90001")), Ctx()));
  kafka::Message consumed = AsConsumed(first);
  for (const std::string past : {"-9223372036854775808", "-1", "0"}) {
    consumed.headers = kafka::Headers{{"retry-due-at", past}};
    std::vector<ClampedTimestamp> clamped;
    EXPECT_TRUE(std::holds_alternative<SqsOutput>(
        RouteRetry(consumed, RouteContext{config_, clock_, &clamped})))
        << past;
    EXPECT_TRUE(clamped.empty()) << past;
  }
}

// The clamp is relative to now, so a record routed again later would be clamped again and
// parked again, for ever: the pipeline routes a record it held until its due time as due.
TEST_F(RoutingTest, ARecordHeldUntilItsClampedDueTimeIsRoutedAsDue) {
  auto first = std::get<KafkaOutput>(RouteMain(Main(OrderWithId("ORD-RETRY-90001")), Ctx()));
  kafka::Message consumed = AsConsumed(first);
  consumed.headers = kafka::Headers{{"retry-due-at", "9223372036854775807"}};
  const Clock::WallTime due = std::get<Hold>(RouteRetry(consumed, Ctx())).due;
  clock_.Advance(std::chrono::duration_cast<milliseconds>(due - clock_.Wall()));
  EXPECT_TRUE(std::holds_alternative<Hold>(RouteRetry(consumed, Ctx())));
  EXPECT_TRUE(std::holds_alternative<SqsOutput>(RouteRetry(consumed, Ctx(), true)));
}

// make fuzz (order_fuzz, UBSan): a retry envelope whose lastAttemptTimestamp is in 5902 made
// system_clock::from_time_t overflow. The same input is in fuzz/corpus/order_fuzz/.
TEST_F(RoutingTest, AnEnvelopeLastAttemptedIn5902IsClampedNotOverflowed) {
  const std::int64_t t0 = 1768816800LL * 1000;
  kafka::Message m =
      Main(R"({"originalMessage":{"orderType":"STANDARD","orderId":"ORD-RETRY-90001","items":[]},)"
           R"("messageKey":"ORD-RETRY-90001","retryCount":0,)"
           R"("firstAttemptTimestamp":"2026-01-19T10:00:00Z",)"
           R"("lastAttemptTimestamp":"5902-01-19T10:00:00Z"})");
  m.topic = config_.retry_topic;
  std::vector<ClampedTimestamp> clamped;
  Route r = RouteRetry(m, RouteContext{config_, clock_, &clamped});
  ASSERT_TRUE(std::holds_alternative<Hold>(r));
  EXPECT_EQ(std::get<Hold>(r).due, Clock::WallTime{milliseconds(t0 + 4000)});
  ASSERT_EQ(clamped.size(), 1u);
  EXPECT_EQ(clamped[0].field, "lastAttemptTimestamp");
  EXPECT_EQ(clamped[0].value, "5902-01-19T10:00:00Z");
}

TEST_F(RoutingTest, AFarFutureRecordTimestampIsClampedNotOverflowed) {
  const std::int64_t t0 = 1768816800LL * 1000;
  auto first = std::get<KafkaOutput>(RouteMain(Main(OrderWithId("ORD-RETRY-90001")), Ctx()));
  kafka::Message consumed = AsConsumed(first);
  consumed.timestamp_ms = std::numeric_limits<std::int64_t>::max();
  std::vector<ClampedTimestamp> clamped;
  Route r = RouteRetry(consumed, RouteContext{config_, clock_, &clamped});
  ASSERT_TRUE(std::holds_alternative<Hold>(r));
  EXPECT_EQ(std::get<Hold>(r).due, Clock::WallTime{milliseconds(t0 + 4000)});
  ASSERT_EQ(clamped.size(), 1u);
  EXPECT_EQ(clamped[0].field, "timestamp");
}

TEST_F(RoutingTest, SqsRejectionDeadLettersTheOrder) {
  const kafka::Message in = Main(kStandard);
  KafkaOutput dl = RouteSqsRejection(in, Error(Code::kInvalidArgument, "message too long"), Ctx());
  const json d = json::parse(dl.message.payload);
  EXPECT_EQ(d["originalMessage"]["orderId"], "ORD-1");
  EXPECT_EQ(d["failureReason"], "sqs-rejected");
  EXPECT_NE(d["finalErrorMessage"].get<std::string>().find("message too long"), std::string::npos);
}

TEST_F(RoutingTest, ShrinkDropsRawBytesThenTheOriginal) {
  KafkaOutput poison = std::get<KafkaOutput>(RouteMain(Main("garbage"), Ctx()));
  auto smaller = ShrinkDeadLetter(poison.message);
  ASSERT_TRUE(smaller);
  EXPECT_FALSE(json::parse(smaller->payload).contains("rawMessageBase64"));
  EXPECT_FALSE(ShrinkDeadLetter(*smaller)) << "nothing left to drop";

  KafkaOutput direct =
      std::get<KafkaOutput>(RouteMain(Main(OrderWithId("ORD-RECEIVE-DLQ-90001")), Ctx()));
  auto identity_only = ShrinkDeadLetter(direct.message);
  ASSERT_TRUE(identity_only);
  const json d = json::parse(identity_only->payload);
  EXPECT_EQ(d["originalMessage"],
            json({{"orderType", "STANDARD"}, {"orderId", "ORD-RECEIVE-DLQ-90001"}}));
  EXPECT_TRUE(d.contains("originalMessageOmitted"));
  EXPECT_EQ(d["messageKey"], "ORD-RECEIVE-DLQ-90001");
  EXPECT_EQ(HeaderOf(*identity_only, "dlq-original-offset"), "42");
  auto without_original = ShrinkDeadLetter(*identity_only);
  ASSERT_TRUE(without_original);
  EXPECT_TRUE(json::parse(without_original->payload)["originalMessage"].empty());
  EXPECT_FALSE(ShrinkDeadLetter(*without_original));
}

// A large order makes a retry envelope larger than the retry topic takes. Shrinking cuts long
// texts first (the envelope can still be retried), then the order down to what identifies it.
TEST_F(RoutingTest, AnOversizeRetryEnvelopeIsShrunkToWhatIdentifiesTheOrder) {
  json order = json::parse(OrderWithId("ORD-RETRY-90001"));
  order["customerNote"] = std::string(20000, 'n');
  auto out = std::get<KafkaOutput>(RouteMain(Main(order.dump()), Ctx()));
  ASSERT_EQ(out.kind, KafkaOutput::Kind::kRetry);
  json body = json::parse(out.message.payload);
  body["errorStackTrace"] = std::string(5000, 't');
  out.message.payload = body.dump();

  auto texts_cut = ShrinkRetryEnvelope(out.message);
  ASSERT_TRUE(texts_cut);
  json e = json::parse(texts_cut->payload);
  EXPECT_LE(e["errorStackTrace"].get<std::string>().size(), kShrunkTextBytes);
  EXPECT_FALSE(e.contains("originalMessageOmitted"));

  auto identity_only = ShrinkRetryEnvelope(*texts_cut);
  ASSERT_TRUE(identity_only);
  EXPECT_LT(identity_only->payload.size(), 2000u);
  e = json::parse(identity_only->payload);
  EXPECT_EQ(e["originalMessage"],
            json({{"orderType", "STANDARD"}, {"orderId", "ORD-RETRY-90001"}}));
  EXPECT_EQ(e["messageKey"], "ORD-RETRY-90001");
  EXPECT_EQ(e["retryCount"], 0);
  EXPECT_NE(e["originalMessageOmitted"].get<std::string>().find("place-order-retry-topic"),
            std::string::npos);
  EXPECT_EQ(identity_only->topic, out.message.topic);
  EXPECT_EQ(HeaderOf(*identity_only, "retry-due-at"), HeaderOf(out.message, "retry-due-at"));
  EXPECT_EQ(identity_only->timestamp_ms, out.message.timestamp_ms);

  auto empty = ShrinkRetryEnvelope(*identity_only);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(json::parse(empty->payload)["originalMessage"].empty());
  EXPECT_FALSE(ShrinkRetryEnvelope(*empty)) << "nothing left to drop";
}

// An envelope that lost its order cannot be retried: it is dead-lettered at once with what
// identifies the order, saying why.
TEST_F(RoutingTest, ATruncatedEnvelopeIsDeadLetteredWithTheOrdersIdentity) {
  json order = json::parse(OrderWithId("ORD-RETRY-90001"));
  order["customerNote"] = std::string(20000, 'n');
  auto out = std::get<KafkaOutput>(RouteMain(Main(order.dump()), Ctx()));
  auto truncated = ShrinkRetryEnvelope(out.message);
  ASSERT_TRUE(truncated);
  Route r = RouteRetry(AsConsumed(KafkaOutput{out.kind, "", *truncated}), Ctx());
  ASSERT_TRUE(std::holds_alternative<KafkaOutput>(r));
  const auto& dl = std::get<KafkaOutput>(r);
  EXPECT_EQ(dl.kind, KafkaOutput::Kind::kDeadLetter);
  EXPECT_EQ(dl.reason, "envelope-truncated");
  EXPECT_EQ(HeaderOf(dl.message, "dlq-error-kind"), "envelope-truncated");
  EXPECT_EQ(HeaderOf(dl.message, "CorrelationId"), "corr-1");
  const json d = json::parse(dl.message.payload);
  EXPECT_EQ(d["originalMessage"]["orderId"], "ORD-RETRY-90001");
  EXPECT_EQ(d["messageKey"], "ORD-RETRY-90001");
  EXPECT_EQ(d["totalRetries"], 0);
  EXPECT_EQ(d["failureReason"], "envelope-truncated");
  EXPECT_TRUE(d.contains("originalMessageOmitted"));
  EXPECT_NE(d["finalErrorMessage"].get<std::string>().find("too large"), std::string::npos);
}

TEST(ParseUtcSecondsTest, RoundTripsTheFormat) {
  const auto t = ParseUtcSeconds("2026-01-19T10:00:05Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatUtcSeconds(*t), "2026-01-19T10:00:05Z");
  EXPECT_FALSE(ParseUtcSeconds("2026-01-19 10:00:05"));
  EXPECT_FALSE(ParseUtcSeconds("2026-01-19T10:00:05Zjunk"));
}

TEST(ParseUtcSecondsTest, YearsPastWallTimeGiveItsLatestInstant) {
  const auto t = ParseUtcSeconds("5902-01-19T10:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, FromEpochMillis(std::numeric_limits<std::int64_t>::max()));
  const auto last = ParseUtcSeconds("9999-12-31T23:59:59Z");
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, *t);
}

// An input check that refuses every order whose `customerId` is missing, and remembers what it
// was asked.
class FakeInputCheck final : public InputCheck {
 public:
  std::optional<order::Failure> Check(const json& payload,
                                      const kafka::Headers& headers) const override {
    payloads.push_back(payload);
    const kafka::Header* corr = headers.Find("CorrelationId");
    correlation_ids.push_back(corr != nullptr && corr->value ? *corr->value : "<none>");
    if (payload.contains("customerId")) return std::nullopt;
    return order::Failure{false, "schema-violation",
                          "the order does not conform to Order: /payload/customerId: required "
                          "member 'customerId' is missing",
                          "check against contract.yaml operation receiveOrder"};
  }
  std::string Describe() const override { return "a fake"; }

  mutable std::vector<json> payloads;
  mutable std::vector<std::string> correlation_ids;
};

class RoutingInputCheckTest : public RoutingTest {
 protected:
  RoutingInputCheckTest() {
    check_ = std::make_shared<FakeInputCheck>();
    config_.input_check = check_;
  }
  std::shared_ptr<FakeInputCheck> check_;
};

TEST_F(RoutingInputCheckTest, AnAcceptedOrderIsTransformedAsBefore) {
  Route r = RouteMain(Main(kStandard), Ctx());
  ASSERT_TRUE(std::holds_alternative<SqsOutput>(r));
  EXPECT_EQ(json::parse(std::get<SqsOutput>(r).body)["status"], "WIP");
  ASSERT_EQ(check_->payloads.size(), 1u);
  EXPECT_EQ(check_->payloads[0]["orderId"], "ORD-1");
  EXPECT_EQ(check_->correlation_ids[0], "corr-1");
}

TEST_F(RoutingInputCheckTest, ARefusedOrderIsDeadLetteredAtOnceWithTheChecksReason) {
  // The check comes before the transform: even the fail-once test id is not retried.
  Route r = RouteMain(Main(OrderWithId("ORD-RETRY-90001")), Ctx());
  ASSERT_TRUE(std::holds_alternative<KafkaOutput>(r));
  const auto& dl = std::get<KafkaOutput>(r);
  EXPECT_EQ(dl.kind, KafkaOutput::Kind::kDeadLetter);
  EXPECT_EQ(dl.reason, "schema-violation");
  EXPECT_EQ(dl.message.topic, "place-order-dlq-topic");
  EXPECT_EQ(dl.message.key, "ORD-RETRY-90001");
  EXPECT_EQ(HeaderOf(dl.message, "CorrelationId"), "corr-1");
  EXPECT_EQ(HeaderOf(dl.message, "dlq-error-kind"), "permanent");
  EXPECT_EQ(HeaderOf(dl.message, "dlq-reason"), "schema-violation");
  const json d = json::parse(dl.message.payload);
  EXPECT_EQ(d["totalRetries"], 0);
  EXPECT_EQ(d["failureReason"], "schema-violation");
  EXPECT_EQ(d["originalMessage"]["orderId"], "ORD-RETRY-90001");
  EXPECT_EQ(d["messageKey"], "ORD-RETRY-90001");
  EXPECT_FALSE(d.contains("rawMessageBase64"));
  EXPECT_NE(d["finalErrorMessage"].get<std::string>().find("/payload/customerId"),
            std::string::npos);
  const std::string trace = d["finalErrorStackTrace"];
  EXPECT_NE(trace.find("check against contract.yaml"), std::string::npos) << trace;
  EXPECT_NE(trace.find("place-order-topic[0]@42"), std::string::npos) << trace;
}

TEST_F(RoutingInputCheckTest, ARefusedOrderWithoutCorrelationIdGetsAFreshOne) {
  Route r = RouteMain(Main(OrderWithId("ORD-2"), std::nullopt), Ctx());
  const auto& dl = std::get<KafkaOutput>(r);
  EXPECT_EQ(dl.reason, "schema-violation");
  EXPECT_EQ(HeaderOf(dl.message, "CorrelationId").size(), 36u);
  EXPECT_EQ(check_->correlation_ids, std::vector<std::string>{"<none>"});
}

TEST_F(RoutingInputCheckTest, BadInputKeepsItsReasonAndIsNeverChecked) {
  for (const auto& [payload, reason] : std::vector<std::pair<std::string, std::string>>{
           {std::string("\xff\xfe", 2), "not-utf8"},
           {"{\"orderType\": STANDARD", "invalid-json"},
           {"[1,2]", "not-an-object"},
           {R"({"orderType":"EXPRESS","orderId":"X-1"})", "unknown-order-type"}}) {
    const Route r = RouteMain(Main(payload), Ctx());
    const auto& dl = std::get<KafkaOutput>(r);
    EXPECT_EQ(json::parse(dl.message.payload)["failureReason"], reason) << payload;
  }
  EXPECT_TRUE(check_->payloads.empty());
}

TEST_F(RoutingInputCheckTest, RetryEnvelopesAreNeverChecked) {
  // An envelope made without the check (the order was accepted on its way in), then consumed
  // from the retry topic with a check that would refuse its order.
  config_.input_check = nullptr;
  auto first = std::get<KafkaOutput>(RouteMain(Main(OrderWithId("ORD-RETRY-90001")), Ctx()));
  ASSERT_EQ(first.kind, KafkaOutput::Kind::kRetry);
  config_.input_check = check_;
  clock_.Advance(milliseconds(1000));
  Route due = RouteRetry(AsConsumed(first), Ctx());
  ASSERT_TRUE(std::holds_alternative<SqsOutput>(due));
  EXPECT_EQ(json::parse(std::get<SqsOutput>(due).body)["orderId"], "ORD-RETRY-90001");
  EXPECT_TRUE(check_->payloads.empty());
}

TEST_F(RoutingInputCheckTest, WithoutACheckTheTransformDecidesAlone) {
  config_.input_check = nullptr;
  Route r = RouteMain(Main(OrderWithId("ORD-3")), Ctx());
  EXPECT_TRUE(std::holds_alternative<SqsOutput>(r));
}

}  // namespace
}  // namespace driftline::bridge
