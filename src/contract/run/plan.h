// What one test (one example) does: which operation it exercises, what it publishes where,
// which channels it watches, what it expects on each, and how it recognises its messages.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "contract/spec/example.h"
#include "contract/spec/model.h"

namespace driftline::contract {

struct Expectation {
  Role role = Role::kReply;
  const Channel* channel = nullptr;
  std::vector<const Message*> messages;  // the declared messages for this role
  const ExampleMessage* expected = nullptr;
};

// What a generated test publishes byte for byte (contract/negative): no matcher is turned into a
// value, and the payload need not be JSON or UTF-8.
struct RawInput {
  std::string payload;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> key;
};

struct TestPlan {
  const Example* example = nullptr;
  const Operation* operation = nullptr;
  const Channel* input = nullptr;  // nullptr: the example publishes nothing (send-only)
  std::vector<const Message*> input_messages;
  std::string correlation_id;  // "" for a generated test without one (it runs alone)
  // Where output messages carry the correlation id: their own declarations, then the input's
  // (the lab's output messages declare none but carry the same header).
  std::vector<CorrelationIdLocation> correlation_locations;
  std::vector<Expectation> expectations;  // in the order send, retry, dlq
  // Every channel the operation writes to, expected or not: a message for this correlation id
  // on one the example does not expect is an unexpected message.
  std::vector<const Channel*> watched;
  // Set for a generated test: published as is instead of the example's receive block.
  std::optional<RawInput> raw_input;
  // A generated negative test: an input the contract refuses, which must be dead-lettered at
  // once. A failure's first reason then names what the provider did instead.
  bool negative = false;

  const Expectation* Find(Role role) const;
};

// Errors (kInvalidArgument) name the example file and JSON pointer: no operation for the
// receive topic, an expected topic that is not the operation's reply/retry/DLQ channel, no
// correlation id in the published message (unless `require_correlation_id` is false: then
// correlation_id is empty, and the runner runs the test alone, claiming what no other test can),
// a retry/dlq block for an operation without one.
Result<TestPlan> PlanTest(const Contract& contract, const Example& example,
                          bool require_correlation_id = true);

}  // namespace driftline::contract
