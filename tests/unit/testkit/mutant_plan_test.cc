// The mutant provider's timelines, without any server: the control is the lab provider's
// behaviour to the millisecond, and every defect deviates from it exactly as its row says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "testkit/mutant_provider/plan.h"

namespace driftline::testkit::mutant {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using ::testing::ElementsAre;

// 2026-01-19T10:00:00Z
const Clock::WallTime kNow = Clock::WallTime{} + milliseconds(1768816800000);

kafka::Message Order(const std::string& payload, std::optional<std::string> key = std::nullopt) {
  kafka::Message m;
  m.topic = "orders";
  m.partition = 0;
  m.offset = 7;
  m.key = std::move(key);
  m.payload = payload;
  m.headers.Add("CorrelationId", "corr-1");
  return m;
}

std::string Single(const std::string& type, const std::string& id, int items) {
  json order{{"orderType", type},
             {"orderId", id},
             {"customerId", "C"},
             {"totalAmount", 1.5},
             {"orderDate", "2026-01-19T09:00:00Z"}};
  order["items"] = json::array();
  for (int i = 0; i < items; ++i)
    order["items"].push_back({{"productId", "P"}, {"quantity", 1}, {"price", 1.5}});
  if (type == "PRIORITY") {
    order["priorityLevel"] = "HIGH";
    order["expectedDeliveryDate"] = "2026-01-20T09:00:00Z";
  }
  return order.dump();
}

std::string Bulk() {
  json item{{"productId", "P"}, {"quantity", 1}, {"price", 1.0}};
  return json{
      {"orderType", "BULK"},
      {"batchId", "BATCH-1"},
      {"customerId", "C"},
      {"orders",
       {{{"orderId", "A"}, {"items", {item, item}}}, {{"orderId", "B"}, {"items", {item}}}}},
      {"totalOrderCount", 2},
      {"batchTotalAmount", 3.0},
      {"orderDate", "2026-01-19T09:00:00Z"}}
      .dump();
}

// The lab's six orders, by what they exercise.
const std::string kStandard = Single("STANDARD", "ORD-90001", 2);
const std::string kPriority = Single("PRIORITY", "ORD-PRIORITY-90002", 2);
const std::string kFailOnce = Single("STANDARD", "ORD-RETRY-90001", 1);
const std::string kAlwaysFail = Single("PRIORITY", "ORD-DLQ-90001", 1);
const std::string kDirectDlq = Single("STANDARD", "ORD-RECEIVE-DLQ-90001", 1);
const std::string kBulk = Bulk();
const std::vector<std::string> kLabOrders = {kStandard, kPriority,   kBulk,
                                             kFailOnce, kAlwaysFail, kDirectDlq};

// An order object with `removed` members left out.
std::string Without(const std::string& order, const std::vector<std::string>& removed) {
  json o = json::parse(order);
  for (const std::string& name : removed)
    o.erase(name);
  return o.dump();
}

// Invalid input the control dead-letters at once.
const std::string kNotJson = "{not json";
const std::string kNoOrderType = Without(Single("STANDARD", "ORD-NOTYPE-1", 2), {"orderType"});

Rules LabRules() {
  Rules rules;
  rules.channels = {"orders", "retry", "dlq"};
  rules.faults.enabled = true;
  rules.faults.fail_once = {"ORD-RETRY-90001"};
  rules.faults.always_fail = {"ORD-DLQ-90001"};
  rules.faults.direct_dlq = {"ORD-RECEIVE-DLQ-90001"};
  return rules;
}

Behaviour BehaviourNamed(const std::string& defect) {
  auto d = FindDefect(defect);
  EXPECT_TRUE(d.has_value()) << defect;
  return d ? BehaviourOf(**d) : Behaviour{};
}

std::vector<PlannedOutput> Plan(const std::string& payload, const std::string& defect = "none",
                                std::optional<std::string> key = std::nullopt) {
  return PlanOutputs(Order(payload, std::move(key)), kNow, LabRules(), BehaviourNamed(defect));
}

// "+1000 retry 1 -> retry", "+7001 dlq 3 -> dlq", "+0 reply -> queue": when, what, where.
std::vector<std::string> Timeline(const std::vector<PlannedOutput>& plan) {
  std::vector<std::string> out;
  for (const PlannedOutput& o : plan) {
    std::string line = "+" + std::to_string((o.due - kNow) / milliseconds(1)) + " ";
    switch (o.kind) {
      case PlannedOutput::Kind::kReply:
        line += "reply";
        break;
      case PlannedOutput::Kind::kRetryEnvelope:
        line += "retry " + std::to_string(o.retry_count);
        break;
      case PlannedOutput::Kind::kDeadLetter:
        line += "dlq " + std::to_string(o.retry_count);
        break;
    }
    const auto* record = std::get_if<kafka::OutgoingMessage>(&o.message);
    out.push_back(line + " -> " + (record != nullptr ? record->topic : "queue"));
  }
  return out;
}

json Body(const PlannedOutput& o) {
  if (const auto* record = std::get_if<kafka::OutgoingMessage>(&o.message))
    return json::parse(record->payload);
  return json::parse(std::get<sqs::OutgoingMessage>(o.message).body);
}

// Everything a plan writes: when, what, where, the body, CreateTime and key.
std::string Render(const std::vector<PlannedOutput>& plan) {
  std::string text;
  for (const PlannedOutput& o : plan) {
    text += o.Describe(kNow) + " " + Body(o).dump() + "\n";
    if (const auto* r = std::get_if<kafka::OutgoingMessage>(&o.message))
      text += std::to_string(r->timestamp_ms.value_or(-1)) + " " + r->key.value_or("") + "\n";
  }
  return text;
}

const kafka::OutgoingMessage& RecordOf(const PlannedOutput& o) {
  return std::get<kafka::OutgoingMessage>(o.message);
}

std::optional<std::string> HeaderOf(const PlannedOutput& o) {
  const kafka::Header* h = RecordOf(o).headers.Find("CorrelationId");
  return h != nullptr ? h->value : std::nullopt;
}

std::optional<std::string> AttributeOf(const PlannedOutput& o) {
  const auto& attributes = std::get<sqs::OutgoingMessage>(o.message).attributes;
  auto it = attributes.find("CorrelationId");
  if (it == attributes.end()) return std::nullopt;
  EXPECT_EQ(it->second.data_type, "String");
  return it->second.string_value;
}

TEST(MutantPlanTest, ReplyByOrderType) {
  const auto standard = Plan(kStandard);
  EXPECT_THAT(Timeline(standard), ElementsAre("+0 reply -> queue"));
  EXPECT_EQ(Body(standard[0]), json::parse(R"({"orderId":"ORD-90001","itemsCount":2,
      "status":"WIP","processingStartedAt":"2026-01-19T10:00:00Z"})"));
  EXPECT_EQ(AttributeOf(standard[0]), "corr-1");

  const json priority = Body(Plan(kPriority)[0]);
  EXPECT_EQ(priority["status"], "DELIVERED");
  EXPECT_EQ(priority["deliveredAt"], "2026-01-19T10:00:00Z");
  EXPECT_FALSE(priority["deliveryLocation"].get<std::string>().empty());

  EXPECT_EQ(Body(Plan(kBulk)[0]), json::parse(R"({"batchId":"BATCH-1","itemsCount":3,
      "status":"COMPLETED","completedAt":"2026-01-19T10:00:00Z","customerConfirmation":true})"));
}

TEST(MutantPlanTest, AlwaysFailIsRetriedThreeTimesThenDeadLettered) {
  const auto plan = Plan(kAlwaysFail);
  EXPECT_THAT(Timeline(plan),
              ElementsAre("+0 retry 0 -> retry", "+1000 retry 1 -> retry", "+3000 retry 2 -> retry",
                          "+7000 retry 3 -> retry", "+7001 dlq 3 -> dlq"));
  // Records carry their due time as CreateTime: the spacing is exact, the order strict.
  for (std::size_t i = 0; i < plan.size(); ++i)
    EXPECT_EQ(RecordOf(plan[i]).timestamp_ms, ToEpochMillis(plan[i].due));
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(RecordOf(plan[i]).key, "ORD-DLQ-90001");
    EXPECT_EQ(HeaderOf(plan[i]), "corr-1");
    const json e = Body(plan[i]);
    EXPECT_EQ(e["retryCount"], i);
    EXPECT_EQ(e["messageKey"], "ORD-DLQ-90001");
    EXPECT_EQ(e["originalMessage"], json::parse(kAlwaysFail));
    EXPECT_EQ(e["firstAttemptTimestamp"], "2026-01-19T10:00:00Z");
    EXPECT_THAT(e["errorMessage"].get<std::string>(), ::testing::HasSubstr("ORD-DLQ-90001"));
    EXPECT_TRUE(e["errorStackTrace"].is_string());
  }
  EXPECT_EQ(Body(plan[3])["lastAttemptTimestamp"], "2026-01-19T10:00:07Z");
  const json dl = Body(plan[4]);
  EXPECT_EQ(dl["totalRetries"], 3);
  EXPECT_EQ(dl["failureReason"], "retries-exhausted");
  EXPECT_THAT(dl["finalErrorMessage"].get<std::string>(),
              ::testing::StartsWith("Retries exhausted after 3 attempts"));
  EXPECT_EQ(dl["failedTimestamp"], "2026-01-19T10:00:07Z");
  EXPECT_EQ(RecordOf(plan[4]).key, "ORD-DLQ-90001");
  EXPECT_EQ(HeaderOf(plan[4]), "corr-1");
}

