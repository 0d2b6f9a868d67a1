// The clock seam. Everything that waits, schedules or stamps a time takes a Clock&, so tests
// drive time with ManualClock instead of sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace driftline {

class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using MonoTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  // Calendar time, for timestamps written into messages.
  virtual WallTime Wall() const = 0;
  // Monotonic time, for deadlines and backoff.
  virtual MonoTime Mono() const = 0;

  // The process-wide real clock.
  static Clock& System();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(WallTime start = WallTime{} + std::chrono::hours(24 * 365 * 56))
      : wall_(start) {}

  WallTime Wall() const override;
  MonoTime Mono() const override;
  void Advance(std::chrono::milliseconds by);

 private:
  mutable std::mutex mu_;
  WallTime wall_;                      // guarded by mu_
  std::chrono::milliseconds mono_{0};  // guarded by mu_
};

// "2026-01-19T10:00:05Z": UTC, seconds precision, as the lab's messages carry.
std::string FormatUtcSeconds(Clock::WallTime t);

// Milliseconds since the Unix epoch.
std::int64_t ToEpochMillis(Clock::WallTime t);

// The instant `ms` milliseconds after the Unix epoch, for a value read from outside (a record's
// timestamp or header): values beyond what Clock::WallTime represents (about ±292 years around
// 1970 with nanosecond ticks) become its earliest or latest instant instead of overflowing.
Clock::WallTime FromEpochMillis(std::int64_t ms);

// a + b, or the int64 limit it would pass.
std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b);

}  // namespace driftline
