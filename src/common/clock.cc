#include "common/clock.h"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <limits>

namespace driftline {
namespace {

class SystemClock final : public Clock {
 public:
  WallTime Wall() const override { return std::chrono::system_clock::now(); }
  MonoTime Mono() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

Clock& Clock::System() {
  static SystemClock clock;
  return clock;
}

Clock::WallTime ManualClock::Wall() const {
  std::lock_guard lock(mu_);
  return wall_;
}

Clock::MonoTime ManualClock::Mono() const {
  std::lock_guard lock(mu_);
  return MonoTime{} + mono_;
}

void ManualClock::Advance(std::chrono::milliseconds by) {
  std::lock_guard lock(mu_);
  wall_ += by;
  mono_ += by;
}

std::string FormatUtcSeconds(Clock::WallTime t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

std::int64_t ToEpochMillis(Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Clock::WallTime FromEpochMillis(std::int64_t ms) {
  // The range in whole milliseconds (duration_cast truncates toward zero: both stay inside).
  static const std::int64_t kMax = ToEpochMillis(Clock::WallTime::max());
  static const std::int64_t kMin = ToEpochMillis(Clock::WallTime::min());
  return Clock::WallTime{std::chrono::duration_cast<Clock::WallTime::duration>(
      std::chrono::milliseconds(std::clamp(ms, kMin, kMax)))};
}

std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<std::int64_t>::max()
               : std::numeric_limits<std::int64_t>::min();
}

}  // namespace driftline
