// The order generator sends exactly what the benchmarks, the fault campaign and the integration
// tests sent before they shared it: these bytes were taken from their own generators.
#include "testkit/orders.h"

#include <gtest/gtest.h>

namespace driftline::testkit {
namespace {

TEST(OrdersTest, TheBenchmarksMixIsUnchanged) {
  EXPECT_EQ(
      MixedOrder(BenchMix(), "BENCH-0", 0),
      R"({"customerId":"C","items":[{"price":9.5,"productId":"P","quantity":1}],"orderDate":"2026-01-19T10:00:00Z","orderId":"BENCH-0","orderType":"STANDARD","totalAmount":9.5})");
  EXPECT_EQ(
      MixedOrder(BenchMix(), "BENCH-1", 1),
      R"({"customerId":"C","expectedDeliveryDate":"2026-01-20T10:00:00Z","items":[{"price":9.5,"productId":"P","quantity":1},{"price":9.5,"productId":"P","quantity":1}],"orderDate":"2026-01-19T10:00:00Z","orderId":"BENCH-1","orderType":"PRIORITY","priorityLevel":"HIGH","totalAmount":9.5})");
  EXPECT_EQ(
      MixedOrder(BenchMix(), "BENCH-2", 2),
      R"({"batchId":"BENCH-2","batchTotalAmount":19,"customerId":"C","orderDate":"2026-01-19T10:00:00Z","orderType":"BULK","orders":[{"items":[{"price":9.5,"productId":"P","quantity":1},{"price":9.5,"productId":"P","quantity":1},{"price":9.5,"productId":"P","quantity":1}],"orderId":"BENCH-2-a"},{"items":[{"price":9.5,"productId":"P","quantity":1},{"price":9.5,"productId":"P","quantity":1},{"price":9.5,"productId":"P","quantity":1}],"orderId":"BENCH-2-b"}],"totalOrderCount":2})");
}

TEST(OrdersTest, TheFaultCampaignsMixIsUnchanged) {
  EXPECT_EQ(
      MixedOrder(FaultsMix(), "pre-1", 1),
      R"({"customerId":"CUST-FAULTS","expectedDeliveryDate":"2026-01-20T10:00:00Z","items":[{"price":9.5,"productId":"P0","quantity":1},{"price":9.5,"productId":"P1","quantity":2}],"orderDate":"2026-01-19T10:00:00Z","orderId":"pre-1","orderType":"PRIORITY","priorityLevel":"HIGH","totalAmount":9.5})");
  EXPECT_EQ(
      MixedOrder(FaultsMix(), "pre-2", 2),
      R"({"batchId":"pre-2","batchTotalAmount":19,"customerId":"CUST-FAULTS","orderDate":"2026-01-19T10:00:00Z","orderType":"BULK","orders":[{"items":[{"price":9.5,"productId":"P0","quantity":1},{"price":9.5,"productId":"P1","quantity":2},{"price":9.5,"productId":"P2","quantity":3}],"orderId":"pre-2-a","totalAmount":1},{"items":[{"price":9.5,"productId":"P0","quantity":1}],"orderId":"pre-2-b","totalAmount":1}],"totalOrderCount":2})");
  EXPECT_EQ(
      MixedOrder(FaultsMix(), "pre-5", 5, OrderType::kStandard),
      R"({"customerId":"CUST-FAULTS","items":[{"price":9.5,"productId":"P0","quantity":1},{"price":9.5,"productId":"P1","quantity":2},{"price":9.5,"productId":"P2","quantity":3}],"orderDate":"2026-01-19T10:00:00Z","orderId":"pre-5","orderType":"STANDARD","totalAmount":9.5})");
  EXPECT_EQ(
      PoisonOrder(FaultsMix(), "pre-21", 21),
      R"({"customerId":"CUST-FAULTS","items":[{"price":9.5,"productId":"P0","quantity":1}],"orderDate":"2026-01-19T10:00:00Z","orderId":"pre-21","orderType":"EXPRESS","totalAmount":9.5})");
  EXPECT_EQ(
      PoisonOrder(FaultsMix(), "pre-28", 28),
      R"({"customerId":"CUST-FAULTS","items":"none","orderDate":"2026-01-19T10:00:00Z","orderId":"pre-28","orderType":"STANDARD","totalAmount":9.5})");
  EXPECT_EQ(PoisonOrder(FaultsMix(), "pre-0", 0),
            "{\"orderType\": \"STANDARD\", \"orderId\": \"pre-0\", ");
  EXPECT_EQ(PoisonOrder(FaultsMix(), "pre-7", 7), "\xff\xfe not utf-8 pre-7");
  EXPECT_EQ(PoisonOrder(FaultsMix(), "pre-14", 14), R"(["pre-14",1,2])");
}

TEST(OrdersTest, TheIntegrationTestsOrdersAreUnchanged) {
  EXPECT_EQ(
      StandardOrder("X"),
      R"({"customerId":"CUST-IT","items":[{"price":1.5,"productId":"P0","quantity":1}],"orderDate":"2026-01-19T10:00:00Z","orderId":"X","orderType":"STANDARD","totalAmount":10.5})");
  EXPECT_EQ(
      PriorityOrder("Y"),
      R"({"customerId":"CUST-IT","expectedDeliveryDate":"2026-01-20T18:00:00Z","items":[{"price":1.5,"productId":"P0","quantity":1},{"price":1.5,"productId":"P1","quantity":1}],"orderDate":"2026-01-19T10:00:00Z","orderId":"Y","orderType":"PRIORITY","priorityLevel":"URGENT","totalAmount":10.5})");
  EXPECT_EQ(
      BulkOrder("Z", {1, 2, 1}),
      R"({"batchId":"Z","batchTotalAmount":100,"customerId":"CUST-IT","orderDate":"2026-01-19T10:00:00Z","orderType":"BULK","orders":[{"items":[{"productId":"P","quantity":2}],"orderId":"Z-0","totalAmount":1},{"items":[{"productId":"P","quantity":2},{"productId":"P","quantity":2}],"orderId":"Z-1","totalAmount":1},{"items":[{"productId":"P","quantity":2}],"orderId":"Z-2","totalAmount":1}],"totalOrderCount":3})");
}

}  // namespace
}  // namespace driftline::testkit
