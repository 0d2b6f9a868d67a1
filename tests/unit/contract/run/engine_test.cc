// The test engine driven with synthetic messages and times: no broker, no sleeping.
#include "contract/run/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sample_fixture.h"

namespace driftline::contract {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

class EngineTest : public testing::SampleContractTest {
 protected:
  // Plans `blocks` (JSON members after "receive") and starts an evaluator published at t=0.
  TestEvaluator& Begin(const std::string& blocks) {
    example_ = std::make_unique<Example>(MakeExample(R"({"name": "T", "receive": {
        "topic": "orders-in", "payload": {"id": "A", "count": 1},
        "headers": {"CorrelationId": "c-1"}})" + blocks +
                                                     "}"));
    auto plan = PlanTest(*contract_, *example_);
    EXPECT_TRUE(plan) << plan.error().message();
    plan_ = std::make_unique<TestPlan>(std::move(*plan));
    eval_ = std::make_unique<TestEvaluator>(*plan_, *schemas_, Timing{}, MatchOptions{});
    eval_->Start(At(0), Wall(0));
    ObservedMessage published;
    published.channel = plan_->input;
    published.raw_payload = R"({"id":"A","count":1})";
    published.coordinates = "orders-in/0@7";
    eval_->Published(At(0), Wall(0), published);
    return *eval_;
  }

  static Clock::MonoTime At(int ms) { return Clock::MonoTime{} + milliseconds(ms); }
  static Clock::WallTime Wall(int ms) {
    return Clock::WallTime{} + std::chrono::hours(24 * 365 * 56) + milliseconds(ms);
  }

  ObservedMessage Msg(const std::string& address, json payload, int at_ms) {
    ObservedMessage m;
    m.channel = contract_->ChannelByAddress(address);
    m.payload = std::move(payload);
    m.raw_payload = m.payload.dump();
    m.headers = json{{"CorrelationId", "c-1"}};
    m.produced_at = Wall(at_ms);
    m.received_at = At(at_ms + 5);
    m.coordinates = address + "@" + std::to_string(at_ms);
    return m;
  }
  static json Accepted() {
    return json{{"id", "A"}, {"status", "ACCEPTED"}, {"at", "2026-01-19T10:00:05Z"}};
  }
  static json Envelope(int n) { return json{{"id", "A"}, {"retryCount", n}}; }
  static json Dead(int total) { return json{{"id", "A"}, {"totalRetries", total}}; }

  static const Check* FindCheck(const TestResult& r, const std::string& name) {
    for (const Check& c : r.checks) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }

  std::unique_ptr<Example> example_;
  std::unique_ptr<TestPlan> plan_;
  std::unique_ptr<TestEvaluator> eval_;
};

constexpr const char* kReply = R"J(, "send": {"topic": "orders-out",
    "payload": {"id": "A", "status": "$match(exact: ACCEPTED)", "at": "(datetime)"}})J";
constexpr const char* kRetryThenDlq = R"J(, "retry": {"topic": "orders-retry",
    "payload": {"id": "A", "retryCount": "(number)"}},
    "dlq": {"topic": "orders-dlq", "payload": {"id": "A", "totalRetries": "(number)"}})J";
constexpr const char* kRetryThenReply = R"J(, "retry": {"topic": "orders-retry",
    "payload": {"id": "A", "retryCount": "(number)"}}, "send": {"topic": "orders-out",
    "payload": {"id": "A"}})J";

TEST_F(EngineTest, ReplyThenSettleThenPass) {
  TestEvaluator& e = Begin(kReply);
  EXPECT_EQ(e.NextDeadline(), At(30000));
  EXPECT_THAT(e.Waiting(At(10000)),
              HasSubstr("waiting for a message on queue 'orders-out' (20.0 s left)"));
  e.Observe(Msg("orders-out", Accepted(), 200));
  EXPECT_FALSE(e.done());
  EXPECT_EQ(e.NextDeadline(), At(1205));  // settle window after the arrival
  e.Advance(At(1204));
  EXPECT_FALSE(e.done());
  e.Advance(At(1205));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(1205));
  EXPECT_EQ(r.outcome, Outcome::kPassed) << (r.reasons.empty() ? "" : r.reasons[0]);
  EXPECT_EQ(r.correlation_id, "c-1");
  const Check* unexpected = FindCheck(r, "no unexpected messages");
  ASSERT_NE(unexpected, nullptr);
  EXPECT_TRUE(unexpected->passed);
  EXPECT_EQ(r.tally,
            (std::vector<std::pair<std::string, bool>>{{"orders-in", true}, {"orders-out", true}}));
  ASSERT_EQ(r.flow.size(), 2u);
  EXPECT_EQ(r.flow[1].message_name, "Accepted");
  EXPECT_EQ(r.flow[1].offset, milliseconds(200));
}

