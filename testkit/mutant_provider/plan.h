// What the mutant provider writes for one order, decided up front and without I/O: a timeline of
// outputs, each with the wall-clock time it is due. The provider's scheduler carries it out; the
// unit tests read it directly.
//
// The timeline follows the lab's provider: attempt 0 when the order is processed (`now`); a
// retryable failure writes envelope n, and the next attempt comes delay(n) later (exponential,
// 1 s × 2^n, from the RetryPolicy); envelope n with n >= MAX_RETRIES is followed at once by the
// dead letter (totalRetries n). Each Kafka output's CreateTime is its due time, so the spacing a
// consumer measures between envelopes is exactly the declared delay, however late the scheduler
// runs; a record that follows another "at once" is due 1 ms after it, so CreateTime orders them
// strictly. An SQS reply is sent no earlier than its due time (its SentTimestamp is then at least
// that).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "kafka/message.h"
#include "order/order.h"
#include "order/retry_policy.h"
#include "sqs/protocol/message.h"
#include "testkit/mutant_provider/defects.h"

namespace driftline::testkit::mutant {

// Where the provider reads and writes, and the rules it applies.
struct Channels {
  std::string main_topic = "place-order-topic";
  std::string retry_topic = "place-order-retry-topic";
  std::string dlq_topic = "place-order-dlq-topic";
};

struct Rules {
  Channels channels;
  order::RetryPolicy retry_policy;  // MAX_RETRIES
  order::FaultInjection faults;     // the lab's ids; on unless ENABLE_TEST_FAILURE_SCENARIOS=false
};

struct PlannedOutput {
  enum class Kind { kReply, kRetryEnvelope, kDeadLetter };
  Kind kind;
  Clock::WallTime due;
  int retry_count = -1;  // of a retry envelope; totalRetries of a dead letter
  // A Kafka record (timestamp_ms: `due`) or an SQS message for the provider's queue.
  std::variant<kafka::OutgoingMessage, sqs::OutgoingMessage> message;

  // "+1.000 s retry envelope retryCount 1 -> topic x", for logs and test failures.
  std::string Describe(Clock::WallTime origin) const;
};

// The outputs for record `in` of the main topic, processed at `now`, in due order (outputs due
// at the same time in the order they are to be written). None for the record the consumer stops
// at (StopsConsumingAt).
std::vector<PlannedOutput> PlanOutputs(const kafka::Message& in, Clock::WallTime now,
                                       const Rules& rules, const Behaviour& behaviour);

// Why the lab's provider dead-letters record `in` at once as invalid input, if it does: the input
// is not an order (not JSON, not UTF-8, not an object, orderType missing or unknown; any
// order::ParseOrder failure) or lacks what the transform needs (its key, its items). An order the
// lab's fault injection fails is no invalid input.
std::optional<order::Failure> InvalidInputFailure(const kafka::Message& in, const Rules& rules);

// Why the provider's consumer ends at record `in`, if it does (Behaviour::stop_on_invalid_input):
// nothing is written for `in` and no later record is read.
std::optional<order::Failure> StopsConsumingAt(const kafka::Message& in, const Rules& rules,
                                               const Behaviour& behaviour);

}  // namespace driftline::testkit::mutant
