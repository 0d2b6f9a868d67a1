// What a fault scenario needs around order-service: a private topology on the real stack,
// producers that feed it, collectors that see everything that comes out (SQS and the retry and
// dead-letter topics), the group's offsets, and running order-service instances with their
// /healthz.
#pragma once

#include <atomic>
#include <chrono>
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
#include "faults/child_process.h"
#include "faults/orders.h"
#include "kafka/admin.h"
#include "kafka/consumer.h"
#include "kafka/message.h"
#include "kafka/producer.h"
#include "sqs/client.h"

namespace driftline::faults {

// Where the stack and the programs are.
struct Environment {
  std::string kafka;         // bootstrap servers
  std::string sqs_endpoint;  // http://127.0.0.1:PORT
  std::string service_bin;   // order-service
  std::string stack_script;  // stack/stack.sh (stop/start kafka)
  std::string log_dir;       // service and stack logs of each scenario
};

// Three topics and a queue with unique names, deleted by the destructor.
class Topology {
 public:
  static Result<std::unique_ptr<Topology>> Create(const Environment& env, const std::string& name,
                                                  int partitions);
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  // The order-service environment for this topology (plus `extra`, which wins).
  std::vector<std::string> ServiceEnv(const std::vector<std::string>& extra) const;
  // partition → end offset, and partition → committed offset of `group` (0 where none).
  Result<std::map<std::int32_t, std::int64_t>> End(const std::string& topic);
  Result<std::map<std::int32_t, std::int64_t>> Committed(const std::string& group,
                                                         const std::string& topic);
  // ApproximateNumberOfMessages of the queue (0 when it does not answer).
  std::int64_t QueueDepth();
  std::string LogPath(const std::string& what) const;

  const Environment& env() const { return env_; }
  const std::string& base() const { return base_; }
  int partitions() const { return partitions_; }
  std::string main_topic, retry_topic, dlq_topic, main_group, retry_group, queue_url;

 private:
  Topology(Environment env, std::string base, int partitions);
  Environment env_;
  std::string base_;
  int partitions_;
  std::unique_ptr<kafka::Admin> admin_;
  std::unique_ptr<sqs::SqsClient> sqs_;
};

// Feeds orders to the main topic, either all at once or at a steady rate on its own thread.
// Every order is added to the ledger before it is sent.
class OrderFeed {
 public:
  static Result<std::unique_ptr<OrderFeed>> Create(const Topology& topology, Ledger& ledger);
  ~OrderFeed();
  OrderFeed(const OrderFeed&) = delete;
  OrderFeed& operator=(const OrderFeed&) = delete;

  // Sends and waits (up to `limit`) for every delivery report.
  Status SendAll(const std::vector<PlannedOrder>& orders, std::chrono::milliseconds limit);
  // Sends `orders` at `per_second` on a background thread until they are all sent or Finish()
  // is called.
  void StartStream(std::vector<PlannedOrder> orders, double per_second);
  // Stops the stream (the orders not sent yet are not part of the scenario) and waits up to
  // `limit` for every delivery report. Errors: kDeadlineExceeded, or kUnavailable naming how
  // many orders Kafka did not accept.
  Status Finish(std::chrono::milliseconds limit);
  std::int64_t Sent() const { return sent_; }

 private:
  OrderFeed(const Topology& topology, Ledger& ledger) : topology_(topology), ledger_(ledger) {}
  Status Send(const PlannedOrder& order);
  const Topology& topology_;
  Ledger& ledger_;
  std::unique_ptr<kafka::Producer> producer_;
  std::atomic<std::int64_t> sent_{0};
  std::atomic<std::int64_t> failed_{0};
  std::mutex error_mu_;
  std::string first_error_;  // GUARDED_BY(error_mu_)
  std::atomic<bool> stop_{false};
  std::thread stream_;
};

// One message that reached SQS, as the collector received it.
struct SqsDelivery {
  std::string correlation_id;
  std::int64_t sent_ms = -1;  // SentTimestamp: when SQS accepted it
};

// Receives (and deletes) everything that lands in the queue, on `threads` threads, counting
// each message into the ledger by its CorrelationId attribute.
class SqsCollector {
 public:
  static Result<std::unique_ptr<SqsCollector>> Start(const Topology& topology, Ledger& ledger,
                                                     int threads);
  ~SqsCollector();
  SqsCollector(const SqsCollector&) = delete;
  SqsCollector& operator=(const SqsCollector&) = delete;

  std::int64_t Received() const { return received_; }
  // Milliseconds since the last message was received (since the start when none was).
  std::int64_t IdleMs() const;
  std::vector<SqsDelivery> Deliveries() const;

 private:
  SqsCollector(Ledger& ledger) : ledger_(ledger) {}
  void Loop(sqs::SqsClient& client, std::string queue_url);
  Ledger& ledger_;
  std::vector<std::unique_ptr<sqs::SqsClient>> clients_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> received_{0};
  std::atomic<std::int64_t> last_ms_{0};  // steady clock, ms
  mutable std::mutex mu_;
  std::vector<SqsDelivery> deliveries_;  // GUARDED_BY(mu_)
};

// Reads a topic from the beginning on its own thread, keeping every record; optionally counts
// each into the ledger as a dead letter.
class TopicTail {
 public:
  static Result<std::unique_ptr<TopicTail>> Start(const Topology& topology,
                                                  const std::string& topic, Ledger* dead_letters);
  ~TopicTail();
  TopicTail(const TopicTail&) = delete;
  TopicTail& operator=(const TopicTail&) = delete;

  // True when every partition has been read up to `ends` (partition → end offset).
  bool CaughtUp(const std::map<std::int32_t, std::int64_t>& ends) const;
  std::vector<kafka::Message> Records() const;
  std::size_t Count() const;

 private:
  TopicTail(Ledger* ledger) : ledger_(ledger) {}
  void Loop();
  Ledger* ledger_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<kafka::Message> records_;        // GUARDED_BY(mu_)
  std::map<std::int32_t, std::int64_t> next_;  // GUARDED_BY(mu_); partition → next offset
};

// One running order-service with its own /healthz port.
class ServiceInstance {
 public:
  static Result<std::unique_ptr<ServiceInstance>> Start(const Topology& topology,
                                                        const std::vector<std::string>& extra_env,
                                                        const std::string& name);
  pid_t pid() const { return process_->pid(); }
  bool Running() { return process_->Running(); }
  void Kill() { process_->Kill(); }
  std::optional<int> Terminate() { return process_->Terminate(std::chrono::seconds(30)); }
  // The HTTP status of GET /healthz (200 ready, 503 not ready), -1 when it does not answer.
  int Health() const;
  const std::string& log() const { return log_; }

 private:
  ServiceInstance() = default;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
  std::string log_;
};

// Waits, checking every `every`, up to `limit` for `done`; returns its last value.
bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds limit,
                std::chrono::milliseconds every = std::chrono::milliseconds(100));

// A header's value ("" when absent).
std::string HeaderOf(const kafka::Message& m, std::string_view name);

std::int64_t WallMs();

}  // namespace driftline::faults
