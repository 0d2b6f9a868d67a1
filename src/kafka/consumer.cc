#include "kafka/consumer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "kafka/client.h"
#include "kafka/error.h"

namespace driftline::kafka {
namespace {

std::string Describe(const std::string& topic, std::int32_t partition) {
  return topic + "[" + std::to_string(partition) + "]";
}

TopicPartitionListHandle ToList(const std::vector<TopicPartition>& partitions) {
  TopicPartitionListHandle list(
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  }
  return list;
}

std::vector<TopicPartition> FromList(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  if (list == nullptr) {
    return out;
  }
  out.reserve(static_cast<std::size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i) {
    out.push_back({list->elems[i].topic, list->elems[i].partition});
  }
  return out;
}

// The first per-partition error in `list`, if any.
std::optional<Error> FirstPartitionError(const rd_kafka_topic_partition_list_t* list,
                                         std::string_view what) {
  for (int i = 0; i < list->cnt; ++i) {
    const auto& elem = list->elems[i];
    if (elem.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return FromKafka(elem.err, std::string(what) + " " + Describe(elem.topic, elem.partition));
    }
  }
  return std::nullopt;
}

// How long an assignment waits for its start offsets before leaving them to librdkafka.
constexpr std::chrono::milliseconds kResolveTimeout{10000};
constexpr std::chrono::milliseconds kResolveRetry{100};

void OnOffsetCommit(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*,
                    void*) {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    spdlog::warn("kafka {}: offset commit failed: {}", rd_kafka_name(rk),
                 FromKafka(err, "commit").message());
  }
}

}  // namespace

Consumer::Consumer(std::string group_id, RebalanceListener* listener)
    : group_id_(std::move(group_id)), listener_(listener) {}

Result<std::unique_ptr<Consumer>> Consumer::Create(const Properties& props, std::string group_id,
                                                   RebalanceListener* listener) {
  if (group_id.empty()) {
    return Fail(Code::kInvalidArgument, "kafka consumer: group id is empty");
  }
  Properties effective = props.For(ClientRole::kConsumer);
  effective.Set("group.id", group_id);
  effective.SetDefault("enable.auto.commit", "false");
  effective.SetDefault("enable.auto.offset.store", "false");
  effective.SetDefault("auto.offset.reset", "earliest");
  auto conf = effective.ToConf();
  if (!conf) {
    return tl::unexpected(std::move(conf.error()));
  }

  std::unique_ptr<Consumer> consumer(new Consumer(std::move(group_id), listener));
  consumer->offset_reset_ = effective.Get("auto.offset.reset").value_or("earliest");
  // The callbacks find the Consumer through the conf's opaque; it outlives the handle.
  rd_kafka_conf_set_opaque(conf->get(), consumer.get());
  rd_kafka_conf_set_rebalance_cb(conf->get(), &Consumer::OnRebalance);
  rd_kafka_conf_set_offset_commit_cb(conf->get(), OnOffsetCommit);
  internal::RouteLogsAndErrors(conf->get());

  auto rk = internal::NewClient(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk) {
    return tl::unexpected(std::move(rk.error()));
  }
  consumer->rk_ = std::move(*rk);
  // Serve errors, logs and rebalances from Poll() (rd_kafka_consumer_poll).
  rd_kafka_poll_set_consumer(consumer->rk_.get());
  return consumer;
}

Consumer::~Consumer() {
  if (auto closed = Close(); !closed) {
    spdlog::warn("kafka consumer {}: close: {}", group_id_, closed.error().message());
  }
}

Status Consumer::CheckOpen() const {
  if (closed_) {
    return Fail(Code::kFailedPrecondition, "kafka consumer " + group_id_ + " is closed");
  }
  return Ok();
}

void Consumer::OnRebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<Consumer*>(opaque)->HandleRebalance(err, partitions);
}

