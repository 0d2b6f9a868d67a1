// What the runner saw on a channel: the common currency of the message checks (check/), the
// transports (transport/) and the runner (run/), so that none of them includes another for it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/clock.h"
#include "contract/spec/model.h"

namespace driftline::contract {

// A message as the runner saw it on a channel (or as it published it).
struct ObservedMessage {
  const Channel* channel = nullptr;
  nlohmann::json payload;  // parsed JSON; the raw text as a string when not JSON
  bool payload_is_json = true;
  std::string raw_payload;
  nlohmann::json headers = nlohmann::json::object();  // Kafka headers / SQS message attributes
  std::optional<std::string> key;
  Clock::WallTime produced_at{};  // Kafka record timestamp / SQS SentTimestamp
  Clock::MonoTime received_at{};
  std::string coordinates;  // "place-order-topic/0@42" or the SQS message id
  std::string correlation_id;
};

}  // namespace driftline::contract
