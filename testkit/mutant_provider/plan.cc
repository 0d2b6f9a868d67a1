#include "testkit/mutant_provider/plan.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "common/base64.h"
#include "common/uuid.h"
#include "order/envelope.h"

namespace driftline::testkit::mutant {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr const char* kCorrelationIdName = "CorrelationId";
// What "at once after" means for a record that follows another: 1 ms, so that CreateTime orders
// the two strictly (a reader of two topics cannot rely on arrival order).
constexpr milliseconds kRightAfter{1};

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A permanent failure caused by the input itself; the lab's injected faults fail good orders.
bool IsInvalidInput(const order::Failure& f) {
  return !f.retryable && !f.reason.starts_with("injected-");
}

// What an envelope or a dead letter carries of the input, and the key it is written under: the
// order object, or {} and the input's exact bytes when the input is no object.
struct Carried {
  json original = json::object();
  std::optional<std::string> raw;
  std::string key;
};

Carried CarriedOf(const order::ParsedOrder& order) {
  return Carried{order.body, std::nullopt, order.key};
}

// The order as a provider that does not validate reads it: a missing or empty key is "unknown",
// a missing list of items (or of a batch's orders, or of their items) is empty.
order::ParsedOrder Unvalidated(order::ParsedOrder order) {
  json& body = order.body;
  auto list = [](json& parent, const char* name) {
    auto it = parent.find(name);
    if (it == parent.end() || !it->is_array()) parent[name] = json::array();
  };
  const char* key_field = order.type == order::OrderType::kBulk ? "batchId" : "orderId";
  auto key = body.find(key_field);
  if (key == body.end() || !key->is_string() || key->get_ref<const std::string&>().empty())
    body[key_field] = "unknown";
  if (order.type == order::OrderType::kBulk) {
    list(body, "orders");
    for (json& sub : body["orders"]) {
      if (!sub.is_object()) sub = json::object();
      list(sub, "items");
    }
  } else {
    list(body, "items");
  }
  return order;
}

// Builds the timeline of one order.
class Planner {
 public:
  Planner(const kafka::Message& in, const Rules& rules, const Behaviour& behaviour)
      : in_(in), rules_(rules), b_(behaviour) {
    const kafka::Header* h = in.headers.Find(kCorrelationIdName);
    correlation_id_ = (h != nullptr && h->value && !h->value->empty()) ? *h->value : NewUuid();
  }

  std::vector<PlannedOutput> Plan(Clock::WallTime now) {
    auto parsed = Parse();
    if (!parsed) {
      // Input that is no order at all: an object keeps its fields, anything else its exact bytes.
      const order::DeadLetter undecodable =
          order::UndecodableDeadLetter(in_.payload, in_.key, parsed.error());
      Reject(
          Carried{undecodable.original_message, undecodable.raw_message, undecodable.message_key},
          parsed.error(), now);
      return Finish();
    }
    auto first = Attempt(*parsed, 0, now);
    if (first) {
      Reply(now, *parsed, *first, 0, FormatUtcSeconds(now));
    } else if (first.error().retryable) {
      Retry(CarriedOf(*parsed), &*parsed, first.error(), now);
    } else if (IsInvalidInput(first.error())) {
      Reject(CarriedOf(*parsed), first.error(), now);
    } else {
      DeadLetter(now, Given(CarriedOf(*parsed), 0, first.error(), FormatUtcSeconds(now), now));
    }
    return Finish();
  }

 private:
  std::vector<PlannedOutput> Finish() {
    std::stable_sort(out_.begin(), out_.end(),
                     [](const PlannedOutput& a, const PlannedOutput& b) { return a.due < b.due; });
    return std::move(out_);
  }

  std::string Context() const {
    return "while consuming " + in_.topic + "[" + std::to_string(in_.partition) + "]@" +
           std::to_string(in_.offset) + " (mutant provider)";
  }

  kafka::Headers Correlation(bool with_header) const {
    kafka::Headers h;
    if (with_header) h.Add(kCorrelationIdName, correlation_id_);
    return h;
  }

  // order::ParseOrder; with reply_to_invalid_input, a JSON object whose orderType alone is
  // missing, mistyped or unknown (ParseOrder's only "missing-field") is read as STANDARD.
  order::Outcome<order::ParsedOrder> Parse() const {
    auto parsed = order::ParseOrder(in_.payload);
    if (parsed || !b_.reply_to_invalid_input) return parsed;
    const std::string& reason = parsed.error().reason;
    if (reason != "missing-field" && reason != "unknown-order-type") return parsed;
    json body = json::parse(in_.payload);
    std::string key = order::MessageKeyOf(body);
    return order::ParsedOrder{std::move(body), order::OrderType::kStandard, std::move(key)};
  }

  // Attempt `attempt` of order::Transform at `at`; with reply_to_invalid_input, of the order
  // read without validation.
  order::Outcome<order::SqsOrder> Attempt(const order::ParsedOrder& order, int attempt,
                                          Clock::WallTime at) const {
    ManualClock clock(at);
    if (b_.reply_to_invalid_input)
      return order::Transform(Unvalidated(order), attempt, rules_.faults, clock);
    return order::Transform(order, attempt, rules_.faults, clock);
  }

