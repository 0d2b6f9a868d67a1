// Consuming records: a balanced consumer group, or a manual assignment for watching topics.
//
// Offsets are the caller's business: nothing is stored or committed automatically
// (enable.auto.commit=false, enable.auto.offset.store=false unless overridden). The bridge stores
// the offset of a record once its outcome is durable and commits from time to time; a record
// whose offset was never stored is delivered again after a restart or rebalance.
//
// Threading: one thread polls. Poll() is where the RebalanceListener runs, so listener code
// may call back into the Consumer (StoreOffset, Commit, Pause, ...). Other methods may be
// called from other threads, but none concurrently with Close() or the destructor.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "kafka/config.h"
#include "kafka/handles.h"
#include "kafka/message.h"

namespace driftline::kafka {

struct TopicPartition {
  std::string topic;
  std::int32_t partition = -1;

  auto operator<=>(const TopicPartition&) const = default;
};

// Special offsets for Assign() (librdkafka's logical offsets).
inline constexpr std::int64_t kOffsetBeginning = RD_KAFKA_OFFSET_BEGINNING;
inline constexpr std::int64_t kOffsetEnd = RD_KAFKA_OFFSET_END;
// The group's committed offset, else auto.offset.reset.
inline constexpr std::int64_t kOffsetStored = RD_KAFKA_OFFSET_STORED;
// "No offset" in Committed() results.
inline constexpr std::int64_t kOffsetInvalid = RD_KAFKA_OFFSET_INVALID;

struct TopicPartitionOffset {
  std::string topic;
  std::int32_t partition = -1;
  std::int64_t offset = kOffsetStored;

  bool operator==(const TopicPartitionOffset&) const = default;
};

class Consumer;

// Told about group rebalances, on the polling thread, from inside Poll() or Close().
//
// Pause state across rebalances: a partition that leaves the assignment is resumed first, so a
// partition (re)assigned later is always fetched — librdkafka 2.0.2 on its own would keep the
// old pause flag and leave such a partition silently stalled. With the default eager protocols
// every rebalance revokes the whole assignment, so afterwards nothing is paused; with
// cooperative-sticky, partitions that stay assigned keep their pause state. A caller that wants
// partitions to stay paused must track which ones itself and pause them again in OnAssigned().
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // `partitions` have just been added to the assignment (all of it with the default eager
  // protocol; the increment with cooperative-sticky). Fetching starts at the committed offsets,
  // else where auto.offset.reset says; both are resolved to absolute offsets before this
  // call (see Consumer::StartOffsetsResolved), so a record produced from now on is consumed.
  virtual void OnAssigned(Consumer& consumer, const std::vector<TopicPartition>& partitions) = 0;
  // `partitions` are about to be taken away and are still assigned: the last chance to store
  // and commit their offsets (a synchronous Commit() here is fine). `lost` is true when the
  // group already gave them to another member (session timed out): a commit will then fail
  // and another member may be processing the same records.
  virtual void OnRevoked(Consumer& consumer, const std::vector<TopicPartition>& partitions,
                         bool lost) = 0;
};

class Consumer {
 public:
  // A consumer in group `group_id` (required even for a manual assignment: librdkafka's
  // consumer needs one; a manual assignment never joins the group). Defaults, each unless
  // `props` sets it: enable.auto.commit=false, enable.auto.offset.store=false,
  // auto.offset.reset=earliest. Supports the eager protocols (range, roundrobin: the default)
  // and partition.assignment.strategy=cooperative-sticky. `listener` (borrowed, may be null)
  // must outlive the Consumer. Producer-only properties in `props` are left out (see
  // Properties::For), so one set can configure both kinds of client.
  // Errors: kInvalidArgument (empty group id, a property librdkafka rejects).
  static Result<std::unique_ptr<Consumer>> Create(const Properties& props, std::string group_id,
                                                  RebalanceListener* listener = nullptr);

  // Close(), then destroys the handle.
  ~Consumer();

  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Joins the group for `topics` (replacing an earlier subscription). Partitions arrive later,
  // through Poll() and the listener. An unknown topic is reported by Poll() as kNotFound.
  // Errors: kInvalidArgument (empty list), kFailedPrecondition (closed).
  Status Subscribe(const std::vector<std::string>& topics);

  // Replaces the assignment with exactly `partitions` at their offsets (kOffsetBeginning,
  // kOffsetEnd, kOffsetStored or an absolute offset), outside any group; an empty list
  // unassigns everything. Not to be mixed with Subscribe(). Resumes paused partitions first:
  // the new assignment starts unpaused.
  // Errors: kInvalidArgument, kFailedPrecondition (closed).
  Status Assign(const std::vector<TopicPartitionOffset>& partitions);

  // Assigns every partition of `topic` at its current end, resolved now (not when fetching
  // starts, as kOffsetEnd would be): every record produced after this returns will be seen.
  // Returns the assignment made. Errors: kNotFound (no such topic), kDeadlineExceeded or
  // kUnavailable (no broker answered in `timeout`), kFailedPrecondition (closed).
  Result<std::vector<TopicPartitionOffset>> AssignAtEnd(const std::string& topic,
                                                        std::chrono::milliseconds timeout);

