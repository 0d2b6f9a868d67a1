#include "bridge/offset_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace driftline::bridge {
namespace {

const PartitionKey kP0{"place-order-topic", 0};
const PartitionKey kP1{"place-order-topic", 1};

TEST(OffsetTrackerTest, InOrderCompletionAdvancesOneByOne) {
  OffsetTracker t;
  for (std::int64_t o = 10; o < 13; ++o)
    ASSERT_TRUE(t.Track(kP0, o));
  EXPECT_EQ(t.Complete(kP0, 10), 11);
  EXPECT_EQ(t.Complete(kP0, 11), 12);
  EXPECT_EQ(t.Complete(kP0, 12), 13);
  EXPECT_EQ(t.InFlight(), 0u);
}

TEST(OffsetTrackerTest, OutOfOrderCompletionWaitsForTheGap) {
  OffsetTracker t;
  for (std::int64_t o = 0; o < 5; ++o)
    t.Track(kP0, o);
  EXPECT_EQ(t.Complete(kP0, 3), std::nullopt);
  EXPECT_EQ(t.Complete(kP0, 1), std::nullopt);
  EXPECT_EQ(t.Committable(kP0), 0);
  EXPECT_EQ(t.Complete(kP0, 0), 2);  // 0 and 1 done, 2 still pending
  EXPECT_EQ(t.Complete(kP0, 4), std::nullopt);
  EXPECT_EQ(t.Complete(kP0, 2), 5);  // everything done
}

TEST(OffsetTrackerTest, PartitionsAreIndependent) {
  OffsetTracker t;
  t.Track(kP0, 0);
  t.Track(kP1, 0);
  t.Track(kP1, 1);
  EXPECT_EQ(t.Complete(kP1, 1), std::nullopt);
  EXPECT_EQ(t.Complete(kP0, 0), 1);
  EXPECT_EQ(t.InFlight(kP1), 1u);
  EXPECT_EQ(t.Complete(kP1, 0), 2);
}

TEST(OffsetTrackerTest, GapsInOffsetsAreFine) {
  // Compacted topics and transaction markers leave holes in offsets.
  OffsetTracker t;
  t.Track(kP0, 5);
  t.Track(kP0, 9);
  EXPECT_EQ(t.Complete(kP0, 5), 9);
  EXPECT_EQ(t.Complete(kP0, 9), 10);
}

TEST(OffsetTrackerTest, RedeliveryAndStaleCompletionsAreIgnored) {
  OffsetTracker t;
  t.Track(kP0, 0);
  t.Track(kP0, 1);
  EXPECT_FALSE(t.Track(kP0, 1));
  EXPECT_EQ(t.Complete(kP0, 7), std::nullopt);  // never tracked
  t.Forget(kP0);
  EXPECT_EQ(t.InFlight(), 0u);
  EXPECT_EQ(t.Complete(kP0, 0), std::nullopt);  // revoked before it completed
}

TEST(OffsetTrackerTest, RandomCompletionOrderNeverCommitsPastAPendingOffset) {
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    OffsetTracker t;
    std::vector<std::int64_t> offsets(200);
    for (std::int64_t i = 0; i < 200; ++i)
      offsets[static_cast<std::size_t>(i)] = i;
    for (auto o : offsets)
      t.Track(kP0, o);
    std::shuffle(offsets.begin(), offsets.end(), rng);
    std::set<std::int64_t> done;
    std::int64_t last = 0;
    for (auto o : offsets) {
      done.insert(o);
      if (auto pos = t.Complete(kP0, o)) {
        EXPECT_GT(*pos, last);
        for (std::int64_t k = 0; k < *pos; ++k)
          ASSERT_TRUE(done.contains(k));
        last = *pos;
      }
    }
    EXPECT_EQ(last, 200);
  }
}

}  // namespace
}  // namespace driftline::bridge
