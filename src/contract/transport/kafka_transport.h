// Watching and publishing Kafka topics for the contract runner.
//
// Each watched topic gets its own consumer with a manual assignment of every partition at its
// end offset (resolved before Watch() returns, so nothing produced afterwards is missed) and a
// thread that polls it. The consumers never join a group and never commit: the service's own
// groups and offsets are untouched. Records that were in the topic before are never read.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "contract/transport/transport.h"
#include "kafka/config.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"

namespace driftline::contract {

struct KafkaTransportConfig {
  std::string bootstrap;         // "127.0.0.1:9092"
  kafka::Properties properties;  // extra librdkafka properties (security, ...)
  std::chrono::milliseconds assign_timeout{15000};
  std::chrono::milliseconds publish_timeout{15000};
};

class KafkaTransport final : public ChannelTransport {
 public:
  // Errors: kInvalidArgument for properties librdkafka rejects. No broker is contacted yet.
  static Result<std::unique_ptr<KafkaTransport>> Create(KafkaTransportConfig config, Clock& clock);
  ~KafkaTransport() override;

  Status Watch(const Channel& channel, DeliverFn deliver) override;
  Status PrepareToPublish(const Channel& channel) override;
  Result<PublishReceipt> Publish(const Channel& channel, const OutgoingExample& message) override;
  std::vector<Result<PublishReceipt>> PublishBatch(
      const Channel& channel, const std::vector<OutgoingExample>& messages) override;
  void Stop() override;
  std::string Describe() const override { return "kafka " + config_.bootstrap; }

 private:
  struct Watcher {
    const Channel* channel = nullptr;
    std::unique_ptr<kafka::Consumer> consumer;
    DeliverFn deliver;
    std::thread thread;
  };

  KafkaTransport(KafkaTransportConfig config, Clock& clock);
  void PollLoop(Watcher* watcher);
  void OnDelivery(kafka::DeliveryReport report);

  KafkaTransportConfig config_;
  Clock& clock_;
  std::atomic<bool> stop_{false};
  std::mutex watchers_mu_;
  std::vector<std::unique_ptr<Watcher>> watchers_;  // guarded by watchers_mu_

  std::unique_ptr<kafka::Producer> producer_;
  std::mutex mu_;
  std::condition_variable delivered_;
  std::uint64_t next_token_ = 1;                            // guarded by mu_
  std::map<std::uint64_t, kafka::DeliveryReport> reports_;  // guarded by mu_
  std::set<std::uint64_t> abandoned_;  // guarded by mu_: tokens no Publish waits for any more
};

}  // namespace driftline::contract
