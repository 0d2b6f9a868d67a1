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
using ::testing::Not;

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

// The sample operation declares 3 retries, exponential from 1 s by 2: delays 1, 2, 4 s, so the
// settle window is 4 s; tolerance max(0.25 s, 20 %): 0.25, 0.40, 0.80 s.

TEST_F(EngineTest, ReplyThenSettleThenPass) {
  TestEvaluator& e = Begin(kReply);
  EXPECT_EQ(e.NextDeadline(), At(30000));
  EXPECT_THAT(e.Waiting(At(10000)),
              HasSubstr("waiting for a message on queue 'orders-out' (20.0 s left)"));
  e.Observe(Msg("orders-out", Accepted(), 200));
  EXPECT_FALSE(e.done());
  EXPECT_EQ(e.NextDeadline(), At(4205));  // the settle window after the arrival
  e.Advance(At(4204));
  EXPECT_FALSE(e.done());
  e.Advance(At(4205));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(4205));
  EXPECT_EQ(r.outcome, Outcome::kPassed) << (r.reasons.empty() ? "" : r.reasons[0]);
  EXPECT_EQ(r.correlation_id, "c-1");
  const Check* unexpected = FindCheck(r, "no unexpected messages");
  ASSERT_NE(unexpected, nullptr);
  EXPECT_TRUE(unexpected->passed);
  EXPECT_THAT(unexpected->detail, HasSubstr("settle window 4.0 s"));
  EXPECT_EQ(r.tally,
            (std::vector<std::pair<std::string, bool>>{{"orders-in", true}, {"orders-out", true}}));
  ASSERT_EQ(r.flow.size(), 2u);
  EXPECT_EQ(r.flow[1].message_name, "Accepted");
  EXPECT_EQ(r.flow[1].offset, milliseconds(200));
}

TEST_F(EngineTest, SettleWindowIsTheLargestDeclaredDelayUnlessGiven) {
  Timing timing;
  EXPECT_EQ(timing.SettleFor(*contract_->operations[0]), milliseconds(4000));
  timing.settle = milliseconds(1500);
  EXPECT_EQ(timing.SettleFor(*contract_->operations[0]), milliseconds(1500));
  Operation no_retry;
  EXPECT_EQ(Timing{}.SettleFor(no_retry), milliseconds(1000));
}

TEST_F(EngineTest, ToleranceIsTheLargerOfTheFloorAndTheRatio) {
  const Timing timing;
  EXPECT_EQ(timing.Tolerance(milliseconds(0)), milliseconds(250));
  EXPECT_EQ(timing.Tolerance(milliseconds(1000)), milliseconds(250));
  EXPECT_EQ(timing.Tolerance(milliseconds(2000)), milliseconds(400));
  EXPECT_EQ(timing.Tolerance(milliseconds(4000)), milliseconds(800));
  EXPECT_EQ(timing.DescribeTolerance(), "the larger of 0.25 s and 20 % of the delay");
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

TEST_F(EngineTest, DeadLetterTwoSecondsAfterTheReplyIsCaughtInTheSettleWindow) {
  TestEvaluator& e = Begin(kReply);
  e.Observe(Msg("orders-out", Accepted(), 100));
  e.Advance(At(2100));
  EXPECT_FALSE(e.done());
  e.Observe(Msg("orders-dlq", Dead(0), 2100));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(2105));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "Unexpected message on topic 'orders-dlq'.");
}

TEST_F(EngineTest, SecondReplyInTheSettleWindowFails) {
  TestEvaluator& e = Begin(kReply);
  e.Observe(Msg("orders-out", Accepted(), 100));
  e.Advance(At(2000));
  e.Observe(Msg("orders-out", Accepted(), 2100));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(2105));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "A second message arrived on queue 'orders-out'.");
  EXPECT_THAT(r.reasons[1], HasSubstr("2.00 s after the first"));
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