TEST(MutantPlanTest, FailOnceIsRetriedOnceThenAnswered) {
  const auto plan = Plan(kFailOnce);
  EXPECT_THAT(Timeline(plan), ElementsAre("+0 retry 0 -> retry", "+1000 reply -> queue"));
  EXPECT_EQ(Body(plan[1])["processingStartedAt"], "2026-01-19T10:00:01Z");
}

TEST(MutantPlanTest, PermanentFailuresAndPoisonAreDeadLetteredAtOnce) {
  const auto direct = Plan(kDirectDlq);
  EXPECT_THAT(Timeline(direct), ElementsAre("+0 dlq 0 -> dlq"));
  EXPECT_EQ(Body(direct[0])["failureReason"], "injected-permanent");
  EXPECT_EQ(Body(direct[0])["originalMessage"], json::parse(kDirectDlq));

  const auto poison = PlanOutputs(Order("\"this is not an order\"", "BAD-1"), kNow, LabRules(), {});
  ASSERT_THAT(Timeline(poison), ElementsAre("+0 dlq 0 -> dlq"));
  const json p = Body(poison[0]);
  EXPECT_EQ(p["originalMessage"], json::object());
  EXPECT_EQ(p["rawMessageBase64"], Base64Encode("\"this is not an order\""));
  EXPECT_EQ(p["messageKey"], "BAD-1");
  EXPECT_EQ(RecordOf(poison[0]).key, "BAD-1");
  EXPECT_EQ(p["failureReason"], "not-an-object");

  const auto unknown = Plan(Single("RETURN", "RET-1", 1));
  ASSERT_THAT(Timeline(unknown), ElementsAre("+0 dlq 0 -> dlq"));
  EXPECT_EQ(Body(unknown[0])["messageKey"], "RET-1");
  EXPECT_EQ(Body(unknown[0])["failureReason"], "unknown-order-type");

  EXPECT_THAT(Timeline(Plan("{not json")), ElementsAre("+0 dlq 0 -> dlq"));
}

