#include "studio/view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "contract/report/console.h"
#include "contract/report/writers.h"
#include "sample_contract.h"
#include "sample_fixture.h"
#include "sample_results.h"
#include "temp_dir.h"

namespace driftline::studio {
namespace {

namespace fs = std::filesystem;
using contract::Role;
using nlohmann::json;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const fs::path kRepo = fs::path(DRIFTLINE_SOURCE_DIR);
// The lab's own files, next to the repository on a development machine (absent in CI).
const fs::path kLab = kRepo / "../shared/reference/kafka-sqs-retry-dlq";

// The member names of a JSON object, sorted.
std::vector<std::string> KeysOf(const json& object) {
  std::vector<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it)
    keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<std::string> Sorted(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  return keys;
}

// Every member api.md lists for each object, no more.
const std::vector<std::string> kViewKeys =
    Sorted({"source", "title", "strict", "warnings", "contracts", "examples"});
const std::vector<std::string> kSourceKeys = Sorted({"config", "contracts", "examples"});
const std::vector<std::string> kContractKeys =
    Sorted({"file", "title", "version", "servers", "channels", "operations"});
const std::vector<std::string> kServerKeys = Sorted({"name", "protocol", "host"});
const std::vector<std::string> kChannelKeys =
    Sorted({"id", "address", "protocol", "describe", "messages"});
const std::vector<std::string> kMessageKeys =
    Sorted({"name", "title", "content_type", "payload", "headers", "correlation_id"});
const std::vector<std::string> kOperationKeys =
    Sorted({"id", "action", "channel", "address", "messages", "reply", "retry", "dead_letter"});
const std::vector<std::string> kReplyKeys = Sorted({"channel", "address"});
const std::vector<std::string> kRetryKeys = Sorted(
    {"channel", "address", "max_attempts", "strategy", "schedule_ms", "schedule_text", "source"});
const std::vector<std::string> kDeadLetterKeys = Sorted({"channel", "address", "wait_ms"});
const std::vector<std::string> kExampleKeys =
    Sorted({"name", "file", "operation", "correlation_id", "flow", "expects", "json", "valid",
            "problems"});
const std::vector<std::string> kMessageEventKeys =
    Sorted({"role", "channel", "address", "offset_ms", "due_ms", "retry_count", "coordinates",
            "payload", "headers"});
const std::vector<std::string> kTestKeys =
    Sorted({"name", "file", "operation", "correlation_id", "outcome", "wip", "reasons", "warnings",
            "checks", "started_at", "duration_ms", "flow"});
const std::vector<std::string> kCheckKeys = Sorted({"name", "passed", "detail", "mismatches"});
const std::vector<std::string> kFlowKeys =
    Sorted({"kind", "role", "channel", "address", "offset_ms", "at", "coordinates", "key",
            "headers", "payload", "message_name", "ok", "mismatches", "retry_count", "due_ms"});
const std::vector<std::string> kSuiteKeys =
    Sorted({"title", "started_at", "wall_ms", "startup_ms", "parallel", "counts", "summary_line",
            "count_table", "final_report", "message_counts", "exit_code", "warnings", "tests"});
const std::vector<std::string> kCountsKeys =
    Sorted({"run", "successes", "failures", "wip", "errors"});

// Checks every object of a contract view against the member lists above.
void ExpectViewShape(const json& view) {
  EXPECT_EQ(KeysOf(view), kViewKeys);
  EXPECT_EQ(KeysOf(view["source"]), kSourceKeys);
  for (const json& c : view["contracts"]) {
    EXPECT_EQ(KeysOf(c), kContractKeys);
    for (const json& s : c["servers"])
      EXPECT_EQ(KeysOf(s), kServerKeys);
    for (const json& ch : c["channels"]) {
      EXPECT_EQ(KeysOf(ch), kChannelKeys);
      for (const json& m : ch["messages"])
        EXPECT_EQ(KeysOf(m), kMessageKeys);
    }
    for (const json& op : c["operations"]) {
      EXPECT_EQ(KeysOf(op), kOperationKeys);
      if (!op["reply"].is_null()) {
        EXPECT_EQ(KeysOf(op["reply"]), kReplyKeys);
      }
      if (!op["retry"].is_null()) {
        EXPECT_EQ(KeysOf(op["retry"]), kRetryKeys);
      }
      if (!op["dead_letter"].is_null()) {
        EXPECT_EQ(KeysOf(op["dead_letter"]), kDeadLetterKeys);
      }
    }
  }
  for (const json& ex : view["examples"]) {
    EXPECT_EQ(KeysOf(ex), kExampleKeys);
    for (const json& e : ex["expects"])
      EXPECT_EQ(KeysOf(e), Sorted({"role", "address"}));
    for (const json& p : ex["problems"])
      EXPECT_EQ(KeysOf(p), Sorted({"pointer", "message"}));
  }
}

void ExpectTestShape(const json& test) {
  EXPECT_EQ(KeysOf(test), kTestKeys);
  for (const json& c : test["checks"]) {
    EXPECT_EQ(KeysOf(c), kCheckKeys);
    for (const json& m : c["mismatches"])
      EXPECT_EQ(KeysOf(m), Sorted({"pointer", "message"}));
  }
  for (const json& f : test["flow"]) {
    EXPECT_EQ(KeysOf(f), kFlowKeys);
    for (const json& m : f["mismatches"])
      EXPECT_EQ(KeysOf(m), Sorted({"pointer", "message"}));
  }
}

// The channel of a contract view's contract with this id (null when there is none).
json ChannelWithId(const json& contract, const std::string& id) {
  for (const json& ch : contract["channels"]) {
    if (ch["id"] == id) return ch;
  }
  ADD_FAILURE() << "no channel " << id;
  return json::object({{"messages", json::array({json::object()})}});
}

// name -> flow, from a contract view.
std::map<std::string, std::string> FlowsOf(const json& view) {
  std::map<std::string, std::string> flows;
  for (const json& ex : view["examples"])
    flows[ex["name"].get<std::string>()] = ex["flow"].get<std::string>();
  return flows;
}

// ---------------------------------------------------------------------------------------------
// The project's contract (contracts/): the lab's shape, kept in the repository.

class ProjectContractViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    contract::SuiteOptions options;
    options.config = kRepo / "contracts/specmatic.yaml";
    auto suite = contract::LoadSuite(options);
    ASSERT_TRUE(suite) << suite.error().message();
    suite_ = std::make_unique<contract::Suite>(std::move(*suite));
    view_ = ContractView(*suite_, kRepo, options.config);
  }