// An exact chain: envelopes 0..3 at +0.05, +1.05, +3.05, +7.05 s, the dead letter at once.
TEST_F(EngineTest, RetriesThenDeadLetterPassesWithNamedChecks) {
  TestEvaluator& e = Begin(kRetryThenDlq);
  // Envelope 0 is due at once (1 s) + tolerance 0.25 s + arrival grace 3 s.
  EXPECT_EQ(e.NextDeadline(), At(4250));
  e.Observe(Msg("orders-retry", Envelope(0), 50));
  // Envelope 1 due 1 s after envelope 0's arrival (+55), ± 0.25 s, + grace 3 s.
  EXPECT_EQ(e.NextDeadline(), At(55 + 1000 + 250 + 3000));
  e.Observe(Msg("orders-retry", Envelope(1), 1050));
  e.Observe(Msg("orders-retry", Envelope(2), 3050));
  e.Observe(Msg("orders-retry", Envelope(3), 7050));
  // Retries exhausted: the dead letter within waitTimeInSeconds.
  EXPECT_EQ(e.NextDeadline(), At(7055 + 15000));
  e.Observe(Msg("orders-dlq", Dead(3), 7060));
  EXPECT_EQ(e.NextDeadline(), At(7065 + 4000));
  e.Advance(At(11065));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(11065));
  EXPECT_EQ(r.outcome, Outcome::kPassed) << (r.reasons.empty() ? "" : r.reasons[1]);
  const Check* retry = FindCheck(r, "retry chain and timing");
  ASSERT_NE(retry, nullptr);
  EXPECT_TRUE(retry->passed) << retry->detail;
  EXPECT_THAT(retry->detail, HasSubstr("4 envelope(s), retryCount 0, 1, 2, 3"));
  EXPECT_THAT(retry->detail, HasSubstr("1 -> 2 2.00 s (2.0 s \u00b1 0.40 s)"));
  EXPECT_THAT(retry->detail, HasSubstr("tolerance the larger of 0.25 s and 20 % of the delay"));
  const Check* total = FindCheck(r, "totalRetries equals maxAttempts and the retries observed");
  ASSERT_NE(total, nullptr);
  EXPECT_TRUE(total->passed) << total->detail;
}

// Drives a retry-then-DLQ test with envelopes (retryCount, produced at ms) and a dead letter,
// and returns the result after the settle window.
class RetryChainTest : public EngineTest {
 protected:
  TestResult Chain(const std::vector<std::pair<int, int>>& envelopes, int dead_at,
                   int total_retries) {
    TestEvaluator& e = Begin(kRetryThenDlq);
    for (const auto& [count, at] : envelopes)
      e.Observe(Msg("orders-retry", Envelope(count), at));
    e.Observe(Msg("orders-dlq", Dead(total_retries), dead_at));
    e.Advance(At(dead_at + 5 + 4000));
    EXPECT_TRUE(e.done());
    return e.Finish(At(dead_at + 5 + 4000));
  }
  static std::string Why(const TestResult& r) {
    std::string text;
    for (const std::string& line : r.reasons)
      text += line + "\n";
    return text;
  }
};

TEST_F(RetryChainTest, TheExactChainPasses) {
  TestResult r = Chain({{0, 20}, {1, 1020}, {2, 3020}, {3, 7020}}, 7030, 3);
  EXPECT_EQ(r.outcome, Outcome::kPassed) << Why(r);
}

TEST_F(RetryChainTest, GapsAtTheEdgesOfTheTolerancePass) {
  // 1 s + 0.25, 2 s - 0.40, 4 s + 0.80: each exactly at its tolerance.
  TestResult r = Chain({{0, 0}, {1, 1250}, {2, 2850}, {3, 7650}}, 7660, 3);
  EXPECT_EQ(r.outcome, Outcome::kPassed) << Why(r);
}

TEST_F(RetryChainTest, AGapJustOutsideTheToleranceFailsEitherWay) {
  TestResult late = Chain({{0, 0}, {1, 1251}, {2, 3251}, {3, 7251}}, 7260, 3);
  EXPECT_EQ(late.outcome, Outcome::kFailed);
  EXPECT_THAT(Why(late), HasSubstr("retryCount 0 -> 1: 1.25 s apart; the exponential strategy "
                                   "declares 1.0 s \u00b1 0.25 s"));
  TestResult early = Chain({{0, 0}, {1, 749}, {2, 2749}, {3, 6749}}, 6760, 3);
  EXPECT_EQ(early.outcome, Outcome::kFailed);
  EXPECT_THAT(Why(early), HasSubstr("retryCount 0 -> 1: 0.75 s apart"));
}

TEST_F(RetryChainTest, AChainStartingAtOneFails) {
  TestResult r = Chain({{1, 0}, {2, 2000}, {3, 6000}}, 6010, 3);
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "Check failed: retry chain and timing.");
  EXPECT_THAT(Why(r), HasSubstr("the retry chain starts at retryCount 1; its first envelope must "
                                "have retryCount 0"));
}

