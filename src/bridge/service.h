// order-service as an object: wires the SQS client, the SQS sender, the retry/DLQ record sink,
// the main and retry pipelines and the operations endpoint, and stops them in order.
#pragma once

#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "bridge/config.h"
#include "bridge/metrics.h"
#include "bridge/pipeline.h"
#include "bridge/record_sink.h"
#include "bridge/sqs_sender.h"
#include "common/clock.h"
#include "ops/http_server.h"
#include "sqs/client.h"

namespace driftline::bridge {

class OrderService {
 public:
  // Builds every part from `config` alone (it reads no environment); nothing consumes yet.
  // `sqs` and `consumers` may be injected (tests); null / empty build the real SQS client and
  // Kafka consumers from the config. Errors: configuration (kInvalidArgument), metrics address
  // taken (kUnavailable).
  static Result<std::unique_ptr<OrderService>> Create(BridgeConfig config, const Clock& clock,
                                                      std::unique_ptr<sqs::SqsClient> sqs = nullptr,
                                                      ConsumerFactory consumers = {});
  ~OrderService();

  // Starts the SQS and Kafka probe; the pipelines (the retry pipeline only when
  // RETRY_CONSUMER_ENABLED) join their groups and consume once the SQS queue has answered the
  // probe. The queue missing or SQS down is not an error: the service waits for it, not ready,
  // and /healthz says why.
  void Start();
  // Graceful stop within config.shutdown_timeout: stop taking input, let in-flight work
  // finish, commit, leave the groups, flush the producer. Returns records left unfinished
  // (they will be consumed again: at-least-once).
  std::size_t Stop();

  // The queue has answered and the consumers started, both have joined their groups with every
  // start offset resolved (a record produced now will be consumed), SQS and Kafka answer, and
  // nothing is failing.
  bool Ready() const;
  // One line per component, for /healthz.
  std::string HealthReport() const;
  // A pipeline hit an unrecoverable error; the process should exit non-zero.
  bool Failed() const;
  // The bound port of the metrics/health listener (0 when disabled).
  int ops_port() const { return ops_ ? ops_->port() : 0; }
  prometheus::Registry& registry() { return *registry_; }

 private:
  explicit OrderService(BridgeConfig config);
  void ProbeLoop();
  // Probes the queue; records the outcome for Ready()/HealthReport() and logs a change.
  bool ProbeSqs();
  void StartPipelines();  // requires probe_mu_

  // Destroyed bottom up (the destructor also resets them in that order, after Stop()): the
  // listener whose handlers read everything; then what reports completions — the SQS sender
  // (it completes into the pipelines and, for a rejected message, produces into the sink) and
  // the sink, whose producer waits up to its close timeout for delivery reports — while the
  // pipelines those completions go to are still alive; then the pipelines (their threads were
  // joined by Stop(): they use neither any more); then the SQS client the sender borrowed.
  BridgeConfig config_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<BridgeMetrics> metrics_;
  std::unique_ptr<sqs::SqsClient> sqs_;
  std::unique_ptr<Pipeline> main_;
  std::unique_ptr<Pipeline> retry_;
  std::unique_ptr<RecordSink> sink_;
  std::unique_ptr<SqsSender> sender_;
  std::unique_ptr<ops::HttpServer> ops_;

  std::atomic<bool> sqs_ok_{false};
  std::atomic<bool> kafka_ok_{false};  // the probe's last metadata request was answered
  std::mutex probe_mu_;
  std::condition_variable probe_cv_;
  bool stopping_ = false;  // guarded by probe_mu_
  std::thread prober_;

  // The pipelines were started: the queue has answered a probe.
  std::atomic<bool> consuming_{false};
  // Why the queue does not answer (the last probe's error), for /healthz.
  mutable std::mutex sqs_error_mu_;
  std::optional<Error> sqs_probe_error_;  // guarded by sqs_error_mu_
};

}  // namespace driftline::bridge
