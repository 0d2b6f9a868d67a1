// Where each consumed record goes, decided without I/O.
//
// The two pipelines call these functions for every record and then carry out the answer:
// send to SQS, produce to the retry or dead-letter topic, or hold until a due time. All
// failure routing happens here, by the kind of failure (order::Failure::retryable), never by
// exception type. Infrastructure failures (SQS or Kafka unreachable, the queue missing,
// credentials, TLS: any SQS failure not scoped kMessage) never reach this code: the senders
// retry those in place.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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

// A timestamp read from a record that lay beyond the latest due time possible (now + the
// policy's largest delay) and was replaced by it.
struct ClampedTimestamp {
  std::string field;     // "retry-due-at", "lastAttemptTimestamp" or "timestamp" (the record's)
  std::string value;     // as read: epoch ms, or the envelope's text
  Clock::WallTime used;  // the due time used instead
};

struct RouteContext {
  const BridgeConfig& config;
  const Clock& clock;
  // Told about each timestamp clamped while routing, when set (the pipeline logs and counts).
  std::vector<ClampedTimestamp>* clamped = nullptr;
};

// Retry envelopes and dead letters carry the CorrelationId (a new one when the input had none),
// their own retry-* / dlq-* headers, and every other header of the record they come from (a
// redrive's redrive-count and redrive-source among them), in its order.

// A record from the main topic: transform, or a retry envelope (retryCount 0) for a retryable
// failure, or a dead letter (totalRetries 0) for a permanent one or poison input. With an
// input check (BridgeConfig::input_check), an order ParseOrder() accepted is checked before it
// is transformed, and one the check refuses is dead-lettered at once with the check's Failure
// (totalRetries 0, dlq-error-kind "permanent", dlq-reason its reason).
Route RouteMain(const kafka::Message& in, const RouteContext& ctx);

// A record from the retry topic with retryCount n: dead letter when n >= MAX_RETRIES; Hold
// until lastAttempt + delay(n) (the retry-due-at header, else lastAttemptTimestamp) and, when
// the record has a timestamp, until at least that timestamp + delay(n); then transform again:
// SQS on success, envelope n+1 for a retryable failure, dead letter for a permanent one. A
// malformed envelope is dead-lettered with its bytes, an envelope that lost its order to the
// retry topic's size limit (originalMessageOmitted) with what identifies the order.
//
// Timestamps come from outside and are not trusted: the due time is computed without overflow
// for any value, and a due time later than now + the policy's largest delay is clamped to that
// (reported through ctx.clamped), so no value parks a record for longer. `held_until_due`: the
// record was held until the due time this function gave it and that time has come — it is
// routed as due without looking at its timestamps again (a clamped due time, computed again
// from a later now, would park it once more).
//
// Retry envelopes (from RouteMain too) carry the clock reading that decided them as their
// timestamp (CreateTime), so envelope n+1's timestamp is never less than envelope n's plus
// delay(n): the reading was >= the due time, which is >= n's timestamp + delay(n).
Route RouteRetry(const kafka::Message& in, const RouteContext& ctx, bool held_until_due = false);

// SQS refused the transformed message's content (a failure scoped FailureScope::kMessage: too
// large, invalid characters, a bad attribute): the dead letter for the record it came from.
KafkaOutput RouteSqsRejection(const kafka::Message& in, const Error& error,
                              const RouteContext& ctx);

// A smaller dead letter for when the broker refuses the full one as too large. Each call drops
// the next thing: the raw bytes of poison input (rawMessageOmitted); the original message down
// to what identifies the order (order::IdentityOf, originalMessageOmitted); then every text
// field cut to kShrunkTextBytes and the original message to {}. The dlq-original-* headers
// still point at the input. nullopt when there is nothing left to drop.
inline constexpr std::size_t kShrunkTextBytes = 512;
std::optional<kafka::OutgoingMessage> ShrinkDeadLetter(const kafka::OutgoingMessage& dead_letter);

// The same for a retry envelope the broker refuses as too large: its original message down to
// what identifies the order (marked originalMessageOmitted: RouteRetry dead-letters it instead
// of retrying), then the text fields cut and the original message {}. nullopt when there is
// nothing left to drop.
std::optional<kafka::OutgoingMessage> ShrinkRetryEnvelope(const kafka::OutgoingMessage& envelope);

// Parses "2026-01-19T10:00:05Z"; nullopt if it is not that shape. Years past what
// Clock::WallTime holds (2262) give its latest instant (FromEpochMillis).
std::optional<Clock::WallTime> ParseUtcSeconds(std::string_view text);

}  // namespace driftline::bridge