TEST(MutantPlanTest, RetryChainDefects) {
  EXPECT_THAT(Timeline(Plan(kAlwaysFail, "chain-starts-at-1")),
              ElementsAre("+0 retry 1 -> retry", "+2000 retry 2 -> retry", "+6000 retry 3 -> retry",
                          "+6001 dlq 3 -> dlq"));
  EXPECT_THAT(Timeline(Plan(kFailOnce, "chain-starts-at-1")),
              ElementsAre("+0 retry 1 -> retry", "+2000 reply -> queue"));
  EXPECT_THAT(Timeline(Plan(kAlwaysFail, "single-late-envelope")),
              ElementsAre("+7000 retry 3 -> retry", "+7001 dlq 3 -> dlq"));
  EXPECT_THAT(Timeline(Plan(kFailOnce, "single-late-envelope")),
              ElementsAre("+0 retry 0 -> retry", "+1000 reply -> queue"));
  EXPECT_THAT(Timeline(Plan(kAlwaysFail, "fixed-delay")),
              ElementsAre("+0 retry 0 -> retry", "+4000 retry 1 -> retry", "+8000 retry 2 -> retry",
                          "+12000 retry 3 -> retry", "+12001 dlq 3 -> dlq"));
  EXPECT_THAT(Timeline(Plan(kFailOnce, "fixed-delay")),
              ElementsAre("+0 retry 0 -> retry", "+4000 reply -> queue"));
  EXPECT_THAT(Timeline(Plan(kAlwaysFail, "no-backoff")),
              ElementsAre("+0 retry 0 -> retry", "+0 retry 1 -> retry", "+0 retry 2 -> retry",
                          "+0 retry 3 -> retry", "+1 dlq 3 -> dlq"));
  EXPECT_THAT(Timeline(Plan(kFailOnce, "no-backoff")),
              ElementsAre("+0 retry 0 -> retry", "+0 reply -> queue"));
  EXPECT_THAT(
      Timeline(Plan(kAlwaysFail, "one-retry-too-many")),
      ElementsAre("+0 retry 0 -> retry", "+1000 retry 1 -> retry", "+3000 retry 2 -> retry",
                  "+7000 retry 3 -> retry", "+15000 retry 4 -> retry", "+15001 dlq 4 -> dlq"));
  EXPECT_THAT(Timeline(Plan(kAlwaysFail, "one-retry-too-few")),
              ElementsAre("+0 retry 0 -> retry", "+1000 retry 1 -> retry", "+3000 retry 2 -> retry",
                          "+3001 dlq 2 -> dlq"));
  EXPECT_THAT(Timeline(Plan(kAlwaysFail, "total-retries-off-by-one")),
              ElementsAre("+0 retry 0 -> retry", "+1000 retry 1 -> retry", "+3000 retry 2 -> retry",
                          "+7000 retry 3 -> retry", "+7001 dlq 4 -> dlq"));
  EXPECT_THAT(Timeline(Plan(kAlwaysFail, "dlq-before-retries-finish")),
              ElementsAre("+0 retry 0 -> retry", "+1000 retry 1 -> retry", "+1001 dlq 3 -> dlq",
                          "+3000 retry 2 -> retry", "+7000 retry 3 -> retry"));

  const auto headerless = Plan(kAlwaysFail, "no-correlation-header-on-retry");
  for (const PlannedOutput& o : headerless) {
    EXPECT_EQ(HeaderOf(o), o.kind == PlannedOutput::Kind::kDeadLetter
                               ? std::optional<std::string>("corr-1")
                               : std::nullopt);
  }
}

