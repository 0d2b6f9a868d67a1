#include "order/order.h"

#include <gtest/gtest.h>

namespace driftline::order {
namespace {

using nlohmann::json;

class TransformTest : public ::testing::Test {
 protected:
  // 2026-01-19T10:00:05Z
  ManualClock clock_{Clock::WallTime{std::chrono::seconds(1768816805)}};
  FaultInjection no_faults_;

  json Run(const std::string& input, int attempt = 0) {
    auto parsed = ParseOrder(input);
    EXPECT_TRUE(parsed.has_value()) << parsed.error().message;
    auto out = Transform(*parsed, attempt, no_faults_, clock_);
    EXPECT_TRUE(out.has_value()) << out.error().message;
    return json::parse(out->body);
  }

  Failure Fails(const std::string& input, const FaultInjection& faults = {}, int attempt = 0) {
    auto parsed = ParseOrder(input);
    if (!parsed) return parsed.error();
    auto out = Transform(*parsed, attempt, faults, clock_);
    EXPECT_FALSE(out.has_value()) << "expected a failure for " << input;
    return out ? Failure{} : out.error();
  }
};

TEST_F(TransformTest, StandardBecomesWipWithItemCount) {
  const json out = Run(R"({"orderType":"STANDARD","orderId":"ORD-90001","customerId":"C",
      "items":[{"productId":"P1","quantity":1},{"productId":"P2","quantity":2}]})");
  EXPECT_EQ(out, json::parse(R"({"orderId":"ORD-90001","itemsCount":2,"status":"WIP",
      "processingStartedAt":"2026-01-19T10:00:05Z"})"));
}

TEST_F(TransformTest, PriorityBecomesDeliveredWithLocation) {
  const json out = Run(R"({"orderType":"PRIORITY","orderId":"ORD-P","items":[{},{}],
      "priorityLevel":"URGENT"})");
  EXPECT_EQ(out["orderId"], "ORD-P");
  EXPECT_EQ(out["itemsCount"], 2);
  EXPECT_EQ(out["status"], "DELIVERED");
  EXPECT_EQ(out["deliveredAt"], "2026-01-19T10:00:05Z");
  ASSERT_TRUE(out["deliveryLocation"].is_string());
  EXPECT_FALSE(out["deliveryLocation"].get<std::string>().empty());
}

TEST_F(TransformTest, BulkCountsItemsAcrossOrders) {
  const json out = Run(R"({"orderType":"BULK","batchId":"BATCH-90003","orders":[
      {"orderId":"A","items":[{"quantity":10}]},
      {"orderId":"B","items":[{"quantity":5},{"quantity":3}]},
      {"orderId":"C","items":[{"quantity":20}]}]})");
  EXPECT_EQ(out, json::parse(R"({"batchId":"BATCH-90003","itemsCount":4,"status":"COMPLETED",
      "completedAt":"2026-01-19T10:00:05Z","customerConfirmation":true})"));
}

