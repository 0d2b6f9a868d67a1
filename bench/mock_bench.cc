// `contract-test mock` under load: start-up to ready, and generated replies per second.
//
// On a fresh topology with a renamed copy of the project's contract (testkit::CopyContract), it
// starts `contract-test mock`, times process start → GET /_mock/health answering 200 (every
// consumer assigned), then produces N of the benchmarks' orders (no example matches them: each
// gets a reply generated from the reply schema) and polls GET /_mock/verify every 25 ms until the
// queue's `emitted` reaches N. Rate = N ÷ (last poll − the poll that first saw a reply sent),
// so the producer's own time is not counted as the mock's. RSS (VmRSS every 100 ms; VmHWM) and
// the mock's CPU time per reply come from /proc. The queue's depth is checked at the end.
// GCC 12 reports a false -Wnull-dereference inside std::streambuf when inlining this file at -O2.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "bench/support.h"
#include "testkit/child_process.h"
#include "testkit/contract_copy.h"
#include "testkit/eventually.h"
#include "testkit/ports.h"

namespace driftline::bench {
namespace {

using nlohmann::json;
using Steady = std::chrono::steady_clock;
namespace fs = std::filesystem;

long StatusKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return 0;
}

double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; rest >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::int64_t Emitted(int port, const std::string& queue) {
  const testkit::HttpGetReply r = testkit::HttpGet(port, "/_mock/verify");
  if (r.status != 200) return -1;
  const json v = json::parse(r.body, nullptr, false);
  if (v.is_discarded()) return -1;
  return v["channels"][queue].value("emitted", std::int64_t{-1});
}

int Run(int argc, char** argv) {
  CLI::App app("contract-test mock: start-up to ready and generated replies per second");
  int n = 20000;
  std::string kafka = testkit::KafkaBootstrap(), sqs = testkit::SqsEndpoint(), binary, label,
              json_out;
  std::string source = DRIFTLINE_SOURCE_DIR;
  app.add_option("-n", n, "orders");
  app.add_option("--kafka", kafka);
  app.add_option("--sqs-endpoint", sqs);
  app.add_option("--contract-test", binary, "the contract-test binary")->required();
  app.add_option("--label", label);
  app.add_option("--json", json_out, "write the result as JSON here");
  CLI11_PARSE(app, argc, argv);

  const json machine = MachineInfo();
  testkit::TopologyOptions options;
  options.kafka = kafka;
  options.sqs_endpoint = sqs;
  options.prefix = "bench-mock";
  auto topo = CreateTopology(options);
  const fs::path dir = fs::path(ServiceLogPath(*topo)).parent_path() / (topo->base() + "-contract");
  auto copy =
      testkit::CopyContract(fs::path(source) / "contracts/order-service.yaml",
                            fs::path(source) / "contracts/order-service_examples", {"schemas"}, dir,
                            {{"place-order-topic", topo->main_topic()},
                             {"place-order-retry-topic", topo->retry_topic()},
                             {"place-order-dlq-topic", topo->dlq_topic()},
                             {"place-order-queue", topo->queue_name()}});
  if (!copy) Die(copy.error().ToString());
  const int port = testkit::FreeLoopbackPort();
  const std::string log =
      (fs::path(ServiceLogPath(*topo)).parent_path() / (topo->base() + "-mock.log")).string();

  const Steady::time_point spawned = Steady::now();
  auto child = testkit::ChildProcess::Spawn(
      {binary, "mock", "--contract", copy->contract.string(), "--examples", copy->examples.string(),
       "--kafka", kafka, "--sqs", sqs + "/000000000000", "--port", std::to_string(port)},
      {}, log);
  if (!child) Die(child.error().ToString());
  const pid_t pid = (*child)->pid();
  if (!testkit::Eventually([&] { return testkit::HttpGetStatus(port, "/_mock/health") == 200; },
                           std::chrono::seconds(60), std::chrono::milliseconds(2)))
    Die("the mock was not ready within 60 s; log " + log);
  const double startup_ms =
      std::chrono::duration<double, std::milli>(Steady::now() - spawned).count();

  std::atomic<bool> stop{false};
  std::vector<long> rss;
  std::thread sampler([&] {
    while (!stop) {
      rss.push_back(StatusKb(pid, "VmRSS"));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  const double cpu_before = CpuSeconds(pid);
  std::thread producer([&] { Preload(*topo, 0, n); });
  Steady::time_point first{}, last{};
  std::int64_t at_first = 0, emitted = 0;
  const Steady::time_point deadline = Steady::now() + std::chrono::seconds(300);
  while (Steady::now() < deadline) {
    emitted = Emitted(port, topo->queue_name());
    const Steady::time_point now = Steady::now();
    if (emitted > 0 && first == Steady::time_point{}) {
      first = now;
      at_first = emitted;
    }
    if (emitted >= n) {
      last = now;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  producer.join();
  const double cpu = CpuSeconds(pid) - cpu_before;
  const long peak_kb = StatusKb(pid, "VmHWM");
  stop = true;
  sampler.join();
  const testkit::HttpGetReply verify = testkit::HttpGet(port, "/_mock/verify");
  const std::optional<int> exit_code = (*child)->Terminate(std::chrono::seconds(30));
  const bool complete = last != Steady::time_point{};
  const double seconds = complete ? std::chrono::duration<double>(last - first).count() : 0;
  const double rate = complete && seconds > 0 ? static_cast<double>(n - at_first) / seconds : 0;
  const std::int64_t depth = topo->QueueDepth(true);
  const json kinds = json::parse(verify.body, nullptr, false).value("kinds", json::object());

  json result{{"label", label.empty() ? "mock-" + std::to_string(n) : label},
              {"orders", n},
              {"startup_ms", startup_ms},
              {"replies_per_s", rate},
              {"emitted", emitted},
              {"queue_depth", depth},
              {"kinds", kinds},
              {"steady_rss_mb", SteadyRssMb(rss)},
              {"peak_rss_mb", static_cast<double>(peak_kb) / 1024.0},
              {"cpu_us_per_reply", n > 0 ? cpu * 1e6 / n : 0},
              {"exit_code", exit_code ? *exit_code : -1},
              {"complete", complete},
              {"machine", machine}};
  std::printf("%-14s %-7s %-12s %-12s %-10s %-10s %-12s %s\n", "run", "orders", "ready ms",
              "replies/s", "RSS MB", "peak MB", "us CPU/reply", "kinds");
  std::printf("%-14s %-7d %-12.0f %-12.0f %-10.1f %-10.1f %-12.1f %s\n",
              result["label"].get<std::string>().c_str(), n, startup_ms, rate,
              result["steady_rss_mb"].get<double>(), result["peak_rss_mb"].get<double>(),
              result["cpu_us_per_reply"].get<double>(), kinds.dump().c_str());
  if (!json_out.empty()) std::ofstream(json_out) << result.dump(1);
  if (!complete || depth != n) {
    std::fprintf(stderr, "mock_bench: %lld of %d replies sent, queue depth %lld; log %s\n",
                 static_cast<long long>(emitted), n, static_cast<long long>(depth), log.c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace driftline::bench

int main(int argc, char** argv) {
  return driftline::bench::Run(argc, argv);
}