TEST_F(RetryChainTest, ASingleLateEnvelopeThenTheDeadLetterFails) {
  TestEvaluator& e = Begin(kRetryThenDlq);
  e.Observe(Msg("orders-retry", Envelope(3), 900));
  e.Observe(Msg("orders-dlq", Dead(3), 910));
  e.Advance(At(4915));
  TestResult r = e.Finish(At(4915));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(Why(r), HasSubstr("starts at retryCount 3"));
}

TEST_F(RetryChainTest, TheFirstEnvelopeMustComeAtOnce) {
  TestResult r = Chain({{0, 1500}, {1, 2500}, {2, 4500}, {3, 8500}}, 8510, 3);
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(Why(r), HasSubstr("retryCount 0 came 1.50 s after the publish; it is due at once"));
}

TEST_F(RetryChainTest, AFixedScheduleFailsAgainstAnExponentialDeclaration) {
  TestResult r = Chain({{0, 0}, {1, 4000}, {2, 8000}, {3, 12000}}, 12010, 3);
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(Why(r), HasSubstr("retryCount 0 -> 1: 4.00 s apart; the exponential strategy "
                                "declares 1.0 s"));
  EXPECT_THAT(Why(r), HasSubstr("retryCount 1 -> 2: 4.00 s apart; the exponential strategy "
                                "declares 2.0 s"));
  EXPECT_THAT(Why(r), Not(HasSubstr("retryCount 2 -> 3:")));  // 4 s is right there
}

TEST_F(RetryChainTest, NoBackoffFails) {
  TestResult r = Chain({{0, 0}, {1, 5}, {2, 10}, {3, 15}}, 20, 3);
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(Why(r), HasSubstr("retryCount 0 -> 1: 0.01 s apart"));
}

TEST_F(RetryChainTest, OneRetryTooManyFails) {
  TestResult r = Chain({{0, 0}, {1, 1000}, {2, 3000}, {3, 7000}, {4, 15000}}, 15010, 4);
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(Why(r), HasSubstr("the chain goes on to retryCount 4: maxAttempts 3 allows "
                                "retryCount 0..3 (1 too many)"));
}

TEST_F(RetryChainTest, OneRetryTooFewFails) {
  TestResult r = Chain({{0, 0}, {1, 1000}, {2, 3000}}, 3010, 2);
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(Why(r), HasSubstr("the chain ends at retryCount 2: maxAttempts 3 needs retryCount "
                                "0..3 before the dead letter (1 too few)"));
}

TEST_F(RetryChainTest, AMissingOrRepeatedCountFails) {
  TestResult missing = Chain({{0, 0}, {2, 1000}, {3, 3000}}, 3010, 3);
  EXPECT_THAT(Why(missing), HasSubstr("retryCount 2 follows 0 (retryCount 1 missing)"));
  TestResult repeated = Chain({{0, 0}, {1, 1000}, {1, 1001}, {2, 3000}, {3, 7000}}, 7010, 3);
  EXPECT_THAT(Why(repeated), HasSubstr("retryCount 1 repeated"));
}

TEST_F(RetryChainTest, TotalRetriesOffByOneFails) {
  TestResult r = Chain({{0, 0}, {1, 1000}, {2, 3000}, {3, 7000}}, 7010, 4);
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0],
            "Check failed: totalRetries equals maxAttempts and the retries observed.");
  EXPECT_THAT(r.reasons[1], HasSubstr("totalRetries 4; maxAttempts 3; retries observed 3"));
}

TEST_F(RetryChainTest, ADeadLetterBeforeTheRetriesFinishFailsWhicheverArrivesFirst) {
  // The dead letter is produced after envelope 1, yet observed before it (another watcher).
  TestEvaluator& e = Begin(kRetryThenDlq);
  e.Observe(Msg("orders-retry", Envelope(0), 0));
  e.Observe(Msg("orders-dlq", Dead(3), 1010));
  e.Observe(Msg("orders-retry", Envelope(1), 1000));
  e.Observe(Msg("orders-retry", Envelope(2), 3000));
  e.Advance(At(5015));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(5015));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(Why(r), HasSubstr("the dead letter came before the retries were exhausted: "
                                "retryCount 2 followed it"));
}

