// JSON Schema checks of message payloads and headers, on valijson (draft 7).
//
// Schemas come from the contract with every `$ref` already inlined; a schema's own local
// references ("#/definitions/x") are left to valijson. Before compiling, a schema is adapted:
//   - `format` date-time, date and time are checked, and only on strings (valijson would try
//     to read any value as text); every other format is an annotation and dropped;
//   - lenient mode (strict = false) drops `required` and `additionalProperties: false`, so only
//     types and value constraints are checked; strict mode keeps them.
// Every violation is reported as a Mismatch with its JSON pointer, what the schema expects and
// the actual value, never just "invalid".
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "contract/check/matcher.h"

namespace driftline::contract {

// The schema as it is compiled (see above). Exposed for tests.
nlohmann::json PrepareSchema(const nlohmann::json& schema, bool strict);

// The subschema that governs `pointer` in an instance (following properties, items,
// additionalProperties, and the first allOf/anyOf/oneOf branch that has it); nullptr if none.
const nlohmann::json* SubschemaAt(const nlohmann::json& schema, std::string_view pointer);

// A compiled schema. Immutable and safe to use from several threads at once.
class CompiledSchema {
 public:
  // Errors (kInvalidArgument): a schema valijson cannot compile; the message starts with
  // `where` (e.g. "contract.yaml:120 payload of PlaceOrderMessage").
  static Result<std::shared_ptr<const CompiledSchema>> Compile(const nlohmann::json& schema,
                                                               bool strict,
                                                               const std::string& where);
  ~CompiledSchema();

  // Appends one Mismatch per violation, pointers prefixed by `prefix` ("/payload"). Returns
  // true when `value` is valid.
  bool Validate(const nlohmann::json& value, const std::string& prefix,
                std::vector<Mismatch>& out) const;
  bool IsValid(const nlohmann::json& value) const;

  const nlohmann::json& schema() const { return prepared_; }

 private:
  struct Impl;
  CompiledSchema() = default;

  nlohmann::json prepared_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace driftline::contract
