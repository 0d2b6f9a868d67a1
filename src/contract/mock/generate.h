// Values made up from a JSON Schema: the replies, retry envelopes and dead letters the mock
// provider emits when no example covers an input.
//
// Schemas are the contract's as the loader leaves them (contract/spec/model.h): every `$ref`
// between documents is already inlined. A reference that stays inside the schema itself
// ("#/definitions/x", "#/$defs/x", "#") is followed here; any other `$ref` is an error.
//
// What is honoured (JSON Schema draft 7, as contract/check validates it):
//   - type (a list too: the first type that can be produced; "null" only when it is the only
//     one), enum and const;
//   - minimum, maximum, exclusiveMinimum, exclusiveMaximum (numbers, and the draft 4 booleans),
//     multipleOf (several too);
//   - minLength, maxLength, pattern, and format date-time, date, time, email, uuid, uri,
//     hostname, ipv4, ipv6 (any other format is an annotation, as in contract/check);
//   - items (one schema or a tuple), additionalItems, minItems, maxItems, uniqueItems, contains;
//   - properties, required, additionalProperties (false or a schema), patternProperties,
//     minProperties, maxProperties, dependencies;
//   - allOf (merged into one set of constraints), anyOf and oneOf (the first branch that gives a
//     valid value; for oneOf one that no other branch accepts), if/then/else, not, and boolean
//     schemas.
// A pattern is an ECMAScript regular expression searched in the string (as valijson does). The
// generator produces strings for: literals and escapes (\d \w \s \D \W \S \t \n \xHH \uHHHH,
// escaped punctuation), character classes with ranges and negation, `.`, groups (capturing and
// (?:...)), alternation, the quantifiers * + ? {n} {n,} {n,m} (lazy forms too) and the anchors
// ^ and $. Look-arounds, back-references and word boundaries (\b \B) are refused with
// kInvalidArgument: a value is never produced for a pattern that cannot be read. std::regex
// (which the checks use, valijson too) reads a pattern byte by byte: a non-ASCII character works
// as a literal outside classes and quantifiers only; elsewhere the pattern is refused when no
// string is found that the checks accept.
//
// Every value is checked against the whole schema before it is returned, so a combination the
// generator does not construct directly (a `not`, several patterns on one string, a format
// with a pattern) either yields a checked value or an error, never a value that breaks the
// schema.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "common/status.h"

namespace driftline::contract::mock {

// A value valid against `schema`, the same for the same (`schema`, `input`, `seed`,
// `all_members`); different seeds give different values where the schema leaves room.
//
// Objects get every required member, and every declared optional member too when
// `all_members`. Where a member of the value has a name that is also a member's name anywhere
// in `input` (the same place first, then the shallowest), and that input value is valid
// against the member's schema, the input value is copied: a reply takes orderId, customerId,
// batchId from the order it answers. `input` may be null (nothing is copied).
//
// Errors: kInvalidArgument "schema <pointer>: <why>" naming the JSON pointer (into `schema`) of
// a schema it cannot satisfy: contradictory bounds or types, an empty enum after allOf, a
// required member that additionalProperties: false forbids, a pattern it cannot read or whose
// strings cannot have the asked length, no branch of an anyOf/oneOf that can be produced, a
// `not` it cannot get around, a `$ref` outside the schema.
//
// Thread-safe: no shared state (parsed patterns are cached per thread).
Result<nlohmann::json> GenerateFromSchema(const nlohmann::json& schema, const nlohmann::json& input,
                                          std::uint64_t seed = 0, bool all_members = false);

}  // namespace driftline::contract::mock
