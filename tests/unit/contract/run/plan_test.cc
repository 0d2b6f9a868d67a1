#include "contract/run/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sample_fixture.h"

namespace driftline::contract {
namespace {

using ::testing::HasSubstr;

class PlanTestFixture : public testing::SampleContractTest {
 protected:
  Example Make(const std::string& text) { return MakeExample(text); }
};

TEST_F(PlanTestFixture, PlansARetryToDeadLetterExample) {
  Example ex = Make(R"({"name": "dlq",
    "receive": {"topic": "orders-in", "payload": {"id": "A", "count": 1},
                "headers": {"CorrelationId": "corr-1"}},
    "retry": {"topic": "orders-retry", "payload": {}},
    "dlq": {"topic": "orders-dlq", "payload": {}}})");
  auto plan = PlanTest(*contract_, ex);
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->operation->id, "takeOrder");
  EXPECT_EQ(plan->input->address, "orders-in");
  EXPECT_EQ(plan->correlation_id, "corr-1");
  ASSERT_EQ(plan->expectations.size(), 2u);
  EXPECT_EQ(plan->expectations[0].role, Role::kRetry);
  EXPECT_EQ(plan->expectations[1].channel->address, "orders-dlq");
  // All three outputs are watched, the unexpected reply queue too.
  ASSERT_EQ(plan->watched.size(), 3u);
  EXPECT_EQ(plan->watched[0]->address, "orders-out");
  ASSERT_FALSE(plan->correlation_locations.empty());
  EXPECT_EQ(plan->correlation_locations[0].pointer, "/CorrelationId");
  EXPECT_NE(plan->Find(Role::kDeadLetter), nullptr);
  EXPECT_EQ(plan->Find(Role::kReply), nullptr);
}

TEST_F(PlanTestFixture, UnknownReceiveTopic) {
  auto plan = PlanTest(*contract_, Make(R"({"name": "x", "receive": {"topic": "nowhere",
      "headers": {"CorrelationId": "c"}}})"));
  ASSERT_FALSE(plan);
  EXPECT_THAT(plan.error().message(), HasSubstr("ex.json (at /receive/topic)"));
  EXPECT_THAT(plan.error().message(), HasSubstr("no receive operation on channel 'nowhere'"));
}

TEST_F(PlanTestFixture, ExpectedTopicMustBeTheOperationsChannel) {
  auto plan = PlanTest(*contract_, Make(R"({"name": "x",
      "receive": {"topic": "orders-in", "headers": {"CorrelationId": "c"}},
      "send": {"topic": "orders-dlq"}})"));
  ASSERT_FALSE(plan);
  EXPECT_THAT(plan.error().message(), HasSubstr("(at /send/topic)"));
  EXPECT_THAT(plan.error().message(), HasSubstr("('orders-out')"));
}

TEST_F(PlanTestFixture, NeedsACorrelationId) {
  auto plan = PlanTest(*contract_, Make(R"({"name": "x",
      "receive": {"topic": "orders-in", "headers": {}}, "send": {"topic": "orders-out"}})"));
  ASSERT_FALSE(plan);
  EXPECT_THAT(plan.error().message(),
              HasSubstr("no correlation id at $message.header#/CorrelationId"));
}

}  // namespace
}  // namespace driftline::contract