  std::unique_ptr<contract::Suite> suite_;
  json view_;
};

TEST_F(ProjectContractViewTest, HasEveryMemberOfTheDesign) {
  ExpectViewShape(view_);
  EXPECT_EQ(view_["title"], suite_->Title());
  EXPECT_EQ(view_["strict"], true);
  EXPECT_TRUE(view_["warnings"].is_array());
  ASSERT_EQ(view_["contracts"].size(), 1u);
  ASSERT_EQ(view_["examples"].size(), 8u);
}

TEST_F(ProjectContractViewTest, SourcePathsAreRelativeToTheRoot) {
  EXPECT_EQ(view_["source"]["config"], "contracts/specmatic.yaml");
  EXPECT_THAT(view_["source"]["contracts"], ElementsAre("contracts/order-service.yaml"));
  EXPECT_THAT(view_["source"]["examples"], ElementsAre("contracts/order-service_examples"));
  EXPECT_EQ(view_["contracts"][0]["file"], "contracts/order-service.yaml");
  EXPECT_EQ(view_["examples"][0]["file"], "contracts/order-service_examples/01-standard.json");
}

TEST_F(ProjectContractViewTest, FlowKindsOfTheFourLabFlows) {
  const auto flows = FlowsOf(view_);
  EXPECT_EQ(flows.at("Standard order is in progress on the queue"), "success");
  EXPECT_EQ(flows.at("Priority order is delivered"), "success");
  EXPECT_EQ(flows.at("Bulk order of four orders counts every item"), "success");
  EXPECT_EQ(flows.at("A transient failure is retried once, then the order goes through"),
            "retry-then-success");
  EXPECT_EQ(flows.at("A failure that never clears is retried three times, then dead-lettered"),
            "retry-then-dlq");
  EXPECT_EQ(flows.at("A permanent failure goes straight to the dead-letter topic"), "direct-dlq");
  EXPECT_EQ(flows.at("An unknown orderType is dead-lettered at once, not retried"), "direct-dlq");
  // FlowKind() is what the view says.
  for (const contract::TestCase& tc : suite_->Cases())
    EXPECT_EQ(FlowKind(*tc.plan), flows.at(tc.plan->example->name));
}

// order-service.yaml: x-specmatic-retry maxAttempts 3, exponential, initialDelaySeconds 1,
// multiplier 2; x-specmatic-dlq waitTimeInSeconds 15.
TEST_F(ProjectContractViewTest, RetryScheduleAndDeadLetterOfTheContract) {
  const json& ops = view_["contracts"][0]["operations"];
  ASSERT_EQ(ops.size(), 1u);
  const json& op = ops[0];
  EXPECT_EQ(op["action"], "receive");
  EXPECT_EQ(op["address"], "place-order-topic");
  EXPECT_EQ(op["reply"]["address"], "place-order-queue");
  const json& retry = op["retry"];
  EXPECT_EQ(retry["address"], "place-order-retry-topic");
  EXPECT_EQ(retry["max_attempts"], 3);
  EXPECT_EQ(retry["strategy"], "exponential");
  EXPECT_EQ(retry["schedule_ms"], json::parse("[1000, 2000, 4000]"));
  EXPECT_EQ(retry["schedule_text"], "1 s, 2 s, 4 s");
  EXPECT_EQ(retry["source"], "x-specmatic-retry");
  EXPECT_EQ(op["dead_letter"]["address"], "place-order-dlq-topic");
  EXPECT_EQ(op["dead_letter"]["wait_ms"], 15000);
  // The channels named by the operation are channel ids of the same contract.
  std::set<std::string> ids;
  for (const json& ch : view_["contracts"][0]["channels"])
    ids.insert(ch["id"].get<std::string>());
  for (const char* part : {"reply", "retry", "dead_letter"})
    EXPECT_TRUE(ids.count(op[part]["channel"].get<std::string>())) << part;
  EXPECT_TRUE(ids.count(op["channel"].get<std::string>()));
}

