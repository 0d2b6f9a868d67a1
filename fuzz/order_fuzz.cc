// libFuzzer target: any bytes as a record on the main topic and on the retry topic. The
// routing must always produce exactly one outcome, never crash, and a dead letter must always
// be a JSON object that keeps poison bytes (rawMessageBase64) exactly. Every record produced is
// also shrunk as the record sink would (the broker refusing it as too large) until nothing is
// left to drop: each step stays a JSON object with an object originalMessage, a shrunk envelope
// still reads as one, and it ends within a few steps. The bytes also serve, whole, as the
// retry-due-at header and, as their first 8 bytes, as the record timestamp: any value must
// give a due time without overflow, never later than now + the policy's largest delay.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "bridge/routing.h"
#include "common/base64.h"
#include "order/envelope.h"

namespace {

using driftline::bridge::KafkaOutput;

void CheckDeadLetter(const KafkaOutput& out, const std::string& input) {
  if (out.kind != KafkaOutput::Kind::kDeadLetter) return;
  const auto d = nlohmann::json::parse(out.message.payload);  // throws (crash) if not JSON
  if (!d.is_object() || !d["originalMessage"].is_object()) std::abort();
  if (d.contains("rawMessageBase64")) {
    auto raw = driftline::Base64Decode(d["rawMessageBase64"].get<std::string>());
    if (!raw || *raw != input) std::abort();
  }
}

void CheckShrinks(const KafkaOutput& out) {
  driftline::kafka::OutgoingMessage record = out.message;
  for (int step = 0;; ++step) {
    auto smaller = out.kind == KafkaOutput::Kind::kDeadLetter
                       ? driftline::bridge::ShrinkDeadLetter(record)
                       : driftline::bridge::ShrinkRetryEnvelope(record);
    if (!smaller) return;
    if (step >= 4) std::abort();  // raw bytes, texts, identity, {}: at most four steps
    const auto body = nlohmann::json::parse(smaller->payload);
    if (!body.is_object() || !body["originalMessage"].is_object()) std::abort();
    if (out.kind == KafkaOutput::Kind::kRetry &&
        !driftline::order::ParseRetryEnvelope(smaller->payload)) {
      std::abort();
    }
    record = std::move(*smaller);
  }
}

void Check(const driftline::bridge::Route& route, const std::string& input) {
  if (const auto* out = std::get_if<KafkaOutput>(&route)) {
    CheckDeadLetter(*out, input);
    CheckShrinks(*out);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static driftline::bridge::BridgeConfig config = [] {
    driftline::bridge::BridgeConfig c;
    c.faults.enabled = true;
    c.faults.fail_once = {"ORD-RETRY-90001"};
    c.faults.always_fail = {"ORD-DLQ-90001"};
    c.faults.direct_dlq = {"ORD-RECEIVE-DLQ-90001"};
    return c;
  }();
  static driftline::ManualClock clock;
  const std::string input(reinterpret_cast<const char*>(data), size);
  driftline::kafka::Message m;
  m.topic = config.main_topic;
  m.partition = 0;
  m.offset = 1;
  m.payload = input;
  const driftline::bridge::RouteContext ctx{config, clock};
  Check(driftline::bridge::RouteMain(m, ctx), input);

  m.topic = config.retry_topic;
  Check(driftline::bridge::RouteRetry(m, ctx), input);
  Check(driftline::bridge::RouteRetry(m, ctx, /*held_until_due=*/true), input);

  // The same bytes as the due header and the record timestamp.
  m.headers.Add(std::string(driftline::bridge::kRetryDueAtHeader), input);
  if (size >= sizeof(std::int64_t)) std::memcpy(&m.timestamp_ms, data, sizeof(std::int64_t));
  const auto route = driftline::bridge::RouteRetry(m, ctx);
  if (const auto* hold = std::get_if<driftline::bridge::Hold>(&route)) {
    if (hold->due > clock.Wall() + config.retry_policy.LargestDelay()) std::abort();
  }
  Check(route, input);
  return 0;
}
