// Which Kafka offsets may be committed while messages complete out of order.
//
// A partition's committable position is the lowest offset still in flight (or one past the
// highest tracked offset when nothing is in flight): everything below it has a durable outcome.
// Committing that position after a crash replays only messages whose outcome was not yet
// durable — at-least-once, never loss.
//
// Not thread-safe: owned by one pipeline thread; completions from other threads are queued to it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "kafka/consumer.h"

namespace driftline::bridge {

using PartitionKey = kafka::TopicPartition;

class OffsetTracker {
 public:
  // Starts tracking a message that was just consumed. Offsets of one partition must be tracked
  // in increasing order (Kafka delivers them so); an offset at or below the last tracked one is
  // ignored and returns false (a redelivery after a seek, handled by the caller as a duplicate).
  bool Track(const PartitionKey& p, std::int64_t offset);

  // Marks a tracked message done. Returns the new committable position (next offset to read)
  // when it moved forward, nullopt otherwise. Unknown partitions/offsets are ignored (a
  // completion that arrives after the partition was revoked).
  std::optional<std::int64_t> Complete(const PartitionKey& p, std::int64_t offset);

  // Forgets a partition (revoked). Its in-flight completions are ignored from now on.
  void Forget(const PartitionKey& p);

  // The committable position, if anything was tracked for the partition.
  std::optional<std::int64_t> Committable(const PartitionKey& p) const;

  std::size_t InFlight(const PartitionKey& p) const;
  std::size_t InFlight() const { return in_flight_total_; }

 private:
  struct State {
    std::set<std::int64_t> pending;  // tracked, not yet complete
    std::int64_t next = -1;          // one past the highest tracked offset
    std::int64_t committed = -1;     // last position reported (first tracked offset at start)
  };
  std::map<PartitionKey, State> partitions_;
  std::size_t in_flight_total_ = 0;
};

}  // namespace driftline::bridge