TEST(MutantPlanTest, SuccessPathDefects) {
  EXPECT_THAT(Timeline(Plan(kStandard, "dlq-on-success-path")),
              ElementsAre("+0 reply -> queue", "+2000 dlq 0 -> dlq"));
  EXPECT_THAT(Timeline(Plan(kFailOnce, "dlq-on-success-path")),
              ElementsAre("+0 retry 0 -> retry", "+1000 reply -> queue", "+3000 dlq 1 -> dlq"));
  const auto duplicate = Plan(kPriority, "duplicate-sqs-reply");
  EXPECT_THAT(Timeline(duplicate), ElementsAre("+0 reply -> queue", "+0 reply -> queue"));
  EXPECT_EQ(Body(duplicate[0]), Body(duplicate[1]));
  const auto late = Plan(kBulk, "late-second-reply");
  EXPECT_THAT(Timeline(late), ElementsAre("+0 reply -> queue", "+2000 reply -> queue"));
  EXPECT_EQ(Body(late[0]), Body(late[1]));
  EXPECT_EQ(AttributeOf(Plan(kStandard, "no-correlation-attribute")[0]), std::nullopt);

  const auto wrong_channel = Plan(kStandard, "reply-on-wrong-channel");
  ASSERT_THAT(Timeline(wrong_channel), ElementsAre("+0 reply -> retry"));
  EXPECT_EQ(HeaderOf(wrong_channel[0]), "corr-1");
  EXPECT_EQ(RecordOf(wrong_channel[0]).key, "ORD-90001");
  EXPECT_EQ(Body(wrong_channel[0])["status"], "WIP");
}

