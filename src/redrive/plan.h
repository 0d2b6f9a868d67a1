// What a redrive does with each record of the dead-letter topic, decided without I/O: the
// operator's filter, the redrive limit, and the record to re-publish.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "common/status.h"
#include "kafka/message.h"
#include "redrive/stored_dead_letter.h"

namespace driftline::redrive {

// Which dead letters to redrive. Every criterion that is set must match (AND); a criterion with
// several values matches any of them (OR). An empty filter matches every dead letter.
struct Filter {
  std::string reason_contains;            // in finalErrorMessage, ignoring ASCII case
  std::set<std::string> error_kinds;      // dlq-error-kind: permanent, retries-exhausted, ...
  std::set<std::string> failure_reasons;  // failureReason: invalid-json, sqs-rejected, ...
  std::optional<std::int64_t> since_ms;   // failed at or after (failedTimestamp, else the
  std::optional<std::int64_t> until_ms;   // record's time), and before `until`
  std::set<std::string> correlation_ids;  // CorrelationId
  std::set<std::string> order_ids;        // orderId / batchId (else the messageKey)

  // "reason~'timeout' kind=permanent since=2026-01-19T10:00:00Z"; "everything" when empty.
  std::string Describe() const;
};

bool Matches(const Filter& filter, const StoredDeadLetter& dead_letter);

struct PlanOptions {
  std::string main_topic = "place-order-topic";  // where redriven orders go
  int max_redrives = 3;  // a dead letter already redriven this many times is refused
};

struct Decision {
  enum class Action {
    kSkip,     // unreadable, or not matched by the filter: left alone
    kRefuse,   // matched, but must not be redriven (limit reached, nothing to re-publish)
    kRedrive,  // matched: re-publish `message`
  };
  Action action = Action::kSkip;
  std::string why;                              // for kSkip and kRefuse: a sentence
  std::optional<StoredDeadLetter> dead_letter;  // when the record could be read
  // kRedrive: the original payload (the exact bytes for poison input) to the main topic with
  // the record's key, the order's headers and redrive-count = n + 1, redrive-source =
  // "<dlq topic>/<partition>/<offset>".
  std::optional<kafka::OutgoingMessage> message;
};

Decision Decide(const kafka::Message& record, const Filter& filter, const PlanOptions& options);

// "skip", "refuse", "redrive".
const char* ActionName(Decision::Action action);

}  // namespace driftline::redrive
