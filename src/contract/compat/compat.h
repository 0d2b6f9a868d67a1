// Backward compatibility of two versions of an AsyncAPI 3.0 contract (`contract-test compat`).
//
// Each difference between OLD and NEW is judged from the side it can hurt:
//   - consumers of what the provider sends (replies, retry and dead-letter messages, the
//     messages of `action: send` operations) break when the provider may send something they
//     did not expect: a member removed or made optional, a type widened or changed, an enum
//     value added, a const, format, pattern or bound dropped or relaxed;
//   - producers of what the provider receives (the messages of `action: receive` operations)
//     break when the provider may refuse what it used to accept: a member made required, an enum
//     value removed, a type narrowed, a bound tightened, a format added, `additionalProperties`
//     closed.
// Removed or renamed channels, operations, messages and required headers, a moved correlation id
// or channel address break both. Changes of the retry and dead-letter routes (maxAttempts,
// strategy, channel, wait time, and their messages' schemas judged as sent messages) are
// behavioural. Every other difference is reported as compatible.
//
// `$ref`s are followed (in the file and across files) and every finding names where it is in each
// file; a change reached through several paths (a shared schema used by two messages) is one
// finding.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace driftline::contract::compat {

enum class Severity { kBreaking, kBehaviour, kInfo };
// Who a change can hurt: consumers of sent messages, producers of received ones, or both.
enum class Side { kConsumer, kProducer, kBoth };

// "breaking", "behaviour", "info"
std::string_view SeverityName(Severity s);
// "consumer", "producer", "both"
std::string_view SideName(Side s);

// A node of one version: its file (relative to the directory of that version's root document;
// the root document is its file name) and a JSON pointer into that file.
struct Location {
  std::string file;
  std::string pointer;

  // "order-service.yaml#/components/messages/X"
  std::string Text() const { return file + "#" + pointer; }
  bool operator==(const Location&) const = default;
};

struct Finding {
  Severity severity = Severity::kInfo;
  Side side = Side::kBoth;
  std::string rule;       // a stable word: "enum-value-added", "retry-max-attempts", ...
  Location old_at;        // where the change is in OLD (for an addition: where it would be)
  Location new_at;        // where it is in NEW (for a removal: where it would be)
  std::string old_value;  // "3", "[WIP]", "absent"
  std::string new_value;
  std::string why;  // one sentence: what changed and whom it hurts
};

struct CompatReport {
  std::string old_path;
  std::string new_path;
  // Breaking first, then behavioural, then compatible; each group in the order of the contract.
  std::vector<Finding> findings;

  int Count(Severity s) const;
  // A breaking or a behavioural change: someone relying on OLD may fail with NEW.
  bool Breaking() const;
  // 0 compatible, 1 breaking.
  int ExitCode() const { return Breaking() ? 1 : 0; }
};

// Loads both contracts and compares them. Errors are the loader's (asyncapi.h): kNotFound for a
// file that cannot be read, kInvalidArgument naming file:line for one that cannot be loaded.
Result<CompatReport> CompareContractFiles(const std::filesystem::path& old_path,
                                          const std::filesystem::path& new_path);

// "compat: BREAKING — 3 breaking, 1 behavioural, 2 compatible change(s)"
std::string SummaryLine(const CompatReport& report);
// The findings as a table (severity, side, old and new location, old -> new, why), then the
// summary line.
std::string FormatTable(const CompatReport& report);
// {"verdict": "breaking"|"compatible", "old", "new", "counts": {...}, "findings": [...]},
// indented, with a final newline.
std::string FormatJson(const CompatReport& report);

}  // namespace driftline::contract::compat