TEST(MutantPlanTest, ReplyBodyDefects) {
  EXPECT_EQ(Body(Plan(kStandard, "wrong-enum")[0])["status"], "SHIPPED");
  EXPECT_EQ(Body(Plan(kPriority, "wrong-enum")[0])["status"], "DELIVERED");
  EXPECT_EQ(Body(Plan(kStandard, "wrong-value-for-type")[0])["status"], "DELIVERED");
  EXPECT_EQ(Body(Plan(kBulk, "wrong-value-for-type")[0])["status"], "COMPLETED");
  EXPECT_EQ(Body(Plan(kStandard, "items-count-string")[0])["itemsCount"], "2");
  EXPECT_EQ(Body(Plan(kBulk, "items-count-string")[0])["itemsCount"], "3");
  EXPECT_EQ(Body(Plan(kPriority, "extra-property")[0])["note"], "added by the mutant provider");
  EXPECT_FALSE(Body(Plan(kStandard, "missing-required")[0]).contains("processingStartedAt"));
  EXPECT_TRUE(Body(Plan(kPriority, "missing-required")[0]).contains("deliveredAt"));
}

// Invalid input is what the control dead-letters at once because of the input itself; an order
// failed by the lab's fault injection is none.
TEST(MutantPlanTest, InvalidInputIsWhatTheControlRejectsForTheInputItself) {
  auto reason = [](const std::string& payload) -> std::string {
    auto f = InvalidInputFailure(Order(payload), LabRules());
    return f ? f->reason : "valid";
  };
  EXPECT_EQ(reason(kNotJson), "invalid-json");
  EXPECT_EQ(reason("\xff\xfe"), "not-utf8");
  EXPECT_EQ(reason("[1,2]"), "not-an-object");
  EXPECT_EQ(reason("\"an order\""), "not-an-object");
  EXPECT_EQ(reason("{}"), "missing-field");
  EXPECT_EQ(reason(kNoOrderType), "missing-field");
  EXPECT_EQ(reason(Single("RETURN", "RET-1", 1)), "unknown-order-type");
  EXPECT_EQ(reason(Without(kStandard, {"orderId"})), "missing-field");
  EXPECT_EQ(reason(Without(kPriority, {"items"})), "missing-field");
  for (const std::string& order : kLabOrders)
    EXPECT_EQ(reason(order), "valid") << order;
  EXPECT_EQ(reason(Without(kStandard, {"customerId"})), "valid");  // not validated
  // Only a defect stops the consumer.
  EXPECT_EQ(StopsConsumingAt(Order(kNotJson), LabRules(), {}), std::nullopt);
}

