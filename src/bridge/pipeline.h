// One consuming pipeline of the service: the main pipeline (place-order-topic, transform, SQS)
// or the retry pipeline (place-order-retry-topic, wait until due, transform again).
//
// One thread owns the consumer, the offset tracker and the retry scheduler; it polls one record
// at a time, routes it (bridge/routing.h) and hands the result to the SQS sender or the record
// sink. Their completions come back through a queue and advance the partition's commit
// watermark, so an offset is stored only once everything before it is durable. Backpressure:
// when `max_in_flight` records are unfinished the loop stops polling and waits for completions;
// if that lasts (SQS down, say) every partition is paused and the loop polls again — group
// membership and rebalances are served — without taking new input.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bridge/config.h"
#include "bridge/offset_tracker.h"
#include "bridge/record_consumer.h"
#include "bridge/record_sink.h"
#include "bridge/retry_scheduler.h"
#include "bridge/routing.h"
#include "bridge/sqs_sender.h"
#include "common/clock.h"

namespace prometheus {
class Counter;
}

namespace driftline::bridge {

struct BridgeMetrics;

class Pipeline final : public AssignmentListener {
 public:
  enum class Kind { kMain, kRetry };

  // A pipeline for its topic and group, with a consumer from `consumers` (not subscribed yet).
  // Borrowed: config, metrics (nullable) and clock must outlive the pipeline; the sender and
  // the sink must outlive its thread (Join(); the destructor uses neither, so they may be
  // destroyed first) and must not report completions into it after it is destroyed (stop or
  // destroy them first). Errors: the consumer's.
  static Result<std::unique_ptr<Pipeline>> Create(
      Kind kind, const BridgeConfig& config, SqsSender& sender, RecordSink& sink,
      BridgeMetrics* metrics, const Clock& clock,
      const ConsumerFactory& consumers = KafkaConsumerFactory());
  ~Pipeline() override;

  // Subscribes (joins the group) and starts the thread. A failed subscription makes Failed()
  // true and starts nothing.
  void Start();
  // Stops taking input. The thread then waits up to `drain` for in-flight records to become
  // durable (retries parked until a later due time are not waited for), stores their offsets,
  // commits and leaves the group.
  void RequestStop(std::chrono::milliseconds drain);
  // Waits for the thread. Returns how many records were left unfinished (consumed again by
  // whoever gets the partition next; parked retries keep their due time).
  std::size_t Join();

  // True once the group has given this consumer an assignment (possibly empty: more members
  // than partitions) — the consumer is part of the group.
  bool Assigned() const { return assigned_.load(); }
  // Assigned, and every assigned partition's start offset is resolved: a record produced to
  // the topic from now on will be consumed.
  bool Ready() const { return assigned_.load() && resolved_.load(); }
  // True when the loop hit an error it cannot recover from (fatal consumer error).
  bool Failed() const { return failed_.load(); }
  const char* name() const { return kind_ == Kind::kMain ? "main" : "retry"; }

  // AssignmentListener, on the pipeline thread.
  void OnAssigned(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<kafka::TopicPartition>& partitions, bool lost) override;

 private:
  struct Completion {
    PartitionKey partition;
    std::int64_t offset;
    std::uint64_t epoch;
  };

  Pipeline(Kind kind, const BridgeConfig& config, SqsSender& sender, RecordSink& sink,
           BridgeMetrics* metrics, const Clock& clock);

  void Run();
  void Handle(kafka::Message message);
  void Dispatch(kafka::Message message, Route route);
  // Called from any thread when a record's outcome is durable.
  void Complete(const PartitionKey& p, std::int64_t offset, std::uint64_t epoch);
  void DrainCompletions();
  void ReleaseDue();
  void ApplyPauses();
  void WaitForCompletions(const std::vector<kafka::TopicPartition>& partitions,
                          std::chrono::milliseconds timeout);
  void UpdateGauges();

  const Kind kind_;
  const BridgeConfig& config_;
  SqsSender& sender_;
  RecordSink& sink_;
  BridgeMetrics* metrics_;
  // This pipeline's labelled counters, looked up once (a lookup by label builds and hashes a
  // label map under the family's lock): null without metrics.
  prometheus::Counter* consumed_ = nullptr;
  prometheus::Counter* retried_ = nullptr;
  const Clock& clock_;
  const std::string topic_;
  const std::string group_;

  std::unique_ptr<RecordConsumer> consumer_;
  OffsetTracker tracker_;                         // pipeline thread only
  RetryScheduler<kafka::Message> scheduler_;      // pipeline thread only
  std::map<PartitionKey, std::uint64_t> epochs_;  // pipeline thread only
  std::set<PartitionKey> assignment_;             // pipeline thread only
  std::set<PartitionKey> paused_;                 // pipeline thread only: what we paused
  bool backpressure_ = false;                     // pipeline thread only: at the in-flight bound
  bool hard_backpressure_ = false;                // pipeline thread only: and partitions paused
  Clock::MonoTime backpressure_since_{};          // pipeline thread only
  std::uint64_t next_epoch_ = 1;                  // pipeline thread only

  std::mutex done_mu_;
  std::condition_variable done_cv_;
  std::vector<Completion> done_;  // guarded by done_mu_

  std::atomic<bool> stop_{false};
  std::atomic<bool> assigned_{false};
  std::atomic<bool> resolved_{false};
  std::atomic<bool> failed_{false};
  std::atomic<std::int64_t> drain_ms_{0};
  std::size_t left_ = 0;  // set by the thread before it ends
  std::thread thread_;
};

}  // namespace driftline::bridge
