// The order-service process fixture: the real binary started with an environment (usually a
// Topology's), its output in a log, optionally its /healthz on a free loopback port; killed,
// stopped with SIGTERM, or asked whether it is ready. Used by the integration and e2e tests, the
// benchmarks and the fault campaign.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "testkit/child_process.h"
#include "testkit/ports.h"

namespace driftline::testkit {

struct ServiceOptions {
  std::string binary;            // the order-service executable
  std::vector<std::string> env;  // over this process's environment ("NAME=value"; later wins)
  std::string log_path;          // stdout and stderr, appended
  bool health_port = false;      // METRICS_ADDRESS=127.0.0.1:<free port>, after `env`
};

class ServiceProcess {
 public:
  // Errors: kUnavailable when no port is free or the binary cannot be started.
  static Result<std::unique_ptr<ServiceProcess>> Start(ServiceOptions options);
  // A service still running is killed (SIGKILL) and reaped.
  ~ServiceProcess() = default;
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  pid_t pid() const { return process_->pid(); }
  bool Running() { return process_->Running(); }
  // SIGKILL and reap.
  void Kill() { process_->Kill(); }
  // SIGTERM, waits up to `limit`; the exit code, nullopt when it died of a signal or had to be
  // killed.
  std::optional<int> Terminate(std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    return process_->Terminate(limit);
  }
  const std::string& log() const { return options_.log_path; }
  // The /healthz port (0 without ServiceOptions::health_port).
  int health_port() const { return port_; }
  // The HTTP status of GET /healthz (200 ready, 503 not ready), -1 when it does not answer.
  int Health() const;
  // GET /healthz: its status (-1 when it does not answer) and its body, the report that names
  // what is not ready and why ("sqs queue: NOT READY (...; infrastructure: tls: ...)").
  HttpGetReply HealthReply() const;
  // Polls /healthz until it answers 200 (true), the process exits, or `limit` passes.
  bool WaitHealthy(std::chrono::milliseconds limit);

 private:
  ServiceProcess() = default;
  ServiceOptions options_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

// Other processes running an `order-service` binary on any of `topics` (read from their command
// line and environment, the service's defaults otherwise): "pid: command line (uses topic)" each.
std::vector<std::string> OrderServicesOnTopics(const std::set<std::string>& topics);

}  // namespace driftline::testkit