  // A record for a topic; its CreateTime is `due`.
  void Record(PlannedOutput::Kind kind, Clock::WallTime due, int count, const std::string& topic,
              const std::string& key, std::string payload, bool with_header) {
    kafka::OutgoingMessage m{topic, std::nullopt, key, std::move(payload),
                             Correlation(with_header)};
    m.timestamp_ms = ToEpochMillis(due);
    out_.push_back(PlannedOutput{kind, due, count, std::move(m)});
  }

  void DeadLetter(Clock::WallTime due, const order::DeadLetter& dl) {
    const std::string payload = Dump(dl.ToJson());
    Record(PlannedOutput::Kind::kDeadLetter, due, dl.total_retries, rules_.channels.dlq_topic,
           dl.message_key, payload, /*with_header=*/true);
    if (invalid_input_ && b_.dead_letter_invalid_input_twice) {
      Record(PlannedOutput::Kind::kDeadLetter, due + kRightAfter, dl.total_retries,
             rules_.channels.dlq_topic, dl.message_key, payload, /*with_header=*/true);
    }
  }

  // Invalid input (`f`): dead-lettered at once, or with retry_invalid_input retried as if `f`
  // were transient; the input never changes, so every attempt fails as the first did.
  void Reject(const Carried& input, const order::Failure& f, Clock::WallTime now) {
    invalid_input_ = true;
    if (b_.retry_invalid_input) {
      Retry(input, nullptr, f, now);
    } else {
      DeadLetter(now, Given(input, 0, f, FormatUtcSeconds(now), now));
    }
  }

  // The dead letter of an input given up on after `total_retries` retries because of `f`.
  order::DeadLetter Given(const Carried& input, int total_retries, const order::Failure& f,
                          const std::string& first_attempt, Clock::WallTime at) const {
    order::DeadLetter dl;
    dl.original_message = input.original;
    dl.raw_message = input.raw;
    dl.message_key = input.key;
    dl.total_retries = total_retries;
    dl.first_attempt_timestamp = first_attempt;
    dl.failed_timestamp = FormatUtcSeconds(at);
    dl.final_error_message = f.message;
    dl.final_error_stack_trace = order::FormatTrace(f, Context());
    dl.reason = f.reason;
    return dl;
  }

  order::DeadLetter Exhausted(const Carried& input, int attempts, int total_retries,
                              const order::Failure& last, const std::string& first_attempt,
                              Clock::WallTime at) const {
    const order::Failure f{
        false, "retries-exhausted",
        "Retries exhausted after " + std::to_string(attempts) + " attempts (MAX_RETRIES=" +
            std::to_string(rules_.retry_policy.max_retries) + "); last error: " + last.message,
        last.where};
    return Given(input, total_retries, f, first_attempt, at);
  }

  milliseconds Delay(int retry_count) const {
    return b_.fixed_retry_delay.value_or(rules_.retry_policy.DelayFor(retry_count));
  }

  // Envelope n, then either the dead letter (n >= MAX_RETRIES) or, delay(n) later, attempt n+1
  // of `order`; when `order` is null (invalid input), attempt n+1 fails as attempt n did.
  void Retry(const Carried& input, const order::ParsedOrder* order, order::Failure failure,
             Clock::WallTime now) {
    const std::string first = FormatUtcSeconds(now);
    const int max_retries = rules_.retry_policy.max_retries + b_.max_retries_delta;
    const std::size_t chain_start = out_.size();
    bool dead_lettered = false;
    Clock::WallTime at = now;
    for (int n = b_.first_retry_count;; ++n) {
      const order::RetryEnvelope e{input.original,
                                   input.key,
                                   n,
                                   first,
                                   FormatUtcSeconds(at),
                                   failure.message,
                                   order::FormatTrace(failure, Context())};
      json envelope = e.ToJson();
      // Input that is no object travels as its dead letter carries it.
      if (input.raw) envelope["rawMessageBase64"] = Base64Encode(*input.raw);
      Record(PlannedOutput::Kind::kRetryEnvelope, at, n, rules_.channels.retry_topic, input.key,
             Dump(envelope), b_.retry_correlation_header);
      if (b_.dead_letter_after_envelope == n) {
        const int declared = rules_.retry_policy.max_retries;
        DeadLetter(at + kRightAfter, Exhausted(input, declared, declared, failure, first, at));
        dead_lettered = true;
      }
      if (n >= max_retries) {
        if (b_.only_last_envelope) KeepOnlyLastEnvelope(chain_start);
        if (!dead_lettered) {
          DeadLetter(at + kRightAfter,
                     Exhausted(input, n, n + b_.total_retries_delta, failure, first, at));
        }
        return;
      }
      at += Delay(n);
      if (order == nullptr) continue;
      auto next = Attempt(*order, n + 1, at);
      if (next) {
        Reply(at, *order, *next, n + 1, first);
        return;
      }
      if (!next.error().retryable) {
        DeadLetter(at, Given(input, n + 1, next.error(), first, at));
        return;
      }
      failure = next.error();
    }
  }

