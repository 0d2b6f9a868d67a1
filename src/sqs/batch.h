// Splitting any number of messages into SendMessageBatch requests SQS will accept.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "sqs/message.h"

namespace driftline::sqs {

inline constexpr std::size_t kMaxBatchEntries = 10;
// SQS's classic limit, and ElasticMQ's with strict limits. Real SQS raised its ceiling to
// 1 MiB in 2025; a queue reports its own in the MaximumMessageSize attribute.
inline constexpr std::size_t kDefaultMaximumMessageSize = 262144;

struct BatchLimits {
  std::size_t max_entries = kMaxBatchEntries;                  // per request, clamped to 1..10
  std::size_t max_message_bytes = kDefaultMaximumMessageSize;  // the queue's MaximumMessageSize
  std::size_t max_batch_bytes = kDefaultMaximumMessageSize;    // sum over one request's entries
};

struct BatchPlan {
  // Indices into the input, each batch and the batches in input order; every batch non-empty.
  std::vector<std::vector<std::size_t>> batches;
  // Entries that cannot be sent at all, with a kInvalidArgument: CheckOutgoingMessage's, or one
  // naming the entry's size and the limit it exceeds.
  std::vector<std::pair<std::size_t, Error>> rejected;
};

// Greedy, order-preserving: a batch is closed when adding the next message would pass the entry
// count or the byte limit (sizes as MessagePayloadSize counts them). Every input index appears
// exactly once, in a batch or in `rejected`.
BatchPlan SplitIntoBatches(const std::vector<OutgoingMessage>& messages,
                           const BatchLimits& limits = {});

// SQS batch entry ids: 1 to 80 of [A-Za-z0-9_-].
bool IsValidBatchEntryId(std::string_view id);

}  // namespace driftline::sqs
