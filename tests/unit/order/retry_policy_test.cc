#include "order/retry_policy.h"

#include <gtest/gtest.h>

namespace driftline::order {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicyTest, ExponentialScheduleWithCap) {
  RetryPolicy p;
  EXPECT_EQ(p.DelayFor(0), milliseconds(1000));
  EXPECT_EQ(p.DelayFor(1), milliseconds(2000));
  EXPECT_EQ(p.DelayFor(2), milliseconds(4000));
  EXPECT_EQ(p.DelayFor(3), milliseconds(8000));
  EXPECT_EQ(p.DelayFor(4), milliseconds(16000));
  EXPECT_EQ(p.DelayFor(5), milliseconds(30000));  // 32 s capped at 30 s
  EXPECT_EQ(p.DelayFor(6), milliseconds(30000));  // exponent stops at 5
  EXPECT_EQ(p.DelayFor(1000), milliseconds(30000));
  EXPECT_EQ(p.DelayFor(-1), milliseconds(1000));
}

TEST(RetryPolicyTest, ExponentStopsAtMaxDoublingsBelowTheCap) {
  RetryPolicy p;
  p.initial_delay = milliseconds(100);
  EXPECT_EQ(p.DelayFor(5), milliseconds(3200));
  EXPECT_EQ(p.DelayFor(9), milliseconds(3200));
}

TEST(RetryPolicyTest, LargestDelayIsTheDelayOfTheLastRetry) {
  RetryPolicy p;
  EXPECT_EQ(p.LargestDelay(), milliseconds(4000));  // MAX_RETRIES=3: 1, 2, 4 s
  p.max_retries = 1;
  EXPECT_EQ(p.LargestDelay(), milliseconds(1000));
  p.max_retries = 50;
  EXPECT_EQ(p.LargestDelay(), milliseconds(30000));  // the cap
  p.max_retries = 0;
  EXPECT_EQ(p.LargestDelay(), milliseconds(0));  // nothing is retried
  for (int max = 1; max <= 8; ++max) {
    p.max_retries = max;
    for (int n = 0; n < max; ++n) {
      ASSERT_EQ(Decide(n, p).kind, RetryDecision::Kind::kRetry);
      EXPECT_LE(Decide(n, p).delay, p.LargestDelay()) << "n=" << n << " max=" << max;
    }
  }
}

struct DecisionRow {
  int retry_count;
  int max_retries;
  RetryDecision::Kind kind;
  long delay_ms;
};

class DecisionTableTest : public ::testing::TestWithParam<DecisionRow> {};

TEST_P(DecisionTableTest, MatchesTheLab) {
  RetryPolicy p;
  p.max_retries = GetParam().max_retries;
  const RetryDecision d = Decide(GetParam().retry_count, p);
  EXPECT_EQ(d.kind, GetParam().kind);
  EXPECT_EQ(d.delay.count(), GetParam().delay_ms);
}

using Kind = RetryDecision::Kind;
INSTANTIATE_TEST_SUITE_P(Table, DecisionTableTest,
                         ::testing::Values(DecisionRow{0, 3, Kind::kRetry, 1000},
                                           DecisionRow{1, 3, Kind::kRetry, 2000},
                                           DecisionRow{2, 3, Kind::kRetry, 4000},
                                           DecisionRow{3, 3, Kind::kDeadLetter, 0},
                                           DecisionRow{4, 3, Kind::kDeadLetter, 0},
                                           DecisionRow{0, 0, Kind::kDeadLetter, 0},
                                           DecisionRow{5, 10, Kind::kRetry, 30000}));

}  // namespace
}  // namespace driftline::order