  // Drops every envelope planned since `from` but the last.
  void KeepOnlyLastEnvelope(std::size_t from) {
    auto is_envelope = [](const PlannedOutput& o) {
      return o.kind == PlannedOutput::Kind::kRetryEnvelope;
    };
    const auto first = out_.begin() + static_cast<std::ptrdiff_t>(from);
    PlannedOutput kept =
        *std::find_if(out_.rbegin(), std::make_reverse_iterator(first), is_envelope);
    out_.erase(std::remove_if(first, out_.end(), is_envelope), out_.end());
    out_.push_back(std::move(kept));
  }

  // The transformed order (as the behaviour bends it) on the queue, and what follows it.
  void Reply(Clock::WallTime due, const order::ParsedOrder& order, const order::SqsOrder& sqs,
             int retries, const std::string& first_attempt) {
    json body = json::parse(sqs.body);
    if (order.type == order::OrderType::kStandard) {
      if (b_.standard_status) body["status"] = *b_.standard_status;
      for (const std::string& field : b_.standard_reply_omits)
        body.erase(field);
    }
    if (b_.items_count_as_string && body.contains("itemsCount"))
      body["itemsCount"] = body["itemsCount"].dump();
    body.update(b_.extra_reply_properties);
    const std::string text = Dump(body);

    auto send = [&](Clock::WallTime at) {
      if (b_.reply_on_retry_topic) {
        Record(PlannedOutput::Kind::kReply, at, -1, rules_.channels.retry_topic, sqs.key, text,
               /*with_header=*/true);
        return;
      }
      sqs::OutgoingMessage m;
      m.body = text;
      if (b_.reply_correlation_attribute)
        m.attributes[kCorrelationIdName] = sqs::MessageAttributeValue::String(correlation_id_);
      out_.push_back(PlannedOutput{PlannedOutput::Kind::kReply, at, -1, std::move(m)});
    };
    send(due);
    for (const milliseconds after : b_.repeat_reply_after)
      send(due + after);
    if (b_.dead_letter_after_reply) {
      const Clock::WallTime at = due + *b_.dead_letter_after_reply;
      const order::Failure f{false, "answered-then-dead-lettered",
                             "The order was answered on the queue, then dead-lettered as well",
                             "after the reply to order " + order.key};
      DeadLetter(at, Given(CarriedOf(order), retries, f, first_attempt, at));
    }
  }

  const kafka::Message& in_;
  const Rules& rules_;
  const Behaviour& b_;
  std::string correlation_id_;
  bool invalid_input_ = false;  // set by Reject: every dead letter is one for invalid input
  std::vector<PlannedOutput> out_;
};

}  // namespace

std::string PlannedOutput::Describe(Clock::WallTime origin) const {
  char offset[32];
  std::snprintf(
      offset, sizeof offset, "+%.3f s",
      static_cast<double>(std::chrono::duration_cast<milliseconds>(due - origin).count()) / 1000.0);
  std::string what;
  switch (kind) {
    case Kind::kReply:
      what = "reply";
      break;
    case Kind::kRetryEnvelope:
      what = "retry envelope retryCount " + std::to_string(retry_count);
      break;
    case Kind::kDeadLetter:
      what = "dead letter totalRetries " + std::to_string(retry_count);
      break;
  }
  if (const auto* record = std::get_if<kafka::OutgoingMessage>(&message)) {
    const kafka::Header* h = record->headers.Find(kCorrelationIdName);
    return std::string(offset) + " " + what + " -> topic " + record->topic +
           (h != nullptr && h->value ? " (CorrelationId " + *h->value + ")"
                                     : " (no CorrelationId header)");
  }
  const auto& m = std::get<sqs::OutgoingMessage>(message);
  auto attribute = m.attributes.find(kCorrelationIdName);
  return std::string(offset) + " " + what + " -> queue" +
         (attribute != m.attributes.end()
              ? " (CorrelationId " + attribute->second.string_value + ")"
              : " (no CorrelationId attribute)");
}

std::vector<PlannedOutput> PlanOutputs(const kafka::Message& in, Clock::WallTime now,
                                       const Rules& rules, const Behaviour& behaviour) {
  if (StopsConsumingAt(in, rules, behaviour)) return {};
  return Planner(in, rules, behaviour).Plan(now);
}

std::optional<order::Failure> InvalidInputFailure(const kafka::Message& in, const Rules& rules) {
  auto parsed = order::ParseOrder(in.payload);
  if (!parsed) return parsed.error();
  // The first attempt's verdict does not depend on the time.
  const ManualClock clock;
  auto first = order::Transform(*parsed, 0, rules.faults, clock);
  if (!first && IsInvalidInput(first.error())) return first.error();
  return std::nullopt;
}

std::optional<order::Failure> StopsConsumingAt(const kafka::Message& in, const Rules& rules,
                                               const Behaviour& behaviour) {
  if (!behaviour.stop_on_invalid_input) return std::nullopt;
  return InvalidInputFailure(in, rules);
}

}  // namespace driftline::testkit::mutant