TEST_F(EngineTest, ReplyTimeout) {
  TestEvaluator& e = Begin(kReply);
  e.Advance(At(29999));
  EXPECT_FALSE(e.done());
  e.Advance(At(30000));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(30000));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  ASSERT_FALSE(r.reasons.empty());
  EXPECT_EQ(r.reasons[0], "Timeout waiting for a message on queue 'orders-out'.");
  EXPECT_EQ(r.tally[1], (std::pair<std::string, bool>{"orders-out", false}));
}

TEST_F(EngineTest, DeadLetterOnTheSuccessPathFailsAtOnce) {
  TestEvaluator& e = Begin(kReply);
  e.Observe(Msg("orders-dlq", Dead(0), 100));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(105));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "Unexpected message on topic 'orders-dlq'.");
  const Check* unexpected = FindCheck(r, "no unexpected messages");
  ASSERT_NE(unexpected, nullptr);
  EXPECT_FALSE(unexpected->passed);
}

TEST_F(EngineTest, SecondReplyInTheSettleWindowFails) {
  TestEvaluator& e = Begin(kReply);
  e.Observe(Msg("orders-out", Accepted(), 100));
  e.Observe(Msg("orders-out", Accepted(), 600));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(605));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "A second message arrived on queue 'orders-out'.");
}

TEST_F(EngineTest, ValueMismatchFailsFastWithPointer) {
  TestEvaluator& e = Begin(kReply);
  json wrong = Accepted();
  wrong["id"] = "B";
  e.Observe(Msg("orders-out", wrong, 100));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(105));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "The reply on queue 'orders-out' does not match the example.");
  EXPECT_THAT(r.reasons[1], HasSubstr("/payload/id"));
  const Check* values = FindCheck(r, "send: reply on queue 'orders-out' matches the example");
  ASSERT_NE(values, nullptr);
  EXPECT_FALSE(values->passed);
  ASSERT_EQ(values->mismatches.size(), 1u);
  EXPECT_EQ(values->mismatches[0].actual, "\"B\"");
}

TEST_F(EngineTest, SchemaMismatchFailsFast) {
  TestEvaluator& e = Begin(kReply);
  json wrong = Accepted();
  wrong.erase("at");
  e.Observe(Msg("orders-out", wrong, 100));
  TestResult r = e.Finish(At(105));
  EXPECT_EQ(r.reasons[0], "The reply on queue 'orders-out' does not conform to the contract.");
}

TEST_F(EngineTest, RetriesThenDeadLetterPassesWithNamedChecks) {
  TestEvaluator& e = Begin(kRetryThenDlq);
  // First envelope within the strategy total (7 s) + grace (5 s).
  EXPECT_EQ(e.NextDeadline(), At(12000));
  e.Observe(Msg("orders-retry", Envelope(0), 50));
  EXPECT_EQ(e.NextDeadline(), At(55 + 1000 + 5000));
  e.Observe(Msg("orders-retry", Envelope(1), 1060));
  e.Observe(Msg("orders-retry", Envelope(2), 3070));
  e.Observe(Msg("orders-retry", Envelope(3), 7080));
  // Retries exhausted: the dead letter within waitTimeInSeconds.
  EXPECT_EQ(e.NextDeadline(), At(7085 + 15000));
  e.Observe(Msg("orders-dlq", Dead(3), 7090));
  e.Advance(At(8095));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(8095));
  EXPECT_EQ(r.outcome, Outcome::kPassed) << (r.reasons.empty() ? "" : r.reasons[0]);
  const Check* retry = FindCheck(r, "retry count and spacing");
  ASSERT_NE(retry, nullptr);
  EXPECT_TRUE(retry->passed) << retry->detail;
  EXPECT_THAT(retry->detail, HasSubstr("4 envelope(s), retryCount 0, 1, 2, 3"));
  EXPECT_THAT(retry->detail, HasSubstr("tolerance 0.25 s"));
  const Check* total = FindCheck(r, "totalRetries equals the retries observed");
  ASSERT_NE(total, nullptr);
  EXPECT_TRUE(total->passed) << total->detail;
}

