// Header names on the wire: what the bridge writes on retry envelopes and dead letters, and what
// a redrive adds to an order it re-publishes. Shared by the bridge and the redrive tool.
#pragma once

#include <string_view>

namespace driftline::order {

inline constexpr std::string_view kCorrelationIdHeader = "CorrelationId";
inline constexpr std::string_view kRetryDueAtHeader = "retry-due-at";  // epoch ms
inline constexpr std::string_view kRetryCountHeader = "retry-count";
inline constexpr std::string_view kDlqOriginalTopic = "dlq-original-topic";
inline constexpr std::string_view kDlqOriginalPartition = "dlq-original-partition";
inline constexpr std::string_view kDlqOriginalOffset = "dlq-original-offset";
inline constexpr std::string_view kDlqConsumerGroup = "dlq-consumer-group";
inline constexpr std::string_view kDlqErrorKind = "dlq-error-kind";
inline constexpr std::string_view kDlqReason = "dlq-reason";
// How many times the order was re-published from the dead-letter topic (decimal), and from
// where the last time ("<dlq topic>/<partition>/<offset>"). Set by the redrive tool; the bridge
// carries them, like every header it does not own, onto retry envelopes and dead letters.
inline constexpr std::string_view kRedriveCountHeader = "redrive-count";
inline constexpr std::string_view kRedriveSourceHeader = "redrive-source";

// True for the headers the bridge sets itself on what it produces (CorrelationId, retry-*,
// dlq-*): those are never copied from the record it consumed.
constexpr bool IsBridgeHeader(std::string_view name) {
  return name == kCorrelationIdHeader || name.starts_with("retry-") || name.starts_with("dlq-");
}

}  // namespace driftline::order