  // The next record, waiting up to `timeout`; nullopt if none arrived (reaching the end of a
  // partition is not an error). Also runs the RebalanceListener. Errors, classified as in
  // kafka/error.h: e.g. kNotFound (subscribed topic does not exist), kUnavailable (brokers
  // down: keep polling), kPermissionDenied, kInternal (fatal; recreate the consumer),
  // kFailedPrecondition (closed), or an error raised while handling a rebalance.
  Result<std::optional<Message>> Poll(std::chrono::milliseconds timeout);

  // Marks `next_offset` — the offset of the next record to read, i.e. the processed record's
  // offset + 1 — as the position to commit for the partition. Takes effect with the next
  // Commit(). Errors: kFailedPrecondition if the partition is not assigned to this consumer
  // (e.g. revoked since the record was read), kInvalidArgument.
  Status StoreOffset(const std::string& topic, std::int32_t partition, std::int64_t next_offset);
  // StoreOffset(message.topic, message.partition, message.offset + 1).
  Status StoreOffset(const Message& message);

  // Commits the stored offsets of the assigned partitions. `async` returns once the request is
  // queued (a failure is then only logged). Nothing stored since the last commit is success.
  // Errors (synchronous): kAborted (rebalance in progress / generation changed: the
  // partitions may be gone), kUnavailable (coordinator not available), kFailedPrecondition.
  Status Commit(bool async = false);

  // Committed offsets of `partitions` for this consumer's group (kOffsetInvalid where none).
  Result<std::vector<TopicPartitionOffset>> Committed(const std::vector<TopicPartition>& partitions,
                                                      std::chrono::milliseconds timeout);

  // Stops fetching `partitions` until Resume(); records already fetched for them are not
  // returned by Poll() in the meantime. Errors: kFailedPrecondition naming a partition that is
  // not assigned (nothing is paused then).
  Status Pause(const std::vector<TopicPartition>& partitions);

  // Fetches `partitions` again from where they stopped. Only partitions paused by Pause() since
  // their latest assignment are resumed; others are skipped (resuming a partition that is not
  // paused can replay older records in librdkafka 2.0.2).
  Status Resume(const std::vector<TopicPartition>& partitions);

  // The partitions Pause() stopped and that are still assigned and not resumed.
  std::set<TopicPartition> Paused() const;

  // The current assignment. Errors: kFailedPrecondition (closed).
  Result<std::vector<TopicPartition>> Assignment() const;

  // Records not yet consumed: over the assigned partitions, the sum of (last known end offset -
  // position). Read from librdkafka's cache and never blocks; the end offset is refreshed by
  // every fetch, so a paused partition's share is as old as its last fetch. nullopt when no
  // assigned partition has both values yet (nothing assigned, nothing fetched) or when closed.
  std::optional<std::int64_t> Lag() const;

  // Leaves the group (the listener sees OnRevoked for the last assignment; stored offsets are
  // not committed — commit in OnRevoked) and stops fetching. Idempotent; later calls of the
  // other methods fail with kFailedPrecondition.
  Status Close();

  // The fatal error, if the consumer has raised one (e.g. fenced by a static member).
  std::optional<Error> FatalError() const;

  // True when every partition the group assigned got an absolute start offset at assignment:
  // the group's committed offset, else the low or high watermark as auto.offset.reset says,
  // read from the brokers before the assignment and the listener's OnAssigned(). librdkafka
  // left alone resolves a logical start offset only when fetching begins, so a record produced
  // in between is skipped at auto.offset.reset=latest. False while a partition had to be
  // assigned at its logical offset because no broker answered (within 10 s, retried); it is
  // resolved again at the next rebalance. Manual assignments (Assign) do not count.
  bool StartOffsetsResolved() const;

  const std::string& group_id() const { return group_id_; }

 private:
  Consumer(std::string group_id, RebalanceListener* listener);
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void HandleRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  Status CheckOpen() const;
  // Resumes the paused partitions among `leaving` (all paused ones for nullopt) and forgets
  // them; called before partitions leave the assignment.
  void ReleasePaused(const std::optional<std::vector<TopicPartition>>& leaving);
  // rd_kafka_pause/resume_partitions() and the matching update of paused_.
  Status SetPaused(const std::vector<TopicPartition>& partitions, bool pause);
  // Sets an absolute start offset on every element of `partitions` (committed, else per
  // auto.offset.reset from the watermarks), retrying until `timeout`. Errors: the last failure;
  // `partitions` then keeps the offsets librdkafka gave it.
  Status ResolveStartOffsets(rd_kafka_topic_partition_list_t* partitions,
                             std::chrono::milliseconds timeout);

  std::string group_id_;
  std::string offset_reset_;     // auto.offset.reset as configured
  RebalanceListener* listener_;  // borrowed, may be null
  KafkaHandle rk_;
  bool close_started_ = false;  // only changed by Close()
  bool closed_ = false;         // only changed by Close()

  mutable std::mutex mu_;
  std::set<TopicPartition> paused_;       // guarded by mu_
  std::optional<Error> rebalance_error_;  // guarded by mu_; returned by the next Poll()
  std::set<TopicPartition> unresolved_;   // guarded by mu_: assigned at a logical offset
};

}  // namespace driftline::kafka
