// The messages the bridge writes when an order fails: the retry envelope on the retry topic and
// the dead letter on the DLQ topic, in the lab's formats (see the contract's RetryMessage and
// PlaceOrderDlqMessage). Pure functions over JSON; timestamps come in already formatted.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "order/order.h"

namespace driftline::order {

// Longest errorStackTrace / finalErrorStackTrace written, in bytes; longer traces keep their
// head and tail around a "... N bytes elided ..." marker.
inline constexpr std::size_t kMaxTraceBytes = 4096;

struct RetryEnvelope {
  nlohmann::json original_message;  // the order object
  std::string message_key;
  int retry_count = 0;
  std::string first_attempt_timestamp;
  std::string last_attempt_timestamp;
  std::string error_message;
  std::string error_stack_trace;
  // Set (originalMessageOmitted) when the envelope was too large for the retry topic and
  // original_message was cut down to what identifies the order: it cannot be retried.
  std::optional<std::string> original_omitted = std::nullopt;

  nlohmann::json ToJson() const;
};

// Reads an envelope from the retry topic. Permanent failure (reason "invalid-envelope") when
// it is not JSON, or a required field (originalMessage object, messageKey string, retryCount
// non-negative integer, the two timestamps strings) is missing or mistyped.
Outcome<RetryEnvelope> ParseRetryEnvelope(std::string_view bytes);

struct DeadLetter {
  // The order object when the input was one; otherwise {} and the raw bytes are kept in
  // raw_message so nothing of a poison message is lost.
  nlohmann::json original_message = nlohmann::json::object();
  std::optional<std::string> raw_message;  // written as rawMessageBase64
  std::string message_key;
  int total_retries = 0;
  std::string first_attempt_timestamp;
  std::string failed_timestamp;
  std::string final_error_message;
  std::string final_error_stack_trace;
  std::string reason;  // Failure::reason, written as failureReason
  // Why original_message holds only part of the order, if it does (originalMessageOmitted).
  std::optional<std::string> original_omitted = std::nullopt;

  nlohmann::json ToJson() const;
};

// The dead letter of input that could not be decoded (`failure`): a JSON object (say, with an
// unknown orderType) travels as originalMessage, keyed by its orderId/batchId; anything else (not
// JSON, not UTF-8, not an object, nesting too deep to handle safely) as its exact bytes
// (raw_message), keyed by the record's key. The key is "unknown" when there is none. Sets the
// original message, key, final error message and reason; totals, timestamps and trace are the
// caller's.
DeadLetter UndecodableDeadLetter(std::string_view payload, const std::optional<std::string>& key,
                                 const Failure& failure);

// "<where>: <message>" then the context frames, bounded by kMaxTraceBytes.
std::string FormatTrace(const Failure& failure, std::string_view context);

// Trims text to at most `limit` bytes, keeping head and tail and valid UTF-8 at the cut.
std::string Bound(std::string_view text, std::size_t limit);

// What identifies an order object, for a record that cannot carry all of it: its orderType,
// orderId and batchId members that are strings of at most kMaxIdentityBytes (an empty object
// when there are none).
inline constexpr std::size_t kMaxIdentityBytes = 256;
nlohmann::json IdentityOf(const nlohmann::json& order);

}  // namespace driftline::order
