#include "testkit/mutant_provider/defects.h"

#include <array>

namespace driftline::testkit::mutant {
namespace {

using std::chrono::milliseconds;

constexpr std::array kDefects = {
    Defect{"none", "the lab provider's behaviour (the control)", [](Behaviour&) {}},
    Defect{"chain-starts-at-1",
           "retry envelopes count from 1: always-fail gives 1,2,3 then the dead letter "
           "(totalRetries 3); fail-once gives envelope 1 then the reply",
           [](Behaviour& b) { b.first_retry_count = 1; }},
    Defect{"single-late-envelope",
           "a chain that runs out of retries shows only its last envelope (retryCount 3, at +7 s), "
           "then the dead letter at once",
           [](Behaviour& b) { b.only_last_envelope = true; }},
    Defect{"fixed-delay", "every retry waits 4 s instead of 1 s, 2 s, 4 s",
           [](Behaviour& b) { b.fixed_retry_delay = milliseconds(4000); }},
    Defect{"no-backoff", "retries follow each other at once (every gap 0 s)",
           [](Behaviour& b) { b.fixed_retry_delay = milliseconds(0); }},
    Defect{"one-retry-too-many", "envelopes 0..4, then the dead letter with totalRetries 4",
           [](Behaviour& b) { b.max_retries_delta = 1; }},
    Defect{"one-retry-too-few", "envelopes 0..2, then the dead letter with totalRetries 2",
           [](Behaviour& b) { b.max_retries_delta = -1; }},
    Defect{"total-retries-off-by-one", "the right chain, then a dead letter with totalRetries 4",
           [](Behaviour& b) { b.total_retries_delta = 1; }},
    Defect{"dlq-before-retries-finish",
           "the dead letter (totalRetries 3) right after envelope 1; envelopes 2 and 3 follow",
           [](Behaviour& b) { b.dead_letter_after_envelope = 1; }},
    Defect{"dlq-on-success-path",
           "every reply is followed 2 s later by a dead letter for the order",
           [](Behaviour& b) { b.dead_letter_after_reply = milliseconds(2000); }},
    Defect{"duplicate-sqs-reply", "every reply is sent twice at once",
           [](Behaviour& b) { b.repeat_reply_after = {milliseconds(0)}; }},
    Defect{"late-second-reply", "every reply is sent again, identical, 2 s later",
           [](Behaviour& b) { b.repeat_reply_after = {milliseconds(2000)}; }},
    Defect{"wrong-enum", "a STANDARD order's reply says status \"SHIPPED\" (in no enum)",
           [](Behaviour& b) { b.standard_status = "SHIPPED"; }},
    Defect{"wrong-value-for-type",
           "a STANDARD order's reply says status \"DELIVERED\" (another message's value)",
           [](Behaviour& b) { b.standard_status = "DELIVERED"; }},
    Defect{"items-count-string", "every reply carries itemsCount as a JSON string",
           [](Behaviour& b) { b.items_count_as_string = true; }},
    Defect{"no-correlation-attribute", "SQS replies carry no CorrelationId attribute",
           [](Behaviour& b) { b.reply_correlation_attribute = false; }},
    Defect{"no-correlation-header-on-retry", "retry envelopes carry no CorrelationId header",
           [](Behaviour& b) { b.retry_correlation_header = false; }},
    Defect{"extra-property", "every reply carries an extra property \"note\"",
           [](Behaviour& b) { b.extra_reply_properties["note"] = "added by the mutant provider"; }},
    Defect{"missing-required", "a STANDARD order's reply has no processingStartedAt",
           [](Behaviour& b) { b.standard_reply_omits = {"processingStartedAt"}; }},
    Defect{"reply-on-wrong-channel",
           "the reply goes to the retry topic (with its CorrelationId header) instead of the queue",
           [](Behaviour& b) { b.reply_on_retry_topic = true; }},
    Defect{"retries-invalid-input",
           "input it dead-letters at once as invalid (not JSON or UTF-8, no object, orderType "
           "missing or unknown, no key) is retried instead: envelopes 0..3, then the dead letter "
           "with totalRetries 3",
           [](Behaviour& b) { b.retry_invalid_input = true; }},
    Defect{"stops-on-invalid-input",
           "the first invalid input ends its consumer: nothing is written for it or for any "
           "later order (the process stays up)",
           [](Behaviour& b) { b.stop_on_invalid_input = true; }},
    Defect{"replies-to-invalid-input",
           "a JSON object with orderType missing or unknown is read as STANDARD (orderId "
           "\"unknown\" and no items when missing) and answered WIP instead of dead-lettered",
           [](Behaviour& b) { b.reply_to_invalid_input = true; }},
    Defect{"dead-letters-invalid-input-twice",
           "every dead letter for invalid input is written twice (the copy 1 ms after)",
           [](Behaviour& b) { b.dead_letter_invalid_input_twice = true; }},
};

}  // namespace

std::span<const Defect> Defects() {
  return kDefects;
}

Result<const Defect*> FindDefect(std::string_view name) {
  std::string known;
  for (const Defect& d : kDefects) {
    if (d.name == name) return &d;
    known += (known.empty() ? "" : ", ") + std::string(d.name);
  }
  return Fail(Code::kInvalidArgument,
              "unknown defect '" + std::string(name) + "' (known: " + known + ")");
}

Behaviour BehaviourOf(const Defect& defect) {
  Behaviour b;
  defect.apply(b);
  return b;
}

}  // namespace driftline::testkit::mutant