TEST_F(EngineTest, StalledRetryChainFailsAfterTheDeclaredDelayAndGrace) {
  TestEvaluator& e = Begin(kRetryThenDlq);
  e.Observe(Msg("orders-retry", Envelope(0), 100));
  e.Advance(At(105 + 1000 + 5000 - 1));
  EXPECT_FALSE(e.done());
  e.Advance(At(105 + 1000 + 5000));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(6105));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "Timeout waiting for a message on topic 'orders-retry'.");
  EXPECT_THAT(r.reasons[1], HasSubstr("retryCount 0 arrived"));
  EXPECT_EQ(r.tally, (std::vector<std::pair<std::string, bool>>{
                         {"orders-in", true}, {"orders-retry", true}, {"orders-dlq", false}}));
}

TEST_F(EngineTest, StalledRetryOnTheSuccessPathNamesTheRetryTopic) {
  TestEvaluator& e = Begin(kRetryThenReply);
  e.Observe(Msg("orders-retry", Envelope(0), 100));
  e.Advance(At(6105));
  TestResult r = e.Finish(At(6105));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "Timeout waiting for a message on topic 'orders-retry'.");
  EXPECT_THAT(r.reasons[1], HasSubstr("or the reply on queue 'orders-out'"));
}

TEST_F(EngineTest, ReplyTooSoonAfterTheRetryFailsTheSpacingCheck) {
  TestEvaluator& e = Begin(kRetryThenReply);
  e.Observe(Msg("orders-retry", Envelope(0), 0));
  e.Observe(Msg("orders-out", Accepted(), 300));
  e.Advance(At(1305));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(1305));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "Check failed: retry count and spacing.");
  EXPECT_THAT(r.reasons[1], HasSubstr("the reply came 0.30 s after retryCount 0"));
}

TEST_F(EngineTest, ReplyAfterTheDelayPasses) {
  TestEvaluator& e = Begin(kRetryThenReply);
  e.Observe(Msg("orders-retry", Envelope(0), 0));
  e.Observe(Msg("orders-out", Accepted(), 800));  // 1 s - 0.2 s: inside the 0.25 s tolerance
  e.Advance(At(1805));
  TestResult r = e.Finish(At(1805));
  EXPECT_EQ(r.outcome, Outcome::kPassed) << (r.reasons.empty() ? "" : r.reasons[0]);
}

TEST_F(EngineTest, DeadLetterBeforeRetriesAreExhaustedFails) {
  TestEvaluator& e = Begin(kRetryThenDlq);
  e.Observe(Msg("orders-retry", Envelope(0), 0));
  e.Observe(Msg("orders-dlq", Dead(0), 20));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(25));
  EXPECT_EQ(r.reasons[0],
            "The dead letter on topic 'orders-dlq' arrived before the retries were exhausted.");
}

TEST_F(EngineTest, TotalRetriesMustEqualTheRetriesObserved) {
  TestEvaluator& e = Begin(kRetryThenDlq);
  e.Observe(Msg("orders-retry", Envelope(0), 0));
  e.Observe(Msg("orders-retry", Envelope(1), 1000));
  e.Observe(Msg("orders-retry", Envelope(2), 3000));
  e.Observe(Msg("orders-retry", Envelope(3), 7000));
  e.Observe(Msg("orders-dlq", Dead(2), 7010));
  e.Advance(At(8015));
  TestResult r = e.Finish(At(8015));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "Check failed: totalRetries equals the retries observed.");
  EXPECT_THAT(r.reasons[1], HasSubstr("totalRetries 2, retries observed 3"));
}

TEST_F(EngineTest, RetryEnvelopeWhenNoneIsExpectedIsUnexpected) {
  TestEvaluator& e = Begin(R"J(, "dlq": {"topic": "orders-dlq", "payload": {"id": "A"}})J");
  EXPECT_EQ(e.NextDeadline(), At(15000));  // waitTimeInSeconds from publishing
  e.Observe(Msg("orders-retry", Envelope(0), 10));
  TestResult r = e.Finish(At(15));
  EXPECT_EQ(r.reasons[0], "Unexpected message on topic 'orders-retry'.");
}

TEST_F(EngineTest, PublishFailureIsAnError) {
  TestEvaluator& e = Begin(kReply);
  e.Errored("publishing to topic 'orders-in' failed: broker down");
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(1));
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_THAT(r.reasons[0], HasSubstr("broker down"));
}

}  // namespace
}  // namespace driftline::contract
