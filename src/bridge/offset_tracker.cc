#include "bridge/offset_tracker.h"

namespace driftline::bridge {

bool OffsetTracker::Track(const PartitionKey& p, std::int64_t offset) {
  State& s = partitions_[p];
  if (offset < s.next) return false;
  // Nothing before the first tracked offset is ours to report: start the watermark there.
  if (s.committed < 0) s.committed = offset;
  s.pending.insert(offset);
  s.next = offset + 1;
  ++in_flight_total_;
  return true;
}

std::optional<std::int64_t> OffsetTracker::Complete(const PartitionKey& p, std::int64_t offset) {
  auto it = partitions_.find(p);
  if (it == partitions_.end()) return std::nullopt;
  State& s = it->second;
  if (s.pending.erase(offset) == 0) return std::nullopt;
  --in_flight_total_;
  const std::int64_t position = s.pending.empty() ? s.next : *s.pending.begin();
  if (position <= s.committed) return std::nullopt;
  s.committed = position;
  return position;
}

void OffsetTracker::Forget(const PartitionKey& p) {
  auto it = partitions_.find(p);
  if (it == partitions_.end()) return;
  in_flight_total_ -= it->second.pending.size();
  partitions_.erase(it);
}

std::optional<std::int64_t> OffsetTracker::Committable(const PartitionKey& p) const {
  auto it = partitions_.find(p);
  if (it == partitions_.end() || it->second.next < 0) return std::nullopt;
  const State& s = it->second;
  return s.pending.empty() ? s.next : *s.pending.begin();
}

std::size_t OffsetTracker::InFlight(const PartitionKey& p) const {
  auto it = partitions_.find(p);
  return it == partitions_.end() ? 0 : it->second.pending.size();
}

}  // namespace driftline::bridge