TEST_F(RetryChainTest, AnExactChainObservedOutOfOrderPasses) {
  // Envelope 3 reaches the runner after the dead letter: judged on the produced times.
  TestEvaluator& e = Begin(kRetryThenDlq);
  e.Observe(Msg("orders-retry", Envelope(0), 0));
  e.Observe(Msg("orders-retry", Envelope(1), 1000));
  e.Observe(Msg("orders-retry", Envelope(2), 3000));
  e.Observe(Msg("orders-dlq", Dead(3), 7010));
  e.Observe(Msg("orders-retry", Envelope(3), 7000));
  e.Advance(At(11015));
  TestResult r = e.Finish(At(11015));
  EXPECT_EQ(r.outcome, Outcome::kPassed) << Why(r);
}

TEST_F(RetryChainTest, ADeadLetterLongAfterTheLastEnvelopeFails) {
  TestResult r = Chain({{0, 0}, {1, 1000}, {2, 3000}, {3, 7000}}, 9000, 3);
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(Why(r), HasSubstr("the dead letter came 2.00 s after retryCount 3; it is due at "
                                "once (within 1.0 s)"));
}

TEST_F(EngineTest, TheToleranceIsConfigurable) {
  example_ = std::make_unique<Example>(MakeExample(R"({"name": "T", "receive": {
      "topic": "orders-in", "payload": {"id": "A", "count": 1},
      "headers": {"CorrelationId": "c-1"}})" + std::string(kRetryThenReply) +
                                                   "}"));
  auto plan = PlanTest(*contract_, *example_);
  ASSERT_TRUE(plan);
  plan_ = std::make_unique<TestPlan>(std::move(*plan));
  Timing wide;
  wide.tolerance_floor = milliseconds(600);
  TestEvaluator e(*plan_, *schemas_, wide, MatchOptions{});
  e.Start(At(0), Wall(0));
  ObservedMessage published;
  published.channel = plan_->input;
  e.Published(At(0), Wall(0), published);
  e.Observe(Msg("orders-retry", Envelope(0), 0));
  e.Observe(Msg("orders-out", Accepted(), 1500));  // 1 s + 0.5 s: inside 0.6 s
  e.Advance(At(5505));
  TestResult r = e.Finish(At(5505));
  EXPECT_EQ(r.outcome, Outcome::kPassed) << (r.reasons.empty() ? "" : r.reasons[1]);
}

TEST_F(EngineTest, StalledRetryChainFailsAfterTheDeclaredDelayToleranceAndGrace) {
  TestEvaluator& e = Begin(kRetryThenDlq);
  e.Observe(Msg("orders-retry", Envelope(0), 100));
  e.Advance(At(105 + 1000 + 250 + 3000 - 1));
  EXPECT_FALSE(e.done());
  e.Advance(At(105 + 1000 + 250 + 3000));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(4355));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "Timeout waiting for a message on topic 'orders-retry'.");
  EXPECT_THAT(r.reasons[1], HasSubstr("retryCount 0 arrived"));
  EXPECT_THAT(r.reasons[1], HasSubstr("retryCount 1 was due 1.0 s"));
  EXPECT_EQ(r.tally, (std::vector<std::pair<std::string, bool>>{
                         {"orders-in", true}, {"orders-retry", true}, {"orders-dlq", false}}));
}

TEST_F(EngineTest, StalledRetryOnTheSuccessPathNamesTheReplyChannel) {
  TestEvaluator& e = Begin(kRetryThenReply);
  e.Observe(Msg("orders-retry", Envelope(0), 100));
  e.Advance(At(4355));
  TestResult r = e.Finish(At(4355));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "Timeout waiting for a message on queue 'orders-out'.");
  EXPECT_THAT(r.reasons[1], HasSubstr("the reply (or retryCount 1 on topic 'orders-retry')"));
}

TEST_F(EngineTest, ReplyTooSoonAfterTheRetryFailsTheTimingCheck) {
  TestEvaluator& e = Begin(kRetryThenReply);
  e.Observe(Msg("orders-retry", Envelope(0), 0));
  e.Observe(Msg("orders-out", Accepted(), 300));
  e.Advance(At(4305));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(4305));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "Check failed: retry chain and timing.");
  EXPECT_THAT(r.reasons[1], HasSubstr("the reply came 0.30 s after retryCount 0"));
}

TEST_F(EngineTest, ReplyWithinTheToleranceOfTheDelayPasses) {
  TestEvaluator& e = Begin(kRetryThenReply);
  e.Observe(Msg("orders-retry", Envelope(0), 0));
  e.Observe(Msg("orders-out", Accepted(), 800));  // 1 s - 0.2 s: inside the 0.25 s tolerance
  e.Advance(At(4805));
  TestResult r = e.Finish(At(4805));
  EXPECT_EQ(r.outcome, Outcome::kPassed) << (r.reasons.empty() ? "" : r.reasons[1]);
}

