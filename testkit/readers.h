// Background readers of what order-service produced: every message that lands in a queue
// (received and deleted on a few threads) and every record of a topic from the beginning. Each
// can report what it sees by CorrelationId to a callback (the fault campaign's ledger).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "kafka/consumer.h"
#include "kafka/message.h"
#include "sqs/client.h"
#include "sqs/credentials.h"

namespace driftline::testkit {

// Called from a reader's thread with the CorrelationId of each message it sees ("" when none).
using OnCorrelationId = std::function<void(const std::string&)>;

// One message that reached SQS, as the collector received it.
struct SqsDelivery {
  std::string correlation_id;
  std::int64_t sent_ms = -1;  // SentTimestamp: when SQS accepted it
};

// Receives (and deletes) everything that lands in the queue `queue_url` at `endpoint`, on
// `threads` threads, until destroyed.
class SqsCollector {
 public:
  static Result<std::unique_ptr<SqsCollector>> Start(
      const std::string& endpoint, const std::string& queue_url, int threads,
      OnCorrelationId on_message = nullptr,
      std::optional<sqs::Credentials> credentials = std::nullopt);
  ~SqsCollector();
  SqsCollector(const SqsCollector&) = delete;
  SqsCollector& operator=(const SqsCollector&) = delete;

  std::int64_t Received() const { return received_; }
  // Milliseconds since the last message was received (since the start when none was).
  std::int64_t IdleMs() const;
  std::vector<SqsDelivery> Deliveries() const;

 private:
  explicit SqsCollector(OnCorrelationId on_message) : on_message_(std::move(on_message)) {}
  void Loop(sqs::SqsClient& client, std::string queue_url);
  OnCorrelationId on_message_;
  std::vector<std::unique_ptr<sqs::SqsClient>> clients_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> received_{0};
  std::atomic<std::int64_t> last_ms_{0};  // steady clock, ms
  mutable std::mutex mu_;
  std::vector<SqsDelivery> deliveries_;  // GUARDED_BY(mu_)
};

// Reads partitions 0..partitions-1 of `topic` from the beginning on its own thread, keeping
// every record, until destroyed.
class TopicTail {
 public:
  static Result<std::unique_ptr<TopicTail>> Start(const std::string& kafka,
                                                  const std::string& topic, int partitions,
                                                  OnCorrelationId on_record = nullptr);
  ~TopicTail();
  TopicTail(const TopicTail&) = delete;
  TopicTail& operator=(const TopicTail&) = delete;

  // True when every partition has been read up to `ends` (partition -> end offset).
  bool CaughtUp(const std::map<std::int32_t, std::int64_t>& ends) const;
  std::vector<kafka::Message> Records() const;
  std::size_t Count() const;

 private:
  explicit TopicTail(OnCorrelationId on_record) : on_record_(std::move(on_record)) {}
  void Loop();
  OnCorrelationId on_record_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<kafka::Message> records_;        // GUARDED_BY(mu_)
  std::map<std::int32_t, std::int64_t> next_;  // GUARDED_BY(mu_); partition -> next offset
};

}  // namespace driftline::testkit
