#include "bridge/routing.h"

#include <charconv>
#include <ctime>

#include "bridge/deduplication_id.h"
#include "common/uuid.h"
#include "order/envelope.h"
#include "order/order.h"

namespace driftline::bridge {
namespace {

using nlohmann::json;
using order::DeadLetter;
using order::Failure;
using order::RetryEnvelope;

std::string CorrelationIdOf(const kafka::Message& in) {
  const kafka::Header* h = in.headers.Find(kCorrelationIdHeader);
  if (h != nullptr && h->value && !h->value->empty()) return *h->value;
  return NewUuid();
}

std::string Coordinates(const kafka::Message& in) {
  return in.topic + "[" + std::to_string(in.partition) + "]@" + std::to_string(in.offset);
}

std::string GroupFor(const kafka::Message& in, const BridgeConfig& c) {
  return in.topic == c.retry_topic ? c.retry_group : c.main_group;
}

std::string Context(const kafka::Message& in, const BridgeConfig& c) {
  return "while consuming " + Coordinates(in) + " in group " + GroupFor(in, c);
}

// The CorrelationId, then the headers of `in` the bridge does not own (they travel with the
// order: a redrive's count among them).
kafka::Headers BaseHeaders(const kafka::Message& in, const std::string& correlation_id) {
  kafka::Headers h;
  h.Add(std::string(kCorrelationIdHeader), correlation_id);
  for (const kafka::Header& header : in.headers) {
    if (!order::IsBridgeHeader(header.key)) h.Add(header.key, header.value);
  }
  return h;
}

KafkaOutput DeadLetterRecord(const kafka::Message& in, const RouteContext& ctx, DeadLetter dl,
                             const std::string& correlation_id, std::string_view error_kind) {
  kafka::Headers h = BaseHeaders(in, correlation_id);
  h.Add(std::string(kDlqOriginalTopic), in.topic);
  h.Add(std::string(kDlqOriginalPartition), std::to_string(in.partition));
  h.Add(std::string(kDlqOriginalOffset), std::to_string(in.offset));
  h.Add(std::string(kDlqConsumerGroup), GroupFor(in, ctx.config));
  h.Add(std::string(kDlqErrorKind), std::string(error_kind));
  h.Add(std::string(kDlqReason), dl.reason);
  std::string reason = dl.reason;
  kafka::OutgoingMessage out{ctx.config.dlq_topic, std::nullopt, dl.message_key,
                             dl.ToJson().dump(-1, ' ', false, json::error_handler_t::replace),
                             std::move(h)};
  return KafkaOutput{KafkaOutput::Kind::kDeadLetter, std::move(reason), std::move(out)};
}

// `now`: the clock reading that decided this attempt. It becomes the record's timestamp
// (CreateTime), and the due time is computed from it, so the next hop's due time
// (timestamp + delay) never precedes the header's.
KafkaOutput RetryRecord(const kafka::Message& in, const RouteContext& ctx, const RetryEnvelope& e,
                        const std::string& correlation_id, Clock::WallTime now) {
  const auto due = now + ctx.config.retry_policy.DelayFor(e.retry_count);
  kafka::Headers h = BaseHeaders(in, correlation_id);
  h.Add(std::string(kRetryCountHeader), std::to_string(e.retry_count));
  h.Add(std::string(kRetryDueAtHeader), std::to_string(ToEpochMillis(due)));
  kafka::OutgoingMessage out{ctx.config.retry_topic, std::nullopt, e.message_key,
                             e.ToJson().dump(-1, ' ', false, json::error_handler_t::replace),
                             std::move(h)};
  out.timestamp_ms = ToEpochMillis(now);
  return KafkaOutput{KafkaOutput::Kind::kRetry, "", std::move(out)};
}

SqsOutput SqsRecord(const kafka::Message& in, order::SqsOrder sqs, std::string correlation_id) {
  return SqsOutput{std::move(sqs.body), std::move(correlation_id), std::move(sqs.key),
                   DeduplicationId(in.topic, in.partition, in.offset)};
}

// A dead letter for input that could not be decoded at all: its bytes travel base64-encoded
// (order::UndecodableDeadLetter).
DeadLetter PoisonDeadLetter(const kafka::Message& in, const Failure& f, const RouteContext& ctx,
                            int total_retries, const std::string& first_attempt) {
  DeadLetter dl = order::UndecodableDeadLetter(in.payload, in.key, f);
  dl.total_retries = total_retries;
  const std::string now = FormatUtcSeconds(ctx.clock.Wall());
  dl.first_attempt_timestamp = first_attempt.empty() ? now : first_attempt;
  dl.failed_timestamp = now;
  dl.final_error_stack_trace = order::FormatTrace(f, Context(in, ctx.config));
  return dl;
}

std::optional<std::int64_t> ParseInt(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<Clock::WallTime> ParseUtcSeconds(std::string_view text) {
  std::tm tm{};
  const std::string s(text);
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  // Not system_clock::from_time_t: its conversion to nanoseconds overflows past 2262.
  std::int64_t ms = 0;
  if (__builtin_mul_overflow(static_cast<std::int64_t>(timegm(&tm)), std::int64_t{1000}, &ms)) {
    return std::nullopt;
  }
  return FromEpochMillis(ms);
}

Route RouteMain(const kafka::Message& in, const RouteContext& ctx) {
  const std::string correlation_id = CorrelationIdOf(in);
  auto parsed = order::ParseOrder(in.payload);
  if (!parsed) {
    return DeadLetterRecord(in, ctx, PoisonDeadLetter(in, parsed.error(), ctx, 0, ""),
                            correlation_id, "permanent");
  }
  // A permanent failure on the first attempt: a dead letter with the order, totalRetries 0.
  auto dead_letter = [&](const Failure& f) {
    const std::string now = FormatUtcSeconds(ctx.clock.Wall());
    DeadLetter dl;
    dl.original_message = parsed->body;
    dl.message_key = parsed->key;
    dl.total_retries = 0;
    dl.first_attempt_timestamp = now;
    dl.failed_timestamp = now;
    dl.final_error_message = f.message;
    dl.final_error_stack_trace = order::FormatTrace(f, Context(in, ctx.config));
    dl.reason = f.reason;
    return DeadLetterRecord(in, ctx, std::move(dl), correlation_id, "permanent");
  };
  if (ctx.config.input_check != nullptr) {
    if (auto refused = ctx.config.input_check->Check(parsed->body, in.headers)) {
      return dead_letter(*refused);
    }
  }
  auto sqs = order::Transform(*parsed, 0, ctx.config.faults, ctx.clock);
  if (sqs) return SqsRecord(in, std::move(*sqs), correlation_id);

  const Failure& f = sqs.error();
  if (f.retryable) {
    const Clock::WallTime wall = ctx.clock.Wall();
    const std::string now = FormatUtcSeconds(wall);
    const std::string trace = order::FormatTrace(f, Context(in, ctx.config));
    RetryEnvelope e{parsed->body, parsed->key, 0, now, now, f.message, trace};
    return RetryRecord(in, ctx, e, correlation_id, wall);
  }
  return dead_letter(f);
}

Route RouteRetry(const kafka::Message& in, const RouteContext& ctx, bool held_until_due) {
  const std::string correlation_id = CorrelationIdOf(in);
  auto envelope = order::ParseRetryEnvelope(in.payload);
  if (!envelope) {
    return DeadLetterRecord(in, ctx, PoisonDeadLetter(in, envelope.error(), ctx, 0, ""),
                            correlation_id, "permanent");
  }
  RetryEnvelope& e = *envelope;
  // One clock reading decides whether the record is due and stamps what it produces.
  const Clock::WallTime wall = ctx.clock.Wall();
  const std::string now = FormatUtcSeconds(wall);
  const order::RetryDecision decision = order::Decide(e.retry_count, ctx.config.retry_policy);

  auto dead_letter = [&](int total, std::string message, std::string trace, std::string reason,
                         std::string_view kind) {
    DeadLetter dl;
    dl.original_message = e.original_message;
    dl.message_key = e.message_key;
    dl.total_retries = total;
    dl.first_attempt_timestamp = e.first_attempt_timestamp;
    dl.failed_timestamp = now;
    dl.final_error_message = std::move(message);
    dl.final_error_stack_trace = std::move(trace);
    dl.reason = std::move(reason);
    return DeadLetterRecord(in, ctx, std::move(dl), correlation_id, kind);
  };

  if (e.original_omitted) {
    // The order itself did not fit on the retry topic: there is nothing to transform again.
    DeadLetter dl;
    dl.original_message = e.original_message;
    dl.original_omitted = e.original_omitted;
    dl.message_key = e.message_key.empty() ? "unknown" : e.message_key;
    dl.total_retries = e.retry_count;
    dl.first_attempt_timestamp = e.first_attempt_timestamp;
    dl.failed_timestamp = now;
    dl.final_error_message = "The retry envelope was too large for " + ctx.config.retry_topic +
                             " and keeps only what identifies the order (" + *e.original_omitted +
                             "); last error: " + e.error_message;
    dl.final_error_stack_trace =
        order::Bound(e.error_stack_trace + "\n" + Context(in, ctx.config), order::kMaxTraceBytes);
    dl.reason = "envelope-truncated";
    return DeadLetterRecord(in, ctx, std::move(dl), correlation_id, "envelope-truncated");
  }

  if (decision.kind == order::RetryDecision::Kind::kDeadLetter) {
    std::string message =
        "Retries exhausted after " + std::to_string(e.retry_count) +
        " attempts (MAX_RETRIES=" + std::to_string(ctx.config.retry_policy.max_retries) +
        "); last error: " + e.error_message;
    std::string trace =
        order::Bound(e.error_stack_trace + "\n" + Context(in, ctx.config), order::kMaxTraceBytes);
    return dead_letter(e.retry_count, std::move(message), std::move(trace), "retries-exhausted",
                       "retries-exhausted");
  }

  // Due time: the header written with the envelope (ms precision), else the envelope's
  // last attempt (seconds precision) plus the delay; and never before the record's own
  // timestamp plus the delay. The header was computed before the envelope was produced, so on
  // its own it could fall short of timestamp + delay by the produce latency; with the record's
  // timestamp as a floor, the next envelope (stamped with `wall`, see RetryRecord) is never
  // timestamped less than delay(n) after this one.
  //
  // All of it in epoch milliseconds with saturating sums: any value read is safe to add to.
  if (!held_until_due) {
    const std::int64_t delay_ms = decision.delay.count();
    std::optional<std::int64_t> due_ms;
    std::string_view field;
    std::string value;
    if (const kafka::Header* h = in.headers.Find(kRetryDueAtHeader); h && h->value) {
      if (auto ms = ParseInt(*h->value)) {
        due_ms = *ms;
        field = kRetryDueAtHeader;
        value = *h->value;
      }
    }
    if (!due_ms) {
      if (auto last = ParseUtcSeconds(e.last_attempt_timestamp)) {
        due_ms = SaturatingAdd(ToEpochMillis(*last), delay_ms);
        field = "lastAttemptTimestamp";
        value = e.last_attempt_timestamp;
      }
    }
    if (in.timestamp_ms >= 0) {
      const std::int64_t floor = SaturatingAdd(in.timestamp_ms, delay_ms);
      if (!due_ms || floor > *due_ms) {
        due_ms = floor;
        field = "timestamp";
        value = std::to_string(in.timestamp_ms);
      }
    }
    // Unreadable timestamps: the delay has no anchor; run now.
    Clock::WallTime due = wall;
    if (due_ms) {
      const std::int64_t latest =
          SaturatingAdd(ToEpochMillis(wall), ctx.config.retry_policy.LargestDelay().count());
      if (*due_ms > latest) {
        due_ms = latest;
        if (ctx.clamped != nullptr) {
          ctx.clamped->push_back({std::string(field), std::move(value), FromEpochMillis(latest)});
        }
      }
      due = FromEpochMillis(*due_ms);
    }
    if (wall < due) return Hold{due};
  }

  auto parsed = order::ParseOrder(e.original_message.dump());
  if (!parsed) {
    return dead_letter(e.retry_count + 1, parsed.error().message,
                       order::FormatTrace(parsed.error(), Context(in, ctx.config)),
                       parsed.error().reason, "permanent");
  }
  auto sqs = order::Transform(*parsed, e.retry_count + 1, ctx.config.faults, ctx.clock);
  if (sqs) return SqsRecord(in, std::move(*sqs), correlation_id);

  const Failure& f = sqs.error();
  const std::string trace = order::FormatTrace(
      f, "during retry " + std::to_string(e.retry_count + 1) + " of " +
             std::to_string(ctx.config.retry_policy.max_retries) + ", " + Context(in, ctx.config));
  if (!f.retryable) {
    return dead_letter(e.retry_count + 1, f.message, trace, f.reason, "permanent");
  }
  RetryEnvelope next{
      e.original_message, e.message_key, e.retry_count + 1, e.first_attempt_timestamp, now,
      f.message,          trace};
  return RetryRecord(in, ctx, next, correlation_id, wall);
}

KafkaOutput RouteSqsRejection(const kafka::Message& in, const Error& error,
                              const RouteContext& ctx) {
  const std::string correlation_id = CorrelationIdOf(in);
  const Failure f{false, "sqs-rejected", "SQS refused the transformed order: " + error.ToString(),
                  "send to " + ctx.config.sqs_queue_url};
  const std::string now = FormatUtcSeconds(ctx.clock.Wall());
  DeadLetter dl;
  dl.failed_timestamp = now;
  dl.first_attempt_timestamp = now;
  dl.final_error_message = f.message;
  dl.final_error_stack_trace =
      order::FormatTrace(f, error.Trace() + "\n" + Context(in, ctx.config));
  dl.reason = f.reason;
  if (in.topic == ctx.config.retry_topic) {
    if (auto e = order::ParseRetryEnvelope(in.payload)) {
      dl.original_message = e->original_message;
      dl.message_key = e->message_key;
      dl.total_retries = e->retry_count + 1;
      dl.first_attempt_timestamp = e->first_attempt_timestamp;
    }
  } else if (auto parsed = order::ParseOrder(in.payload)) {
    dl.original_message = parsed->body;
    dl.message_key = parsed->key;
  }
  if (dl.message_key.empty()) {
    dl.raw_message = in.payload;
    dl.message_key = "unknown";
  }
  return DeadLetterRecord(in, ctx, std::move(dl), correlation_id, "sqs-rejected");
}

namespace {

// One step of ShrinkDeadLetter/ShrinkRetryEnvelope on `body`, the least lossy first; false
// when nothing is left to drop.
bool ShrinkBody(json& body, std::string_view topic) {
  const std::string note = "too large for " + std::string(topic);
  if (body.contains("rawMessageBase64")) {
    body.erase("rawMessageBase64");
    body["rawMessageOmitted"] = note + "; see the dlq-original-* headers";
    return true;
  }
  // Long texts (messages, traces, a long key) before the order: an envelope that still has its
  // order can still be retried.
  bool cut = false;
  for (auto& item : body.items()) {
    json& member = item.value();
    if (member.is_string() && member.get_ref<const std::string&>().size() > kShrunkTextBytes) {
      member = order::Bound(member.get_ref<const std::string&>(), kShrunkTextBytes);
      cut = true;
    }
  }
  if (cut) return true;
  json& original = body["originalMessage"];
  if (!original.is_object()) original = json::object();
  json identity = order::IdentityOf(original);
  if (original.size() > identity.size()) {
    original = std::move(identity);
    body["originalMessageOmitted"] =
        note + ": only what identifies the order (orderType, orderId, batchId) is kept";
    return true;
  }
  if (!original.empty()) {
    original = json::object();
    body["originalMessageOmitted"] = note;
    return true;
  }
  return false;
}

std::optional<kafka::OutgoingMessage> Shrink(const kafka::OutgoingMessage& record) {
  json body = json::parse(record.payload, nullptr, false);
  if (!body.is_object() || !ShrinkBody(body, record.topic)) return std::nullopt;
  kafka::OutgoingMessage smaller = record;
  smaller.payload = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return smaller;
}

}  // namespace

std::optional<kafka::OutgoingMessage> ShrinkDeadLetter(const kafka::OutgoingMessage& dead_letter) {
  return Shrink(dead_letter);
}

std::optional<kafka::OutgoingMessage> ShrinkRetryEnvelope(const kafka::OutgoingMessage& envelope) {
  return Shrink(envelope);
}

}  // namespace driftline::bridge
