// The orders tests, benchmarks and the fault campaign send order-service: one generator, with
// the few knobs that tell their shapes apart, so each keeps sending exactly the bytes it always
// sent (pinned by tests/unit/testkit/orders_test.cc).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace driftline::testkit {

struct LineItem {
  std::string product_id;
  int quantity = 1;
  std::optional<double> price;
};

struct SubOrder {  // one order of a BULK batch
  std::string order_id;
  std::vector<LineItem> items;
  std::optional<int> total_amount;
};

enum class OrderType { kStandard, kPriority, kBulk };

// Any order of the lab's shape. STANDARD/PRIORITY use items and total_amount (PRIORITY also
// priority_level and expected_delivery_date); BULK uses sub_orders and batch_total_amount, with
// `id` as its batchId.
struct OrderSpec {
  OrderType type = OrderType::kStandard;
  std::string id;
  std::string customer_id;
  std::vector<LineItem> items;
  double total_amount = 0;
  std::string priority_level;
  std::string expected_delivery_date;
  std::vector<SubOrder> sub_orders;
  int batch_total_amount = 0;
  std::string order_date = "2026-01-19T10:00:00Z";
};
std::string OrderJson(const OrderSpec& spec);

// The integration tests' orders (customer CUST-IT): `items` items P0, P1, ... at 1.5.
std::string StandardOrder(const std::string& id, int items = 1);
// StandardOrder(id, 2) as an URGENT PRIORITY order.
std::string PriorityOrder(const std::string& id);
// A BULK batch with one sub-order `<batch_id>-<k>` per entry, of that many items.
std::string BulkOrder(const std::string& batch_id, const std::vector<int>& items_per_order);

// A reproducible mix: order `index` is STANDARD, PRIORITY (HIGH) or BULK (sub-orders
// `<id>-a`, `<id>-b`) by index % 3, each with 1 + index % 3 items at 9.5.
struct OrderMix {
  std::string customer_id;
  bool numbered_items = false;   // item k is "P<k>" x (1 + k); else "P" x 1
  bool bulk_sub_totals = false;  // sub-orders carry totalAmount 1; `-b` has index + 1's items
};
OrderMix BenchMix();   // the benchmarks' (customer "C")
OrderMix FaultsMix();  // the fault campaign's (customer "CUST-FAULTS")

// Order `index` of `mix`, with `id` as its orderId/batchId; `type` overrides the index's type.
std::string MixedOrder(const OrderMix& mix, const std::string& id, int index,
                       std::optional<OrderType> type = std::nullopt);

// An order the service must dead-letter, by (index / 7) % 5: cut-off JSON, invalid UTF-8, a JSON
// array, an unknown orderType, `items` of the wrong type (the last two of `mix`'s STANDARD shape).
std::string PoisonOrder(const OrderMix& mix, const std::string& id, int index);

}  // namespace driftline::testkit
