#include "contract/spec/model.h"

#include <algorithm>
#include <cmath>

#include "common/strings.h"

namespace driftline::contract {

std::string_view RetryStrategyTypeName(RetryStrategy::Type type) {
  switch (type) {
    case RetryStrategy::Type::kFixed:
      return "fixed";
    case RetryStrategy::Type::kLinear:
      return "linear";
    case RetryStrategy::Type::kExponential:
      return "exponential";
  }
  return "?";
}

std::string_view ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kKafka:
      return "kafka";
    case Protocol::kSqs:
      return "sqs";
    case Protocol::kOther:
      break;
  }
  return "other";
}

Protocol ProtocolFromName(std::string_view name) {
  const std::string lower = Lower(name);
  if (lower == "kafka" || lower == "kafka-secure") return Protocol::kKafka;
  if (lower == "sqs") return Protocol::kSqs;
  return Protocol::kOther;
}

std::optional<CorrelationIdLocation> ParseCorrelationIdLocation(std::string_view expression) {
  static constexpr std::string_view kHeader = "$message.header#";
  static constexpr std::string_view kPayload = "$message.payload#";
  CorrelationIdLocation loc;
  loc.expression = std::string(expression);
  if (expression.rfind(kHeader, 0) == 0) {
    loc.source = CorrelationIdLocation::Source::kHeader;
    loc.pointer = std::string(expression.substr(kHeader.size()));
  } else if (expression.rfind(kPayload, 0) == 0) {
    loc.source = CorrelationIdLocation::Source::kPayload;
    loc.pointer = std::string(expression.substr(kPayload.size()));
  } else {
    return std::nullopt;
  }
  if (!loc.pointer.empty() && loc.pointer[0] != '/') return std::nullopt;
  return loc;
}

std::string Channel::Describe() const {
  const char* kind = protocol == Protocol::kSqs     ? "queue"
                     : protocol == Protocol::kKafka ? "topic"
                                                    : "channel";
  return std::string(kind) + " '" + address + "'";
}

std::chrono::milliseconds RetryStrategy::DelayBefore(int retry) const {
  double seconds = initial_delay_seconds;
  switch (type) {
    case Type::kFixed:
      break;
    case Type::kLinear:
      seconds = initial_delay_seconds + increment_seconds * retry;
      break;
    case Type::kExponential:
      seconds = initial_delay_seconds * std::pow(multiplier, retry);
      break;
  }
  if (max_delay_seconds > 0) seconds = std::min(seconds, max_delay_seconds);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

std::chrono::milliseconds RetryStrategy::Total(int retries) const {
  std::chrono::milliseconds total{0};
  for (int k = 0; k < retries; ++k)
    total += DelayBefore(k);
  return total;
}

std::vector<const Channel*> Operation::OutputChannels() const {
  std::vector<const Channel*> out;
  auto add = [&out](const Channel* c) {
    if (c != nullptr && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  if (reply) add(reply->channel);
  if (retry) add(retry->channel);
  if (dead_letter) add(dead_letter->channel);
  return out;
}

const Channel* Contract::ChannelByAddress(std::string_view address) const {
  for (const auto& c : channels) {
    if (c->address == address) return c.get();
  }
  return nullptr;
}

const Server* Contract::ServerFor(Protocol protocol) const {
  for (const auto& s : servers) {
    if (s->protocol == protocol) return s.get();
  }
  return nullptr;
}

}  // namespace driftline::contract
