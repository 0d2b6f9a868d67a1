#include "sqs/batch.h"

#include <algorithm>
#include <string>

#include "sqs/protocol.h"

namespace driftline::sqs {

BatchPlan SplitIntoBatches(const std::vector<OutgoingMessage>& messages,
                           const BatchLimits& limits) {
  const std::size_t max_entries = std::clamp<std::size_t>(limits.max_entries, 1, kMaxBatchEntries);
  BatchPlan plan;
  std::vector<std::size_t> current;
  std::size_t current_bytes = 0;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (auto checked = CheckOutgoingMessage(messages[i]); !checked) {
      plan.rejected.emplace_back(i, checked.error());
      continue;
    }
    const std::size_t size = MessagePayloadSize(messages[i]);
    if (size > limits.max_message_bytes) {
      plan.rejected.emplace_back(
          i, Error(Code::kInvalidArgument,
                   "message of " + std::to_string(size) + " bytes exceeds the queue's " +
                       "MaximumMessageSize of " + std::to_string(limits.max_message_bytes)));
      continue;
    }
    if (size > limits.max_batch_bytes) {
      plan.rejected.emplace_back(
          i, Error(Code::kInvalidArgument, "message of " + std::to_string(size) +
                                               " bytes exceeds the batch payload " + "limit of " +
                                               std::to_string(limits.max_batch_bytes)));
      continue;
    }
    if (!current.empty() &&
        (current.size() == max_entries || current_bytes + size > limits.max_batch_bytes)) {
      plan.batches.push_back(std::move(current));
      current.clear();
      current_bytes = 0;
    }
    current.push_back(i);
    current_bytes += size;
  }
  if (!current.empty()) plan.batches.push_back(std::move(current));
  return plan;
}

bool IsValidBatchEntryId(std::string_view id) {
  if (id.empty() || id.size() > 80) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

}  // namespace driftline::sqs
