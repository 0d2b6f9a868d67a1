// Contract, config and example files as JSON values that remember where each node came from.
//
// YAML and JSON both end up as nlohmann::json, so everything above this layer reads one data
// model. YAML scalars are typed by the YAML 1.2 core schema (a quoted scalar is always a
// string: '2025-12-08T10:30:00Z' stays text, 3 becomes an integer), and every node's line is
// kept so that an error can say "file:line". JSON files keep no lines; errors about them name
// the file and the JSON pointer instead.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace driftline::contract {

// A parsed file.
struct SourceDoc {
  std::filesystem::path path;  // as given to the loader (absolute after DocumentSet::Load)
  nlohmann::json root;
  // JSON pointer of a node -> its 1-based line. YAML only.
  std::map<std::string, int, std::less<>> lines;

  // The line of the node at `pointer`, or of its nearest ancestor that has one; 0 if unknown.
  int LineOf(std::string_view pointer) const;
  // "path:line" when the line is known, else "path (at /pointer)" ("path" for the root).
  std::string Where(std::string_view pointer) const;
};

// Parses `text` as JSON when `path` ends in .json (or, for other names, when the text starts
// with '{' or '['), else as YAML. Errors (kInvalidArgument) read
// "<path>:<line>:<column>: <what went wrong>" and never carry a stack dump.
Result<SourceDoc> ParseSource(std::string_view text, const std::filesystem::path& path);

// Reads and parses a file. kNotFound when it cannot be read.
Result<SourceDoc> LoadSource(const std::filesystem::path& path);

// Reads a whole file. kNotFound naming the path when it cannot be read.
Result<std::string> ReadTextFile(const std::filesystem::path& path);

// --- JSON pointers (RFC 6901) ---

// "a/b~c" -> "a~1b~0c"
std::string EscapePointerToken(std::string_view token);
// base + "/" + escaped token
std::string AppendPointer(std::string_view base, std::string_view token);
std::string AppendPointer(std::string_view base, std::size_t index);
// "/a~1b/0" -> {"a/b", "0"}; "" -> {}. kInvalidArgument when it does not start with '/'.
Result<std::vector<std::string>> SplitPointer(std::string_view pointer);
// The node at `pointer`, or nullptr when there is none (or the pointer is malformed).
const nlohmann::json* FindAt(const nlohmann::json& root, std::string_view pointer);

// Runs `load`, turning a JSON exception escaping from it (a member of an unexpected type deep
// in a hand-written file, where the loader assumed a mapping) into a kInvalidArgument Error that
// names the file: malformed input gives an error, never a crash.
template <typename F>
auto GuardMalformed(const std::filesystem::path& path, F&& load) -> decltype(load()) {
  try {
    return load();
  } catch (const nlohmann::json::exception& e) {
    return tl::unexpected(
        Error(Code::kInvalidArgument, path.string() + ": malformed document: " + e.what()));
  }
}

}  // namespace driftline::contract
