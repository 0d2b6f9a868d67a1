// What the order-service integration tests share: a private set of topics, groups and an SQS
// queue on the real local stack (so tests never see each other's records), helpers to produce
// orders and to read back what landed on each channel, and a loopback TCP proxy that can play
// an SQS outage.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bridge/config.h"
#include "faults/child_process.h"
#include "faults/tcp_proxy.h"
#include "kafka/admin.h"
#include "kafka/message.h"
#include "sqs/client.h"

namespace driftline::bridge::testing {

// A loopback proxy that can play an SQS outage (faults/tcp_proxy.h).
using faults::TcpProxy;

// Everything logged through spdlog's default logger (debug and up) while it lives, from any
// thread (librdkafka logs from its own).
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()), sink_(std::make_shared<StringSink>()) {
    auto logger = std::make_shared<spdlog::logger>("captured", sink_);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const { return sink_->text(); }

 private:
  class StringSink final : public spdlog::sinks::base_sink<std::mutex> {
   public:
    std::string text() {
      std::lock_guard lock(mutex_);
      return text_;
    }

   protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
      spdlog::memory_buf_t line;
      formatter_->format(msg, line);
      text_.append(line.data(), line.size());
    }
    void flush_() override {}

   private:
    std::string text_;  // guarded by mutex_
  };
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<StringSink> sink_;
};

// A running order-service binary (DRIFTLINE_ORDER_SERVICE_BIN) with this process's environment
// plus `env` ("NAME=value"; a name given there replaces the inherited variable); stdout and
// stderr go to `log_path` (appended). The destructor kills it if still running.
class ServiceProcess {
 public:
  ServiceProcess(const std::vector<std::string>& env, const std::string& log_path);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // SIGKILL, then reaps it.
  void Kill();
  // SIGTERM and the exit code (-1 if it died of a signal or had to be killed after 30 s).
  int Terminate();

 private:
  std::unique_ptr<faults::ChildProcess> child_;  // null when it could not be started
};

class BridgeIntegrationTest : public ::testing::Test {
 protected:
  // Creates `partitions`-partition topics and a queue with unique names.
  void SetUpTopology(int partitions = 1);
  void TearDown() override;

  // A service configuration for this topology (metrics listener on a free port).
  BridgeConfig Config() const;
  // Environment variables for the order-service binary with this topology.
  std::vector<std::string> ServiceEnv() const;

  // Produces and waits for every delivery report.
  void Produce(const std::vector<kafka::OutgoingMessage>& messages);
  kafka::OutgoingMessage Order(const std::string& payload, const std::string& correlation_id,
                               std::optional<std::int32_t> partition = std::nullopt) const;

  // Every record of `topic` from the beginning, waiting (bounded) until at least `count`.
  std::vector<kafka::Message> ReadTopic(const std::string& topic, std::size_t count,
                                        std::chrono::seconds limit = std::chrono::seconds(60));
  // Receives and deletes until `count` messages were seen or `limit` passes.
  std::vector<sqs::ReceivedMessage> DrainQueue(
      std::size_t count, std::chrono::seconds limit = std::chrono::seconds(60));
  std::int64_t EndOffsetSum(const std::string& topic);
  std::int64_t CommittedSum(const std::string& group, const std::string& topic);

  std::string main_topic_, retry_topic_, dlq_topic_, main_group_, retry_group_;
  std::string queue_name_, queue_url_;
  std::unique_ptr<kafka::Admin> admin_;
  std::unique_ptr<sqs::SqsClient> sqs_;
};

// Waits, bounded by `limit`, for a condition the service makes true asynchronously; checks
// every 50 ms. Returns the condition's last value.
template <typename F>
bool Eventually(F f, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return f();
}

// An order of the lab's shape.
std::string StandardOrder(const std::string& id, int items = 1);
std::string PriorityOrder(const std::string& id);
std::string BulkOrder(const std::string& batch_id, const std::vector<int>& items_per_order);

}  // namespace driftline::bridge::testing
