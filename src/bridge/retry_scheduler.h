// Holds retry messages until their due time without blocking the poll loop or other retries.
//
// A message that is not yet due is parked here and the loop goes on consuming; messages behind
// it on the same partition are parked too if they are not due, or processed at once if they
// are, so one long delay never holds back a short one. Memory stays bounded: when a partition
// has `max_held_per_partition` parked messages it is reported for pausing, and reported for
// resuming once it drops to half. With a limit of 1 this is exactly "pause the partition whose
// head is not yet due, resume it from a timer".
//
// The scheduler owns the pause state (librdkafka forgets it across rebalances): Forget() a
// revoked partition drops its parked messages (the next owner re-reads them from the last
// committed offset; their due times travel in the message, so none runs early).
//
// Not thread-safe: owned by the retry pipeline's thread.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "bridge/offset_tracker.h"
#include "common/clock.h"

namespace driftline::bridge {

template <typename T>
class RetryScheduler {
 public:
  explicit RetryScheduler(std::size_t max_held_per_partition)
      : limit_(max_held_per_partition == 0 ? 1 : max_held_per_partition) {}

  // Parks `item` until `due`.
  void Hold(const PartitionKey& p, std::int64_t offset, Clock::WallTime due, T item) {
    queue_.emplace(Key{due, p, offset}, std::move(item));
    ++held_[p];
  }

  // Removes and returns every parked item whose due time is <= now, earliest first.
  std::vector<T> TakeDue(Clock::WallTime now) {
    std::vector<T> out;
    while (!queue_.empty() && std::get<0>(queue_.begin()->first) <= now) {
      auto node = queue_.extract(queue_.begin());
      --held_[std::get<1>(node.key())];
      out.push_back(std::move(node.mapped()));
    }
    return out;
  }

  // Earliest due time of anything parked.
  std::optional<Clock::WallTime> NextDue() const {
    if (queue_.empty()) return std::nullopt;
    return std::get<0>(queue_.begin()->first);
  }

  // Partitions that reached the limit and are not paused yet; marks them paused.
  std::vector<PartitionKey> TakeToPause() {
    std::vector<PartitionKey> out;
    for (const auto& [p, n] : held_) {
      if (n >= limit_ && !paused_.contains(p)) out.push_back(p);
    }
    for (const auto& p : out)
      paused_.insert(p);
    return out;
  }

  // Paused partitions that drained to half the limit; marks them resumed. Only partitions this
  // scheduler paused are ever returned (resuming an unpaused partition replays in librdkafka
  // 2.0.2).
  std::vector<PartitionKey> TakeToResume() {
    std::vector<PartitionKey> out;
    for (const auto& p : paused_) {
      auto it = held_.find(p);
      const std::size_t n = it == held_.end() ? 0 : it->second;
      if (n <= limit_ / 2) out.push_back(p);
    }
    for (const auto& p : out)
      paused_.erase(p);
    return out;
  }

  // Drops a revoked partition's parked items and pause state.
  void Forget(const PartitionKey& p) {
    for (auto it = queue_.begin(); it != queue_.end();) {
      it = std::get<1>(it->first) == p ? queue_.erase(it) : std::next(it);
    }
    held_.erase(p);
    paused_.erase(p);
  }

  bool IsPaused(const PartitionKey& p) const { return paused_.contains(p); }
  std::size_t Held() const { return queue_.size(); }
  std::size_t Held(const PartitionKey& p) const {
    auto it = held_.find(p);
    return it == held_.end() ? 0 : it->second;
  }

 private:
  using Key = std::tuple<Clock::WallTime, PartitionKey, std::int64_t>;
  std::size_t limit_;
  std::map<Key, T> queue_;
  std::map<PartitionKey, std::size_t> held_;
  std::set<PartitionKey> paused_;
};

}  // namespace driftline::bridge