TEST_F(ProjectContractViewTest, ChannelsAndMessagesCarryTheirSchemas) {
  const json& channels = view_["contracts"][0]["channels"];
  const auto input = std::find_if(channels.begin(), channels.end(), [](const json& ch) {
    return ch["address"] == "place-order-topic";
  });
  ASSERT_NE(input, channels.end());
  EXPECT_EQ((*input)["protocol"], "kafka");
  EXPECT_EQ((*input)["describe"], "topic 'place-order-topic'");
  ASSERT_FALSE((*input)["messages"].empty());
  for (const json& m : (*input)["messages"]) {
    EXPECT_TRUE(m["payload"].is_object()) << m["name"];
    EXPECT_EQ(m["correlation_id"], "$message.header#/CorrelationId") << m["name"];
  }
  const auto queue = std::find_if(channels.begin(), channels.end(), [](const json& ch) {
    return ch["address"] == "place-order-queue";
  });
  ASSERT_NE(queue, channels.end());
  EXPECT_EQ((*queue)["protocol"], "sqs");
  EXPECT_EQ((*queue)["describe"], "queue 'place-order-queue'");
}

TEST_F(ProjectContractViewTest, ExamplesAreValidWithTheirJsonAndExpectations) {
  for (const json& ex : view_["examples"]) {
    EXPECT_TRUE(ex["valid"]) << ex["name"] << ": " << ex["problems"].dump();
    EXPECT_TRUE(ex["problems"].empty());
    EXPECT_EQ(ex["operation"], view_["contracts"][0]["operations"][0]["id"]);
    EXPECT_EQ(ex["json"]["name"], ex["name"]);
  }
  const json& retried = view_["examples"][4];  // 05-retries-exhausted.json
  EXPECT_EQ(retried["correlation_id"], "dl-retry-always-1");
  EXPECT_EQ(retried["expects"], json::parse(R"([{"role": "retry",
      "address": "place-order-retry-topic"}, {"role": "dlq", "address": "place-order-dlq-topic"}])"));
  EXPECT_EQ(retried["json"]["retry"]["payload"]["retryCount"], "(integer)");
  EXPECT_EQ(retried["json"]["dlq"]["payload"]["totalRetries"], 3);
  EXPECT_EQ(retried["json"]["receive"]["headers"]["CorrelationId"], "dl-retry-always-1");
  const json& malformed = view_["examples"][6];  // 07-malformed-order.json: a key, a text payload
  EXPECT_EQ(malformed["json"]["receive"]["key"], "BAD-ORDER-1");
  EXPECT_EQ(malformed["json"]["receive"]["payload"], "this is not an order");
}

// The lab's files themselves, when they are next to the repository.
TEST(LabContractViewTest, FlowsOfTheLabExamples) {
  if (!fs::exists(kLab)) GTEST_SKIP() << "../shared is absent: " << kLab;
  contract::SuiteOptions options;
  options.config = kLab / "specmatic.yaml";
  auto suite = contract::LoadSuite(options);
  ASSERT_TRUE(suite) << suite.error().message();
  const json view = ContractView(*suite, kLab, options.config);
  ExpectViewShape(view);
  const auto flows = FlowsOf(view);
  EXPECT_EQ(flows, (std::map<std::string, std::string>{
                       {"Bulk_Order_SQS_Kafka", "success"},
                       {"Priority_Order_Kafka_SQS", "success"},
                       {"Standard_Order_Kafka_SQS", "success"},
                       {"Retry_Scenario_Standard_Order", "retry-then-success"},
                       {"Receive_Retry_DLQ_Scenario_Priority_Order", "retry-then-dlq"},
                       {"Receive_DLQ_Scenario_Standard_Order", "direct-dlq"}}));
  const json& retry = view["contracts"][0]["operations"][0]["retry"];
  EXPECT_EQ(retry["schedule_ms"], json::parse("[1000, 2000, 4000]"));
  EXPECT_EQ(retry["schedule_text"], "1 s, 2 s, 4 s");
  EXPECT_EQ(view["source"]["config"], "specmatic.yaml");
  EXPECT_THAT(view["source"]["examples"], ElementsAre("spec/order-service-sqs-kafka_examples"));
  for (const json& ex : view["examples"])
    EXPECT_TRUE(ex["valid"]) << ex["name"] << ": " << ex["problems"].dump();
}

// ---------------------------------------------------------------------------------------------
// The sample contract, loaded as a suite from a temporary folder.

class SampleSuiteViewTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_.Write("orders.yaml", contract::testing::kSampleContract); }

  json Load(bool strict) {
    contract::SuiteOptions options;
    options.contracts.push_back(dir_.path() / "orders.yaml");
    options.strict = strict;
    auto suite = contract::LoadSuite(options);
    EXPECT_TRUE(suite) << suite.error().message();
    if (!suite) return json();
    return ContractView(*suite, dir_.path(), std::nullopt);
  }

  contract::testing::TempDir dir_;
};

// A count below the schema's minimum and a member the schema forbids: strict mode is off, so the
// suite loads, and the view still says what is wrong, with the JSON pointer.
TEST_F(SampleSuiteViewTest, InvalidExampleIsShownWithItsProblemsWhateverStrictModeSays) {
  dir_.Write("orders_examples/bad.json", R"J({"name": "Bad", "receive": {"topic": "orders-in",
      "payload": {"id": "B", "count": 0, "colour": "red"}, "headers": {"CorrelationId": "c-b"}},
      "send": {"topic": "orders-out", "payload": {"id": "B", "status": "ACCEPTED",
      "at": "(datetime)"}}})J");
  dir_.Write("orders_examples/good.json", R"J({"name": "Good", "id": "g-1",
      "receive": {"topic": "orders-in", "payload": {"id": "G", "count": 1},
                  "headers": {"CorrelationId": "c-g"}},
      "send": {"topic": "orders-out", "payload": {"id": "G", "status": "ACCEPTED",
      "at": "(datetime)"}}})J");
  const json view = Load(false);
  ASSERT_FALSE(view.is_null());
  ExpectViewShape(view);
  EXPECT_EQ(view["strict"], false);
  EXPECT_EQ(view["source"]["config"], nullptr);
  EXPECT_THAT(view["source"]["contracts"], ElementsAre("orders.yaml"));
  EXPECT_THAT(view["source"]["examples"], ElementsAre("orders_examples"));
  ASSERT_EQ(view["examples"].size(), 2u);
  const json& bad = view["examples"][0];
  EXPECT_EQ(bad["name"], "Bad");
  EXPECT_EQ(bad["file"], "orders_examples/bad.json");
  EXPECT_FALSE(bad["valid"]);
  std::set<std::string> pointers;
  for (const json& p : bad["problems"]) {
    pointers.insert(p["pointer"].get<std::string>());
    EXPECT_FALSE(p["message"].get<std::string>().empty());
    EXPECT_THAT(p["message"].get<std::string>(), ::testing::Not(HasSubstr("bad.json")));
  }
  EXPECT_TRUE(pointers.count("/receive/payload/count")) << bad["problems"].dump();
  const json& good = view["examples"][1];
  EXPECT_TRUE(good["valid"]) << good["problems"].dump();
  EXPECT_EQ(good["json"], json::parse(R"J({"name": "Good", "id": "g-1",
      "receive": {"topic": "orders-in", "payload": {"id": "G", "count": 1},
                  "headers": {"CorrelationId": "c-g"}},
      "send": {"topic": "orders-out", "payload": {"id": "G", "status": "ACCEPTED",
               "at": "(datetime)"}}})J"));
  EXPECT_EQ(good["flow"], "success");
  EXPECT_EQ(good["correlation_id"], "c-g");
}

TEST_F(SampleSuiteViewTest, ServersAndMessagesOfTheSampleContract) {
  dir_.Write("orders_examples/a.json", R"J({"name": "A", "receive": {"topic": "orders-in",
      "payload": {"id": "A", "count": 1}, "headers": {"CorrelationId": "c-a"}},
      "send": {"topic": "orders-out", "payload": {"id": "A", "status": "ACCEPTED",
      "at": "(datetime)"}}})J");
  const json view = Load(true);
  ASSERT_FALSE(view.is_null());
  const json& c = view["contracts"][0];
  EXPECT_EQ(c["title"], "Sample orders");
  EXPECT_EQ(c["version"], "1.0.0");
  EXPECT_EQ(c["servers"], json::parse(R"([
      {"name": "broker", "protocol": "kafka", "host": "localhost:9092"},
      {"name": "queues", "protocol": "sqs", "host": "http://localhost:4566/000000000000"}])"));
  const json orders = ChannelWithId(c, "orders");
  EXPECT_EQ(orders["address"], "orders-in");
  const json order = orders["messages"][0];
  EXPECT_EQ(order["name"], "Order");
  // The $ref to components/schemas/Id is resolved in the model's schema.
  EXPECT_EQ(order["payload"]["properties"]["id"]["type"], "string");
  EXPECT_EQ(order["headers"]["required"], json::parse(R"(["CorrelationId"])"));
  EXPECT_EQ(order["correlation_id"], "$message.header#/CorrelationId");
  const json accepted = ChannelWithId(c, "accepted")["messages"][0];
  EXPECT_EQ(accepted["headers"], nullptr);
  EXPECT_EQ(accepted["correlation_id"], nullptr);
  EXPECT_THAT(c["operations"][0]["messages"], ElementsAre("Order"));
}

