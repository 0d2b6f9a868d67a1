// What the benchmarks share: the mixed order generator, a private topology on the real stack
// (topics, groups and a queue with unique names), a running order-service process with an
// RSS sampler, the machine description printed with every figure, and percentiles.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "faults/child_process.h"
#include "kafka/admin.h"
#include "sqs/client.h"

namespace driftline::bench {

// Order i of a reproducible mix: i % 3 == 0 STANDARD, 1 PRIORITY, 2 BULK (two sub-orders),
// each with 1 + i % 3 items. STANDARD and PRIORITY carry orderId "BENCH-<i>".
std::string MakeOrder(int i);
inline std::string OrderIdOf(int i) {
  return "BENCH-" + std::to_string(i);
}
inline std::string CorrelationIdOf(int i) {
  return "bench-" + std::to_string(i);
}

// Cores, CPU model, memory, kernel and client library versions: printed before every table
// and stored with every JSON result so figures can be compared across machines.
nlohmann::json MachineInfo();
void PrintMachine(const nlohmann::json& machine);

// Fresh topics `<base>-orders|retry|dlq`, groups `<base>-main|retry` and queue `<base>-queue`;
// deleted again by the destructor.
class Topology {
 public:
  struct Options {
    std::string kafka = "127.0.0.1:9092";
    std::string sqs_endpoint = "http://127.0.0.1:4566";
    int partitions = 1;
    std::map<std::string, std::string> orders_topic_configs;  // e.g. message.timestamp.type
  };
  // Exits the process with a message on failure (a benchmark has nothing to fall back on).
  explicit Topology(Options options);
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  const Options& options() const { return options_; }
  const std::string& base() const { return base_; }
  std::string orders_topic() const { return base_ + "-orders"; }
  std::string retry_topic() const { return base_ + "-retry"; }
  std::string dlq_topic() const { return base_ + "-dlq"; }
  std::string main_group() const { return base_ + "-main"; }
  std::string retry_group() const { return base_ + "-retry"; }
  const std::string& queue_url() const { return queue_url_; }
  kafka::Admin& admin() { return *admin_; }
  sqs::SqsClient& sqs() { return *sqs_; }

  // The order-service environment for this topology (metrics listener off, LOG_LEVEL=warn).
  std::vector<std::string> ServiceEnv() const;
  // Where the service's log goes: $BENCH_LOG_DIR (else build/bench)/<base>-service.log.
  std::string ServiceLogPath() const;
  // ApproximateNumberOfMessages + NotVisible of the queue (-1 if the call failed).
  std::int64_t QueueDepth();
  // Sum of the main group's committed offsets over every partition of the orders topic.
  std::int64_t CommittedMain();

  // Produces orders [first, first + count) with CorrelationId headers and waits for every
  // delivery report. Exits on failure.
  void Preload(int first, int count);

 private:
  Options options_;
  std::string base_;
  std::string queue_url_;
  std::unique_ptr<kafka::Admin> admin_;
  std::unique_ptr<sqs::SqsClient> sqs_;
};

// A running order-service (stdout and stderr appended to `log_path`) and a thread sampling its
// RSS every 100 ms. The destructor stops it with SIGTERM.
class ServiceProcess {
 public:
  ServiceProcess(const std::string& binary, const std::vector<std::string>& env,
                 const std::string& log_path);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  pid_t pid() const { return child_ ? child_->pid() : -1; }
  std::chrono::steady_clock::time_point started() const { return started_; }
  // SIGTERM, waits (at most 30 s); the exit code, -1 if it died of a signal or was killed.
  int Stop();
  // User + system CPU seconds the process has used so far (0 once stopped).
  double CpuSeconds() const;

  // RSS samples (KiB) taken so far, and the kernel's high-water mark (VmHWM).
  std::vector<long> RssSamples() const;
  long PeakRssKb() const { return peak_kb_.load(); }

 private:
  void Sample();
  std::unique_ptr<faults::ChildProcess> child_;  // null once stopped
  std::chrono::steady_clock::time_point started_;
  mutable std::mutex mu_;
  std::vector<long> samples_;
  std::atomic<long> peak_kb_{0};
  std::atomic<bool> stop_{false};
  std::thread sampler_;
};

// The median of the middle half of `samples` (KiB → MiB): the steady-state RSS.
double SteadyRssMb(const std::vector<long>& samples);

// The p-th percentile (0..100) of `sorted` by the nearest-rank method; 0 when empty.
double Percentile(const std::vector<double>& sorted, double p);

[[noreturn]] void Die(const std::string& what);

}  // namespace driftline::bench
