// A dead letter as read back from the dead-letter topic: what the redrive filters look at, and
// what a redrive re-publishes. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "kafka/message.h"

namespace driftline::redrive {

struct StoredDeadLetter {
  // Where it is.
  std::string topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::int64_t record_time_ms = -1;  // the record's timestamp; -1 when it has none
  std::optional<std::string> key;    // the record's key: the dead letter's messageKey

  // From the headers ("" / 0 when absent).
  std::string correlation_id;  // CorrelationId
  std::string error_kind;      // dlq-error-kind: permanent, retries-exhausted, sqs-rejected
  int redrive_count = 0;       // redrive-count: times the order was re-published already

  // From the body.
  std::string failure_reason;       // failureReason (else the dlq-reason header)
  std::string final_error_message;  // finalErrorMessage
  std::string failed_timestamp;     // failedTimestamp, as written
  // failedTimestamp in ms since the epoch, else the record's timestamp; nullopt when neither.
  std::optional<std::int64_t> failed_at_ms;
  std::string order_id;  // originalMessage's orderId or batchId, else messageKey
  int total_retries = 0;

  // What a redrive re-publishes: the exact bytes of poison input (rawMessageBase64), else the
  // order (originalMessage) as compact JSON. nullopt when the dead letter no longer holds it
  // (shrunk to fit the topic: rawMessageOmitted / originalMessageOmitted) or never did (an
  // empty originalMessage without raw bytes); `missing_original` then says why.
  std::optional<std::string> original_payload;
  std::string missing_original;
  // The headers the order carried (CorrelationId and any the bridge does not own), in their
  // order: the record's headers without retry-*, dlq-* and redrive-*.
  kafka::Headers original_headers;
};

// Reads a record of the dead-letter topic. Errors (kInvalidArgument), each naming the record:
// the value is not a JSON object, rawMessageBase64 is not base64, redrive-count is not a
// non-negative integer.
Result<StoredDeadLetter> ReadDeadLetter(const kafka::Message& record);

// "2026-01-19T10:00:05Z" (optionally with fractional seconds, ".123Z") or "2026-01-19" (its
// midnight, UTC) as ms since the epoch; nullopt for anything else, or a year outside 1970..9999.
// Milliseconds in 64 bits hold every such year: no overflow.
std::optional<std::int64_t> ParseUtcMillis(std::string_view text);

// ms since the epoch as "2026-01-19T10:00:05Z" (the milliseconds dropped).
std::string FormatUtcMillis(std::int64_t ms);

}  // namespace driftline::redrive
