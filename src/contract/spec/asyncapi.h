// Loading an AsyncAPI 3.0 contract into the model (model.h).
//
// Reads: servers; channels (address, servers, messages); operations (action, channel,
// messages, reply); components.messages (payload and headers schemas, correlationId); the
// Specmatic extensions `x-specmatic-retry` {channel, messages, maxAttempts, strategy {type,
// initialDelaySeconds, multiplier}} and `x-specmatic-dlq` {channel, messages,
// waitTimeInSeconds}; and the `retry` / `deadLetter` operation keys proposed for AsyncAPI
// (asyncapi/spec #1234, #1236: tagged strategies, ISO 8601 durations). An operation declaring
// both the extension and the proposed key for the same path is ambiguous and rejected.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "contract/spec/model.h"
#include "contract/spec/refs.h"

namespace driftline::contract {

// Errors (kInvalidArgument, or kNotFound for a missing file) name file:line and what is wrong:
// malformed YAML/JSON, not AsyncAPI 3.x, a dangling or cyclic `$ref`, an operation whose
// messages are not on its channel, a malformed retry/DLQ declaration.
Result<Contract> LoadContract(const std::filesystem::path& path, DocumentSet& docs);
Result<Contract> LoadContract(const std::filesystem::path& path);

// "PT15S", "PT1M30S", "PT0.5S", "PT1H" -> milliseconds; nullopt when not of that form.
std::optional<std::chrono::milliseconds> ParseIsoDuration(std::string_view text);

}  // namespace driftline::contract
