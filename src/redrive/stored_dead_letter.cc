#include "redrive/stored_dead_letter.h"

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "order/headers.h"

namespace driftline::redrive {
namespace {

using nlohmann::json;

std::optional<int> Digits(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

std::string StringField(const json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The headers of the order itself: CorrelationId and any the bridge does not own, but not a
// previous redrive's (the next redrive sets its own).
bool IsOrderHeader(std::string_view name) {
  if (name == order::kCorrelationIdHeader) return true;
  return !order::IsBridgeHeader(name) && !name.starts_with("redrive-");
}

std::optional<int> ParseCount(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  return Digits(text, 0, text.size());
}

}  // namespace

std::optional<std::int64_t> ParseUtcMillis(std::string_view t) {
  const auto y = Digits(t, 0, 4);
  const auto mo = Digits(t, 5, 2);
  const auto d = Digits(t, 8, 2);
  if (!y || !mo || !d || t[4] != '-' || t[7] != '-' || *y < 1970) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(*y),
                                        std::chrono::month(static_cast<unsigned>(*mo)),
                                        std::chrono::day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) return std::nullopt;
  const std::int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  std::int64_t ms = days * 86'400'000;
  if (t.size() == 10) return ms;

  const auto h = Digits(t, 11, 2);
  const auto mi = Digits(t, 14, 2);
  const auto s = Digits(t, 17, 2);
  if (t[10] != 'T' || !h || !mi || !s || t[13] != ':' || t[16] != ':' || *h > 23 || *mi > 59 ||
      *s > 59) {
    return std::nullopt;
  }
  ms += ((*h * 60 + *mi) * 60 + *s) * std::int64_t{1000};
  std::size_t pos = 19;
  if (pos < t.size() && t[pos] == '.') {
    const std::size_t first = ++pos;
    int fraction_ms = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (pos - first < 3) fraction_ms = fraction_ms * 10 + (t[pos] - '0');
      ++pos;
    }
    if (pos == first || pos - first > 9) return std::nullopt;
    for (std::size_t n = pos - first; n < 3; ++n)
      fraction_ms *= 10;
    ms += fraction_ms;
  }
  if (pos + 1 != t.size() || t[pos] != 'Z') return std::nullopt;
  return ms;
}

std::string FormatUtcMillis(std::int64_t ms) {
  const std::int64_t day_ms = 86'400'000;
  std::int64_t days = ms / day_ms;
  std::int64_t rest = ms % day_ms;
  if (rest < 0) {
    rest += day_ms;
    --days;
  }
  const std::chrono::year_month_day ymd{
      std::chrono::sys_days(std::chrono::days(static_cast<int>(days)))};
  const std::int64_t seconds = rest / 1000;
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60),
                static_cast<int>(seconds % 60));
  return out;
}

Result<StoredDeadLetter> ReadDeadLetter(const kafka::Message& record) {
  StoredDeadLetter d;
  d.topic = record.topic;
  d.partition = record.partition;
  d.offset = record.offset;
  d.record_time_ms = record.timestamp_ms;
  d.key = record.key;
  const std::string where =
      record.topic + "/" + std::to_string(record.partition) + "/" + std::to_string(record.offset);

  auto header = [&](std::string_view name) {
    const kafka::Header* h = record.headers.Find(name);
    return h != nullptr && h->value ? *h->value : std::string();
  };
  d.correlation_id = header(order::kCorrelationIdHeader);
  d.error_kind = header(order::kDlqErrorKind);
  if (const kafka::Header* h = record.headers.Find(order::kRedriveCountHeader); h != nullptr) {
    const auto count = ParseCount(h->value.value_or(""));
    if (!count) {
      return Fail(Code::kInvalidArgument, where + ": header redrive-count '" +
                                              h->value.value_or("<null>") + "' is not a count");
    }
    d.redrive_count = *count;
  }
  for (const kafka::Header& h : record.headers) {
    if (IsOrderHeader(h.key)) d.original_headers.Add(h.key, h.value);
  }

  const json body = json::parse(record.payload, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return Fail(Code::kInvalidArgument,
                where + ": not a dead letter (the value is not a JSON object)");
  }
  d.failure_reason = StringField(body, "failureReason");
  if (d.failure_reason.empty()) d.failure_reason = header(order::kDlqReason);
  d.final_error_message = StringField(body, "finalErrorMessage");
  d.failed_timestamp = StringField(body, "failedTimestamp");
  d.failed_at_ms = ParseUtcMillis(d.failed_timestamp);
  if (!d.failed_at_ms && record.timestamp_ms >= 0) d.failed_at_ms = record.timestamp_ms;
  if (auto it = body.find("totalRetries"); it != body.end() && it->is_number_integer()) {
    d.total_retries = it->get<int>();
  }

  const auto original = body.find("originalMessage");
  const bool has_order = original != body.end() && original->is_object() && !original->empty();
  if (has_order) {
    d.order_id = StringField(*original, "orderId");
    if (d.order_id.empty()) d.order_id = StringField(*original, "batchId");
  }
  if (d.order_id.empty()) d.order_id = StringField(body, "messageKey");

  // A partial order (originalMessageOmitted: only what identifies it was kept) is never
  // re-published as if it were the order.
  const auto omitted = body.find("originalMessageOmitted");
  if (auto raw = body.find("rawMessageBase64"); raw != body.end() && raw->is_string()) {
    auto bytes = Base64Decode(raw->get<std::string>());
    if (!bytes) {
      return Fail(Code::kInvalidArgument, where + ": rawMessageBase64 is not base64");
    }
    d.original_payload = std::move(*bytes);
  } else if (omitted != body.end()) {
    d.missing_original =
        "its original message was dropped (" +
        (omitted->is_string() ? omitted->get<std::string>() : std::string("omitted")) +
        "); the dlq-original-* headers point at the input record";
  } else if (has_order) {
    d.original_payload = original->dump(-1, ' ', false, json::error_handler_t::replace);
  } else if (body.contains("rawMessageOmitted")) {
    d.missing_original =
        "its raw bytes were dropped to fit the dead-letter topic (the dlq-original-* headers "
        "point at the input record)";
  } else {
    d.missing_original = "it holds no original message";
  }
  return d;
}

}  // namespace driftline::redrive
