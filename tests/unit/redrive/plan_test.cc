#include "redrive/plan.h"

#include <gtest/gtest.h>

#include "dead_letters.h"

namespace driftline::redrive {
namespace {

using testing::DeadLetterWriter;

template <typename Set>
Filter Make(Set set) {
  Filter f;
  set(f);
  return f;
}

class PlanTest : public ::testing::Test {
 protected:
  // A stored dead letter for an order that failed permanently (the direct-DLQ id).
  kafka::Message Stored(const std::string& id, kafka::Headers headers = {},
                        std::int64_t offset = 3) {
    headers.Add("CorrelationId", "corr-" + id);
    const kafka::Message in = writer_.Input(
        R"({"orderType":"STANDARD","orderId":")" + id + R"(","items":[{"productId":"P"}]})", id,
        std::move(headers));
    return DeadLetterWriter::AsStored(writer_.DeadLetterFor(in), 1, offset);
  }
  kafka::Message DirectDlq(kafka::Headers headers = {}) {
    return Stored("ORD-DIRECT", std::move(headers));
  }

  DeadLetterWriter writer_;
  PlanOptions options_{"orders", 3};
};

TEST_F(PlanTest, AMatchedDeadLetterIsRepublishedWithItsKeyHeadersAndARedriveCount) {
  const kafka::Message record =
      DirectDlq({{"traceparent", "00-ff"}, {"redrive-count", "1"}, {"redrive-source", "old"}});
  const Decision d = Decide(record, Filter{}, options_);
  ASSERT_EQ(d.action, Decision::Action::kRedrive) << d.why;
  ASSERT_TRUE(d.message.has_value());
  EXPECT_EQ(d.message->topic, "orders");
  EXPECT_EQ(d.message->key, "ORD-DIRECT");
  EXPECT_EQ(d.message->partition, std::nullopt) << "the partitioner picks, by key";
  EXPECT_EQ(d.message->payload, d.dead_letter->original_payload);
  const kafka::Headers expected{{"CorrelationId", "corr-ORD-DIRECT"},
                                {"traceparent", "00-ff"},
                                {"redrive-count", "2"},
                                {"redrive-source", "orders-dlq/1/3"}};
  EXPECT_EQ(d.message->headers, expected);
}

TEST_F(PlanTest, RefusedAtTheRedriveLimit) {
  options_.max_redrives = 2;
  EXPECT_EQ(Decide(DirectDlq({{"redrive-count", "1"}}), Filter{}, options_).action,
            Decision::Action::kRedrive);
  const Decision d = Decide(DirectDlq({{"redrive-count", "2"}}), Filter{}, options_);
  EXPECT_EQ(d.action, Decision::Action::kRefuse);
  EXPECT_EQ(d.why, "redriven 2 times already (--max-redrives 2)");
  EXPECT_FALSE(d.message.has_value());
}

TEST_F(PlanTest, RefusedWhenNothingIsLeftToRepublish) {
  const auto shrunk = bridge::ShrinkDeadLetter(writer_.DeadLetterFor(writer_.Input("{", "k")));
  ASSERT_TRUE(shrunk.has_value());
  const Decision d = Decide(DeadLetterWriter::AsStored(*shrunk, 0, 0), Filter{}, options_);
  EXPECT_EQ(d.action, Decision::Action::kRefuse);
  EXPECT_NE(d.why.find("nothing to re-publish"), std::string::npos) << d.why;
}

TEST_F(PlanTest, UnreadableAndUnmatchedAreSkipped) {
  kafka::Message junk;
  junk.payload = "junk";
  Decision d = Decide(junk, Filter{}, options_);
  EXPECT_EQ(d.action, Decision::Action::kSkip);
  EXPECT_FALSE(d.dead_letter.has_value());
  EXPECT_NE(d.why.find("unreadable"), std::string::npos);

  Filter f;
  f.order_ids = {"ORD-OTHER"};
  d = Decide(DirectDlq(), f, options_);
  EXPECT_EQ(d.action, Decision::Action::kSkip);
  EXPECT_TRUE(d.dead_letter.has_value());
  EXPECT_EQ(d.why, "not matched");
}

TEST_F(PlanTest, EachCriterionFilters) {
  auto read = ReadDeadLetter(DirectDlq());
  ASSERT_TRUE(read.has_value());
  const StoredDeadLetter& dl = *read;  // permanent, injected-permanent, 10:00:00Z
  ASSERT_EQ(dl.error_kind, "permanent");
  ASSERT_EQ(dl.failure_reason, "injected-permanent");
  ASSERT_NE(dl.final_error_message.find("Simulated non-retryable failure"), std::string::npos);

  const std::int64_t at = *dl.failed_at_ms;
  struct Case {
    const char* what;
    Filter filter;
    bool matches;
  };
  const std::vector<Case> cases = {
      {"empty", Filter{}, true},
      {"reason, any case", Make([](Filter& f) { f.reason_contains = "NON-RETRYABLE"; }), true},
      {"reason elsewhere", Make([](Filter& f) { f.reason_contains = "timeout"; }), false},
      {"kind", Make([](Filter& f) {
         f.error_kinds = {"retries-exhausted", "permanent"};
       }),
       true},
      {"other kind", Make([](Filter& f) { f.error_kinds = {"sqs-rejected"}; }), false},
      {"failure reason", Make([](Filter& f) { f.failure_reasons = {"injected-permanent"}; }), true},
      {"other failure reason", Make([](Filter& f) { f.failure_reasons = {"invalid-json"}; }),
       false},
      {"since = at", Make([&](Filter& f) { f.since_ms = at; }), true},
      {"since after", Make([&](Filter& f) { f.since_ms = at + 1; }), false},
      {"until after", Make([&](Filter& f) { f.until_ms = at + 1; }), true},
      {"until = at (exclusive)", Make([&](Filter& f) { f.until_ms = at; }), false},
      {"correlation id", Make([](Filter& f) {
         f.correlation_ids = {"x", "corr-ORD-DIRECT"};
       }),
       true},
      {"other correlation id", Make([](Filter& f) { f.correlation_ids = {"x"}; }), false},
      {"order id", Make([](Filter& f) { f.order_ids = {"ORD-DIRECT"}; }), true},
      {"all together", Make([&](Filter& f) {
         f.reason_contains = "simulated";
         f.error_kinds = {"permanent"};
         f.since_ms = at - 1000;
         f.until_ms = at + 1000;
         f.order_ids = {"ORD-DIRECT"};
       }),
       true},
      {"all but one", Make([](Filter& f) {
         f.reason_contains = "simulated";
         f.order_ids = {"ORD-2"};
       }),
       false},
  };
  for (const Case& c : cases)
    EXPECT_EQ(Matches(c.filter, dl), c.matches) << c.what;

  StoredDeadLetter timeless = dl;
  timeless.failed_at_ms.reset();
  EXPECT_FALSE(Matches(Make([](Filter& f) { f.since_ms = 0; }), timeless))
      << "a time range needs a time";
  EXPECT_TRUE(Matches(Filter{}, timeless));
}

TEST(FilterTest, Describe) {
  EXPECT_EQ(Filter{}.Describe(), "everything");
  const Filter f = Make([](Filter& g) {
    g.reason_contains = "queue";
    g.error_kinds = {"permanent", "sqs-rejected"};
    g.since_ms = 1768816800000;
    g.order_ids = {"A"};
  });
  EXPECT_EQ(f.Describe(),
            "reason~'queue' error-kind=permanent,sqs-rejected since=2026-01-19T10:00:00Z "
            "order-id=A");
}

}  // namespace
}  // namespace driftline::redrive
