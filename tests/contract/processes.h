// Processes for the contract tests: a running order-service (started and stopped here, never
// anyone else's), contract-test runs with their output, and the checks that nothing else is
// using the lab's topics.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace driftline::contract_tests {

// A free TCP port on 127.0.0.1 (bound, read, released).
int FreeLoopbackPort();

// The HTTP status of GET http://127.0.0.1:<port><path>, or -1 when nothing answers.
int HttpGetStatus(int port, const std::string& path);

// Other processes running an `order-service` binary on any of `topics` (read from their command
// line and environment, the service's defaults otherwise): "pid: command line (uses topic)" each.
std::vector<std::string> OrderServicesOnTopics(const std::set<std::string>& topics);

// Exit code of `command` run through /bin/sh with its output discarded.
int RunQuietly(const std::string& command);

// build/bin/order-service with the current environment plus `env` ("NAME=value"); its output
// goes to `log`. The destructor stops it (SIGTERM, SIGKILL after 30 s) if still running.
class OrderService {
 public:
  OrderService(const std::vector<std::string>& env, const std::filesystem::path& log);
  ~OrderService();
  OrderService(const OrderService&) = delete;
  OrderService& operator=(const OrderService&) = delete;

  bool started() const { return pid_ > 0; }
  // Polls /healthz on `port` until it answers 200, the process exits, or `timeout` passes.
  bool WaitHealthy(int port, std::chrono::milliseconds timeout);
  // SIGTERM, then waits up to 30 s (SIGKILL after). The exit code, or -1 when it had to be
  // killed or died of a signal.
  int Stop();

 private:
  pid_t pid_ = -1;
};

struct RunResult {
  int exit_code = -1;  // -1: killed at the deadline
  std::string output;  // stdout and stderr, interleaved
  std::chrono::milliseconds wall{};
};

// Runs `argv` (argv[0] the binary) with its output captured; kills it at `deadline`.
RunResult RunCaptured(const std::vector<std::string>& argv, std::chrono::milliseconds deadline);

}  // namespace driftline::contract_tests
