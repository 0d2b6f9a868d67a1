// The mutant provider's defects: each one a small, named deviation from what the lab's provider
// does, so that a contract runner can be shown to catch it (or caught missing it). A defect is a
// row of one table: its name, one line saying what the provider then does, and the knobs of
// Behaviour it turns. Adding a defect is adding a row (and, when no knob fits, a knob).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace driftline::testkit::mutant {

// How the provider behaves. The defaults are the lab provider's behaviour (the defect "none").
struct Behaviour {
  // --- The retry chain of a retryable failure ---
  int first_retry_count = 0;    // retryCount of the first envelope
  int max_retries_delta = 0;    // added to MAX_RETRIES when deciding that retries are exhausted
  int total_retries_delta = 0;  // added to totalRetries of a retries-exhausted dead letter
  // Every retry waits this long instead of the exponential delay (0 ms: no backoff at all).
  std::optional<std::chrono::milliseconds> fixed_retry_delay;
  // A chain that ends in retries exhausted shows only its last envelope (at its usual time).
  bool only_last_envelope = false;
  // The dead letter goes out right after the envelope with this retryCount; the chain then goes
  // on without a second dead letter.
  std::optional<int> dead_letter_after_envelope;
  bool retry_correlation_header = true;  // CorrelationId header on retry envelopes

  // --- The success path ---
  bool reply_correlation_attribute = true;  // CorrelationId attribute on SQS replies
  bool reply_on_retry_topic = false;        // the reply goes to the retry topic instead
  // The reply is sent again, identical, this long after the first (one entry per copy).
  std::vector<std::chrono::milliseconds> repeat_reply_after;
  // A dead letter for the same order this long after its reply.
  std::optional<std::chrono::milliseconds> dead_letter_after_reply;

  // --- The reply's body ---
  std::optional<std::string> standard_status;     // status of a STANDARD order's reply
  std::vector<std::string> standard_reply_omits;  // fields left out of a STANDARD order's reply
  bool items_count_as_string = false;             // "itemsCount": "2"
  nlohmann::json extra_reply_properties = nlohmann::json::object();  // added to every reply

  // --- Invalid input ---
  // What the lab's provider dead-letters at once because of the input itself (not JSON, not
  // UTF-8, not an object, orderType missing or unknown, the key or the items missing:
  // InvalidInputFailure in plan.h), unlike an order failed by the lab's fault injection.
  // Invalid input goes through the retry chain instead, as if every failure were transient.
  bool retry_invalid_input = false;
  // The first invalid input ends the consumer: nothing is written for it or read after it.
  bool stop_on_invalid_input = false;
  // A JSON object with orderType missing or unknown is read as STANDARD, a missing or empty key
  // as "unknown" and a missing list of items or orders as empty, so it is answered.
  bool reply_to_invalid_input = false;
  // Every dead letter for invalid input is written twice, the copy right after the first.
  bool dead_letter_invalid_input_twice = false;
};

struct Defect {
  std::string_view name;
  std::string_view description;  // one line: what the provider does instead
  void (*apply)(Behaviour&);
};

// Every defect, the control "none" first.
std::span<const Defect> Defects();

// The defect called `name`. Errors: kInvalidArgument listing the known names.
Result<const Defect*> FindDefect(std::string_view name);

// The behaviour of `defect`.
Behaviour BehaviourOf(const Defect& defect);

}  // namespace driftline::testkit::mutant
