#include "testkit/mutant_provider/plan.h"

#include <algorithm>
#include <cstdio>
#include <utility>

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

// Builds the timeline of one order.
class Planner {
 public:
  Planner(const kafka::Message& in, const Rules& rules, const Behaviour& behaviour)
      : in_(in), rules_(rules), b_(behaviour) {
    const kafka::Header* h = in.headers.Find(kCorrelationIdName);
    correlation_id_ = (h != nullptr && h->value && !h->value->empty()) ? *h->value : NewUuid();
  }

  std::vector<PlannedOutput> Plan(Clock::WallTime now) {
    auto parsed = order::ParseOrder(in_.payload);
    if (!parsed) {
      DeadLetter(now, PoisonDeadLetter(parsed.error(), now));
      return Finish();
    }
    ManualClock clock(now);
    auto first = order::Transform(*parsed, 0, rules_.faults, clock);
    if (first) {
      Reply(now, *parsed, *first, 0, FormatUtcSeconds(now));
    } else if (first.error().retryable) {
      Retry(*parsed, first.error(), now);
    } else {
      DeadLetter(now, Given(*parsed, 0, first.error(), FormatUtcSeconds(now), now));
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

  // A record for a topic; its CreateTime is `due`.
  void Record(PlannedOutput::Kind kind, Clock::WallTime due, int count, const std::string& topic,
              const std::string& key, std::string payload, bool with_header) {
    kafka::OutgoingMessage m{topic, std::nullopt, key, std::move(payload),
                             Correlation(with_header)};
    m.timestamp_ms = ToEpochMillis(due);
    out_.push_back(PlannedOutput{kind, due, count, std::move(m)});
  }

  void DeadLetter(Clock::WallTime due, const order::DeadLetter& dl) {
    Record(PlannedOutput::Kind::kDeadLetter, due, dl.total_retries, rules_.channels.dlq_topic,
           dl.message_key, Dump(dl.ToJson()), /*with_header=*/true);
  }

  // Input that is no order at all: an object keeps its fields, anything else its exact bytes.
  order::DeadLetter PoisonDeadLetter(const order::Failure& f, Clock::WallTime now) const {
    order::DeadLetter dl = order::UndecodableDeadLetter(in_.payload, in_.key, f);
    dl.first_attempt_timestamp = dl.failed_timestamp = FormatUtcSeconds(now);
    dl.final_error_stack_trace = order::FormatTrace(f, Context());
    return dl;
  }

  // The dead letter of an order given up on after `total_retries` retries because of `f`.
  order::DeadLetter Given(const order::ParsedOrder& order, int total_retries,
                          const order::Failure& f, const std::string& first_attempt,
                          Clock::WallTime at) const {
    order::DeadLetter dl;
    dl.original_message = order.body;
    dl.message_key = order.key;
    dl.total_retries = total_retries;
    dl.first_attempt_timestamp = first_attempt;
    dl.failed_timestamp = FormatUtcSeconds(at);
    dl.final_error_message = f.message;
    dl.final_error_stack_trace = order::FormatTrace(f, Context());
    dl.reason = f.reason;
    return dl;
  }

  order::DeadLetter Exhausted(const order::ParsedOrder& order, int attempts, int total_retries,
                              const order::Failure& last, const std::string& first_attempt,
                              Clock::WallTime at) const {
    const order::Failure f{
        false, "retries-exhausted",
        "Retries exhausted after " + std::to_string(attempts) + " attempts (MAX_RETRIES=" +
            std::to_string(rules_.retry_policy.max_retries) + "); last error: " + last.message,
        last.where};
    return Given(order, total_retries, f, first_attempt, at);
  }

  milliseconds Delay(int retry_count) const {
    return b_.fixed_retry_delay.value_or(rules_.retry_policy.DelayFor(retry_count));
  }

  // Envelope n, then either the dead letter (n >= MAX_RETRIES) or, delay(n) later, attempt n+1.
  void Retry(const order::ParsedOrder& order, order::Failure failure, Clock::WallTime now) {
    const std::string first = FormatUtcSeconds(now);
    const int max_retries = rules_.retry_policy.max_retries + b_.max_retries_delta;
    const std::size_t chain_start = out_.size();
    bool dead_lettered = false;
    Clock::WallTime at = now;
    for (int n = b_.first_retry_count;; ++n) {
      const order::RetryEnvelope e{order.body,
                                   order.key,
                                   n,
                                   first,
                                   FormatUtcSeconds(at),
                                   failure.message,
                                   order::FormatTrace(failure, Context())};
      Record(PlannedOutput::Kind::kRetryEnvelope, at, n, rules_.channels.retry_topic, order.key,
             Dump(e.ToJson()), b_.retry_correlation_header);
      if (b_.dead_letter_after_envelope == n) {
        const int declared = rules_.retry_policy.max_retries;
        DeadLetter(at + kRightAfter, Exhausted(order, declared, declared, failure, first, at));
        dead_lettered = true;
      }
      if (n >= max_retries) {
        if (b_.only_last_envelope) KeepOnlyLastEnvelope(chain_start);
        if (!dead_lettered) {
          DeadLetter(at + kRightAfter,
                     Exhausted(order, n, n + b_.total_retries_delta, failure, first, at));
        }
        return;
      }
      at += Delay(n);
      ManualClock clock(at);
      auto next = order::Transform(order, n + 1, rules_.faults, clock);
      if (next) {
        Reply(at, order, *next, n + 1, first);
        return;
      }
      if (!next.error().retryable) {
        DeadLetter(at, Given(order, n + 1, next.error(), first, at));
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
      DeadLetter(at, Given(order, retries, f, first_attempt, at));
    }
  }

  const kafka::Message& in_;
  const Rules& rules_;
  const Behaviour& b_;
  std::string correlation_id_;
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
  return Planner(in, rules, behaviour).Plan(now);
}

}  // namespace driftline::testkit::mutant