TEST_F(TransformTest, TimestampFollowsTheClock) {
  clock_.Advance(std::chrono::milliseconds(61'000));
  const json out = Run(R"({"orderType":"STANDARD","orderId":"O","items":[]})");
  EXPECT_EQ(out["processingStartedAt"], "2026-01-19T10:01:06Z");
  EXPECT_EQ(out["itemsCount"], 0);
}

TEST(MessageKeyTest, ByTypeWithUnknownFallback) {
  EXPECT_EQ(MessageKeyOf(json::parse(R"({"orderType":"STANDARD","orderId":"O-1"})")), "O-1");
  EXPECT_EQ(MessageKeyOf(json::parse(R"({"orderType":"PRIORITY","orderId":"O-2"})")), "O-2");
  EXPECT_EQ(MessageKeyOf(json::parse(R"({"orderType":"BULK","batchId":"B-1","orderId":"x"})")),
            "B-1");
  EXPECT_EQ(MessageKeyOf(json::parse(R"({"orderType":"BULK","orderId":"x"})")), "unknown");
  EXPECT_EQ(MessageKeyOf(json::parse(R"({"orderType":"STANDARD","orderId":7})")), "unknown");
  EXPECT_EQ(MessageKeyOf(json::parse(R"({"orderType":"STANDARD","orderId":""})")), "unknown");
  EXPECT_EQ(MessageKeyOf(json::parse(R"([1,2])")), "unknown");
}

struct PermanentCase {
  const char* name;
  std::string input;
  const char* reason;
};

class PermanentFailureTest : public TransformTest,
                             public ::testing::WithParamInterface<PermanentCase> {};

TEST_P(PermanentFailureTest, IsNotRetryableAndSaysWhy) {
  const Failure f = Fails(GetParam().input);
  EXPECT_FALSE(f.retryable);
  EXPECT_EQ(f.reason, GetParam().reason);
  EXPECT_FALSE(f.message.empty());
  EXPECT_FALSE(f.where.empty());
}

std::string Deep(std::size_t depth) {
  return R"({"orderType":"STANDARD","orderId":"O","items":[],"x":)" + std::string(depth, '[') +
         std::string(depth, ']') + "}";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PermanentFailureTest,
    ::testing::Values(
        PermanentCase{"Empty", "", "empty"},
        PermanentCase{"NotJson", "{orderType: STANDARD", "invalid-json"},
        PermanentCase{"NotUtf8",
                      std::string("{\"orderType\":\"STANDARD\",\"orderId\":\"\xff\xfe\"}"),
                      "not-utf8"},
        PermanentCase{"Overlong", std::string("{\"a\":\"\xc0\xaf\"}"), "not-utf8"},
        PermanentCase{"NumberOverflow",
                      R"({"orderType":"STANDARD","orderId":"O","items":[],"x":1E510})",
                      "invalid-json"},  // found by order_fuzz: nlohmann throws out_of_range
        PermanentCase{"Binary", std::string("\x00\x01\x02", 3), "invalid-json"},
        PermanentCase{"Array", "[1,2,3]", "not-an-object"},
        PermanentCase{"String", "\"STANDARD\"", "not-an-object"},
        PermanentCase{"NoType", R"({"orderId":"O","items":[]})", "missing-field"},
        PermanentCase{"TypeNotString", R"({"orderType":1,"orderId":"O","items":[]})",
                      "missing-field"},
        PermanentCase{"UnknownType", R"({"orderType":"EXPRESS","orderId":"O","items":[]})",
                      "unknown-order-type"},
        PermanentCase{"NoOrderId", R"({"orderType":"STANDARD","items":[]})", "missing-field"},
        PermanentCase{"OrderIdNumber", R"({"orderType":"PRIORITY","orderId":5,"items":[]})",
                      "missing-field"},
        PermanentCase{"ItemsNotArray", R"({"orderType":"STANDARD","orderId":"O","items":{}})",
                      "missing-field"},
        PermanentCase{"BulkNoBatchId", R"({"orderType":"BULK","orders":[]})", "missing-field"},
        PermanentCase{"BulkOrdersNotArray", R"({"orderType":"BULK","batchId":"B","orders":3})",
                      "missing-field"},
        PermanentCase{"BulkSubItemsMissing",
                      R"({"orderType":"BULK","batchId":"B","orders":[{"orderId":"x"}]})",
                      "missing-field"},
        PermanentCase{"TooDeep", Deep(200), "too-deep"}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST_F(TransformTest, FaultInjectionByIdAndAttempt) {
  FaultInjection faults;
  faults.enabled = true;
  faults.fail_once = {"ORD-RETRY-90001"};
  faults.always_fail = {"ORD-DLQ-90001"};
  faults.direct_dlq = {"ORD-RECEIVE-DLQ-90001"};
  const auto order = [](const char* id) {
    return std::string(R"({"orderType":"STANDARD","items":[],"orderId":")") + id + "\"}";
  };

  Failure once = Fails(order("ORD-RETRY-90001"), faults, 0);
  EXPECT_TRUE(once.retryable);
  auto parsed = ParseOrder(order("ORD-RETRY-90001"));
  EXPECT_TRUE(Transform(*parsed, 1, faults, clock_).has_value()) << "succeeds on the retry";

  for (int attempt : {0, 1, 2, 3}) {
    EXPECT_TRUE(Fails(order("ORD-DLQ-90001"), faults, attempt).retryable);
  }
  Failure direct = Fails(order("ORD-RECEIVE-DLQ-90001"), faults, 0);
  EXPECT_FALSE(direct.retryable);
  EXPECT_EQ(direct.reason, "injected-permanent");

  faults.enabled = false;
  parsed = ParseOrder(order("ORD-DLQ-90001"));
  EXPECT_TRUE(Transform(*parsed, 0, faults, clock_).has_value()) << "off means off";
}

}  // namespace
}  // namespace driftline::order
