// What the campaign adds to the test kit (testkit/): where the stack and the programs are, and
// the feed that sends a scenario's orders, each counted into the ledger before it is sent.
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
#include "faults/orders.h"
#include "kafka/producer.h"
#include "testkit/topology.h"

namespace driftline::faults {

// Where the stack and the programs are.
struct Environment {
  std::string kafka;         // bootstrap servers
  std::string sqs_endpoint;  // http://127.0.0.1:PORT
  std::string service_bin;   // order-service
  std::string stack_script;  // stack/stack.sh (stop/start kafka)
  std::string redrive_bin;   // dlq-redrive
  std::string log_dir;       // service and stack logs of each scenario
};

// Feeds orders to the main topic, either all at once or at a steady rate on its own thread.
// Every order is added to the ledger before it is sent.
class OrderFeed {
 public:
  static Result<std::unique_ptr<OrderFeed>> Create(const testkit::Topology& topology,
                                                   Ledger& ledger);
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
  OrderFeed(const testkit::Topology& topology, Ledger& ledger)
      : topology_(topology), ledger_(ledger) {}
  Status Send(const PlannedOrder& order);
  const testkit::Topology& topology_;
  Ledger& ledger_;
  std::unique_ptr<kafka::Producer> producer_;
  std::atomic<std::int64_t> sent_{0};
  std::atomic<std::int64_t> failed_{0};
  std::mutex error_mu_;
  std::string first_error_;  // GUARDED_BY(error_mu_)
  std::atomic<bool> stop_{false};
  std::thread stream_;
};

std::int64_t WallMs();

}  // namespace driftline::faults
