// The business rules of the order bridge, free of any I/O: parsing an order, transforming it
// into the SQS message its type calls for, and the test-only fault injection of the lab.
//
// Every function here is deterministic given its inputs and the Clock, so the rules are tested
// without Kafka, SQS or sleeping.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "common/clock.h"
#include "common/status.h"

namespace driftline::order {

enum class OrderType { kStandard, kPriority, kBulk };

// "STANDARD" | "PRIORITY" | "BULK"
std::string_view OrderTypeName(OrderType type);

// Why an order cannot be processed. Permanent failures go to the DLQ at once; retryable ones to
// the retry topic. The reason is a short machine-readable tag used in metrics and DLQ headers.
struct Failure {
  bool retryable = false;
  std::string reason;   // e.g. "invalid-json", "missing-field", "unknown-order-type"
  std::string message;  // a sentence a person can act on
  std::string where;    // the step that failed, e.g. "transform PRIORITY order ORD-1"
};

// A Kafka record's value decoded as an order: a JSON object, with its type and key.
struct ParsedOrder {
  nlohmann::json body;  // always an object
  OrderType type;
  std::string key;  // orderId (STANDARD, PRIORITY) or batchId (BULK); "unknown" if absent
};

// A value or the Failure that prevented it.
template <typename T>
using Outcome = tl::expected<T, Failure>;

// Decodes raw bytes. Permanent failures: empty input, not UTF-8, not JSON, JSON that is not an
// object, nesting deeper than kMaxDepth, `orderType` missing, not a string or unknown.
Outcome<ParsedOrder> ParseOrder(std::string_view bytes);

// Key of an already-decoded order object: orderId/batchId by type, "unknown" when absent or not
// a string. Works on any JSON value (non-objects give "unknown").
std::string MessageKeyOf(const nlohmann::json& order);

inline constexpr int kMaxDepth = 64;

// Test-only fault injection, by order/batch id (the lab's ENABLE_TEST_FAILURE_SCENARIOS).
struct FaultInjection {
  bool enabled = false;
  std::set<std::string> fail_once;    // fail the first attempt (main topic) only
  std::set<std::string> always_fail;  // fail every attempt (retryable)
  std::set<std::string> direct_dlq;   // fail permanently on the first attempt
};

// The transformed order for the SQS queue.
struct SqsOrder {
  std::string body;  // compact JSON
  std::string key;   // orderId / batchId
};

// Transforms an order by its type:
//   STANDARD -> {orderId, itemsCount, status:"WIP", processingStartedAt}
//   PRIORITY -> {orderId, itemsCount, status:"DELIVERED", deliveredAt, deliveryLocation}
//   BULK     -> {batchId, itemsCount = sum of items over orders, status:"COMPLETED",
//               completedAt, customerConfirmation:true}
// `attempt` is 0 on the main topic and n+1 when processing a retry envelope with retryCount n;
// it only matters for fault injection. Permanent failures: a required field missing or of the
// wrong type (orderId/batchId string, items/orders arrays of objects); injected faults as listed.
Outcome<SqsOrder> Transform(const ParsedOrder& order, int attempt, const FaultInjection& faults,
                            const Clock& clock);

}  // namespace driftline::order
