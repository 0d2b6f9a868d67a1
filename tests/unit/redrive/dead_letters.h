// Dead letters as order-service writes them (its own routing code), for the redrive tests: the
// redrive reads exactly what the bridge produces.
#pragma once

#include <string>
#include <variant>

#include "bridge/routing.h"
#include "common/clock.h"
#include "kafka/message.h"

namespace driftline::redrive::testing {

class DeadLetterWriter {
 public:
  DeadLetterWriter() {
    config_.main_topic = "orders";
    config_.retry_topic = "orders-retry";
    config_.dlq_topic = "orders-dlq";
    config_.faults.enabled = true;
    config_.faults.always_fail = {"ORD-ALWAYS"};
    config_.faults.direct_dlq = {"ORD-DIRECT"};
    config_.retry_policy.max_retries = 1;
  }

  // A record of the main topic.
  kafka::Message Input(std::string payload, std::optional<std::string> key,
                       kafka::Headers headers = {}) {
    kafka::Message m;
    m.topic = config_.main_topic;
    m.partition = 0;
    m.offset = next_input_offset_++;
    m.key = std::move(key);
    m.payload = std::move(payload);
    m.headers = std::move(headers);
    return m;
  }

  // The dead letter order-service writes for `in`: at once for a permanent failure, after the
  // retries for a retryable one. Empty topic when `in` is not dead-lettered.
  kafka::OutgoingMessage DeadLetterFor(const kafka::Message& in) {
    const bridge::RouteContext ctx{config_, clock_};
    bridge::Route route = bridge::RouteMain(in, ctx);
    for (int hop = 0; hop < 10; ++hop) {
      auto* out = std::get_if<bridge::KafkaOutput>(&route);
      if (out == nullptr) return {};
      if (out->kind == bridge::KafkaOutput::Kind::kDeadLetter) return out->message;
      clock_.Advance(std::chrono::seconds(31));  // past any backoff
      kafka::Message envelope;
      envelope.topic = out->message.topic;
      envelope.partition = 0;
      envelope.offset = hop;
      envelope.key = out->message.key;
      envelope.payload = out->message.payload;
      envelope.headers = out->message.headers;
      route = bridge::RouteRetry(envelope, ctx);
    }
    return {};
  }

  // `out` as the redrive reads it back from the dead-letter topic.
  static kafka::Message AsStored(const kafka::OutgoingMessage& out, std::int32_t partition,
                                 std::int64_t offset, std::int64_t timestamp_ms = 1768816800000) {
    kafka::Message m;
    m.topic = out.topic;
    m.partition = partition;
    m.offset = offset;
    m.key = out.key;
    m.payload = out.payload;
    m.headers = out.headers;
    m.timestamp_ms = timestamp_ms;
    m.timestamp_type = kafka::TimestampType::kCreateTime;
    return m;
  }

  bridge::BridgeConfig& config() { return config_; }
  ManualClock& clock() { return clock_; }

 private:
  bridge::BridgeConfig config_;
  ManualClock clock_{Clock::WallTime{std::chrono::seconds(1768816800)}};  // 2026-01-19T10:00:00Z
  std::int64_t next_input_offset_ = 100;
};

}  // namespace driftline::redrive::testing
