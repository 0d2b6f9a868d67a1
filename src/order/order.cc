#include "order/order.h"

#include <utility>

namespace driftline::order {
namespace {

using nlohmann::json;

tl::unexpected<Failure> Permanent(std::string reason, std::string message, std::string where) {
  return tl::unexpected<Failure>(
      Failure{false, std::move(reason), std::move(message), std::move(where)});
}

tl::unexpected<Failure> Retryable(std::string reason, std::string message, std::string where) {
  return tl::unexpected<Failure>(
      Failure{true, std::move(reason), std::move(message), std::move(where)});
}

// Depth of nesting, stopping early once past the limit.
bool DeeperThan(const json& v, int limit) {
  if (limit < 0) return true;
  if (v.is_object() || v.is_array()) {
    for (const auto& child : v) {
      if (DeeperThan(child, limit - 1)) return true;
    }
  }
  return false;
}

std::optional<OrderType> ParseOrderType(std::string_view name) {
  if (name == "STANDARD") return OrderType::kStandard;
  if (name == "PRIORITY") return OrderType::kPriority;
  if (name == "BULK") return OrderType::kBulk;
  return std::nullopt;
}

// The first invalid UTF-8 byte's offset, or npos. nlohmann's parser also rejects ill-formed
// UTF-8 inside strings, but this names the offset and also catches bytes outside strings.
size_t FirstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80, cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800, cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000, cp = c & 0x07u;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

const json* Field(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

std::string TypeNameOf(const json* v) {
  return v == nullptr ? "missing" : v->type_name();
}

// The id used for fault injection and messages: orderId or batchId.
std::string IdOf(const ParsedOrder& order) {
  return order.key;
}

}  // namespace

std::string_view OrderTypeName(OrderType type) {
  switch (type) {
    case OrderType::kStandard:
      return "STANDARD";
    case OrderType::kPriority:
      return "PRIORITY";
    case OrderType::kBulk:
      return "BULK";
  }
  return "UNKNOWN";
}

std::string MessageKeyOf(const json& order) {
  if (!order.is_object()) return "unknown";
  const json* type = Field(order, "orderType");
  const char* key_field =
      (type != nullptr && type->is_string() && *type == "BULK") ? "batchId" : "orderId";
  const json* key = Field(order, key_field);
  if (key == nullptr || !key->is_string() || key->get_ref<const std::string&>().empty()) {
    return "unknown";
  }
  return key->get<std::string>();
}

Outcome<ParsedOrder> ParseOrder(std::string_view bytes) {
  const std::string where = "decode order";
  if (bytes.empty()) return Permanent("empty", "the message has no payload", where);
  if (const size_t bad = FirstInvalidUtf8(bytes); bad != std::string_view::npos) {
    return Permanent(
        "not-utf8",
        "the payload is not UTF-8 text (invalid byte at offset " + std::to_string(bad) + ")",
        where);
  }
  json body;
  try {
    body = json::parse(bytes);
  } catch (const json::exception& e) {
    // parse_error for bad syntax, out_of_range for numbers too large for a double (1E510).
    return Permanent("invalid-json", std::string("the payload is not valid JSON: ") + e.what(),
                     where);
  }
  if (!body.is_object()) {
    return Permanent("not-an-object",
                     std::string("the payload is JSON ") + body.type_name() + ", not an object",
                     where);
  }
  if (DeeperThan(body, kMaxDepth)) {
    return Permanent("too-deep",
                     "the payload nests deeper than " + std::to_string(kMaxDepth) + " levels",
                     where);
  }
  const json* type = Field(body, "orderType");
  if (type == nullptr || !type->is_string()) {
    return Permanent("missing-field",
                     "required field 'orderType' is " + TypeNameOf(type) + ", expected a string",
                     where);
  }
  const auto parsed = ParseOrderType(type->get_ref<const std::string&>());
  if (!parsed) {
    return Permanent(
        "unknown-order-type",
        "orderType '" + type->get<std::string>() + "' is not one of STANDARD, PRIORITY, BULK",
        where);
  }
  std::string key = MessageKeyOf(body);
  return ParsedOrder{std::move(body), *parsed, std::move(key)};
}

Outcome<SqsOrder> Transform(const ParsedOrder& order, int attempt, const FaultInjection& faults,
                            const Clock& clock) {
  const std::string id = IdOf(order);
  const std::string where = "transform " + std::string(OrderTypeName(order.type)) + " order " + id +
                            " (attempt " + std::to_string(attempt + 1) + ")";

  if (faults.enabled) {
    if (faults.direct_dlq.contains(id)) {
      return Permanent("injected-permanent", "Simulated non-retryable failure for order: " + id,
                       where);
    }
    if (faults.always_fail.contains(id)) {
      return Retryable("injected-always", "Simulated transformation failure for order: " + id,
                       where);
    }
    if (attempt == 0 && faults.fail_once.contains(id)) {
      return Retryable("injected-once",
                       "Simulated transient transformation failure for order: " + id, where);
    }
  }

  const json& in = order.body;
  const std::string now = FormatUtcSeconds(clock.Wall());
  const char* key_field = order.type == OrderType::kBulk ? "batchId" : "orderId";
  const json* key = Field(in, key_field);
  if (key == nullptr || !key->is_string() || key->get_ref<const std::string&>().empty()) {
    return Permanent("missing-field",
                     std::string("required field '") + key_field + "' is " + TypeNameOf(key) +
                         ", expected a non-empty string",
                     where);
  }

  json out;
  if (order.type == OrderType::kBulk) {
    const json* orders = Field(in, "orders");
    if (orders == nullptr || !orders->is_array()) {
      return Permanent("missing-field",
                       "required field 'orders' is " + TypeNameOf(orders) + ", expected an array",
                       where);
    }
    std::size_t items = 0;
    for (std::size_t i = 0; i < orders->size(); ++i) {
      const json& sub = (*orders)[i];
      const json* sub_items = sub.is_object() ? Field(sub, "items") : nullptr;
      if (sub_items == nullptr || !sub_items->is_array()) {
        return Permanent("missing-field",
                         "field 'orders/" + std::to_string(i) + "/items' is " +
                             TypeNameOf(sub_items) + ", expected an array",
                         where);
      }
      items += sub_items->size();
    }
    out = {{"batchId", *key},
           {"itemsCount", items},
           {"status", "COMPLETED"},
           {"completedAt", now},
           {"customerConfirmation", true}};
  } else {
    const json* items = Field(in, "items");
    if (items == nullptr || !items->is_array()) {
      return Permanent("missing-field",
                       "required field 'items' is " + TypeNameOf(items) + ", expected an array",
                       where);
    }
    out = {{"orderId", *key}, {"itemsCount", items->size()}};
    if (order.type == OrderType::kStandard) {
      out["status"] = "WIP";
      out["processingStartedAt"] = now;
    } else {
      out["status"] = "DELIVERED";
      out["deliveredAt"] = now;
      const json* address = Field(in, "deliveryAddress");
      out["deliveryLocation"] =
          (address != nullptr && address->is_string() && !address->get<std::string>().empty())
              ? address->get<std::string>()
              : std::string("Priority dispatch centre");
    }
  }
  return SqsOrder{out.dump(), key->get<std::string>()};
}

}  // namespace driftline::order
