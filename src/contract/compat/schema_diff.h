// Differences between two versions of one message schema, judged from both sides (private to
// compat/; the rules are listed in compat.h and README.md).
#pragma once

#include <string>

#include "contract/compat/findings.h"
#include "contract/spec/refs.h"

namespace driftline::contract::compat {

// One schema in each version, and the document sets its `$ref`s are followed in.
struct SchemaPair {
  DocumentSet* old_docs = nullptr;
  DocumentSet* new_docs = nullptr;
  // The schema nodes (not yet followed). A null `node` is a schema that is absent: anything goes
  // (its pointer is where the schema would be).
  NodeRef old_at;
  NodeRef new_at;
};

// Adds every difference between the two schemas to `out`, seen in `context`. `what` names the
// schema in the findings' text ("payload", "headers"). With `headers`, the top level's members
// are message headers: a required header removed hurts both sides.
//
// `$ref`s are followed at every level and `allOf` parts merged (members, required names and
// keywords; a keyword the schema itself sets wins over a part's). oneOf / anyOf variants are
// compared by position. A `$ref` that cannot be followed counts as an absent schema: the loader
// has already followed every reference of a loaded contract's schemas, so it does not happen.
void CompareSchemas(const SchemaPair& pair, const std::string& what, bool headers, unsigned context,
                    FindingSet& out);

}  // namespace driftline::contract::compat
