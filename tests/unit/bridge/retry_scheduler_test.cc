#include "bridge/retry_scheduler.h"

#include <gtest/gtest.h>

#include <string>

namespace driftline::bridge {
namespace {

using std::chrono::milliseconds;

const PartitionKey kRetryP0{"place-order-retry-topic", 0};
const PartitionKey kRetryP1{"place-order-retry-topic", 1};

class RetrySchedulerTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  Clock::WallTime In(long ms) { return clock_.Wall() + milliseconds(ms); }
};

TEST_F(RetrySchedulerTest, NothingIsReleasedBeforeItsDueTime) {
  RetryScheduler<std::string> s(100);
  s.Hold(kRetryP0, 0, In(1000), "a");
  EXPECT_TRUE(s.TakeDue(clock_.Wall()).empty());
  clock_.Advance(milliseconds(999));
  EXPECT_TRUE(s.TakeDue(clock_.Wall()).empty());
  clock_.Advance(milliseconds(1));
  EXPECT_EQ(s.TakeDue(clock_.Wall()), std::vector<std::string>{"a"});
  EXPECT_EQ(s.Held(), 0u);
}

TEST_F(RetrySchedulerTest, ALongDelayDoesNotBlockAShortOneBehindIt) {
  RetryScheduler<std::string> s(100);
  s.Hold(kRetryP0, 0, In(4000), "retry-2");  // head of the partition, 4 s
  s.Hold(kRetryP0, 1, In(1000), "retry-0");  // behind it, 1 s
  s.Hold(kRetryP1, 0, In(2000), "other");
  EXPECT_EQ(s.NextDue(), In(1000));
  clock_.Advance(milliseconds(1000));
  EXPECT_EQ(s.TakeDue(clock_.Wall()), std::vector<std::string>{"retry-0"});
  clock_.Advance(milliseconds(3000));
  EXPECT_EQ(s.TakeDue(clock_.Wall()), (std::vector<std::string>{"other", "retry-2"}));
}

TEST_F(RetrySchedulerTest, PausesAtTheLimitAndResumesAtHalf) {
  RetryScheduler<int> s(4);
  for (int i = 0; i < 3; ++i)
    s.Hold(kRetryP0, i, In(1000 * (i + 1)), i);
  EXPECT_TRUE(s.TakeToPause().empty());
  s.Hold(kRetryP0, 3, In(4000), 3);
  EXPECT_EQ(s.TakeToPause(), std::vector<PartitionKey>{kRetryP0});
  EXPECT_TRUE(s.TakeToPause().empty()) << "reported once";
  EXPECT_TRUE(s.IsPaused(kRetryP0));
  EXPECT_TRUE(s.TakeToResume().empty());
  clock_.Advance(milliseconds(2000));
  EXPECT_EQ(s.TakeDue(clock_.Wall()).size(), 2u);
  EXPECT_EQ(s.TakeToResume(), std::vector<PartitionKey>{kRetryP0});
  EXPECT_FALSE(s.IsPaused(kRetryP0));
  EXPECT_TRUE(s.TakeToResume().empty()) << "only what was paused is resumed";
}

TEST_F(RetrySchedulerTest, LimitOneIsPauseTheHeadUntilDue) {
  RetryScheduler<int> s(1);
  s.Hold(kRetryP0, 7, In(2000), 7);
  EXPECT_EQ(s.TakeToPause(), std::vector<PartitionKey>{kRetryP0});
  EXPECT_FALSE(s.IsPaused(kRetryP1));
  clock_.Advance(milliseconds(2000));
  EXPECT_EQ(s.TakeDue(clock_.Wall()), std::vector<int>{7});
  EXPECT_EQ(s.TakeToResume(), std::vector<PartitionKey>{kRetryP0});
}

TEST_F(RetrySchedulerTest, ForgetDropsARevokedPartition) {
  RetryScheduler<int> s(1);
  s.Hold(kRetryP0, 0, In(1000), 0);
  s.Hold(kRetryP1, 0, In(1000), 1);
  s.TakeToPause();
  s.Forget(kRetryP0);
  EXPECT_FALSE(s.IsPaused(kRetryP0));
  EXPECT_TRUE(s.TakeToResume().empty());
  clock_.Advance(milliseconds(1000));
  EXPECT_EQ(s.TakeDue(clock_.Wall()), std::vector<int>{1});
}

}  // namespace
}  // namespace driftline::bridge
