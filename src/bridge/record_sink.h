// Writes retry envelopes and dead letters to Kafka and reports each one once it is durable.
//
// Durable means the broker acknowledged it (idempotent producer, acks=all). No record is ever
// given up on while the sink runs: a delivery that fails transiently is produced again after a
// capped backoff, as often as it takes. A record the broker refuses as too large is shrunk
// (ShrinkDeadLetter / ShrinkRetryEnvelope: raw bytes, long texts, then the order down to what
// identifies it, marked originalMessageOmitted) and produced again. A record refused for any
// other reason that is not retryable (not authorised, unknown topic, a fatal producer) — or
// still too large with nothing left to drop — is produced again too, every 10 s at most, in
// case the cause is fixed; meanwhile its input offset stays uncommitted and the sink says so:
// Healthy() is false, Problem() names the record and the error, it is logged once as an error
// and counted (driftline_kafka_refused, driftline_kafka_refusals_total).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bridge/routing.h"
#include "common/status.h"
#include "kafka/producer.h"

namespace driftline::bridge {

struct BridgeMetrics;

class RecordSink {
 public:
  // `props`: bootstrap servers and pass-through properties; reliable-delivery defaults are
  // added. Errors: kInvalidArgument from the producer's configuration.
  static Result<std::unique_ptr<RecordSink>> Create(const kafka::Properties& props,
                                                    BridgeMetrics* metrics);
  // Flushes for at most the producer's close timeout, then stops.
  ~RecordSink();
  RecordSink(const RecordSink&) = delete;
  RecordSink& operator=(const RecordSink&) = delete;

  // Produces `out`; `durable` runs once, on a producer thread, when the broker has it.
  void Produce(KafkaOutput out, std::function<void()> durable);

  // False while a delivery is failing, until the next success, and while any record is
  // refused (until that record is accepted).
  bool Healthy() const;
  // Why Healthy() is false ("" when it is not): the refused records and the latest refusal,
  // else the latest transient failure.
  std::string Problem() const;
  // Records refused with a non-retryable error and not accepted since.
  std::size_t Refused() const;

  // Asks a broker for `topic`'s metadata (at most `timeout`): whether Kafka answers at all,
  // even while nothing is produced. Also readies the topic, so the first record sent to it
  // goes out at once instead of after librdkafka's 1 s topic scan.
  Status Probe(const std::string& topic, std::chrono::milliseconds timeout);
  std::size_t Pending() const;

  // Waits up to `timeout` for every record to be durable; stops resending after that. No
  // `durable` callback runs once it has returned (one in progress is waited for), so their
  // owner may go. Returns how many records were left without a durable report.
  std::size_t Drain(std::chrono::milliseconds timeout);

 private:
  struct Entry {
    KafkaOutput out;
    std::function<void()> durable;
    int attempts = 0;
    bool refused = false;  // its latest delivery failed with a non-retryable error
  };
  explicit RecordSink(BridgeMetrics* metrics);
  void OnDelivery(kafka::DeliveryReport report);
  void Send(std::uint64_t token);  // (re)sends entries_[token]
  void ScheduleResend(std::uint64_t token);
  void ResendLoop();
  void UpdateRefusedGauge();  // requires mu_

  BridgeMetrics* metrics_;
  std::unique_ptr<kafka::Producer> producer_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::uint64_t, Entry> entries_;  // guarded by mu_: not yet durable
  std::uint64_t next_token_ = 1;            // guarded by mu_
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>>
      resends_;                   // guarded by mu_
  bool stopping_ = false;         // guarded by mu_
  bool healthy_ = true;           // guarded by mu_
  std::string last_failure_;      // guarded by mu_: the latest transient failure
  std::size_t refused_ = 0;       // guarded by mu_: entries with `refused`
  std::string last_refusal_;      // guarded by mu_: the latest refusal, with its record
  std::size_t late_durable_ = 0;  // guarded by mu_: durable after Drain(), nobody told
  int callbacks_running_ = 0;     // guarded by mu_: `durable` callbacks in progress
  std::thread resender_;
};

}  // namespace driftline::bridge
