// Producing records, with delivery reports as values.
//
// Send() only queues a record inside librdkafka; whether it reached the broker is known later,
// when its DeliveryReport arrives at the DeliveryHandler. A caller that must not lose a record
// (the bridge: commit the input offset only after the output is durable) acts on the report,
// never on Send()'s success.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"
#include "kafka/config.h"
#include "kafka/handles.h"
#include "kafka/message.h"

namespace driftline::kafka {

// The outcome of one Send().
struct DeliveryReport {
  std::uint64_t token = 0;  // what the caller passed to Send()
  std::string topic;
  std::int32_t partition = -1;  // -1 if no partition was chosen
  std::int64_t offset = -1;     // the record's offset; -1001 (RD_KAFKA_OFFSET_INVALID) on failure
  // nullopt: durably written (per `acks`). Otherwise classified as in kafka/error.h; retryable
  // codes (timed out, broker down, purged on shutdown) mean the record may be sent again —
  // without idempotence it may then be written twice.
  std::optional<Error> error;
};

// Runs for every report: on the Producer's poll thread, or (ProducerOptions::poll_thread =
// false) on whichever thread calls Poll() or Flush(); also on the destroying thread for
// records still queued at destruction. Never on two threads at once. Keep it short; it
// must not throw (an exception is logged and dropped), must not call Flush() and must not
// destroy the Producer.
using DeliveryHandler = std::function<void(DeliveryReport)>;

struct ProducerOptions {
  // true: a thread owned by the Producer serves delivery reports (Poll() does nothing).
  // false: the caller calls Poll() regularly; no thread is started.
  bool poll_thread = true;
  // How long Send() waits for room when librdkafka's local queue is full
  // (queue.buffering.max.messages / .kbytes) before giving up with kResourceExhausted.
  std::chrono::milliseconds queue_full_timeout{5000};
  // How long the destructor waits for outstanding deliveries before purging them; purged
  // records are reported to the handler with a retryable kAborted error.
  std::chrono::milliseconds close_timeout{10000};
};

// `props` with the settings for a producer that must neither lose nor duplicate records:
// enable.idempotence=true and acks=all, each unless `props` already sets it.
Properties WithReliableDelivery(Properties props);

class Producer {
 public:
  // A producer for `props` (bootstrap.servers and any librdkafka producer property; the
  // consumer-only ones are left out, see Properties::For, so one set can configure both).
  // Errors: kInvalidArgument naming the offending property, or a bad combination (librdkafka's
  // message). No broker is contacted yet: an unreachable cluster shows in delivery reports.
  static Result<std::unique_ptr<Producer>> Create(const Properties& props,
                                                  DeliveryHandler on_delivery,
                                                  ProducerOptions options = {});

  // Waits up to close_timeout for outstanding deliveries, then purges the rest (reported as
  // failed), stops the poll thread and destroys the handle.
  ~Producer();

  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues a copy of `message` (key, payload and headers are copied; `message` may go away at
  // once). `token` comes back in the DeliveryReport. When the local queue is full, waits up to
  // queue_full_timeout for room. Errors (nothing was queued; no report will come):
  //   kResourceExhausted  still full after queue_full_timeout (or at once when called from
  //                       the delivery handler on the poll thread, which cannot make room)
  //   kInvalidArgument    payload larger than message.max.bytes, bad partition
  //   kNotFound           topic or partition known not to exist
  //   kInternal           the producer has a fatal error (see FatalError())
  Status Send(const OutgoingMessage& message, std::uint64_t token);

  // Serves queued delivery reports on the calling thread, waiting up to `timeout` for the
  // first; returns how many events were served. Only with poll_thread = false; else returns 0.
  int Poll(std::chrono::milliseconds timeout);

  // Waits until every queued record has been reported or `timeout` passes.
  // kDeadlineExceeded "... N records still outstanding" when time runs out (nothing is lost:
  // their reports still come later).
  Status Flush(std::chrono::milliseconds timeout);

  // Fetches `topic`'s metadata now (waiting up to `timeout`), so that the first Send() to it
  // goes out at once instead of waiting for librdkafka's periodic topic scan (up to 1 s).
  // Errors: kNotFound for an unknown topic, kDeadlineExceeded/kUnavailable when no broker
  // answers in time. Sending works without it; this only removes the first record's delay.
  Status WarmUp(const std::string& topic, std::chrono::milliseconds timeout);

  // Records queued or in flight whose report has not been handled yet.
  int Outstanding() const;

  // The fatal error, if the producer has raised one (idempotence violations, fencing); the
  // producer then fails every record and must be recreated.
  std::optional<Error> FatalError() const;

  // librdkafka's client name ("rdkafka#producer-1"), for logs.
  std::string name() const;

 private:
  Producer(DeliveryHandler on_delivery, ProducerOptions options);
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  void PollLoop();
  // Waits (at most `timeout`) for the poll thread to serve another batch of events.
  void WaitForPollRound(std::chrono::milliseconds timeout);

  DeliveryHandler on_delivery_;
  ProducerOptions options_;
  KafkaHandle rk_;

  std::atomic<bool> stop_{false};
  // Records accepted by Send() whose report has not been handled yet.
  std::atomic<int> unreported_{0};
  std::mutex mu_;
  std::condition_variable polled_;  // notified after every poll round of the thread
  std::uint64_t poll_rounds_ = 0;   // guarded by mu_
  std::thread poll_thread_;         // joined in the destructor
};

}  // namespace driftline::kafka
