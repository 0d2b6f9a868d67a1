#include "common/clock.h"

#include <cstdint>
#include <ctime>

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

}  // namespace driftline
