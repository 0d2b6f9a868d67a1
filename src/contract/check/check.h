// Checking messages against the contract and the example, and examples against the contract.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "contract/check/matcher.h"
#include "contract/check/schema.h"
#include "contract/spec/example.h"
#include "contract/spec/model.h"
#include "contract/spec/observed_message.h"

namespace driftline::contract {

// The payload and headers schemas of every message of a contract, compiled once.
class SchemaCatalog {
 public:
  // Errors: a schema valijson cannot compile (names the message's file:line).
  static Result<SchemaCatalog> Build(const Contract& contract, bool strict);

  const CompiledSchema* Payload(const Message* m) const;
  const CompiledSchema* Headers(const Message* m) const;  // nullptr: no headers schema
  bool strict() const { return strict_; }

 private:
  bool strict_ = true;
  std::map<const Message*, std::shared_ptr<const CompiledSchema>> payload_;
  std::map<const Message*, std::shared_ptr<const CompiledSchema>> headers_;
};

struct MessageVerdict {
  // The declared message the observed one conforms to; when none does, the closest candidate
  // (fewest schema violations), whose violations are in schema_mismatches.
  const Message* message = nullptr;
  std::vector<Mismatch> schema_mismatches;
  std::vector<Mismatch> value_mismatches;

  bool schema_ok() const { return schema_mismatches.empty(); }
  bool values_ok() const { return value_mismatches.empty(); }
  bool ok() const { return schema_ok() && values_ok(); }
};

// Checks `observed` against the candidates' payload and headers schemas, then against the
// example's payload, headers and key (when `expected` is given). Pointers start with
// "/payload", "/headers" or "/key".
MessageVerdict CheckMessage(const SchemaCatalog& schemas,
                            const std::vector<const Message*>& candidates,
                            const ExampleMessage* expected, const ObservedMessage& observed,
                            const MatchOptions& options);

// Whether `observed` matches the example block's payload, headers and key (CheckMessage()'s
// value checks, without describing a difference: it stops at the first).
bool MatchesExample(const ExampleMessage& expected, const ObservedMessage& observed,
                    const MatchOptions& options);

// The correlation id of a message at any of `locations` (the first that yields a string or a
// number); nullopt when none does.
std::optional<std::string> ExtractCorrelationId(
    const nlohmann::json& headers, const nlohmann::json& payload,
    const std::vector<CorrelationIdLocation>& locations);

// Strict mode, before anything is sent: the example's receive payload and headers must be valid
// for one of the operation's messages, each expected block for one of its channel's declared
// messages (matchers are checked for compatibility with the schema type at their place). One
// line per problem, naming the example file and the JSON pointer. Empty when valid.
std::vector<std::string> ValidateExampleMessage(const SchemaCatalog& schemas,
                                                const std::vector<const Message*>& candidates,
                                                const Example& example,
                                                const ExampleMessage& block);

// Turns matchers in a block that is going to be published into concrete values: exact values
// typed by the schema at their place, data types into a sample value ("(datetime)" -> now).
nlohmann::json MaterializeForPublish(const nlohmann::json& value, const nlohmann::json* schema,
                                     Clock::WallTime now);

}  // namespace driftline::contract