void Consumer::HandleRebalance(rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* partitions) {
  rd_kafka_t* rk = rk_.get();
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  const std::vector<TopicPartition> changed = FromList(partitions);
  std::optional<Error> failure;

  const auto notify = [&](auto&& call) {
    if (listener_ == nullptr) {
      return;
    }
    try {
      call();
    } catch (const std::exception& e) {
      failure = Error(Code::kInternal, std::string("rebalance listener threw: ") + e.what());
    } catch (...) {
      failure = Error(Code::kInternal, "rebalance listener threw");
    }
  };

  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    // Closing: the assignment is only handed over to be revoked; nothing will be fetched.
    const Status resolved = close_started_ ? Fail(Code::kAborted, "closing")
                                           : ResolveStartOffsets(partitions, kResolveTimeout);
    if (!resolved && !close_started_) {
      spdlog::warn("kafka consumer {}: start offsets left to librdkafka: {}", group_id_,
                   resolved.error().message());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!cooperative) unresolved_.clear();
      for (const auto& tp : changed) {
        if (resolved) {
          unresolved_.erase(tp);
        } else {
          unresolved_.insert(tp);
        }
      }
    }
    if (cooperative) {
      if (ErrorHandle e{rd_kafka_incremental_assign(rk, partitions)}) {
        failure = FromKafkaError(e.get(), "incremental assign");
      }
    } else {
      ReleasePaused(std::nullopt);  // normally done at revocation already
      if (const auto e = rd_kafka_assign(rk, partitions); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        failure = FromKafka(e, "assign");
      }
    }
    if (!failure) {
      notify([&] { listener_->OnAssigned(*this, changed); });
    }
  } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    const bool lost = rd_kafka_assignment_lost(rk) != 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& tp : changed)
        unresolved_.erase(tp);
    }
    notify([&] { listener_->OnRevoked(*this, changed, lost); });
    ReleasePaused(changed);
    if (cooperative) {
      if (ErrorHandle e{rd_kafka_incremental_unassign(rk, partitions)}) {
        failure = FromKafkaError(e.get(), "incremental unassign");
      }
    } else if (const auto e = rd_kafka_assign(rk, nullptr); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      failure = FromKafka(e, "unassign");
    }
  } else {
    failure = FromKafka(err, "rebalance");
    ReleasePaused(std::nullopt);
    rd_kafka_assign(rk, nullptr);
  }

  if (failure) {
    spdlog::error("kafka consumer {}: {}", group_id_, failure->message());
    std::lock_guard<std::mutex> lock(mu_);
    rebalance_error_ = std::move(failure);
  }
}

Status Consumer::ResolveStartOffsets(rd_kafka_topic_partition_list_t* partitions,
                                     std::chrono::milliseconds timeout) {
  const bool earliest =
      offset_reset_ == "earliest" || offset_reset_ == "smallest" || offset_reset_ == "beginning";
  const bool latest =
      offset_reset_ == "latest" || offset_reset_ == "largest" || offset_reset_ == "end";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left = [&] {
    return std::max(std::chrono::milliseconds(1),
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now()));
  };
  std::optional<Error> last;
  do {
    if (last) std::this_thread::sleep_for(kResolveRetry);
    last.reset();
    const TopicPartitionListHandle committed(rd_kafka_topic_partition_list_copy(partitions));
    if (const auto err =
            rd_kafka_committed(rk_.get(), committed.get(), internal::TimeoutMs(left()));
        err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      last = FromKafka(err, "committed offsets of group " + group_id_);
      continue;
    }
    if (auto failed = FirstPartitionError(committed.get(), "committed offset of")) {
      last = std::move(failed);
      continue;
    }
    std::vector<std::int64_t> start(static_cast<std::size_t>(partitions->cnt));
    for (int i = 0; i < partitions->cnt && !last; ++i) {
      const auto& elem = committed->elems[i];
      std::int64_t& offset = start[static_cast<std::size_t>(i)];
      offset = elem.offset;
      if (offset >= 0) continue;
      if (!earliest && !latest) {
        last = Error(Code::kInvalidArgument, "auto.offset.reset=" + offset_reset_ +
                                                 " has no offset to start " +
                                                 Describe(elem.topic, elem.partition) + " at");
        break;
      }
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (const auto err = rd_kafka_query_watermark_offsets(
              rk_.get(), elem.topic, elem.partition, &low, &high, internal::TimeoutMs(left()));
          err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        last = FromKafka(err, "watermarks of " + Describe(elem.topic, elem.partition));
        break;
      }
      offset = earliest ? low : high;
    }
    if (last) continue;
    for (int i = 0; i < partitions->cnt; ++i) {
      partitions->elems[i].offset = start[static_cast<std::size_t>(i)];
    }
    return Ok();
  } while (last && last->code() != Code::kInvalidArgument &&
           std::chrono::steady_clock::now() + kResolveRetry < deadline);
  return tl::unexpected(std::move(*last));
}

bool Consumer::StartOffsetsResolved() const {
  std::lock_guard<std::mutex> lock(mu_);
  return unresolved_.empty();
}

void Consumer::ReleasePaused(const std::optional<std::vector<TopicPartition>>& leaving) {
  std::vector<TopicPartition> release;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& tp : paused_) {
      if (!leaving || std::find(leaving->begin(), leaving->end(), tp) != leaving->end()) {
        release.push_back(tp);
      }
    }
  }
  if (release.empty()) {
    return;
  }
  // librdkafka keeps a partition's pause flag after it is unassigned and applies it again if
  // the partition comes back, where nobody would know to resume it.
  if (auto resumed = SetPaused(release, false); !resumed) {
    spdlog::warn("kafka consumer {}: before unassigning: {}", group_id_, resumed.error().message());
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& tp : release) {
    paused_.erase(tp);  // leaving the assignment either way
  }
}

