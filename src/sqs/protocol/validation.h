// What SQS would refuse, checked before anything is sent, and the limits it refuses by. Every
// check returns kInvalidArgument naming the offending value; nothing here builds a request.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sqs/protocol/message.h"

namespace driftline::sqs {

inline constexpr std::size_t kMaxBatchEntries = 10;
inline constexpr std::size_t kMaxMessageAttributes = 10;
// SQS's classic limit, and ElasticMQ's with strict limits. Real SQS raised its ceiling to
// 1 MiB in 2025; a queue reports its own in the MaximumMessageSize attribute.
inline constexpr std::size_t kDefaultMaximumMessageSize = 262144;

struct BatchLimits {
  std::size_t max_entries = kMaxBatchEntries;                  // per request, clamped to 1..10
  std::size_t max_message_bytes = kDefaultMaximumMessageSize;  // the queue's MaximumMessageSize
  std::size_t max_batch_bytes = kDefaultMaximumMessageSize;    // sum over one request's entries
};

// What SQS would reject in any message: an empty body, text that is not UTF-8 or has characters
// SQS refuses (control characters other than tab/CR/LF, U+FFFE/FFFF), DelaySeconds outside
// 0..900, more than 10 attributes, an attribute name SQS refuses, an attribute with no value or
// an unknown DataType. (Size limits depend on the queue: CheckMessageSize.) Its errors, and
// CheckMessageSize's, are scoped kMessage (causes "invalid-message", "message-too-large").
Status CheckOutgoingMessage(const OutgoingMessage& message);

// The message's size as MessagePayloadSize counts it against the queue's MaximumMessageSize
// (limits.max_message_bytes) and, when `in_batch`, against one request's payload limit
// (limits.max_batch_bytes). Exactly the limit is allowed.
Status CheckMessageSize(const OutgoingMessage& message, const BatchLimits& limits, bool in_batch);

// SQS batch entry ids: 1 to 80 of [A-Za-z0-9_-].
bool IsValidBatchEntryId(std::string_view id);

// A batch request: 1..10 entries whose ids are valid and distinct.
Status CheckBatchEntryIds(const std::vector<std::string_view>& ids);

// Queue names: 1 to 80 of [A-Za-z0-9_-], ".fifo" included; a FIFO queue (`fifo`, its FifoQueue
// attribute) needs a name ending in ".fifo" and only a FIFO queue may have one.
Status CheckQueueName(std::string_view name, bool fifo);

// `value` within low..high, else "<name> <value> is outside <low>..<high>".
Status CheckRange(std::string_view name, int value, int low, int high);

// DeleteMessageBatch entries and the like: SQS needs the handle ReceiveMessage returned.
Status CheckReceiptHandle(std::string_view receipt_handle);

}  // namespace driftline::sqs
