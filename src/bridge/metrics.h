// The service's Prometheus metrics, registered once and shared by the pipelines (all metric
// operations are thread-safe).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace driftline::bridge {

struct BridgeMetrics {
  explicit BridgeMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& consumed;        // {pipeline}
  prometheus::Counter& sqs_sent;                            // messages SQS accepted
  prometheus::Family<prometheus::Counter>& retried;         // {pipeline}: envelopes written
  prometheus::Family<prometheus::Counter>& dead_lettered;   // {reason}
  prometheus::Family<prometheus::Gauge>& in_flight;         // {pipeline}
  prometheus::Family<prometheus::Gauge>& lag;               // {pipeline}: records behind
  prometheus::Histogram& sqs_send_seconds;                  // one SendMessageBatch request
  prometheus::Family<prometheus::Counter>& sqs_errors;      // {kind=message|infrastructure,cause}
  prometheus::Gauge& retry_held;                            // retries parked until due
  prometheus::Counter& kafka_resends;                       // retry/DLQ records sent again
  prometheus::Gauge& kafka_refused;                         // records refused for good, resent
  prometheus::Family<prometheus::Counter>& kafka_refusals;  // {topic}: not-retryable failures
  prometheus::Family<prometheus::Counter>& kafka_shrunk;    // {topic}: produced again smaller
  prometheus::Family<prometheus::Counter>& timestamps_clamped;  // {field}
  prometheus::Gauge& ready;                                     // 1 when /healthz says ready

  // Messages sent again after an attempt that may have reached the queue (maybe_applied).
  prometheus::Counter& sqs_possible_duplicates;
  // Probes of the queue that failed: {cause}.
  prometheus::Family<prometheus::Counter>& sqs_probe_failures;
};

}  // namespace driftline::bridge
