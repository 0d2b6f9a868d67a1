// What the benchmarks share beyond the test kit (testkit/: topology, service process, orders):
// their orders and topology settings, an order-service with an RSS sampler, the machine
// description printed with every figure, and percentiles.
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

#include "testkit/orders.h"
#include "testkit/service.h"
#include "testkit/topology.h"

namespace driftline::bench {

// Order i of the benchmarks' mix (testkit::BenchMix: STANDARD, PRIORITY, BULK by i % 3, with
// 1 + i % 3 items). STANDARD and PRIORITY carry orderId "BENCH-<i>", BULK batchId "BENCH-<i>".
inline std::string OrderIdOf(int i) {
  return "BENCH-" + std::to_string(i);
}
inline std::string CorrelationIdOf(int i) {
  return "bench-" + std::to_string(i);
}
inline std::string MakeOrder(int i) {
  return testkit::MixedOrder(testkit::BenchMix(), OrderIdOf(i), i);
}

// Cores, CPU model, memory, kernel and client library versions: printed before every table
// and stored with every JSON result so figures can be compared across machines.
nlohmann::json MachineInfo();
void PrintMachine(const nlohmann::json& machine);

// A fresh testkit::Topology named "bench-..." (topics, groups, a queue; deleted again by its
// destructor). Exits the process with a message on failure: a benchmark has nothing to fall
// back on.
std::unique_ptr<testkit::Topology> CreateTopology(testkit::TopologyOptions options);
// The order-service environment for `topo` (metrics listener off, LOG_LEVEL=warn).
std::vector<std::string> ServiceEnv(const testkit::Topology& topo);
// Where the service's log goes: $BENCH_LOG_DIR (else build/bench)/<base>-service.log.
std::string ServiceLogPath(const testkit::Topology& topo);
// Produces orders [first, first + count) with CorrelationId headers and waits for every
// delivery report. Exits on failure.
void Preload(testkit::Topology& topo, int first, int count);

// A running order-service (testkit::ServiceProcess; stdout and stderr appended to `log_path`)
// and a thread sampling its RSS every 100 ms. The destructor stops it with SIGTERM.
class SampledService {
 public:
  SampledService(const std::string& binary, const std::vector<std::string>& env,
                 const std::string& log_path);
  ~SampledService();
  SampledService(const SampledService&) = delete;
  SampledService& operator=(const SampledService&) = delete;

  pid_t pid() const { return service_ ? service_->pid() : -1; }
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
  std::unique_ptr<testkit::ServiceProcess> service_;  // null once stopped
  std::chrono::steady_clock::time_point started_;
  mutable std::mutex mu_;
  std::vector<long> samples_;
  std::atomic<long> peak_kb_{0};
  std::atomic<bool> stop_{false};
  std::thread sampler_;
};

// CPU seconds (user + system) from a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat file;
// 0 when it cannot be read (the process or thread is gone).
double CpuSecondsFromStat(const std::string& stat_path);
// The calling thread's id, for CpuSecondsOfThread() from another thread.
pid_t CurrentThreadId();
// CPU seconds of thread `tid` of this process so far.
double CpuSecondsOfThread(pid_t tid);

// The whole machine's CPU time from /proc/stat, in seconds summed over all cores: busy (user,
// nice, system, irq, softirq, steal) and total (busy + idle + iowait).
struct MachineCpu {
  double busy_s = 0;
  double total_s = 0;
};
MachineCpu ReadMachineCpu();

// The median of the middle half of `samples` (KiB → MiB): the steady-state RSS.
double SteadyRssMb(const std::vector<long>& samples);

// The p-th percentile (0..100) of `sorted` by the nearest-rank method; 0 when empty.
double Percentile(const std::vector<double>& sorted, double p);

[[noreturn]] void Die(const std::string& what);

}  // namespace driftline::bench
