#include "faults/orders.h"

#include <nlohmann/json.hpp>

namespace driftline::faults {
namespace {

using nlohmann::json;

json Items(int index) {
  json items = json::array();
  for (int k = 0; k < 1 + index % 3; ++k)
    items.push_back({{"productId", "P" + std::to_string(k)}, {"quantity", 1 + k}, {"price", 9.5}});
  return items;
}

json Standard(const std::string& id, int index) {
  return {{"orderType", "STANDARD"}, {"orderId", id},      {"customerId", "CUST-FAULTS"},
          {"items", Items(index)},   {"totalAmount", 9.5}, {"orderDate", "2026-01-19T10:00:00Z"}};
}

std::string Valid(const std::string& id, int index) {
  switch (index % 3) {
    case 0:
      return Standard(id, index).dump();
    case 1: {
      json j = Standard(id, index);
      j["orderType"] = "PRIORITY";
      j["priorityLevel"] = "HIGH";
      j["expectedDeliveryDate"] = "2026-01-20T10:00:00Z";
      return j.dump();
    }
    default:
      return json{{"orderType", "BULK"},
                  {"batchId", id},
                  {"customerId", "CUST-FAULTS"},
                  {"orders",
                   {{{"orderId", id + "-a"}, {"items", Items(index)}, {"totalAmount", 1}},
                    {{"orderId", id + "-b"}, {"items", Items(index + 1)}, {"totalAmount", 1}}}},
                  {"totalOrderCount", 2},
                  {"batchTotalAmount", 19},
                  {"orderDate", "2026-01-19T10:00:00Z"}}
          .dump();
  }
}

std::string Poison(const std::string& id, int index) {
  switch ((index / 7) % 5) {
    case 0:
      return "{\"orderType\": \"STANDARD\", \"orderId\": \"" + id + "\", ";  // cut short
    case 1:
      return std::string("\xff\xfe not utf-8 ") + id;
    case 2:
      return json::array({id, 1, 2}).dump();
    case 3: {
      json j = Standard(id, index);
      j["orderType"] = "EXPRESS";  // not one of the contract's order types
      return j.dump();
    }
    default: {
      json j = Standard(id, index);
      j["items"] = "none";  // a required field of the wrong type
      return j.dump();
    }
  }
}

}  // namespace

PlannedOrder MakeOrder(const std::string& prefix, int index, OrderKind kind) {
  PlannedOrder o;
  o.order_id = prefix + "-" + std::to_string(index);
  o.kind = kind;
  switch (kind) {
    case OrderKind::kMixed:
      o.payload = Valid(o.order_id, index);
      o.destination = Destination::kSqs;
      break;
    case OrderKind::kPoison:
      o.payload = Poison(o.order_id, index);
      o.destination = Destination::kDeadLetter;
      break;
    case OrderKind::kDirectDlq:
    case OrderKind::kAlwaysFail:
      o.payload = Standard(o.order_id, index).dump();
      o.destination = Destination::kDeadLetter;
      break;
    case OrderKind::kFailOnce:
      o.payload = Standard(o.order_id, index).dump();
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