// ---------------------------------------------------------------------------------------------
// Plans of the sample contract, for FlowKind and TimelineTracker.

class SamplePlanTest : public contract::testing::SampleContractTest {
 protected:
  contract::TestPlan Plan(const std::string& example_text) {
    examples_.push_back(std::make_unique<contract::Example>(MakeExample(example_text)));
    auto plan = contract::PlanTest(*contract_, *examples_.back());
    EXPECT_TRUE(plan) << plan.error().message();
    return plan ? *plan : contract::TestPlan{};
  }

  const contract::Channel* ChannelAt(const std::string& address) const {
    return contract_->ChannelByAddress(address);
  }

  // A message on `address` produced `at_ms` after kT0.
  contract::ObservedMessage On(const std::string& address, std::int64_t at_ms,
                               const std::string& payload) const {
    contract::ObservedMessage m;
    m.channel = ChannelAt(address);
    m.raw_payload = payload;
    m.payload = json::parse(payload, nullptr, false);
    if (m.payload.is_discarded()) {
      m.payload = payload;
      m.payload_is_json = false;
    }
    m.produced_at = kT0 + milliseconds(at_ms);
    m.coordinates = address + "/0@" + std::to_string(at_ms);
    m.headers = {{"CorrelationId", "c-1"}};
    return m;
  }

  static constexpr const char* kReceive =
      R"("receive": {"topic": "orders-in", "payload": {"id": "A", "count": 1},
                      "headers": {"CorrelationId": "c-1"}})";
  static constexpr const char* kSend =
      R"("send": {"topic": "orders-out", "payload": {"id": "A", "status": "ACCEPTED"}})";
  static constexpr const char* kRetry =
      R"("retry": {"topic": "orders-retry", "payload": {"id": "A"}})";
  static constexpr const char* kDlq = R"("dlq": {"topic": "orders-dlq", "payload": {"id": "A"}})";

  std::string ExampleText(std::initializer_list<const char*> blocks) const {
    std::string text = R"({"name": "E")";
    for (const char* b : blocks)
      text += std::string(", ") + b;
    return text + "}";
  }

  const Clock::WallTime kT0 = FromEpochMillis(1768900000000);
  std::vector<std::unique_ptr<contract::Example>> examples_;
};

TEST_F(SamplePlanTest, FlowKindOfEachShape) {
  EXPECT_EQ(FlowKind(Plan(ExampleText({kReceive, kSend}))), "success");
  EXPECT_EQ(FlowKind(Plan(ExampleText({kReceive, kRetry, kSend}))), "retry-then-success");
  EXPECT_EQ(FlowKind(Plan(ExampleText({kReceive, kRetry, kDlq}))), "retry-then-dlq");
  EXPECT_EQ(FlowKind(Plan(ExampleText({kReceive, kDlq}))), "direct-dlq");
  contract::TestPlan send_only;  // publishes nothing
  EXPECT_EQ(FlowKind(send_only), "send-only");
}

TEST_F(SamplePlanTest, PublishIsAtZeroWithTheExampleAsWritten) {
  const contract::TestPlan plan = Plan(ExampleText({kReceive, kSend}));
  TimelineTracker tracker(plan);
  const json e = tracker.Published("orders-in/0@7", kT0, kT0 + milliseconds(5));
  EXPECT_EQ(KeysOf(e), kMessageEventKeys);
  EXPECT_EQ(e["role"], "publish");
  EXPECT_EQ(e["channel"], "topic 'orders-in'");
  EXPECT_EQ(e["address"], "orders-in");
  EXPECT_EQ(e["offset_ms"], 0);
  EXPECT_EQ(e["due_ms"], nullptr);
  EXPECT_EQ(e["retry_count"], nullptr);
  EXPECT_EQ(e["coordinates"], "orders-in/0@7");
  EXPECT_EQ(json::parse(e["payload"].get<std::string>()), json::parse(R"({"id":"A","count":1})"));
  EXPECT_EQ(e["headers"], json::parse(R"({"CorrelationId": "c-1"})"));
}

// Envelope 0 at once, each later one delay(previous retryCount) after the previous, the reply
// delay(last retryCount) after the last envelope (1 s, 2 s, 4 s: initial 1 s, multiplier 2).
TEST_F(SamplePlanTest, RetryThenReplyDueTimes) {
  const contract::TestPlan plan = Plan(ExampleText({kReceive, kRetry, kSend}));
  TimelineTracker tracker(plan);
  tracker.Published("orders-in/0@1", kT0, kT0 + milliseconds(40));

  const json e0 = tracker.Observed(On("orders-retry", 120, R"({"id":"A","retryCount":0})"));
  EXPECT_EQ(KeysOf(e0), kMessageEventKeys);
  EXPECT_EQ(e0["role"], "retry");
  EXPECT_EQ(e0["channel"], "topic 'orders-retry'");
  EXPECT_EQ(e0["offset_ms"], 120);
  EXPECT_EQ(e0["due_ms"], 0);
  EXPECT_EQ(e0["retry_count"], 0);

  const json e1 = tracker.Observed(On("orders-retry", 1180, R"({"id":"A","retryCount":1})"));
  EXPECT_EQ(e1["offset_ms"], 1180);
  EXPECT_EQ(e1["due_ms"], 120 + 1000);
  EXPECT_EQ(e1["retry_count"], 1);

  const json reply = tracker.Observed(On("orders-out", 3300, R"({"id":"A"})"));
  EXPECT_EQ(reply["role"], "send");
  EXPECT_EQ(reply["channel"], "queue 'orders-out'");
  EXPECT_EQ(reply["offset_ms"], 3300);
  EXPECT_EQ(reply["due_ms"], 1180 + 2000);
  EXPECT_EQ(reply["retry_count"], nullptr);

  // A second reply is unexpected (the engine's rule), with no due time.
  const json again = tracker.Observed(On("orders-out", 3400, R"({"id":"A"})"));
  EXPECT_EQ(again["role"], "unexpected");
  EXPECT_EQ(again["due_ms"], nullptr);
}