TEST(MutantPlanTest, RetriesInvalidInput) {
  const std::vector<std::string> chain = {"+0 retry 0 -> retry", "+1000 retry 1 -> retry",
                                          "+3000 retry 2 -> retry", "+7000 retry 3 -> retry",
                                          "+7001 dlq 3 -> dlq"};
  // Not JSON: every envelope carries it as the control's dead letter does, {} and its bytes.
  const auto not_json = Plan(kNotJson, "retries-invalid-input", "BAD-1");
  ASSERT_EQ(Timeline(not_json), chain);
  for (std::size_t i = 0; i < not_json.size(); ++i) {
    EXPECT_EQ(RecordOf(not_json[i]).timestamp_ms, ToEpochMillis(not_json[i].due));
    EXPECT_EQ(RecordOf(not_json[i]).key, "BAD-1");
    EXPECT_EQ(HeaderOf(not_json[i]), "corr-1");
    const json body = Body(not_json[i]);
    EXPECT_EQ(body["originalMessage"], json::object());
    EXPECT_EQ(body["rawMessageBase64"], Base64Encode(kNotJson));
    EXPECT_EQ(body["messageKey"], "BAD-1");
    if (i < 4) {
      EXPECT_EQ(body["retryCount"], i);
      EXPECT_EQ(body["firstAttemptTimestamp"], "2026-01-19T10:00:00Z");
      EXPECT_THAT(body["errorMessage"].get<std::string>(), ::testing::HasSubstr("not valid JSON"));
    }
  }
  EXPECT_EQ(Body(not_json[3])["lastAttemptTimestamp"], "2026-01-19T10:00:07Z");
  const json dl = Body(not_json[4]);
  EXPECT_EQ(dl["totalRetries"], 3);
  EXPECT_EQ(dl["failureReason"], "retries-exhausted");
  EXPECT_THAT(dl["finalErrorMessage"].get<std::string>(),
              ::testing::AllOf(::testing::StartsWith("Retries exhausted after 3 attempts"),
                               ::testing::HasSubstr("not valid JSON")));
  EXPECT_EQ(dl["failedTimestamp"], "2026-01-19T10:00:07Z");
  EXPECT_EQ(Body(Plan(kNotJson, "retries-invalid-input")[0])["messageKey"], "unknown");

  // An object without orderType: the object itself, keyed by its orderId.
  const auto no_type = Plan(kNoOrderType, "retries-invalid-input");
  ASSERT_EQ(Timeline(no_type), chain);
  for (std::size_t i = 0; i < no_type.size(); ++i) {
    const json body = Body(no_type[i]);
    EXPECT_EQ(body["originalMessage"], json::parse(kNoOrderType));
    EXPECT_FALSE(body.contains("rawMessageBase64"));
    EXPECT_EQ(body["messageKey"], "ORD-NOTYPE-1");
    EXPECT_EQ(RecordOf(no_type[i]).key, "ORD-NOTYPE-1");
  }
  EXPECT_EQ(Body(no_type[4])["totalRetries"], 3);
  EXPECT_THAT(Body(no_type[0])["errorMessage"].get<std::string>(),
              ::testing::HasSubstr("'orderType'"));

  // A missing key fails the transform; retried all the same.
  EXPECT_EQ(Timeline(Plan(Without(kStandard, {"orderId"}), "retries-invalid-input")), chain);

  // Good orders, and the one failed on purpose, as the control.
  for (const std::string& order : kLabOrders)
    EXPECT_EQ(Render(Plan(order, "retries-invalid-input")), Render(Plan(order))) << order;
}

TEST(MutantPlanTest, StopsOnInvalidInput) {
  const Behaviour b = BehaviourNamed("stops-on-invalid-input");
  EXPECT_THAT(Plan(kNotJson, "stops-on-invalid-input"), ::testing::IsEmpty());
  const auto at_not_json = StopsConsumingAt(Order(kNotJson), LabRules(), b);
  ASSERT_TRUE(at_not_json.has_value());
  EXPECT_EQ(at_not_json->reason, "invalid-json");

  EXPECT_THAT(Plan(kNoOrderType, "stops-on-invalid-input"), ::testing::IsEmpty());
  const auto at_no_type = StopsConsumingAt(Order(kNoOrderType), LabRules(), b);
  ASSERT_TRUE(at_no_type.has_value());
  EXPECT_EQ(at_no_type->reason, "missing-field");

  for (const std::string& order : kLabOrders) {
    EXPECT_EQ(StopsConsumingAt(Order(order), LabRules(), b), std::nullopt) << order;
    EXPECT_EQ(Render(Plan(order, "stops-on-invalid-input")), Render(Plan(order))) << order;
  }
}

