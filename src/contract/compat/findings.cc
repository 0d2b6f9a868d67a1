#include "contract/compat/findings.h"

#include <algorithm>

namespace driftline::contract::compat {
namespace {

std::string KeyOf(const NodeRef& at) {
  return (at.doc != nullptr ? at.doc->path.string() : std::string()) + "#" + at.pointer;
}

// The sides a change hurts when met in `context`, as kSent (consumers) / kReceived (producers).
unsigned Hurt(const Change& change, unsigned context) {
  unsigned hurt = 0;
  if ((context & kSent) != 0 && change.breaks_consumers) hurt |= kSent;
  if ((context & kReceived) != 0 && change.breaks_producers) hurt |= kReceived;
  return hurt;
}

Side SideOf(unsigned sides) {
  if (sides == kSent) return Side::kConsumer;
  if (sides == kReceived) return Side::kProducer;
  return Side::kBoth;
}

}  // namespace

void FindingSet::Add(Change change, unsigned context) {
  const std::string key = change.rule + '\n' + KeyOf(change.old_at) + '\n' + KeyOf(change.new_at) +
                          '\n' + change.old_value + '\n' + change.new_value;
  auto [it, inserted] = by_key_.emplace(key, entries_.size());
  if (inserted) entries_.push_back(Entry{std::move(change)});
  Entry& entry = entries_[it->second];
  entry.seen |= context;
  const unsigned hurt = Hurt(entry.change, context);
  if ((context & kRoute) != 0) {
    entry.route_broken |= hurt;
  } else {
    entry.plain_broken |= hurt;
  }
}

void FindingSet::Add(std::string rule, const NodeRef& old_at, const NodeRef& new_at,
                     std::string old_value, std::string new_value, std::string why,
                     bool breaks_consumers, bool breaks_producers, unsigned context) {
  Add(Change{std::move(rule), old_at, new_at, std::move(old_value), std::move(new_value),
             std::move(why), breaks_consumers, breaks_producers},
      context);
}

Location FindingSet::Locate(const NodeRef& at, const std::filesystem::path& base) const {
  Location location;
  location.pointer = at.pointer;
  if (at.doc != nullptr) location.file = at.doc->path.lexically_relative(base).generic_string();
  return location;
}

std::vector<Finding> FindingSet::Findings() const {
  std::vector<Finding> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) {
    Finding f;
    if (e.plain_broken != 0) {
      f.severity = Severity::kBreaking;
      f.side = SideOf(e.plain_broken | e.route_broken);
    } else if (e.route_broken != 0) {
      f.severity = Severity::kBehaviour;
      f.side = SideOf(e.route_broken);
    } else {
      f.severity = Severity::kInfo;
      const unsigned sides = e.seen & (kSent | kReceived);
      f.side = sides == 0 ? Side::kBoth : SideOf(sides);
    }
    f.rule = e.change.rule;
    f.old_at = Locate(e.change.old_at, old_base_);
    f.new_at = Locate(e.change.new_at, new_base_);
    f.old_value = e.change.old_value;
    f.new_value = e.change.new_value;
    f.why = e.change.why;
    out.push_back(std::move(f));
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return static_cast<int>(a.severity) < static_cast<int>(b.severity);
  });
  return out;
}

}  // namespace driftline::contract::compat