TEST_F(SamplePlanTest, RetriesThenDeadLetterDueAtOnceAfterTheLastEnvelope) {
  const contract::TestPlan plan = Plan(ExampleText({kReceive, kRetry, kDlq}));
  TimelineTracker tracker(plan);
  // No record timestamp for the publish: `now` stands for it.
  tracker.Published("orders-in/0@1", std::nullopt, kT0);
  const std::int64_t at[] = {100, 1150, 3200, 7300};
  const std::int64_t due[] = {0, 100 + 1000, 1150 + 2000, 3200 + 4000};
  for (int n = 0; n < 4; ++n) {
    const json e = tracker.Observed(
        On("orders-retry", at[n], R"({"id":"A","retryCount":)" + std::to_string(n) + "}"));
    EXPECT_EQ(e["retry_count"], n);
    EXPECT_EQ(e["offset_ms"], at[n]);
    EXPECT_EQ(e["due_ms"], due[n]) << "envelope " << n;
  }
  const json dead = tracker.Observed(On("orders-dlq", 7350, R"({"id":"A","totalRetries":3})"));
  EXPECT_EQ(dead["role"], "dlq");
  EXPECT_EQ(dead["due_ms"], 7300);
  EXPECT_EQ(dead["retry_count"], nullptr);
}

TEST_F(SamplePlanTest, NoEnvelopeGivesNoDueTime) {
  const contract::TestPlan direct = Plan(ExampleText({kReceive, kDlq}));
  TimelineTracker to_dlq(direct);
  to_dlq.Published("orders-in/0@1", kT0, kT0);
  const json dead = to_dlq.Observed(On("orders-dlq", 200, R"({"id":"A"})"));
  EXPECT_EQ(dead["role"], "dlq");
  EXPECT_EQ(dead["offset_ms"], 200);
  EXPECT_EQ(dead["due_ms"], nullptr);

  const contract::TestPlan success = Plan(ExampleText({kReceive, kSend}));
  TimelineTracker to_reply(success);
  to_reply.Published("orders-in/0@1", kT0, kT0);
  const json reply = to_reply.Observed(On("orders-out", 300, R"({"id":"A"})"));
  EXPECT_EQ(reply["role"], "send");
  EXPECT_EQ(reply["due_ms"], nullptr);
  // The retry topic is watched but this example expects nothing there.
  const json stray = to_reply.Observed(On("orders-retry", 400, R"({"id":"A","retryCount":0})"));
  EXPECT_EQ(stray["role"], "unexpected");
  EXPECT_EQ(stray["due_ms"], nullptr);
  EXPECT_EQ(stray["retry_count"], nullptr);
}

// Without a retryCount in the payload an envelope counts by its position; its delay is the one
// before that count.
TEST_F(SamplePlanTest, RetryCountFallsBackToPosition) {
  const contract::TestPlan plan = Plan(ExampleText({kReceive, kRetry, kDlq}));
  TimelineTracker tracker(plan);
  tracker.Published("orders-in/0@1", kT0, kT0);
  const json e0 = tracker.Observed(On("orders-retry", 50, R"({"id":"A"})"));
  const json e1 = tracker.Observed(On("orders-retry", 1100, R"({"id":"A","retryCount":"one"})"));
  const json e2 = tracker.Observed(On("orders-retry", 3000, "not json"));
  EXPECT_EQ(e0["retry_count"], 0);
  EXPECT_EQ(e1["retry_count"], 1);
  EXPECT_EQ(e2["retry_count"], 2);
  EXPECT_EQ(e2["due_ms"], 1100 + 2000);
  EXPECT_EQ(e2["payload"], "not json");
}

