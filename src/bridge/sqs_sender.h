// Sends transformed orders to SQS in batches, several batches in flight, and never gives up on
// a message because the endpoint is having a bad moment.
//
// Each submitted message gets exactly one completion: success (SQS said Successful for its
// entry) or a permanent error — only a failure scoped FailureScope::kMessage by the SQS client
// (SQS refused that entry's content: too large, invalid characters, a bad attribute). Every
// other failure is the infrastructure's, whatever its Code — the queue missing, credentials,
// KMS, TLS, throttling, 5xx, an unreadable reply, an entry missing from the reply, a checksum
// mismatch: the message is sent again with capped exponential backoff until it succeeds or the
// sender is stopped, never dead-lettered; meanwhile Healthy() is false and Failing() says why.
// A resend after an attempt that may have reached the queue (Error::maybe_applied) can put the
// message in SQS twice: that is accepted (at-least-once) and counted. A message whose send was
// cut short by Stop() gets no completion at all: its Kafka offset is never committed, so it is
// consumed again after a restart.
//
// FIFO queues: messages with a MessageGroupId reach SQS in the order they were submitted, per
// group. A message is not sent while an earlier one of its group is queued, in a request or
// waiting to be resent (GroupSequencer); other groups and messages without a group go on.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bridge/group_sequencer.h"
#include "common/status.h"
#include "sqs/client.h"

namespace driftline::bridge {

struct BridgeMetrics;

// The word a failure is reported under (metric label, log, /healthz): its cause(), or the name
// of its Code when nobody classified it.
std::string CauseOf(const Error& e);

struct SendCompletion {
  // nullopt: SQS accepted the message; else SQS refused its content (scope kMessage).
  std::optional<Error> permanent_error;
  std::string message_id;
};

struct SendJob {
  sqs::OutgoingMessage message;
  // Called once, on a sender thread. Must not block for long and must not call Stop().
  std::function<void(SendCompletion)> done;
};

struct SqsSenderOptions {
  std::string queue_url;
  std::size_t batch_size = 10;            // entries per SendMessageBatch (1..10)
  std::size_t max_in_flight_batches = 8;  // sender threads, each with one request in flight
  std::chrono::milliseconds linger{5};    // wait this long for a fuller batch
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{5000};
};

class SqsSender {
 public:
  // Starts max_in_flight_batches threads. `client` and `metrics` (nullable) are borrowed and
  // must outlive the sender.
  SqsSender(sqs::SqsClient& client, SqsSenderOptions options, BridgeMetrics* metrics);
  // Stop(0): threads end after their current request.
  ~SqsSender();
  SqsSender(const SqsSender&) = delete;
  SqsSender& operator=(const SqsSender&) = delete;

  // Queues a message; never blocks (the pipelines bound what they have in flight).
  void Submit(SendJob job);

  // False from an infrastructure failure until the next request without one.
  bool Healthy() const;
  // While not Healthy(): the last infrastructure failure (its cause() names it).
  std::optional<Error> Failing() const;
  // Messages submitted and not yet completed.
  std::size_t Pending() const;

  // Stops taking new work and waits up to `timeout` for everything queued to complete;
  // then stops the threads. Returns how many messages were left without a completion.
  std::size_t Stop(std::chrono::milliseconds timeout);

 private:
  void Run();
  // Sends `batch` until every entry has a completion or the stop deadline passes.
  void SendUntilDone(std::vector<SendJob> batch);
  bool PastDeadline() const;  // requires mu_
  // Records the outcome of one request (for health and the rate-limited log): `infrastructure`
  // is its first infrastructure failure, `resent` how many messages it leaves to send again.
  void NoteOutcome(const std::optional<Error>& infrastructure, std::size_t completed,
                   std::size_t resent, std::chrono::milliseconds backoff);
  // The message of `group` has its completion: the next one of the group may be sent.
  void ReleaseGroup(const std::string& group);

  sqs::SqsClient& client_;
  const SqsSenderOptions options_;
  const std::size_t batch_size_;  // options_.batch_size within SQS's 1..10
  BridgeMetrics* metrics_;

  mutable std::mutex mu_;
  std::condition_variable work_;   // queue_ has more ready, or stopping_
  std::condition_variable idle_;   // pending_ dropped
  GroupSequencer<SendJob> queue_;  // guarded by mu_
  std::size_t pending_ = 0;        // guarded by mu_: queued + being sent
  // Threads waiting for a fuller batch (guarded by mu_): while one lingers, a Submit wakes a
  // thread only once a batch is full, not for every message.
  std::size_t lingering_ = 0;
  bool stopping_ = false;                                          // guarded by mu_
  std::optional<std::chrono::steady_clock::time_point> deadline_;  // guarded by mu_
  bool healthy_ = true;                                            // guarded by mu_
  std::optional<Error> failing_;                                   // guarded by mu_
  std::size_t outage_resends_ = 0;                                 // guarded by mu_
  std::chrono::steady_clock::time_point last_failure_log_{};       // guarded by mu_
  std::vector<std::thread> threads_;                               // joined in Stop()
};

}  // namespace driftline::bridge
