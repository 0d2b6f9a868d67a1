// What the mock provider sends, and when, for one message it receives: a pure decision over a
// loaded suite (contracts + examples), without I/O, so that every rule is unit-tested and the
// transports only carry the outputs out at their due times.
//
// For a message on a channel a receive operation consumes:
//   1. It matches an example when the example's `receive` block (payload, headers, key) compares
//      equal with the runner's own value checks (CheckMessage: literals by value, matchers);
//      the correlation id is not compared: it is the message's identity, copied to every output.
//      Examples added at run time are tried first, the newest first; then the suite's, in order.
//      Its flow is the example's:
//        - `send` only: the reply, at once (due = now);
//        - `dlq` only: the dead letter at once, totalRetries 0;
//        - `retry` + `dlq`: envelopes retryCount 0..N (N = maxAttempts) then the dead letter
//          with totalRetries N;
//        - `retry` + `send`: envelope 0, then the reply;
//        - `retry` alone: envelope 0.
//      Timing is the runner's (contract/run/engine.h): envelope 0 is due at once, envelope n+1
//      at envelope n + DelayBefore(n), the reply after envelope k at envelope k +
//      DelayBefore(k), the dead letter at once after envelope N (its due + 1 ms, so that
//      timestamps order the two strictly; likewise a dead letter that follows a reply).
//   2. Not JSON → the operation's dead letter at once (totalRetries 0), the raw bytes kept.
//   3. JSON that conforms to none of the operation's declared messages → the same dead letter.
//   4. JSON that conforms to a declared message whose examples all end in a dead letter and
//      never in a reply (the contract's "rejected input", such as a RejectedOrder) → the same.
//   5. Otherwise → a reply to generate (kind kGenerated): the reply channel and the declared
//      reply message the examples of the same input message answer with (else the first one
//      the operation declares); the payload is left to the generator.
// Payloads come from the example blocks with every matcher turned into a value that satisfies
// it: "(datetime)" is the output's due time, "(number)" 1, "$match(exact: 2)" the value typed
// by the schema, "$match(pattern: ...)" a string the pattern matches. A retry envelope's
// retryCount and a dead letter's totalRetries are set per output (when the payload schema has
// room for the member).
//
// The dead letter of rejected input (2–4) takes the shape of an example's dead letter (one
// without retries, of input of the same kind — object or not — when there is one), with the
// members order-service writes set from the input: originalMessage (the input object, else
// {}), rawMessageBase64 (the exact bytes of input that is not a JSON object), messageKey (the
// input member the example's messageKey echoed, else the record key, else "unknown"),
// totalRetries 0, failureReason ("invalid-json", "schema-invalid" or "rejected") and
// finalErrorMessage; each only where the dead-letter schema allows the member. Without such an
// example the payload is left to the generator (generate_from), with those members in
// `overrides`.
//
// Correlation: the input's id is read at the operation's correlation-id locations (those its
// input messages declare, else the CorrelationId header: the plan's rule), and written into
// every output at its declared message's location, else where the input carried it. Input
// without an id gets a new UUID, so that its outputs stay valid.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "contract/check/check.h"
#include "contract/run/suite.h"
#include "contract/spec/example.h"
#include "contract/spec/model.h"
#include "contract/spec/observed_message.h"

namespace driftline::contract::mock {

// One message the mock is to send.
struct PlannedOutput {
  // When it is due. A Kafka record's CreateTime should be exactly this, so that the gaps a
  // consumer measures are the declared delays however late the sender runs; an SQS message is
  // sent no earlier.
  Clock::WallTime due{};
  const Channel* channel = nullptr;
  Role role = Role::kReply;  // kReply ("send"), kRetry or kDeadLetter
  // The declared message this is an instance of; nullptr when the channel declares none.
  const Message* message = nullptr;
  // What to send; null when it is to be generated from `generate_from` (see CompleteGenerated).
  nlohmann::json payload;
  // The declared message's payload schema, when `payload` is null; borrowed from the Contract.
  const nlohmann::json* generate_from = nullptr;
  // Members set over the payload (a rejected input's dead letter: totalRetries, failureReason,
  // originalMessage, ...). Already applied when `payload` is given.
  nlohmann::json overrides = nlohmann::json::object();
  nlohmann::json headers = nlohmann::json::object();  // Kafka headers / SQS message attributes
  std::optional<std::string> key;                     // the example block's key, else the input's
  int retry_count = -1;                               // retryCount of a retry envelope
  int total_retries = -1;                             // totalRetries of a dead letter
  // Where the correlation id is written; nullopt when nowhere is known.
  std::optional<CorrelationIdLocation> correlation_location;

