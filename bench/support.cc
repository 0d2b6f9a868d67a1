#include "bench/support.h"

#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "kafka/config.h"
#include "sqs/curl_transport.h"

namespace driftline::bench {

using nlohmann::json;

void Die(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(1);
}

namespace {

std::string FirstLineField(const std::string& path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) {
      auto colon = line.find(':');
      auto v = colon == std::string::npos ? line.substr(prefix.size()) : line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  }
  return "";
}

long StatusKb(pid_t pid, const char* field) {
  const std::string v = FirstLineField("/proc/" + std::to_string(pid) + "/status", field);
  return v.empty() ? 0 : std::stol(v);
}

}  // namespace

json MachineInfo() {
  utsname u{};
  ::uname(&u);
  const long mem_kb = [] {
    const std::string v = FirstLineField("/proc/meminfo", "MemTotal:");
    return v.empty() ? 0L : std::stol(v);
  }();
  return json{{"cores", std::thread::hardware_concurrency()},
              {"cpu", FirstLineField("/proc/cpuinfo", "model name")},
              {"memory_gib", std::round(static_cast<double>(mem_kb) / 1048576.0 * 10) / 10},
              {"kernel", std::string(u.sysname) + " " + u.release},
              {"librdkafka", kafka::LibraryVersion()},
              {"libcurl", sqs::LibraryVersion()}};
}

void PrintMachine(const json& m) {
  std::printf("machine: %s cores, %s, %.1f GiB, %s; librdkafka %s, libcurl %s\n",
              m["cores"].dump().c_str(), m["cpu"].get<std::string>().c_str(),
              m["memory_gib"].get<double>(), m["kernel"].get<std::string>().c_str(),
              m["librdkafka"].get<std::string>().c_str(), m["libcurl"].get<std::string>().c_str());
}

std::unique_ptr<testkit::Topology> CreateTopology(testkit::TopologyOptions options) {
  options.prefix = "bench";
  auto topo = testkit::Topology::Create(std::move(options));
  if (!topo) Die(topo.error().ToString());
  return std::move(*topo);
}

std::string ServiceLogPath(const testkit::Topology& topo) {
  const char* dir = std::getenv("BENCH_LOG_DIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : "build/bench") + "/" + topo.base() +
         "-service.log";
}

std::vector<std::string> ServiceEnv(const testkit::Topology& topo) {
  return topo.ServiceEnv({"METRICS_ADDRESS=", "LOG_LEVEL=warn"});
}

void Preload(testkit::Topology& topo, int first, int count) {
  std::vector<kafka::OutgoingMessage> messages;
  messages.reserve(static_cast<std::size_t>(count));
  for (int i = first; i < first + count; ++i) {
    messages.push_back(topo.Order(MakeOrder(i), CorrelationIdOf(i)));
  }
  if (Status s = topo.Produce(messages, std::chrono::minutes(10), 20); !s) {
    Die("orders not delivered to Kafka: " + s.error().ToString());
  }
}

SampledService::SampledService(const std::string& binary, const std::vector<std::string>& env,
                               const std::string& log_path) {
  started_ = std::chrono::steady_clock::now();
  auto service = testkit::ServiceProcess::Start({binary, env, log_path, false});
  if (!service) Die(service.error().ToString());
  service_ = std::move(*service);
  sampler_ = std::thread([this] { Sample(); });
}

SampledService::~SampledService() {
  Stop();
}

int SampledService::Stop() {
  stop_ = true;
  if (sampler_.joinable()) sampler_.join();
  if (!service_) return -1;
  const int code = service_->Terminate(std::chrono::seconds(30)).value_or(-1);
  service_.reset();
  return code;
}

void SampledService::Sample() {
  while (!stop_) {
    const long rss = StatusKb(pid(), "VmRSS:");
    const long hwm = StatusKb(pid(), "VmHWM:");
    if (rss > 0) {
      std::lock_guard lock(mu_);
      samples_.push_back(rss);
    }
    peak_kb_ = std::max(peak_kb_.load(), hwm);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

double SampledService::CpuSeconds() const {
  return CpuSecondsFromStat("/proc/" + std::to_string(pid()) + "/stat");
}

double CpuSecondsFromStat(const std::string& stat_path) {
  std::ifstream in(stat_path);
  std::string stat;
  std::getline(in, stat);
  // Fields after the command name (which may contain spaces): state is field 3, utime 14.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(f);
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

pid_t CurrentThreadId() {
  return static_cast<pid_t>(::syscall(SYS_gettid));
}

double CpuSecondsOfThread(pid_t tid) {
  return CpuSecondsFromStat("/proc/self/task/" + std::to_string(tid) + "/stat");
}

MachineCpu ReadMachineCpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;  // "cpu": the sum over all cores
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  double v[8] = {};
  for (double& x : v)
    in >> x;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  MachineCpu m;
  m.busy_s = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / tick;
  m.total_s = m.busy_s + (v[3] + v[4]) / tick;
  return m;
}

std::vector<long> SampledService::RssSamples() const {
  std::lock_guard lock(mu_);
  return samples_;
}

double SteadyRssMb(const std::vector<long>& samples) {
  if (samples.empty()) return 0;
  std::vector<long> mid(samples.begin() + static_cast<long>(samples.size() / 4),
                        samples.begin() + static_cast<long>(samples.size() * 3 / 4));
  if (mid.empty()) mid = samples;
  std::sort(mid.begin(), mid.end());
  return static_cast<double>(mid[mid.size() / 2]) / 1024.0;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank =
      static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace driftline::bench
