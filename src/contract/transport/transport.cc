#include "contract/transport/transport.h"

namespace driftline::contract {

void SetPayload(ObservedMessage& m, std::string raw) {
  m.raw_payload = std::move(raw);
  m.payload = nlohmann::json::parse(m.raw_payload, nullptr, false);
  m.payload_is_json = !m.payload.is_discarded();
  if (!m.payload_is_json) m.payload = m.raw_payload;
}

std::vector<Result<PublishReceipt>> ChannelTransport::PublishBatch(
    const Channel& channel, const std::vector<OutgoingExample>& messages) {
  std::vector<Result<PublishReceipt>> out;
  out.reserve(messages.size());
  for (const OutgoingExample& m : messages)
    out.push_back(Publish(channel, m));
  return out;
}

}  // namespace driftline::contract