Status Consumer::Subscribe(const std::vector<std::string>& topics) {
  if (auto open = CheckOpen(); !open) {
    return open;
  }
  if (topics.empty()) {
    return Fail(Code::kInvalidArgument, "subscribe: no topics");
  }
  TopicPartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const auto& topic : topics) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (const auto err = rd_kafka_subscribe(rk_.get(), list.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return tl::unexpected(FromKafka(err, "subscribe"));
  }
  return Ok();
}

Status Consumer::Assign(const std::vector<TopicPartitionOffset>& partitions) {
  if (auto open = CheckOpen(); !open) {
    return open;
  }
  TopicPartitionListHandle list(
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& tpo : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tpo.topic.c_str(), tpo.partition)->offset =
        tpo.offset;
  }
  ReleasePaused(std::nullopt);
  {
    std::lock_guard<std::mutex> lock(mu_);
    unresolved_.clear();
  }
  const auto err = rd_kafka_assign(rk_.get(), partitions.empty() ? nullptr : list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return tl::unexpected(FromKafka(err, "assign"));
  }
  return Ok();
}

Result<std::vector<TopicPartitionOffset>> Consumer::AssignAtEnd(const std::string& topic,
                                                                std::chrono::milliseconds timeout) {
  if (auto open = CheckOpen(); !open) {
    return tl::unexpected(std::move(open.error()));
  }
  auto ends = internal::HighWatermarks(rk_.get(), topic, timeout);
  if (!ends) {
    return tl::unexpected(std::move(ends.error()).With("assign " + topic + " at end"));
  }
  std::vector<TopicPartitionOffset> assignment;
  for (const auto& [partition, end] : *ends) {
    assignment.push_back({topic, partition, end});
  }
  if (auto assigned = Assign(assignment); !assigned) {
    return tl::unexpected(std::move(assigned.error()));
  }
  return assignment;
}

Result<std::optional<Message>> Consumer::Poll(std::chrono::milliseconds timeout) {
  if (auto open = CheckOpen(); !open) {
    return tl::unexpected(std::move(open.error()));
  }
  // A rebalance failure is reported before anything else, but never instead of a record that
  // was already fetched: the consumer's position has moved past it, so dropping it would skip
  // it for good once a later offset is committed.
  const auto take_rebalance_error = [this]() -> std::optional<Error> {
    std::lock_guard<std::mutex> lock(mu_);
    auto error = std::move(rebalance_error_);
    rebalance_error_.reset();
    return error;
  };
  if (auto error = take_rebalance_error()) {
    return tl::unexpected(std::move(*error));
  }
  const MessageHandle message(rd_kafka_consumer_poll(rk_.get(), internal::TimeoutMs(timeout)));
  if (!message) {
    if (auto error = take_rebalance_error()) {
      return tl::unexpected(std::move(*error));
    }
    return std::nullopt;
  }
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    return CopyMessage(*message);
  }
  if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    return std::nullopt;
  }
  if (message->err == RD_KAFKA_RESP_ERR__FATAL) {
    return tl::unexpected(FatalErrorOf(rk_.get()).value_or(FromKafka(message->err, "consume")));
  }
  std::string what = "consume";
  if (message->rkt != nullptr) {
    what += " " + Describe(rd_kafka_topic_name(message->rkt), message->partition);
  }
  // rd_kafka_message_errstr() says more than the code (e.g. which topic does not exist).
  return tl::unexpected(
      Error(CodeFor(message->err), what + ": " + rd_kafka_message_errstr(message.get()) + " (" +
                                       rd_kafka_err2name(message->err) + ")"));
}

Status Consumer::StoreOffset(const std::string& topic, std::int32_t partition,
                             std::int64_t next_offset) {
  if (auto open = CheckOpen(); !open) {
    return open;
  }
  const std::string what = "store offset " + std::to_string(next_offset) + " for";
  TopicPartitionListHandle list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = next_offset;
  const auto err = rd_kafka_offsets_store(rk_.get(), list.get());
  if (auto failed = FirstPartitionError(list.get(), what)) {
    if (list->elems[0].err == RD_KAFKA_RESP_ERR__STATE ||
        list->elems[0].err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
      return Fail(Code::kFailedPrecondition,
                  what + " " + Describe(topic, partition) + ": partition not assigned");
    }
    return tl::unexpected(std::move(*failed));
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return tl::unexpected(FromKafka(err, what + " " + Describe(topic, partition)));
  }
  return Ok();
}

Status Consumer::StoreOffset(const Message& message) {
  return StoreOffset(message.topic, message.partition, message.offset + 1);
}

