#include "order/envelope.h"

#include "common/base64.h"

namespace driftline::order {
namespace {

using nlohmann::json;

tl::unexpected<Failure> InvalidEnvelope(std::string message) {
  return tl::unexpected<Failure>(
      Failure{false, "invalid-envelope", std::move(message), "decode retry envelope"});
}

// Moves `pos` back to the start of a UTF-8 sequence.
std::size_t CharBoundary(std::string_view s, std::size_t pos) {
  while (pos > 0 && pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80)
    --pos;
  return pos;
}

}  // namespace

json RetryEnvelope::ToJson() const {
  json out{{"originalMessage", original_message},
           {"messageKey", message_key},
           {"retryCount", retry_count},
           {"firstAttemptTimestamp", first_attempt_timestamp},
           {"lastAttemptTimestamp", last_attempt_timestamp},
           {"errorMessage", error_message},
           {"errorStackTrace", error_stack_trace}};
  if (original_omitted) out["originalMessageOmitted"] = *original_omitted;
  return out;
}

Outcome<RetryEnvelope> ParseRetryEnvelope(std::string_view bytes) {
  json v = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) return InvalidEnvelope("the retry envelope is not valid JSON");
  if (!v.is_object()) return InvalidEnvelope("the retry envelope is not a JSON object");
  auto string_field = [&](const char* name) -> const std::string* {
    auto it = v.find(name);
    return (it != v.end() && it->is_string()) ? &it->get_ref<const std::string&>() : nullptr;
  };
  RetryEnvelope e;
  auto original = v.find("originalMessage");
  if (original == v.end() || !original->is_object()) {
    return InvalidEnvelope("retry envelope field 'originalMessage' is missing or not an object");
  }
  e.original_message = *original;
  auto count = v.find("retryCount");
  if (count == v.end() || !count->is_number_integer() || count->get<std::int64_t>() < 0 ||
      count->get<std::int64_t>() > 1'000'000) {
    return InvalidEnvelope("retry envelope field 'retryCount' is missing or not a count");
  }
  e.retry_count = count->get<int>();
  const std::string* key = string_field("messageKey");
  const std::string* first = string_field("firstAttemptTimestamp");
  const std::string* last = string_field("lastAttemptTimestamp");
  if (key == nullptr || first == nullptr || last == nullptr) {
    return InvalidEnvelope(
        "retry envelope fields 'messageKey', 'firstAttemptTimestamp' and "
        "'lastAttemptTimestamp' must be strings");
  }
  e.message_key = *key;
  e.first_attempt_timestamp = *first;
  e.last_attempt_timestamp = *last;
  if (const std::string* m = string_field("errorMessage")) e.error_message = *m;
  if (const std::string* t = string_field("errorStackTrace")) e.error_stack_trace = *t;
  if (const std::string* o = string_field("originalMessageOmitted")) e.original_omitted = *o;
  return e;
}

json DeadLetter::ToJson() const {
  json out{{"originalMessage", original_message},
           {"messageKey", message_key},
           {"totalRetries", total_retries},
           {"firstAttemptTimestamp", first_attempt_timestamp},
           {"failedTimestamp", failed_timestamp},
           {"finalErrorMessage", final_error_message},
           {"finalErrorStackTrace", final_error_stack_trace},
           {"failureReason", reason}};
  if (raw_message) out["rawMessageBase64"] = Base64Encode(*raw_message);
  if (original_omitted) out["originalMessageOmitted"] = *original_omitted;
  return out;
}

json IdentityOf(const json& order) {
  json identity = json::object();
  if (!order.is_object()) return identity;
  for (const char* name : {"orderType", "orderId", "batchId"}) {
    auto it = order.find(name);
    if (it != order.end() && it->is_string() &&
        it->get_ref<const std::string&>().size() <= kMaxIdentityBytes) {
      identity[name] = *it;
    }
  }
  return identity;
}

DeadLetter UndecodableDeadLetter(std::string_view payload, const std::optional<std::string>& key,
                                 const Failure& failure) {
  DeadLetter dl;
  json object;
  if (failure.reason != "too-deep") object = json::parse(payload, nullptr, false);
  if (object.is_object()) {
    dl.original_message = std::move(object);
    dl.message_key = MessageKeyOf(dl.original_message);
  } else {
    dl.raw_message = std::string(payload);
    dl.message_key = key.value_or("unknown");
  }
  if (dl.message_key.empty()) dl.message_key = "unknown";
  dl.final_error_message = failure.message;
  dl.reason = failure.reason;
  return dl;
}

std::string Bound(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  const std::string marker = "\n... " + std::to_string(text.size() - limit) + " bytes elided ...\n";
  if (limit <= marker.size() + 2) return std::string(text.substr(0, CharBoundary(text, limit)));
  const std::size_t keep = limit - marker.size();
  const std::size_t head = CharBoundary(text, keep / 2);
  const std::size_t tail_start = CharBoundary(text, text.size() - (keep - head));
  std::string out(text.substr(0, head));
  out += marker;
  out += text.substr(tail_start);
  return out;
}

std::string FormatTrace(const Failure& failure, std::string_view context) {
  std::string trace = failure.where + ": " + failure.message;
  if (!context.empty()) {
    trace += "\n";
    trace += context;
  }
  return Bound(trace, kMaxTraceBytes);
}

}  // namespace driftline::order