TEST_F(SamplePlanTest, MessageWithoutTimestampHasNoOffsetAndNothingCountsFromIt) {
  const contract::TestPlan plan = Plan(ExampleText({kReceive, kRetry, kSend}));
  TimelineTracker tracker(plan);
  tracker.Published("orders-in/0@1", kT0, kT0);
  contract::ObservedMessage e0 = On("orders-retry", 0, R"({"id":"A","retryCount":0})");
  e0.produced_at = Clock::WallTime{};
  const json first = tracker.Observed(e0);
  EXPECT_EQ(first["offset_ms"], nullptr);
  EXPECT_EQ(first["due_ms"], 0);
  const json reply = tracker.Observed(On("orders-out", 1500, R"({"id":"A"})"));
  EXPECT_EQ(reply["offset_ms"], 1500);
  EXPECT_EQ(reply["due_ms"], nullptr);
}

TEST_F(SamplePlanTest, MessageBeforeAnyPublishHasNoOffset) {
  const contract::TestPlan plan = Plan(ExampleText({kReceive, kSend}));
  TimelineTracker tracker(plan);
  const json reply = tracker.Observed(On("orders-out", 10, R"({"id":"A"})"));
  EXPECT_EQ(reply["role"], "send");
  EXPECT_EQ(reply["offset_ms"], nullptr);
}

// The JSON carries text exactly as it travelled; escaping for display is the page's job.
TEST_F(SamplePlanTest, PayloadTextIsKeptVerbatim) {
  const contract::TestPlan plan = Plan(ExampleText({kReceive, kSend}));
  TimelineTracker tracker(plan);
  tracker.Published("orders-in/0@1", kT0, kT0);
  const std::string text = R"({"id":"A","note":"</script><script>alert('x & y')</script>"})";
  contract::ObservedMessage m = On("orders-out", 10, text);
  m.headers["X-Note"] = "<b>bold</b>";
  const json e = tracker.Observed(m);
  EXPECT_EQ(e["payload"].get<std::string>(), text);
  EXPECT_EQ(e["headers"]["X-Note"], "<b>bold</b>");
  // Serialised, the text is still there (JSON escapes quotes, not markup).
  EXPECT_THAT(e.dump(), HasSubstr("</script><script>alert('x & y')</script>"));
}

// ---------------------------------------------------------------------------------------------
// Test JSON and suite JSON.

TEST_F(SamplePlanTest, TestJsonReplaysTheFlowWithDueTimes) {
  const contract::TestPlan plan = Plan(ExampleText({kReceive, kRetry, kSend}));
  contract::TestResult r;
  r.name = "E";
  r.file = "/lab/e.json";
  r.operation = "takeOrder";
  r.correlation_id = "c-1";
  r.outcome = contract::Outcome::kFailed;
  r.reasons = {"The reply on queue 'orders-out' does not match the example."};
  r.started = kT0;
  r.duration = milliseconds(4321);
  r.checks.push_back({"send: reply on queue 'orders-out' matches the example",
                      false,
                      "",
                      {{"/payload/status", "\"ACCEPTED\"", "\"<x>\"", "status differs"}}});
  auto event = [&](contract::FlowEvent::Kind kind, std::string role, std::string address,
                   std::int64_t offset, std::string payload) {
    contract::FlowEvent e;
    e.kind = kind;
    e.role = std::move(role);
    e.address = address;
    e.channel = "topic '" + address + "'";
    e.offset = milliseconds(offset);
    e.at = kT0 + milliseconds(offset);
    e.coordinates = address + "/0@" + std::to_string(offset);
    e.payload = std::move(payload);
    return e;
  };
  using Kind = contract::FlowEvent::Kind;
  r.flow.push_back(event(Kind::kPublished, "receive", "orders-in", 0, R"({"id":"A"})"));
  r.flow.push_back(event(Kind::kReceived, "retry", "orders-retry", 90, R"({"retryCount":0})"));
  r.flow.push_back(event(Kind::kReceived, "retry", "orders-retry", 1100, R"({"retryCount":1})"));
  r.flow.push_back(event(Kind::kReceived, "send", "orders-out", 3150, R"({"status":"<x>"})"));
  r.flow.push_back(event(Kind::kUnexpected, "", "orders-dlq", 3200, R"({})"));
  r.flow[3].ok = false;
  r.flow[3].key = "A";
  r.flow[3].message_name = "Accepted";
  r.flow[3].mismatches = r.checks[0].mismatches;

  const json t = TestJson(r, &plan);
  ExpectTestShape(t);
  EXPECT_EQ(t["outcome"], "failed");
  EXPECT_EQ(t["started_at"], report::FormatIsoMillis(kT0));
  EXPECT_EQ(t["duration_ms"], 4321);
  EXPECT_EQ(t["checks"][0]["mismatches"],
            json::parse(R"([{"pointer": "/payload/status", "message": "status differs"}])"));
  const json& f = t["flow"];
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[0]["kind"], "published");
  EXPECT_EQ(f[0]["role"], "publish");
  EXPECT_EQ(f[0]["due_ms"], nullptr);
  EXPECT_EQ(f[0]["key"], nullptr);
  EXPECT_EQ(f[1]["due_ms"], 0);
  EXPECT_EQ(f[1]["retry_count"], 0);
  EXPECT_EQ(f[2]["due_ms"], 90 + 1000);
  EXPECT_EQ(f[2]["retry_count"], 1);
  EXPECT_EQ(f[3]["role"], "send");
  EXPECT_EQ(f[3]["due_ms"], 1100 + 2000);
  EXPECT_EQ(f[3]["payload"], R"({"status":"<x>"})");
  EXPECT_EQ(f[3]["key"], "A");
  EXPECT_EQ(f[3]["ok"], false);
  EXPECT_EQ(f[3]["message_name"], "Accepted");
  EXPECT_EQ(f[3]["at"], report::FormatIsoMillis(kT0 + milliseconds(3150)));
  EXPECT_EQ(f[4]["kind"], "unexpected");
  EXPECT_EQ(f[4]["role"], "unexpected");
  EXPECT_EQ(f[4]["due_ms"], nullptr);

  // Without a plan: retry counts still, no due times.
  const json bare = TestJson(r, nullptr);
  EXPECT_EQ(bare["flow"][2]["retry_count"], 1);
  EXPECT_EQ(bare["flow"][1]["due_ms"], nullptr);
  EXPECT_EQ(bare["flow"][3]["due_ms"], nullptr);
}