Status Consumer::Commit(bool async) {
  if (auto open = CheckOpen(); !open) {
    return open;
  }
  const auto err = rd_kafka_commit(rk_.get(), nullptr, async ? 1 : 0);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) {
    return Ok();
  }
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    return tl::unexpected(FatalErrorOf(rk_.get()).value_or(FromKafka(err, "commit")));
  }
  return tl::unexpected(FromKafka(err, "commit offsets of group " + group_id_));
}

Result<std::vector<TopicPartitionOffset>> Consumer::Committed(
    const std::vector<TopicPartition>& partitions, std::chrono::milliseconds timeout) {
  if (auto open = CheckOpen(); !open) {
    return tl::unexpected(std::move(open.error()));
  }
  auto list = ToList(partitions);
  const auto err = rd_kafka_committed(rk_.get(), list.get(), internal::TimeoutMs(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return tl::unexpected(FromKafka(err, "committed offsets of group " + group_id_));
  }
  if (auto failed = FirstPartitionError(list.get(), "committed offset of")) {
    return tl::unexpected(std::move(*failed));
  }
  std::vector<TopicPartitionOffset> out;
  for (int i = 0; i < list->cnt; ++i) {
    out.push_back({list->elems[i].topic, list->elems[i].partition, list->elems[i].offset});
  }
  return out;
}

Status Consumer::Pause(const std::vector<TopicPartition>& partitions) {
  auto assignment = Assignment();
  if (!assignment) {
    return tl::unexpected(std::move(assignment.error()));
  }
  const std::set<TopicPartition> assigned(assignment->begin(), assignment->end());
  for (const auto& tp : partitions) {
    if (!assigned.contains(tp)) {
      return Fail(Code::kFailedPrecondition,
                  "pause " + Describe(tp.topic, tp.partition) + ": partition not assigned");
    }
  }
  return SetPaused(partitions, true);
}

Status Consumer::Resume(const std::vector<TopicPartition>& partitions) {
  if (auto open = CheckOpen(); !open) {
    return open;
  }
  std::vector<TopicPartition> paused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& tp : partitions) {
      if (paused_.contains(tp)) {
        paused.push_back(tp);
      }
    }
  }
  if (paused.empty()) {
    return Ok();
  }
  return SetPaused(paused, false);
}

Status Consumer::SetPaused(const std::vector<TopicPartition>& partitions, bool pause) {
  const char* what = pause ? "pause" : "resume";
  auto list = ToList(partitions);
  const auto err = pause ? rd_kafka_pause_partitions(rk_.get(), list.get())
                         : rd_kafka_resume_partitions(rk_.get(), list.get());
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int i = 0; i < list->cnt; ++i) {
      if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        continue;
      }
      const TopicPartition tp{list->elems[i].topic, list->elems[i].partition};
      if (pause) {
        paused_.insert(tp);
      } else {
        paused_.erase(tp);
      }
    }
  }
  if (auto failed = FirstPartitionError(list.get(), what)) {
    return tl::unexpected(std::move(*failed));
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return tl::unexpected(FromKafka(err, what));
  }
  return Ok();
}

std::set<TopicPartition> Consumer::Paused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return paused_;
}

Result<std::vector<TopicPartition>> Consumer::Assignment() const {
  if (auto open = CheckOpen(); !open) {
    return tl::unexpected(std::move(open.error()));
  }
  rd_kafka_topic_partition_list_t* raw = nullptr;
  const auto err = rd_kafka_assignment(rk_.get(), &raw);
  const TopicPartitionListHandle list(raw);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return tl::unexpected(FromKafka(err, "assignment"));
  }
  return FromList(list.get());
}

std::optional<std::int64_t> Consumer::Lag() const {
  if (closed_) {
    return std::nullopt;
  }
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(rk_.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  const TopicPartitionListHandle list(raw);
  if (rd_kafka_position(rk_.get(), list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  std::optional<std::int64_t> lag;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& elem = list->elems[i];
    std::int64_t low = 0;
    std::int64_t high = 0;
    if (elem.offset < 0 ||
        rd_kafka_get_watermark_offsets(rk_.get(), elem.topic, elem.partition, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      continue;  // nothing consumed or fetched yet
    }
    lag = lag.value_or(0) + std::max<std::int64_t>(0, high - elem.offset);
  }
  return lag;
}

Status Consumer::Close() {
  if (close_started_ || !rk_) {
    return Ok();
  }
  close_started_ = true;
  // Runs the rebalance callback (OnRevoked) on this thread before leaving the group; the
  // listener may still store offsets and commit, so the consumer counts as open until then.
  const auto err = rd_kafka_consumer_close(rk_.get());
  closed_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    paused_.clear();
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return tl::unexpected(FromKafka(err, "close consumer of group " + group_id_));
  }
  return Ok();
}

std::optional<Error> Consumer::FatalError() const {
  return FatalErrorOf(rk_.get());
}

}  // namespace driftline::kafka
