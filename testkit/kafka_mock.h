// Test helpers for src/kafka: an in-process mock cluster, a thread-safe collector of delivery
// reports, a recording rebalance listener, and bounded polling (never fixed sleeps).
// Used by the kafka and bridge unit tests and tests/integration/kafka (librdkafka links through
// driftline_testkit_fixtures).
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kafka/config.h"
#include "kafka/consumer.h"
#include "kafka/handles.h"
#include "kafka/producer.h"
#include "testkit/eventually.h"

namespace driftline::kafka::testing {

using namespace std::chrono_literals;

// librdkafka's mock cluster, hosted by a private handle; clients reach it through Props().
class MockCluster {
 public:
  explicit MockCluster(int brokers) {
    ConfHandle conf(rd_kafka_conf_new());
    std::array<char, 256> errstr{};
    rd_kafka_conf_set(conf.get(), "log_level", "3", errstr.data(), errstr.size());
    host_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr.data(), errstr.size()));
    if (!host_) {
      throw std::runtime_error(errstr.data());
    }
    static_cast<void>(conf.release());  // taken by rd_kafka_new()
    cluster_ = rd_kafka_mock_cluster_new(host_.get(), brokers);
    if (cluster_ == nullptr) {
      throw std::runtime_error("rd_kafka_mock_cluster_new failed");
    }
    bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  }
  ~MockCluster() {
    // Before host_. Takes about a second once clients have connected (librdkafka's mock
    // broker threads wind down on their own schedule).
    rd_kafka_mock_cluster_destroy(cluster_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  void CreateTopic(const std::string& name, int partitions) {
    if (rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("mock topic " + name);
    }
  }
  rd_kafka_mock_cluster_t* get() const { return cluster_; }
  Properties Props() const { return Properties::Make(bootstrap_); }

 private:
  KafkaHandle host_;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
};

// Bounded waits: the test kit's.
using testkit::Eventually;

// Collects delivery reports from any thread.
class DeliveryCollector {
 public:
  DeliveryHandler Handler() {
    return [this](DeliveryReport report) {
      std::lock_guard<std::mutex> lock(mu_);
      reports_.push_back(std::move(report));
      arrived_.notify_all();
    };
  }
  // True once at least `count` reports arrived within `timeout`.
  bool WaitFor(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return arrived_.wait_for(lock, timeout, [&] { return reports_.size() >= count; });
  }
  std::vector<DeliveryReport> Reports() {
    std::lock_guard<std::mutex> lock(mu_);
    return reports_;
  }

 private:
  std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<DeliveryReport> reports_;
};

// Records rebalances; `on_assigned` runs inside OnAssigned (e.g. to pause partitions).
class RecordingListener : public RebalanceListener {
 public:
  std::function<void(Consumer&, const std::vector<TopicPartition>&)> on_assigned;
  std::function<void(Consumer&, const std::vector<TopicPartition>&)> on_revoked;

  void OnAssigned(Consumer& consumer, const std::vector<TopicPartition>& partitions) override {
    assigned.insert(assigned.end(), partitions.begin(), partitions.end());
    ++assign_calls;
    if (on_assigned) {
      on_assigned(consumer, partitions);
    }
  }
  void OnRevoked(Consumer& consumer, const std::vector<TopicPartition>& partitions,
                 bool was_lost) override {
    revoked.insert(revoked.end(), partitions.begin(), partitions.end());
    lost = lost || was_lost;
    if (on_revoked) {
      on_revoked(consumer, partitions);
    }
  }

  std::vector<TopicPartition> assigned;
  std::vector<TopicPartition> revoked;
  int assign_calls = 0;
  bool lost = false;
};

// Polls `consumer` until `done(received)` or `timeout`, appending records to `received`.
// Non-retryable poll errors are collected in `errors`.
inline bool PollUntil(Consumer& consumer, std::vector<Message>& received,
                      const std::function<bool(const std::vector<Message>&)>& done,
                      std::chrono::milliseconds timeout, std::vector<Error>* errors = nullptr) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done(received)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    auto polled = consumer.Poll(100ms);
    if (!polled) {
      if (errors != nullptr) {
        errors->push_back(polled.error());
      }
      continue;
    }
    if (*polled) {
      received.push_back(std::move(**polled));
    }
  }
  return true;
}

inline std::map<std::int32_t, int> CountByPartition(const std::vector<Message>& messages) {
  std::map<std::int32_t, int> counts;
  for (const auto& m : messages) {
    ++counts[m.partition];
  }
  return counts;
}

// The offsets of the records from `partition`, in the order they arrived.
inline std::vector<std::int64_t> OffsetsOf(const std::vector<Message>& messages,
                                           std::int32_t partition) {
  std::vector<std::int64_t> offsets;
  for (const auto& m : messages) {
    if (m.partition == partition) offsets.push_back(m.offset);
  }
  return offsets;
}

}  // namespace driftline::kafka::testing