TEST(SuiteJsonTest, CarriesTheConsoleTextAndEveryTest) {
  contract::SuiteResult suite = report::testing::LabBaseline();
  suite.warnings = {"bulk.json: unknown member 'x' ignored"};
  const json s = SuiteJson(suite, {});
  EXPECT_EQ(KeysOf(s), kSuiteKeys);
  EXPECT_EQ(KeysOf(s["counts"]), kCountsKeys);
  EXPECT_EQ(s["summary_line"], report::FormatSummaryLine(suite.Tally()));
  EXPECT_EQ(s["summary_line"], "Tests run: 6, Successes: 4, Failures: 2, WIP: 0, Errors: 0");
  EXPECT_EQ(s["count_table"], report::FormatMessageCountTable(suite.MessageCounts()));
  EXPECT_EQ(s["final_report"], report::FormatFinalReport(suite));
  EXPECT_EQ(s["counts"],
            json::parse(R"({"run": 6, "successes": 4, "failures": 2, "wip": 0, "errors": 0})"));
  EXPECT_EQ(s["exit_code"], 1);
  EXPECT_EQ(s["wall_ms"], 7850);
  EXPECT_EQ(s["startup_ms"], 1030);
  EXPECT_EQ(s["parallel"], true);
  EXPECT_EQ(s["title"], "order-service-sqs-kafka.yaml");
  EXPECT_EQ(s["warnings"], json::parse(R"(["bulk.json: unknown member 'x' ignored"])"));
  ASSERT_EQ(s["message_counts"].size(), suite.MessageCounts().size());
  for (std::size_t i = 0; i < s["message_counts"].size(); ++i) {
    const json& c = s["message_counts"][i];
    EXPECT_EQ(KeysOf(c), Sorted({"channel", "actual", "expected"}));
    EXPECT_EQ(c["channel"], suite.MessageCounts()[i].channel);
    EXPECT_EQ(c["actual"], suite.MessageCounts()[i].actual);
    EXPECT_EQ(c["expected"], suite.MessageCounts()[i].expected);
  }
  ASSERT_EQ(s["tests"].size(), 6u);
  for (const json& t : s["tests"])
    ExpectTestShape(t);
  EXPECT_EQ(s["tests"][3]["name"], "Receive_Retry_DLQ_Scenario_Priority_Order");
  EXPECT_EQ(s["tests"][3]["outcome"], "failed");
  EXPECT_EQ(s["tests"][3]["reasons"][0],
            "Timeout waiting for a message on topic 'place-order-retry-topic'.");
  EXPECT_EQ(s["tests"][0]["file"], "/lab/Bulk_Order_SQS_Kafka.json");
  EXPECT_EQ(s["tests"][0]["checks"][0]["detail"], "place-order-topic/0@1");
}

// The plans come from the cases by name: the same flow gets due times with them, none without.
TEST_F(SamplePlanTest, SuiteJsonFindsEachTestsPlanByName) {
  const contract::TestPlan plan = Plan(ExampleText({kReceive, kRetry, kSend}));
  contract::SuiteResult suite;
  contract::TestResult other;
  other.name = "Other";
  contract::TestResult r;
  r.name = "E";
  contract::FlowEvent envelope;
  envelope.kind = contract::FlowEvent::Kind::kReceived;
  envelope.role = "retry";
  envelope.payload = R"({"retryCount":0})";
  contract::FlowEvent second = envelope;
  second.payload = R"({"retryCount":1})";
  second.offset = milliseconds(1000);
  r.flow = {envelope, second};
  suite.tests = {other, r};
  const std::vector<contract::TestCase> cases = {contract::TestCase{&plan, nullptr, nullptr}};
  const json with = SuiteJson(suite, cases);
  EXPECT_EQ(with["tests"][1]["flow"][1]["due_ms"], 1000);
  const json without = SuiteJson(suite, {});
  EXPECT_EQ(without["tests"][1]["flow"][1]["due_ms"], nullptr);
}

}  // namespace
}  // namespace driftline::studio