TEST_F(EngineTest, RetryThenReplyWithoutAnEnvelopeFails) {
  TestEvaluator& e = Begin(kRetryThenReply);
  e.Observe(Msg("orders-out", Accepted(), 100));
  e.Advance(At(4105));
  TestResult r = e.Finish(At(4105));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(r.reasons[1], HasSubstr("no retry envelope arrived"));
}

TEST_F(EngineTest, RetryEnvelopeWhenNoneIsExpectedIsUnexpected) {
  TestEvaluator& e = Begin(R"J(, "dlq": {"topic": "orders-dlq", "payload": {"id": "A"}})J");
  EXPECT_EQ(e.NextDeadline(), At(15000));  // waitTimeInSeconds from publishing
  e.Observe(Msg("orders-retry", Envelope(0), 10));
  TestResult r = e.Finish(At(15));
  EXPECT_EQ(r.reasons[0], "Unexpected message on topic 'orders-retry'.");
}

TEST_F(EngineTest, ADirectDeadLetterMustSayNoRetries) {
  TestEvaluator& e = Begin(R"J(, "dlq": {"topic": "orders-dlq", "payload": {"id": "A"}})J");
  e.Observe(Msg("orders-dlq", Dead(2), 10));
  e.Advance(At(4015));
  TestResult r = e.Finish(At(4015));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.reasons[0], "Check failed: totalRetries is 0 for a dead letter without retries.");
}

TEST_F(EngineTest, UnclaimedMessagesAreNamedWhenTheTestFails) {
  TestEvaluator& e = Begin(kReply);
  e.Advance(At(30000));
  ObservedMessage anonymous = Msg("orders-out", Accepted(), 100);
  anonymous.headers = json::object();
  anonymous.coordinates = "m-1";
  ObservedMessage again = anonymous;  // SQS hands a released message out again
  ObservedMessage other = Msg("orders-out", Accepted(), 200);
  other.coordinates = "m-2";
  other.correlation_id = "c-unknown";
  e.NoteUnclaimed({Unclaimed{anonymous, false}, Unclaimed{again, false}, Unclaimed{other, true}});
  TestResult r = e.Finish(At(30000));
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  ASSERT_EQ(r.reasons.size(), 4u);
  EXPECT_EQ(r.reasons[2],
            "1 message arrived on queue 'orders-out' without a CorrelationId message attribute "
            "while the test ran: +0.10 s m-1");
  EXPECT_EQ(r.reasons[3],
            "1 message arrived on queue 'orders-out' with a correlation id of no test of this "
            "run while the test ran: +0.20 s m-2 ('c-unknown')");
}

TEST_F(EngineTest, UnclaimedMessagesAreAWarningWhenTheTestPasses) {
  TestEvaluator& e = Begin(kReply);
  e.Observe(Msg("orders-out", Accepted(), 100));
  e.Advance(At(4105));
  ObservedMessage anonymous = Msg("orders-retry", Envelope(0), 50);
  anonymous.headers = json::object();
  e.NoteUnclaimed({Unclaimed{anonymous, false}});
  TestResult r = e.Finish(At(4105));
  EXPECT_EQ(r.outcome, Outcome::kPassed);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], HasSubstr("1 message arrived on topic 'orders-retry' without a "
                                       "CorrelationId header"));
}

TEST_F(EngineTest, PublishFailureIsAnError) {
  TestEvaluator& e = Begin(kReply);
  e.Errored("publishing to topic 'orders-in' failed: broker down");
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(1));
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_THAT(r.reasons[0], HasSubstr("broker down"));
}

// A generated negative test (TestPlan::negative): one dead letter at once, nothing else.
class NegativeEngineTest : public EngineTest {
 protected:
  TestEvaluator& BeginNegative() {
    example_ = std::make_unique<Example>(MakeExample(R"({"name": "Negative_T", "receive": {
        "topic": "orders-in", "payload": {"count": 1},
        "headers": {"CorrelationId": "c-1"}}, "dlq": {"topic": "orders-dlq"}})"));
    auto plan = PlanTest(*contract_, *example_);
    EXPECT_TRUE(plan) << plan.error().message();
    plan_ = std::make_unique<TestPlan>(std::move(*plan));
    plan_->negative = true;
    eval_ = std::make_unique<TestEvaluator>(*plan_, *schemas_, Timing{}, MatchOptions{});
    eval_->Start(At(0), Wall(0));
    ObservedMessage published;
    published.channel = plan_->input;
    published.raw_payload = R"({"count":1})";
    published.coordinates = "orders-in/0@8";
    eval_->Published(At(0), Wall(0), published);
    return *eval_;
  }
  TestResult FinishAt(int ms) {
    eval_->Advance(At(ms));
    return eval_->Finish(At(ms));
  }
};