TEST(MutantPlanTest, RepliesToInvalidInput) {
  // Nothing to answer with: still dead-lettered as the control does.
  EXPECT_EQ(Render(Plan(kNotJson, "replies-to-invalid-input")), Render(Plan(kNotJson)));
  ASSERT_THAT(Timeline(Plan(kNotJson, "replies-to-invalid-input")), ElementsAre("+0 dlq 0 -> dlq"));
  EXPECT_THAT(Timeline(Plan("[1,2]", "replies-to-invalid-input")), ElementsAre("+0 dlq 0 -> dlq"));

  const auto no_type = Plan(kNoOrderType, "replies-to-invalid-input");
  ASSERT_THAT(Timeline(no_type), ElementsAre("+0 reply -> queue"));
  EXPECT_EQ(Body(no_type[0]), json::parse(R"({"orderId":"ORD-NOTYPE-1","itemsCount":2,
      "status":"WIP","processingStartedAt":"2026-01-19T10:00:00Z"})"));
  EXPECT_EQ(AttributeOf(no_type[0]), "corr-1");

  const auto unknown = Plan(Single("RETURN", "RET-1", 1), "replies-to-invalid-input");
  ASSERT_THAT(Timeline(unknown), ElementsAre("+0 reply -> queue"));
  EXPECT_EQ(Body(unknown[0])["orderId"], "RET-1");
  EXPECT_EQ(Body(unknown[0])["status"], "WIP");

  const auto bare = Plan(R"({"customerId":"C"})", "replies-to-invalid-input");
  ASSERT_THAT(Timeline(bare), ElementsAre("+0 reply -> queue"));
  EXPECT_EQ(Body(bare[0]), json::parse(R"({"orderId":"unknown","itemsCount":0,
      "status":"WIP","processingStartedAt":"2026-01-19T10:00:00Z"})"));
  const auto empty = Plan("{}", "replies-to-invalid-input");
  ASSERT_THAT(Timeline(empty), ElementsAre("+0 reply -> queue"));
  EXPECT_EQ(Body(empty[0])["orderId"], "unknown");

  const auto no_key = Plan(Without(kPriority, {"orderId"}), "replies-to-invalid-input");
  ASSERT_THAT(Timeline(no_key), ElementsAre("+0 reply -> queue"));
  EXPECT_EQ(Body(no_key[0])["orderId"], "unknown");
  EXPECT_EQ(Body(no_key[0])["status"], "DELIVERED");

  for (const std::string& order : kLabOrders)
    EXPECT_EQ(Render(Plan(order, "replies-to-invalid-input")), Render(Plan(order))) << order;
}

TEST(MutantPlanTest, DeadLettersInvalidInputTwice) {
  const auto not_json = Plan(kNotJson, "dead-letters-invalid-input-twice", "BAD-1");
  ASSERT_THAT(Timeline(not_json), ElementsAre("+0 dlq 0 -> dlq", "+1 dlq 0 -> dlq"));
  EXPECT_EQ(Body(not_json[0]), Body(Plan(kNotJson, "none", "BAD-1")[0]));
  EXPECT_EQ(Body(not_json[1]), Body(not_json[0]));
  EXPECT_EQ(Body(not_json[1])["totalRetries"], 0);
  EXPECT_EQ(Body(not_json[1])["rawMessageBase64"], Base64Encode(kNotJson));
  EXPECT_EQ(RecordOf(not_json[1]).key, "BAD-1");
  EXPECT_EQ(RecordOf(not_json[1]).timestamp_ms, ToEpochMillis(kNow) + 1);
  EXPECT_EQ(HeaderOf(not_json[1]), "corr-1");

  const auto no_type = Plan(kNoOrderType, "dead-letters-invalid-input-twice");
  ASSERT_THAT(Timeline(no_type), ElementsAre("+0 dlq 0 -> dlq", "+1 dlq 0 -> dlq"));
  EXPECT_EQ(Body(no_type[0]), Body(Plan(kNoOrderType)[0]));
  EXPECT_EQ(Body(no_type[1]), Body(no_type[0]));
  EXPECT_EQ(Body(no_type[1])["messageKey"], "ORD-NOTYPE-1");
  EXPECT_EQ(Body(no_type[1])["failureReason"], "missing-field");

  // The direct-DLQ order is dead-lettered once: it is failed on purpose, not invalid.
  for (const std::string& order : kLabOrders) {
    EXPECT_EQ(Render(Plan(order, "dead-letters-invalid-input-twice")), Render(Plan(order)))
        << order;
  }
}

// A row of the table that changes nothing would pass any runner: every defect must change what
// the provider writes for at least one of the lab's orders or the two invalid inputs.
TEST(MutantPlanTest, EveryDefectDeviatesFromTheControl) {
  std::vector<std::string> orders = kLabOrders;
  orders.push_back(kNotJson);
  orders.push_back(kNoOrderType);
  for (const Defect& d : Defects()) {
    if (d.name == "none") continue;
    bool deviates = false;
    for (const std::string& order : orders)
      deviates = deviates || Render(Plan(order, std::string(d.name))) != Render(Plan(order));
    EXPECT_TRUE(deviates) << d.name << " writes exactly what the control writes";
    EXPECT_FALSE(d.description.empty()) << d.name;
  }
  EXPECT_EQ(Defects().front().name, "none");
  EXPECT_FALSE(FindDefect("no-such-defect").has_value());
}

}  // namespace
}  // namespace driftline::testkit::mutant
