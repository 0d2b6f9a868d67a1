// Generated negative tests: the inputs a service that keeps the contract must dead-letter.
//
// For every receive operation that declares a dead-letter route, each of its messages gets a
// valid base message (payload from contract/mock's GenerateFromSchema with every declared
// member, headers with the required ones), and each variant breaks exactly one thing of that
// base:
//   - a required member removed (at any depth), a member given a JSON type its schema refuses,
//     an enum or const member given a value outside it;
//   - a declared bound broken: minLength, maxLength, minimum, maximum, exclusiveMinimum,
//     exclusiveMaximum (numbers: draft 7, as contract/check reads them), pattern, format
//     (date-time, date, time: the formats contract/check checks), minItems, maxItems;
//   - a member added where additionalProperties is false;
//   - a header the message's headers schema requires left out.
// And once per operation, whole-message variants: an empty object, a JSON array (holding the
// first message's base), a bare JSON string, bytes that are not JSON (the first base cut short),
// bytes that are not UTF-8 (the first base with an invalid sequence in a string).
//
// Every variant carries a correlation id where its message's correlationId location says
// (header or payload; for whole-message variants, the first message's location that declares
// one). It is left out, and `correlation_id` is empty, where the variant has no place for it:
// the header or member that is the correlation id is the thing removed or broken, or the
// payload is not an object.
//
// Before a JSON variant is returned it is checked against every message of the operation (payload
// and headers, with the catalog's schemas); one that some message accepts (a wrong type that
// another oneOf branch or another message allows, an array a "rejected input" message declares)
// is dropped and listed in `dropped`. Pass a strict catalog: a lenient one accepts a missing
// required member or an extra one, so those variants are dropped. Bytes that are not JSON are
// not checked.
//
// Deterministic: the same contract, catalog and options give the same variants in the same
// order. Order: operations as the contract lists them; per operation the whole-message variants,
// then per message (in the operation's order) its missing headers, then its payload walked
// depth first, members in name order, required members in the order `required` lists them.
// Pure: no I/O, no clock; thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "contract/check/check.h"
#include "contract/spec/model.h"

namespace driftline::contract::negative {

// What a variant breaks. The name (NegativeKindName) is the last part of a variant's name.
enum class NegativeKind {
  // Whole-message variants (property "payload").
  kNotJson,
  kNotUtf8,
  kJsonArray,
  kBareString,
  kEmptyObject,
  // A required header left out (pointer into the headers).
  kMissingHeader,
  // One member of the payload broken (pointer into the payload).
  kMissingRequired,
  kWrongType,
  kNotInEnum,
  kTooShort,
  kTooLong,
  kBelowMinimum,
  kAboveMaximum,
  kAtExclusiveMinimum,
  kAtExclusiveMaximum,
  kPatternMismatch,
  kBadFormat,
  kTooFewItems,
  kTooManyItems,
  kAdditionalProperty,
};

// "notJson", "missing", "wrongType", "notInEnum", ... (lower camel case, no underscore).
std::string_view NegativeKindName(NegativeKind kind);

// Every kind, in declaration order.
const std::vector<NegativeKind>& AllNegativeKinds();

struct NegativeVariant {
  // "Negative_<operation>_<property>_<kind>". <property> is the dotted path of what is broken
  // ("items.0.quantity", "headers.CorrelationId"; "payload" for the whole message and for a
  // member added to the top object), prefixed by the base message's name when the operation has
  // several messages ("PriorityOrder.priorityLevel"). Characters other than letters, digits,
  // '.', '-' become '_'; a name that would repeat gets a suffix "_2", "_3", ...
  std::string name;
  std::string operation_id;
  const Operation* operation = nullptr;
  const Channel* channel = nullptr;  // where to publish: the operation's channel
  const Message* message = nullptr;  // the base message; nullptr for whole-message variants
  NegativeKind kind = NegativeKind::kNotJson;
  // JSON pointer of what is broken: into the headers for kMissingHeader, into the payload
  // otherwise ("" for whole-message variants; the object's pointer for kAdditionalProperty).
  std::string pointer;
  std::string payload;         // the bytes to publish; not JSON / not UTF-8 for those kinds
  nlohmann::json headers;      // an object of strings as the headers schema declares them
  std::string correlation_id;  // "" when the variant has no place for it (see above)
  std::string why;             // one line: what was broken, and how
  bool is_json() const { return kind != NegativeKind::kNotJson && kind != NegativeKind::kNotUtf8; }
};

struct NegativeOptions {
  // At most this many variants (the first ones, after dropping); nullopt: all.
  std::optional<std::size_t> limit;
  // Seeds the base messages' generated values and the correlation ids.
  std::uint64_t seed = 1;
};

// A variant some message of its operation accepts, so it cannot be a negative test.
struct DroppedVariant {
  std::string name;
  std::string accepted_by;  // the message's name
};

struct NegativeVariants {
  std::vector<NegativeVariant> variants;
  std::vector<DroppedVariant> dropped;
  std::size_t beyond_limit = 0;  // variants left out by `limit`
  std::uint64_t seed = 0;        // the seed used, to report and to reproduce the list
};

// The negative variants of every receive operation of `contract` that has a dead-letter route
// (none for the others). `schemas` must be built from `contract` (SchemaCatalog::Build).
//
// Errors (kInvalidArgument): a message whose payload or headers schema no valid base can be
// generated for ("<operation> <message>: schema <pointer>: <why>", from GenerateFromSchema).
Result<NegativeVariants> GenerateNegativeVariants(const Contract& contract,
                                                  const SchemaCatalog& schemas,
                                                  const NegativeOptions& options);

}  // namespace driftline::contract::negative
