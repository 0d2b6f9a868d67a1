// `$ref` resolution across a set of documents: within a document ("#/components/messages/X")
// and to relative files ("common.yaml#/components/schemas/Order", "order.json").
//
// Errors name the file and line (or JSON pointer) of the `$ref` that failed, what it pointed
// at, and for cycles the whole chain. Remote references (http:, https:, urn:) are not fetched:
// they are an error, so a contract never depends on the network.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "contract/spec/document.h"

namespace driftline::contract {

// A node of a loaded document. `doc` and `node` are owned by the DocumentSet.
struct NodeRef {
  const SourceDoc* doc = nullptr;
  std::string pointer;
  const nlohmann::json* node = nullptr;

  // "file#/pointer": identifies the node across documents.
  std::string Key() const;
  std::string Where() const { return doc->Where(pointer); }
  // kInvalidArgument "<file>:<line>: <what>" at this node.
  Error Invalid(std::string_view what) const {
    return Error(Code::kInvalidArgument, Where() + ": " + std::string(what));
  }
};

class DocumentSet {
 public:
  // Reads a file's text; the seam tests use to serve documents from memory.
  using Reader = std::function<Result<std::string>(const std::filesystem::path&)>;

  DocumentSet() : DocumentSet(ReadTextFile) {}
  explicit DocumentSet(Reader reader) : reader_(std::move(reader)) {}

  // Loads and parses `path` (made absolute and normal), once; later calls return the same doc.
  // Errors: kNotFound (unreadable), kInvalidArgument (malformed, with file:line:column).
  Result<const SourceDoc*> Load(const std::filesystem::path& path);

  // The node at `pointer` in `doc`, after following `$ref` chains (a node that is an object
  // with a "$ref" member is replaced by its target; sibling members are ignored, as in JSON
  // Schema draft 7). Errors (kInvalidArgument): a dangling reference, a cycle, a remote
  // reference, an unreadable file; each names where the `$ref` sits.
  Result<NodeRef> Follow(const SourceDoc& doc, std::string_view pointer);

  // The node at `pointer` with every `$ref` inside it replaced by its target, recursively.
  // A reference that leads back into a node being expanded is a cycle (an error naming the
  // chain): contracts must be finite trees.
  Result<nlohmann::json> Inline(const SourceDoc& doc, std::string_view pointer);

  // Resolves one reference text found at `at` (without following further).
  Result<NodeRef> ResolveRef(const NodeRef& at, const std::string& ref);

 private:
  Result<nlohmann::json> InlineNode(const NodeRef& at, std::vector<std::string>& stack, int depth);

  Reader reader_;
  std::map<std::string, std::unique_ptr<SourceDoc>> docs_;  // by absolute path
};

}  // namespace driftline::contract
