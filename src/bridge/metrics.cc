#include "bridge/metrics.h"

namespace driftline::bridge {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

BridgeMetrics::BridgeMetrics(prometheus::Registry& r)
    : consumed(BuildCounter()
                   .Name("driftline_messages_consumed_total")
                   .Help("Records consumed, by pipeline (main, retry)")
                   .Register(r)),
      sqs_sent(BuildCounter()
                   .Name("driftline_sqs_sent_total")
                   .Help("Transformed orders SQS accepted")
                   .Register(r)
                   .Add({})),
      retried(BuildCounter()
                  .Name("driftline_retried_total")
                  .Help("Retry envelopes written to the retry topic, by pipeline")
                  .Register(r)),
      dead_lettered(BuildCounter()
                        .Name("driftline_dead_lettered_total")
                        .Help("Records written to the dead-letter topic, by reason")
                        .Register(r)),
      in_flight(BuildGauge()
                    .Name("driftline_in_flight")
                    .Help("Records consumed whose outcome is not yet durable, by pipeline")
                    .Register(r)),
      lag(BuildGauge()
              .Name("driftline_consumer_lag")
              .Help("Records between the consumer position and the end of its partitions")
              .Register(r)),
      sqs_send_seconds(
          BuildHistogram()
              .Name("driftline_sqs_send_seconds")
              .Help("Latency of one SendMessageBatch request")
              .Register(r)
              .Add({},
                   prometheus::Histogram::BucketBoundaries{0.001, 0.002, 0.005, 0.01, 0.025, 0.05,
                                                           0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      sqs_errors(BuildCounter()
                     .Name("driftline_sqs_errors_total")
                     .Help("Failed SQS sends of one message by kind and cause: kind=message "
                           "is refused content (dead-lettered), kind=infrastructure is sent "
                           "again")
                     .Register(r)),
      retry_held(BuildGauge()
                     .Name("driftline_retry_held")
                     .Help("Retry records parked until their due time")
                     .Register(r)
                     .Add({})),
      kafka_resends(BuildCounter()
                        .Name("driftline_kafka_resends_total")
                        .Help("Retry/DLQ records produced again after a failed delivery")
                        .Register(r)
                        .Add({})),
      kafka_refused(BuildGauge()
                        .Name("driftline_kafka_refused")
                        .Help("Retry/DLQ records the broker refuses with an error that is not "
                              "retryable; each is produced again until it is accepted, and "
                              "its input offset stays uncommitted meanwhile")
                        .Register(r)
                        .Add({})),
      kafka_refusals(BuildCounter()
                         .Name("driftline_kafka_refusals_total")
                         .Help("Deliveries of retry/DLQ records refused with an error that is "
                               "not retryable, by topic")
                         .Register(r)),
      kafka_shrunk(BuildCounter()
                       .Name("driftline_kafka_shrunk_total")
                       .Help("Retry/DLQ records produced again smaller after the broker "
                             "refused them as too large, by topic")
                       .Register(r)),
      timestamps_clamped(BuildCounter()
                             .Name("driftline_timestamps_clamped_total")
                             .Help("Timestamps read from a retry record that lay beyond now + "
                                   "the retry policy's largest delay and were clamped to it, "
                                   "by field")
                             .Register(r)),
      ready(BuildGauge()
                .Name("driftline_ready")
                .Help("1 when the service is ready (both consumers assigned, SQS answering)")
                .Register(r)
                .Add({})),
      sqs_possible_duplicates(
          BuildCounter()
              .Name("driftline_sqs_possible_duplicates_total")
              .Help("Messages sent again after an attempt that may have reached the queue "
                    "(a timeout, an unreadable reply, a checksum mismatch, a 5xx)")
              .Register(r)
              .Add({})),
      sqs_probe_failures(BuildCounter()
                             .Name("driftline_sqs_probe_failures_total")
                             .Help("Readiness probes of the SQS queue that failed, by cause")
                             .Register(r)) {}

}  // namespace driftline::bridge
