#include "sqs/protocol/message.h"

namespace driftline::sqs {

std::size_t MessagePayloadSize(const OutgoingMessage& message) {
  std::size_t size = message.body.size();
  for (const auto& [name, value] : message.attributes) {
    size += name.size() + value.data_type.size() +
            (value.is_binary() ? value.binary_value.size() : value.string_value.size());
  }
  return size;
}

}  // namespace driftline::sqs
