#include "redrive/plan.h"

#include "common/strings.h"
#include "order/headers.h"

namespace driftline::redrive {
namespace {

std::string Join(const std::set<std::string>& values) {
  std::string out;
  for (const auto& v : values)
    out += (out.empty() ? "" : ",") + v;
  return out;
}

}  // namespace

std::string Filter::Describe() const {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : " ") + part; };
  if (!reason_contains.empty()) add("reason~'" + reason_contains + "'");
  if (!error_kinds.empty()) add("error-kind=" + Join(error_kinds));
  if (!failure_reasons.empty()) add("failure-reason=" + Join(failure_reasons));
  if (since_ms) add("since=" + FormatUtcMillis(*since_ms));
  if (until_ms) add("until=" + FormatUtcMillis(*until_ms));
  if (!correlation_ids.empty()) add("correlation-id=" + Join(correlation_ids));
  if (!order_ids.empty()) add("order-id=" + Join(order_ids));
  return out.empty() ? "everything" : out;
}

bool Matches(const Filter& f, const StoredDeadLetter& d) {
  if (!f.reason_contains.empty() &&
      Lower(d.final_error_message).find(Lower(f.reason_contains)) == std::string::npos) {
    return false;
  }
  if (!f.error_kinds.empty() && !f.error_kinds.contains(d.error_kind)) return false;
  if (!f.failure_reasons.empty() && !f.failure_reasons.contains(d.failure_reason)) return false;
  if (f.since_ms || f.until_ms) {
    if (!d.failed_at_ms) return false;  // a time range cannot match what has no time
    if (f.since_ms && *d.failed_at_ms < *f.since_ms) return false;
    if (f.until_ms && *d.failed_at_ms >= *f.until_ms) return false;
  }
  if (!f.correlation_ids.empty() && !f.correlation_ids.contains(d.correlation_id)) return false;
  if (!f.order_ids.empty() && !f.order_ids.contains(d.order_id)) return false;
  return true;
}

const char* ActionName(Decision::Action action) {
  switch (action) {
    case Decision::Action::kSkip:
      return "skip";
    case Decision::Action::kRefuse:
      return "refuse";
    case Decision::Action::kRedrive:
      return "redrive";
  }
  return "?";
}

Decision Decide(const kafka::Message& record, const Filter& filter, const PlanOptions& options) {
  Decision decision;
  auto read = ReadDeadLetter(record);
  if (!read) {
    decision.why = "unreadable: " + read.error().message();
    return decision;
  }
  const StoredDeadLetter& d = decision.dead_letter.emplace(std::move(*read));
  if (!Matches(filter, d)) {
    decision.why = "not matched";
    return decision;
  }
  if (d.redrive_count >= options.max_redrives) {
    decision.action = Decision::Action::kRefuse;
    decision.why = "redriven " + std::to_string(d.redrive_count) +
                   (d.redrive_count == 1 ? " time" : " times") + " already (--max-redrives " +
                   std::to_string(options.max_redrives) + ")";
    return decision;
  }
  if (!d.original_payload) {
    decision.action = Decision::Action::kRefuse;
    decision.why = "nothing to re-publish: " + d.missing_original;
    return decision;
  }
  kafka::OutgoingMessage out;
  out.topic = options.main_topic;
  out.key = d.key;
  out.payload = *d.original_payload;
  out.headers = d.original_headers;
  out.headers.Add(std::string(order::kRedriveCountHeader), std::to_string(d.redrive_count + 1));
  out.headers.Add(std::string(order::kRedriveSourceHeader),
                  d.topic + "/" + std::to_string(d.partition) + "/" + std::to_string(d.offset));
  decision.action = Decision::Action::kRedrive;
  decision.message = std::move(out);
  return decision;
}

}  // namespace driftline::redrive
