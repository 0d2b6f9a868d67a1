#include "faults/orders.h"

#include <algorithm>

#include "testkit/orders.h"

namespace driftline::faults {
PlannedOrder MakeOrder(const std::string& prefix, int index, OrderKind kind) {
  PlannedOrder o;
  o.order_id = prefix + "-" + std::to_string(index);
  o.kind = kind;
  switch (kind) {
    case OrderKind::kMixed:
      o.payload = testkit::MixedOrder(testkit::FaultsMix(), o.order_id, index);
      o.destination = Destination::kSqs;
      break;
    case OrderKind::kPoison:
      o.payload = testkit::PoisonOrder(testkit::FaultsMix(), o.order_id, index);
      o.destination = Destination::kDeadLetter;
      break;
    case OrderKind::kDirectDlq:
    case OrderKind::kAlwaysFail:
      o.payload = testkit::MixedOrder(testkit::FaultsMix(), o.order_id, index,
                                      testkit::OrderType::kStandard);
      o.destination = Destination::kDeadLetter;
      break;
    case OrderKind::kFailOnce:
      o.payload = testkit::MixedOrder(testkit::FaultsMix(), o.order_id, index,
                                      testkit::OrderType::kStandard);
      o.destination = Destination::kSqs;
      break;
  }
  return o;
}

void Ledger::Add(const PlannedOrder& order) {
  std::lock_guard lock(mu_);
  entries_.emplace(order.order_id, Entry{order.destination});
}

void Ledger::CountSqs(const std::string& correlation_id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(correlation_id);
  if (it == entries_.end()) {
    ++unknown_;
  } else {
    ++it->second.sqs;
  }
}

void Ledger::CountDeadLetter(const std::string& correlation_id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(correlation_id);
  if (it == entries_.end()) {
    ++unknown_;
  } else {
    ++it->second.dlq;
  }
}

std::int64_t Ledger::Orders() const {
  std::lock_guard lock(mu_);
  return static_cast<std::int64_t>(entries_.size());
}

std::int64_t Ledger::MissingInSqs() const {
  std::lock_guard lock(mu_);
  std::int64_t n = 0;
  for (const auto& [id, e] : entries_)
    n += e.destination == Destination::kSqs && e.sqs == 0;
  return n;
}

std::int64_t Ledger::MissingInDeadLetter() const {
  std::lock_guard lock(mu_);
  std::int64_t n = 0;
  for (const auto& [id, e] : entries_)
    n += e.destination == Destination::kDeadLetter && e.dlq == 0;
  return n;
}

Tally Ledger::Summarize() const {
  std::lock_guard lock(mu_);
  Tally t;
  t.orders = static_cast<std::int64_t>(entries_.size());
  t.unknown = unknown_;
  for (const auto& [id, e] : entries_) {
    t.in_sqs += e.sqs > 0;
    t.in_dlq += e.dlq > 0;
    const int due = e.destination == Destination::kSqs ? e.sqs : e.dlq;
    const int other = e.destination == Destination::kSqs ? e.dlq : e.sqs;
    t.lost += due == 0;
    t.misrouted += other > 0;
    t.duplicates += std::max(0, e.sqs + e.dlq - 1);
  }
  return t;
}

std::vector<std::string> Ledger::LostIds(std::size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, e] : entries_) {
    if (out.size() >= limit) break;
    const int due = e.destination == Destination::kSqs ? e.sqs : e.dlq;
    if (due == 0) out.push_back(id);
  }
  return out;
}

}  // namespace driftline::faults
