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

Rules LabRules() {
  Rules rules;
  rules.channels = {"orders", "retry", "dlq"};
  rules.faults.enabled = true;
  rules.faults.fail_once = {"ORD-RETRY-90001"};
  rules.faults.always_fail = {"ORD-DLQ-90001"};
  rules.faults.direct_dlq = {"ORD-RECEIVE-DLQ-90001"};
  return rules;
}

std::vector<PlannedOutput> Plan(const std::string& payload, const std::string& defect = "none") {
  auto d = FindDefect(defect);
  EXPECT_TRUE(d.has_value()) << defect;
  return PlanOutputs(Order(payload), kNow, LabRules(), BehaviourOf(**d));
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

// A row of the table that changes nothing would pass any runner: every defect must change what
// the provider writes for at least one of the lab's orders.
TEST(MutantPlanTest, EveryDefectDeviatesFromTheControl) {
  auto render = [](const std::vector<PlannedOutput>& plan) {
    std::string text;
    for (const PlannedOutput& o : plan) {
      text += o.Describe(kNow) + " " + Body(o).dump() + "\n";
      if (const auto* r = std::get_if<kafka::OutgoingMessage>(&o.message))
        text += std::to_string(r->timestamp_ms.value_or(-1)) + " " + r->key.value_or("") + "\n";
    }
    return text;
  };
  const std::vector<std::string> orders = {kStandard, kPriority,   kBulk,
                                           kFailOnce, kAlwaysFail, kDirectDlq};
  for (const Defect& d : Defects()) {
    if (d.name == "none") continue;
    bool deviates = false;
    for (const std::string& order : orders)
      deviates = deviates || render(Plan(order, std::string(d.name))) != render(Plan(order));
    EXPECT_TRUE(deviates) << d.name << " writes exactly what the control writes";
    EXPECT_FALSE(d.description.empty()) << d.name;
  }
  EXPECT_EQ(Defects().front().name, "none");
  EXPECT_FALSE(FindDefect("no-such-defect").has_value());
}

}  // namespace
}  // namespace driftline::testkit::mutant
