#include "common/clock.h"

#include <gtest/gtest.h>

namespace driftline {
namespace {

using std::chrono::milliseconds;

TEST(ManualClockTest, MovesOnlyWhenAdvanced) {
  ManualClock clock;
  const auto w0 = clock.Wall();
  const auto m0 = clock.Mono();
  EXPECT_EQ(clock.Wall(), w0);
  clock.Advance(milliseconds(1500));
  EXPECT_EQ(clock.Wall() - w0, milliseconds(1500));
  EXPECT_EQ(clock.Mono() - m0, milliseconds(1500));
}

TEST(FormatUtcSecondsTest, MatchesTheLabFormat) {
  // 2026-01-19T10:00:05Z = 1768816805 s since the epoch.
  const Clock::WallTime t{std::chrono::seconds(1768816805) + milliseconds(999)};
  EXPECT_EQ(FormatUtcSeconds(t), "2026-01-19T10:00:05Z");
  EXPECT_EQ(ToEpochMillis(t), 1768816805999);
}

}  // namespace
}  // namespace driftline
