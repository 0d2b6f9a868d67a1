#include "bridge/deduplication_id.h"

#include "sqs/protocol/digest.h"

namespace driftline::bridge {

namespace {
constexpr std::size_t kMaxDeduplicationIdLength = 128;
}  // namespace

std::string DeduplicationId(std::string_view topic, std::int32_t partition, std::int64_t offset) {
  const std::string position = "-" + std::to_string(partition) + "-" + std::to_string(offset);
  if (topic.size() + position.size() <= kMaxDeduplicationIdLength) {
    return std::string(topic) + position;
  }
  return sqs::Md5Hex(topic) + position;
}

}  // namespace driftline::bridge
