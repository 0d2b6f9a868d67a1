// Where each consumed record goes, decided without I/O.
//
// The two pipelines call these functions for every record and then carry out the answer:
// send to SQS, produce to the retry or dead-letter topic, or hold until a due time. All
// failure routing happens here, by the kind of failure (order::Failure::retryable), never by
// exception type. Infrastructure failures (SQS or Kafka unreachable, the queue missing,
// credentials, TLS: any SQS failure not scoped kMessage) never reach this code: the senders
// retry those in place.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "bridge/config.h"
#include "common/clock.h"
#include "common/status.h"
#include "kafka/message.h"
#include "order/headers.h"

namespace driftline::bridge {

// Header names on the wire (order/headers.h).
using order::kCorrelationIdHeader;
using order::kDlqConsumerGroup;
using order::kDlqErrorKind;
using order::kDlqOriginalOffset;
using order::kDlqOriginalPartition;
using order::kDlqOriginalTopic;
using order::kDlqReason;
using order::kRetryCountHeader;
using order::kRetryDueAtHeader;

// The transformed order, for the SQS queue.
struct SqsOutput {
  std::string body;
  std::string correlation_id;
  std::string group_id;  // MessageGroupId on FIFO queues: the message key
  std::string dedup_id;  // MessageDeduplicationId on FIFO queues: deduplication_id.h
};

// A record for the retry or the dead-letter topic.
struct KafkaOutput {
  enum class Kind { kRetry, kDeadLetter };
  Kind kind;
  std::string reason;  // order::Failure::reason, for metrics
  kafka::OutgoingMessage message;
};

// Not yet due: ask again at `due`.
struct Hold {
  Clock::WallTime due;
};

using Route = std::variant<SqsOutput, KafkaOutput, Hold>;

struct RouteContext {
  const BridgeConfig& config;
  const Clock& clock;
};

// Retry envelopes and dead letters carry the CorrelationId (a new one when the input had none),
// their own retry-* / dlq-* headers, and every other header of the record they come from (a
// redrive's redrive-count and redrive-source among them), in its order.

// A record from the main topic: transform, or a retry envelope (retryCount 0) for a retryable
// failure, or a dead letter (totalRetries 0) for a permanent one or poison input.
Route RouteMain(const kafka::Message& in, const RouteContext& ctx);

// A record from the retry topic with retryCount n: dead letter when n >= MAX_RETRIES; Hold
// until lastAttempt + delay(n) (the retry-due-at header, else lastAttemptTimestamp) and, when
// the record has a timestamp, until at least that timestamp + delay(n); then transform again:
// SQS on success, envelope n+1 for a retryable failure, dead letter for a permanent one. A
// malformed envelope is dead-lettered with its bytes.
//
// Retry envelopes (from RouteMain too) carry the clock reading that decided them as their
// timestamp (CreateTime), so envelope n+1's timestamp is never less than envelope n's plus
// delay(n): the reading was >= the due time, which is >= n's timestamp + delay(n).
Route RouteRetry(const kafka::Message& in, const RouteContext& ctx);

// SQS refused the transformed message's content (a failure scoped FailureScope::kMessage: too
// large, invalid characters, a bad attribute): the dead letter for the record it came from.
KafkaOutput RouteSqsRejection(const kafka::Message& in, const Error& error,
                              const RouteContext& ctx);

// A smaller dead letter for when the broker refuses the full one as too large: first without
// the raw bytes, then without the original message (the dlq-original-* headers still point at
// it). nullopt when there is nothing left to drop.
std::optional<kafka::OutgoingMessage> ShrinkDeadLetter(const kafka::OutgoingMessage& dead_letter);

// Parses "2026-01-19T10:00:05Z"; nullopt if it is not that shape.
std::optional<Clock::WallTime> ParseUtcSeconds(std::string_view text);

}  // namespace driftline::bridge