TEST_F(NegativeEngineTest, OneDeadLetterWithoutRetriesPasses) {
  TestEvaluator& e = BeginNegative();
  e.Observe(Msg("orders-dlq", Dead(0), 100));
  e.Advance(At(4104));
  EXPECT_FALSE(e.done());  // settling: a retry or a reply would still fail it
  TestResult r = FinishAt(4105);
  EXPECT_EQ(r.outcome, Outcome::kPassed) << (r.reasons.empty() ? "" : r.reasons[0]);
  const Check* total = FindCheck(r, "totalRetries is 0 for a dead letter without retries");
  ASSERT_NE(total, nullptr);
  EXPECT_TRUE(total->passed);
  for (const Check& c : r.checks)
    EXPECT_THAT(c.name, Not(HasSubstr("matches the example")));  // there is no example
}

TEST_F(NegativeEngineTest, AReplyIsNamed) {
  TestEvaluator& e = BeginNegative();
  e.Observe(Msg("orders-out", Accepted(), 100));
  ASSERT_TRUE(e.done());
  TestResult r = e.Finish(At(200));
  ASSERT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(r.reasons[0], HasSubstr("The provider replied to an input the contract refuses on "
                                      "queue 'orders-out'"));
  EXPECT_THAT(r.reasons[1], HasSubstr("Unexpected message on queue 'orders-out'"));
  EXPECT_THAT(r.reasons[2], HasSubstr("the test expects no message there"));  // no example
}

TEST_F(NegativeEngineTest, ARetryIsNamed) {
  TestEvaluator& e = BeginNegative();
  e.Observe(Msg("orders-retry", Envelope(0), 100));
  TestResult r = e.Finish(At(200));
  ASSERT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(r.reasons[0], HasSubstr("The provider retried an input the contract refuses (a "
                                      "permanently bad message): 1 retry envelope(s) on topic "
                                      "'orders-retry'"));
}

TEST_F(NegativeEngineTest, NoDeadLetterIsATimeoutThatNamesACrash) {
  TestEvaluator& e = BeginNegative();
  ASSERT_TRUE(e.NextDeadline());
  TestResult r = FinishAt(60000);
  ASSERT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(r.reasons[0], HasSubstr("The provider sent no dead letter for an input the "
                                      "contract refuses within"));
  EXPECT_THAT(r.reasons[0], HasSubstr("crashed or stopped consuming"));
  EXPECT_THAT(r.reasons[1], HasSubstr("Timeout waiting for a message on topic 'orders-dlq'"));
}

TEST_F(NegativeEngineTest, TwoDeadLettersAreNamed) {
  TestEvaluator& e = BeginNegative();
  e.Observe(Msg("orders-dlq", Dead(0), 100));
  e.Observe(Msg("orders-dlq", Dead(0), 300));
  TestResult r = e.Finish(At(400));
  ASSERT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(r.reasons[0], HasSubstr("dead-lettered an input the contract refuses 2 times"));
}

TEST_F(NegativeEngineTest, ADeadLetterAfterRetriesFailsOnTotalRetries) {
  TestEvaluator& e = BeginNegative();
  e.Observe(Msg("orders-dlq", Dead(3), 100));
  TestResult r = FinishAt(4105);
  ASSERT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(r.reasons[0], HasSubstr("dead-lettered an input the contract refuses, but not as "
                                      "the contract says"));
  EXPECT_THAT(r.reasons[1], HasSubstr("totalRetries is 0"));
}

TEST_F(NegativeEngineTest, AnExampleTestNeverGetsTheNegativeReason) {
  TestEvaluator& e = Begin(R"(, "dlq": {"topic": "orders-dlq"})");
  e.Observe(Msg("orders-out", Accepted(), 100));
  TestResult r = e.Finish(At(200));
  ASSERT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_THAT(r.reasons[0], HasSubstr("Unexpected message on queue 'orders-out'"));
}

}  // namespace
}  // namespace driftline::contract
