#include "common/clock.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

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

TEST(FromEpochMillisTest, RoundTripsWhatWallTimeHolds) {
  EXPECT_EQ(ToEpochMillis(FromEpochMillis(1768816805999)), 1768816805999);
  EXPECT_EQ(ToEpochMillis(FromEpochMillis(-1)), -1);
  EXPECT_EQ(FromEpochMillis(0), Clock::WallTime{});
}

// A record's timestamp or header is any int64: beyond about ±292 years the conversion to
// WallTime's nanoseconds would overflow (UBSan: signed overflow in <chrono>).
TEST(FromEpochMillisTest, SaturatesInsteadOfOverflowing) {
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  const std::int64_t min = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(ToEpochMillis(FromEpochMillis(max)), ToEpochMillis(Clock::WallTime::max()));
  EXPECT_EQ(ToEpochMillis(FromEpochMillis(min)), ToEpochMillis(Clock::WallTime::min()));
  // 5902-01-19T10:00:00Z: past 2262, the latest instant WallTime holds.
  EXPECT_EQ(FromEpochMillis(124083482400000), FromEpochMillis(max));
  EXPECT_LT(FromEpochMillis(1768816805999), FromEpochMillis(max));
}

TEST(SaturatingAddTest, StopsAtTheLimits) {
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  const std::int64_t min = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(SaturatingAdd(1, 2), 3);
  EXPECT_EQ(SaturatingAdd(max, 30000), max);
  EXPECT_EQ(SaturatingAdd(max - 1, 1), max);
  EXPECT_EQ(SaturatingAdd(min, -1), min);
  EXPECT_EQ(SaturatingAdd(min, max), -1);
}

}  // namespace
}  // namespace driftline
