// Externalized examples, one scenario a file (Specmatic's format):
//   {"name": "...", "receive": {...}, "send": {...}, "retry": {...}, "dlq": {...}}
// Each message block: `topic` (the channel address), `payload`, optional `headers`, `key`.
// `receive` is what the runner publishes; `send`, `retry`, `dlq` are what it expects to see.
// `before` / `after` fixtures are accepted and reported as unsupported.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "contract/spec/document.h"

namespace driftline::contract {

enum class Role { kReceive, kReply, kRetry, kDeadLetter };

// "receive", "send", "retry", "dlq": the example's key for the role.
std::string_view RoleKey(Role role);

struct ExampleMessage {
  Role role = Role::kReceive;
  std::string topic;
  std::optional<nlohmann::json> payload;  // nullopt: not given (anything goes)
  nlohmann::json headers = nlohmann::json::object();
  std::optional<nlohmann::json> key;
  std::string pointer;  // "/send" in the example file
};

struct Example {
  std::string name;
  std::string id;
  std::filesystem::path file;
  std::optional<ExampleMessage> receive;
  std::optional<ExampleMessage> send;
  std::optional<ExampleMessage> retry;
  std::optional<ExampleMessage> dlq;
  std::vector<std::string> unsupported;  // "before", "after": present and ignored
  std::vector<std::string> warnings;     // unknown members and the like

  // The expected blocks that are present, in the order send, retry, dlq.
  std::vector<const ExampleMessage*> Expected() const;
  // "WIP: ..." names are work in progress: run and reported, never failing the suite.
  bool IsWip() const;
};

// Errors (kInvalidArgument) name the file and the JSON pointer (or line): no name, no
// receive/send block, a block without a topic, headers that are not an object.
Result<Example> ParseExample(const SourceDoc& doc);

// Every *.json, *.yaml and *.yml file of `dir`, sorted by file name. kNotFound when `dir` is
// not a directory; the first file's error otherwise.
Result<std::vector<Example>> LoadExamples(const std::filesystem::path& dir);

}  // namespace driftline::contract
