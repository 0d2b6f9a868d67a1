#include "sqs/protocol/batch.h"

#include <algorithm>

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
    if (auto checked = CheckMessageSize(messages[i], limits, /*in_batch=*/true); !checked) {
      plan.rejected.emplace_back(i, checked.error());
      continue;
    }
    const std::size_t size = MessagePayloadSize(messages[i]);
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

}  // namespace driftline::sqs
