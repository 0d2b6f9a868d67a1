// Splitting any number of messages into SendMessageBatch requests SQS will accept.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "common/status.h"
#include "sqs/protocol/message.h"
#include "sqs/protocol/validation.h"

namespace driftline::sqs {

struct BatchPlan {
  // Indices into the input, each batch and the batches in input order; every batch non-empty.
  std::vector<std::vector<std::size_t>> batches;
  // Entries that cannot be sent at all, with a kInvalidArgument: CheckOutgoingMessage's or
  // CheckMessageSize's.
  std::vector<std::pair<std::size_t, Error>> rejected;
};

// Greedy, order-preserving: a batch is closed when adding the next message would pass the entry
// count or the byte limit (sizes as MessagePayloadSize counts them). Every input index appears
// exactly once, in a batch or in `rejected`.
BatchPlan SplitIntoBatches(const std::vector<OutgoingMessage>& messages,
                           const BatchLimits& limits = {});

}  // namespace driftline::sqs
