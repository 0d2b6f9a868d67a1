#include "testkit/orders.h"

#include <nlohmann/json.hpp>

namespace driftline::testkit {
namespace {

using nlohmann::json;

json ItemsJson(const std::vector<LineItem>& items) {
  json out = json::array();
  for (const LineItem& item : items) {
    json j = {{"productId", item.product_id}, {"quantity", item.quantity}};
    if (item.price) j["price"] = *item.price;
    out.push_back(j);
  }
  return out;
}

json SpecJson(const OrderSpec& spec) {
  if (spec.type == OrderType::kBulk) {
    json orders = json::array();
    for (const SubOrder& o : spec.sub_orders) {
      json j = {{"orderId", o.order_id}, {"items", ItemsJson(o.items)}};
      if (o.total_amount) j["totalAmount"] = *o.total_amount;
      orders.push_back(j);
    }
    return {{"orderType", "BULK"},
            {"batchId", spec.id},
            {"customerId", spec.customer_id},
            {"orders", orders},
            {"totalOrderCount", spec.sub_orders.size()},
            {"batchTotalAmount", spec.batch_total_amount},
            {"orderDate", spec.order_date}};
  }
  json j = {{"orderType", spec.type == OrderType::kPriority ? "PRIORITY" : "STANDARD"},
            {"orderId", spec.id},
            {"customerId", spec.customer_id},
            {"items", ItemsJson(spec.items)},
            {"totalAmount", spec.total_amount},
            {"orderDate", spec.order_date}};
  if (spec.type == OrderType::kPriority) {
    j["priorityLevel"] = spec.priority_level;
    j["expectedDeliveryDate"] = spec.expected_delivery_date;
  }
  return j;
}

std::vector<LineItem> MixItems(const OrderMix& mix, int index) {
  std::vector<LineItem> items;
  for (int k = 0; k < 1 + index % 3; ++k) {
    if (mix.numbered_items) {
      items.push_back({"P" + std::to_string(k), 1 + k, 9.5});
    } else {
      items.push_back({"P", 1, 9.5});
    }
  }
  return items;
}

OrderSpec MixSpec(const OrderMix& mix, const std::string& id, int index, OrderType type) {
  OrderSpec spec;
  spec.type = type;
  spec.id = id;
  spec.customer_id = mix.customer_id;
  if (type == OrderType::kBulk) {
    const std::optional<int> total =
        mix.bulk_sub_totals ? std::optional<int>(1) : std::optional<int>();
    spec.sub_orders = {{id + "-a", MixItems(mix, index), total},
                       {id + "-b", MixItems(mix, mix.bulk_sub_totals ? index + 1 : index), total}};
    spec.batch_total_amount = 19;
    return spec;
  }
  spec.items = MixItems(mix, index);
  spec.total_amount = 9.5;
  spec.priority_level = "HIGH";
  spec.expected_delivery_date = "2026-01-20T10:00:00Z";
  return spec;
}

}  // namespace

std::string OrderJson(const OrderSpec& spec) {
  return SpecJson(spec).dump();
}

std::string StandardOrder(const std::string& id, int items) {
  OrderSpec spec;
  spec.id = id;
  spec.customer_id = "CUST-IT";
  for (int i = 0; i < items; ++i)
    spec.items.push_back({"P" + std::to_string(i), 1, 1.5});
  spec.total_amount = 10.5;
  return OrderJson(spec);
}

std::string PriorityOrder(const std::string& id) {
  OrderSpec spec;
  spec.type = OrderType::kPriority;
  spec.id = id;
  spec.customer_id = "CUST-IT";
  spec.items = {{"P0", 1, 1.5}, {"P1", 1, 1.5}};
  spec.total_amount = 10.5;
  spec.priority_level = "URGENT";
  spec.expected_delivery_date = "2026-01-20T18:00:00Z";
  return OrderJson(spec);
}

std::string BulkOrder(const std::string& batch_id, const std::vector<int>& items_per_order) {
  OrderSpec spec;
  spec.type = OrderType::kBulk;
  spec.id = batch_id;
  spec.customer_id = "CUST-IT";
  spec.batch_total_amount = 100;
  for (std::size_t k = 0; k < items_per_order.size(); ++k) {
    SubOrder o{batch_id + "-" + std::to_string(k), {}, 1};
    for (int i = 0; i < items_per_order[k]; ++i)
      o.items.push_back({"P", 2, std::nullopt});
    spec.sub_orders.push_back(o);
  }
  return OrderJson(spec);
}

OrderMix BenchMix() {
  return {"C", false, false};
}

OrderMix FaultsMix() {
  return {"CUST-FAULTS", true, true};
}

std::string MixedOrder(const OrderMix& mix, const std::string& id, int index,
                       std::optional<OrderType> type) {
  static constexpr OrderType kByIndex[] = {OrderType::kStandard, OrderType::kPriority,
                                           OrderType::kBulk};
  return OrderJson(MixSpec(mix, id, index, type.value_or(kByIndex[index % 3])));
}

std::string PoisonOrder(const OrderMix& mix, const std::string& id, int index) {
  switch ((index / 7) % 5) {
    case 0:
      return "{\"orderType\": \"STANDARD\", \"orderId\": \"" + id + "\", ";  // cut short
    case 1:
      return std::string("\xff\xfe not utf-8 ") + id;
    case 2:
      return json::array({id, 1, 2}).dump();
    case 3: {
      json j = SpecJson(MixSpec(mix, id, index, OrderType::kStandard));
      j["orderType"] = "EXPRESS";  // not one of the contract's order types
      return j.dump();
    }
    default: {
      json j = SpecJson(MixSpec(mix, id, index, OrderType::kStandard));
      j["items"] = "none";  // a required field of the wrong type
      return j.dump();
    }
  }
}

}  // namespace driftline::testkit