  // "+3.000 s retry retryCount 2 -> topic 'place-order-retry-topic'", for logs and test
  // failures.
  std::string Describe(Clock::WallTime origin) const;
};

struct Response {
  enum class Kind {
    kExample,      // matches an example: its flow
    kGenerated,    // valid, no example: a reply whose payload is to be generated
    kAccepted,     // valid, no example, and the operation declares no reply: nothing is sent
    kDeadLetter,   // not JSON, invalid, or rejected input: the dead letter (if one is declared)
    kNotConsumed,  // no receive operation on the channel: nothing is sent
  };
  Kind kind = Kind::kNotConsumed;
  const Example* example = nullptr;      // kExample
  const Operation* operation = nullptr;  // nullptr for kNotConsumed
  // The declared input message the input conforms to (or, when invalid, came closest to).
  const Message* input_message = nullptr;
  std::string correlation_id;
  bool correlation_id_generated = false;  // the input carried none: a new UUID
  // Why, in words: "matches example 'X' (file)", "conforms to StandardOrder; no example
  // matches", "not JSON", the first schema violation, ...
  std::string reason;
  std::vector<PlannedOutput> outputs;  // in due order
};

// "example", "generated", "accepted", "dead-letter", "not-consumed"
std::string_view ResponseKindName(Response::Kind kind);

struct ResponderOptions {
  // How an example's receive values are compared with the input (the runner's --schema-only
  // literals switch).
  MatchOptions match;
};

class Responder {
 public:
  // `suite` is borrowed: it must outlive the responder, and every pointer a Response carries
  // points into it (or into an example added here, kept as long as the responder).
  // Errors (kInvalidArgument): no contract of the suite has a receive operation.
  static Result<std::unique_ptr<Responder>> Create(const Suite& suite,
                                                   ResponderOptions options = {});
  ~Responder();
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  // The outputs for `input` (a message seen on input.channel; payload_is_json false when its
  // bytes are not JSON) received at `now`. Never fails: every input has a kind. Thread-safe;
  // may run while AddExample() does.
  Response Decide(const ObservedMessage& input, Clock::WallTime now) const;

  // Adds one example (Specmatic's externalized format) to match before the others: parsed,
  // planned against the suite's contracts and validated against them as in strict mode.
  // Errors (kInvalidArgument, kNotFound for an unreadable file) name the file and the JSON
  // pointer: not an example, no `receive` block, a topic no operation receives on, a block
  // invalid for its channel's messages, a pattern no value can be found for. Thread-safe.
  Status AddExample(const std::filesystem::path& file);
  // The same from text; `name` stands for the file in errors and in Example::file.
  Status AddExampleText(std::string_view text, const std::filesystem::path& name);

  // The channels the provider receives on (what the mock consumes), in contract order.
  std::vector<const Channel*> InputChannels() const;
  // Every channel an output can go to: replies, retries, dead letters.
  std::vector<const Channel*> OutputChannels() const;
  // Every example that can match: the suite's (those with a receive block), then the added
  // ones in the order added. The pointers stay valid as long as the responder.
  std::vector<const Example*> Examples() const;
  // Problems found at construction that do not stop the mock: an example's pattern for which
  // no value was found (its output would not match it).
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  struct OperationInfo;
  struct ExampleEntry;

  Responder(const Suite& suite, ResponderOptions options);
  // The entry of a planned example; nullptr with the problems appended to `problems`.
  std::unique_ptr<ExampleEntry> MakeEntry(const Example& example, const TestPlan& plan,
                                          std::vector<std::string>& problems) const;
  Status AddParsed(Example example);
  const ExampleEntry* MatchExample(const ObservedMessage& input) const;

  Response ExampleFlow(const ExampleEntry& entry, const ObservedMessage& input,
                       Clock::WallTime now) const;
  Response DeadLetterFlow(const OperationInfo& op, const ObservedMessage& input,
                          Clock::WallTime now, std::string tag, std::string why) const;

  const Suite& suite_;
  ResponderOptions options_;
  std::vector<std::unique_ptr<OperationInfo>> operations_;    // receive operations, fixed
  std::vector<std::unique_ptr<ExampleEntry>> suite_entries_;  // fixed after construction
  std::vector<std::string> warnings_;                         // fixed after construction

  mutable std::shared_mutex mu_;
  std::vector<std::unique_ptr<ExampleEntry>> added_entries_;  // guarded by mu_
};

// Writes `id` at `where`: into `headers` for a header location, into `payload` for a payload
// location (creating the objects on the way; nothing when the path crosses a non-object, or the
// payload is null).
void PlaceCorrelationId(const CorrelationIdLocation& where, const std::string& id,
                        nlohmann::json& headers, nlohmann::json& payload);

// Fills an output whose payload was to be generated: `generated` becomes the payload, the
// overrides are set over it (when it is an object) and the correlation id is placed.
void CompleteGenerated(PlannedOutput& output, nlohmann::json generated,
                       const std::string& correlation_id);

}  // namespace driftline::contract::mock
