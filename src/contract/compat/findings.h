// The findings of one comparison while it runs: each change recorded once, with the contexts
// it was seen in, and its severity and side decided at the end (private to compat/).
#pragma once

#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "contract/compat/compat.h"
#include "contract/spec/refs.h"

namespace driftline::contract::compat {

// Where a message, channel or schema was met. kSent: the provider sends it (its consumers
// judge); kReceived: the provider receives it (its producers judge); kRoute: it belongs to a
// retry or dead-letter route, so a change that hurts someone is behavioural, not breaking.
enum Context : unsigned { kSent = 1, kReceived = 2, kRoute = 4 };

// One difference as found: where in each version, what it was and is, and whom it would hurt
// in a context where they are concerned.
struct Change {
  std::string rule;
  NodeRef old_at;  // doc and pointer are enough; node may be null
  NodeRef new_at;
  std::string old_value;
  std::string new_value;
  std::string why;
  bool breaks_consumers = false;  // hurts the consumers of a sent message
  bool breaks_producers = false;  // hurts the producers of a received message
};

class FindingSet {
 public:
  // The directories locations are made relative to: those of the two root documents.
  FindingSet(std::filesystem::path old_base, std::filesystem::path new_base)
      : old_base_(std::move(old_base)), new_base_(std::move(new_base)) {}

  // Records `change`, seen in `context` (Context bits). The same rule at the same two places
  // with the same values is one finding; the contexts it is seen in add up (a schema shared by
  // a sent and a received message is judged from both sides).
  void Add(Change change, unsigned context);
  // The same, the Change given member by member.
  void Add(std::string rule, const NodeRef& old_at, const NodeRef& new_at, std::string old_value,
           std::string new_value, std::string why, bool breaks_consumers, bool breaks_producers,
           unsigned context);

  // The findings: breaking (a side hurt in a plain context), behaviour (hurt only within a
  // route), info (nobody hurt); in that order, each in the order first seen.
  std::vector<Finding> Findings() const;

 private:
  struct Entry {
    Change change;
    unsigned seen = 0;          // Context bits it was met in
    unsigned plain_broken = 0;  // kSent (consumers hurt) / kReceived (producers hurt)
    unsigned route_broken = 0;
  };
  Location Locate(const NodeRef& at, const std::filesystem::path& base) const;

  std::filesystem::path old_base_;
  std::filesystem::path new_base_;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, std::size_t> by_key_;
};

}  // namespace driftline::contract::compat
