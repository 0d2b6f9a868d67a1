// libFuzzer target: any bytes as a record on the main topic and on the retry topic. The
// routing must always produce exactly one outcome, never crash, and a dead letter must always
// be a JSON object that keeps poison bytes (rawMessageBase64) exactly.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "bridge/routing.h"
#include "common/base64.h"

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
  auto main = driftline::bridge::RouteMain(m, ctx);
  if (auto* out = std::get_if<KafkaOutput>(&main)) CheckDeadLetter(*out, input);
  m.topic = config.retry_topic;
  auto retry = driftline::bridge::RouteRetry(m, ctx);
  if (auto* out = std::get_if<KafkaOutput>(&retry)) CheckDeadLetter(*out, input);
  return 0;
}
