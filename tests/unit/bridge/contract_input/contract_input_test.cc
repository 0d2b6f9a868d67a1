#include "bridge/contract_input/contract_input.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "contract/check/matcher.h"
#include "contract/spec/example.h"
#include "order/order.h"
#include "testkit/lab_files.h"
#include "testkit/orders.h"
#include "testkit/secrets.h"

namespace driftline::bridge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

const testkit::LabFiles kFiles = testkit::LabFilesFrom(DRIFTLINE_SOURCE_DIR);

constexpr const char* kLabStandard = R"({
  "orderType": "STANDARD", "orderId": "ORD-90001", "customerId": "CUST-44556",
  "items": [{"productId": "PROD-111", "quantity": 1, "price": 899.99}],
  "totalAmount": 899.99, "orderDate": "2025-12-09T14:20:00Z"})";

kafka::Headers WithCorrelationId() {
  return kafka::Headers{{"CorrelationId", "corr-1"}, {"Subject", "Order Placed"}};
}

std::shared_ptr<const ContractInputCheck> Load(const fs::path& contract,
                                               const std::string& topic = "place-order-topic") {
  auto check = ContractInputCheck::Load(contract, topic);
  EXPECT_TRUE(check.has_value()) << check.error().message();
  return check ? *check : nullptr;
}

// A folder for one test's files, removed with it.
class TempDir {
 public:
  TempDir()
      : path_(fs::temp_directory_path() / ("contract-input-" + std::to_string(::getpid()) + "-" +
                                           std::to_string(std::random_device{}()))) {
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return path_ / name;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The receive block of every example of `dir` whose payload order-service parses (the others
// are dead-lettered before any check), as a payload and Kafka headers.
struct Input {
  std::string name;
  json payload;
  kafka::Headers headers;
};
std::vector<Input> ExampleInputs(const fs::path& dir) {
  auto examples = contract::LoadExamples(dir);
  EXPECT_TRUE(examples.has_value()) << examples.error().message();
  std::vector<Input> out;
  if (!examples) return out;
  for (const contract::Example& e : *examples) {
    if (!e.receive || !e.receive->payload) continue;
    auto parsed = order::ParseOrder(e.receive->payload->dump());
    if (!parsed) continue;
    Input input{e.file.filename().string(), parsed->body, {}};
    for (auto it = e.receive->headers.begin(); it != e.receive->headers.end(); ++it) {
      // The examples' receive blocks hold plain values (no matchers): Kafka carries them as text.
      input.headers.Add(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
    }
    out.push_back(std::move(input));
  }
  return out;
}

// True when `value` holds a matcher anywhere ("$match(...)", "(datetime)"): the check sees
// Kafka's values, never an example's matchers.
bool HasMatcher(const json& value) {
  if (value.is_structured()) {
    for (const json& item : value)
      if (HasMatcher(item)) return true;
    return false;
  }
  auto matcher = contract::ParseMatcher(value);
  return !matcher || matcher->has_value();
}

// Every example input of `examples` that order-service parses is accepted by `contract`.
void ExpectExampleInputsAccepted(const fs::path& contract, const fs::path& examples,
                                 std::size_t count) {
  auto check = Load(contract);
  ASSERT_TRUE(check);
  const std::vector<Input> inputs = ExampleInputs(examples);
  EXPECT_EQ(inputs.size(), count);
  for (const Input& input : inputs) {
    EXPECT_FALSE(HasMatcher(input.payload)) << input.name;
    EXPECT_FALSE(HasMatcher(HeadersAsJson(input.headers))) << input.name;
    auto refused = check->Check(input.payload, input.headers);
    EXPECT_FALSE(refused.has_value()) << input.name << ": " << refused->message;
  }
}

TEST(ContractInputCheckTest, TheLabsSixExampleInputsAreAccepted) {
  ASSERT_TRUE(HasMatcher(json{{"orderDate", "(datetime)"}}));
  ExpectExampleInputsAccepted(kFiles.contract, kFiles.examples, 6);
}

TEST(ContractInputCheckTest, TheProjectsExampleOrdersAreAccepted) {
  // 07 is not an order object and 08 an unknown orderType: ParseOrder() dead-letters them.
  ExpectExampleInputsAccepted(kFiles.project_contract, kFiles.project_examples, 6);
}

TEST(ContractInputCheckTest, TheOperationIsTheOneOnTheMainTopic) {
  auto check = Load(kFiles.contract);
  ASSERT_TRUE(check);
  EXPECT_EQ(check->operation().id, "sendOrder");
  EXPECT_EQ(check->Describe(),
            "order-service-sqs-kafka.yaml operation sendOrder (topic 'place-order-topic'); "
            "messages PlaceOrderMessage, PriorityPlaceOrderMessage, BulkPlaceOrderMessage");
}

struct Broken {
  std::string what;
  std::string payload;  // over kLabStandard's members
  bool drop_correlation_id = false;
  std::string expected;  // in the failure's message
};

TEST(ContractInputCheckTest, AnOrderThatBreaksTheLabContractIsRefusedNamingThePointer) {
  auto check = Load(kFiles.contract);
  ASSERT_TRUE(check);
  const std::vector<Broken> cases = {
      {"customerId missing", R"({"customerId": null})", false,
       "/payload/customerId: required member 'customerId' is missing"},
      {"totalAmount a string", R"({"totalAmount": "899.99"})", false, "/payload/totalAmount: "},
      {"orderDate not a date-time", R"({"orderDate": "yesterday"})", false,
       "/payload/orderDate: String should be a valid date-time"},
      {"CorrelationId missing", "{}", true,
       "header 'CorrelationId' required by PlaceOrderMessage is missing"},
  };
  for (const Broken& b : cases) {
    json payload = json::parse(kLabStandard);
    payload.merge_patch(json::parse(b.payload));
    kafka::Headers headers =
        b.drop_correlation_id ? kafka::Headers{{"Subject", "Order Placed"}} : WithCorrelationId();
    auto refused = check->Check(payload, headers);
    ASSERT_TRUE(refused.has_value()) << b.what;
    EXPECT_FALSE(refused->retryable);
    EXPECT_EQ(refused->reason, "schema-violation");
    EXPECT_THAT(refused->message,
                HasSubstr("the order conforms to none of PlaceOrderMessage, "
                          "PriorityPlaceOrderMessage, BulkPlaceOrderMessage (closest "
                          "PlaceOrderMessage): "))
        << b.what;
    EXPECT_THAT(refused->message, HasSubstr(b.expected)) << b.what;
    EXPECT_EQ(refused->where, "check against order-service-sqs-kafka.yaml operation sendOrder");
  }
  // The valid order itself passes.
  EXPECT_FALSE(check->Check(json::parse(kLabStandard), WithCorrelationId()).has_value());
}

TEST(ContractInputCheckTest, AnOrderThatBreaksTheProjectContractIsRefused) {
  auto check = Load(kFiles.project_contract);
  ASSERT_TRUE(check);
  json payload = json::parse(kLabStandard);
  EXPECT_FALSE(check->Check(payload, WithCorrelationId()).has_value());
  payload.erase("customerId");
  payload["orderDate"] = "yesterday";
  auto refused = check->Check(payload, {});
  ASSERT_TRUE(refused.has_value());
  EXPECT_THAT(refused->message, HasSubstr("(closest StandardOrder)"));
  EXPECT_THAT(refused->message, HasSubstr("/payload/customerId"));
  EXPECT_THAT(refused->message, HasSubstr("/payload/orderDate"));
  EXPECT_THAT(refused->message,
              HasSubstr("header 'CorrelationId' required by StandardOrder is missing"));
}

TEST(ContractInputCheckTest, PayloadAndHeadersMustConformToTheSameMessage) {
  // A standard order with the headers of a priority one: PriorityPlaceOrderMessage's Priority
  // header must be HIGH or URGENT, PlaceOrderMessage's headers allow anything else.
  auto check = Load(kFiles.contract);
  ASSERT_TRUE(check);
  kafka::Headers headers = WithCorrelationId();
  headers.Add("Priority", "LOW");
  EXPECT_FALSE(check->Check(json::parse(kLabStandard), headers).has_value());
  json priority = json::parse(kLabStandard);
  priority["orderType"] = "PRIORITY";
  priority["priorityLevel"] = "HIGH";
  priority["expectedDeliveryDate"] = "2025-12-10T14:20:00Z";
  EXPECT_FALSE(check->Check(priority, WithCorrelationId()).has_value());
  // Each message has one problem (PlaceOrderMessage the orderType, PriorityPlaceOrderMessage
  // the Priority header): the first is named the closest.
  auto refused = check->Check(priority, headers);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->reason, "schema-violation");
  EXPECT_THAT(refused->message, HasSubstr("(closest PlaceOrderMessage): /payload/orderType"));
}

TEST(ContractInputCheckTest, ProblemsBeyondTheFirstFewAreCounted) {
  auto check = Load(kFiles.contract);
  ASSERT_TRUE(check);
  auto refused = check->Check(json{{"orderType", "STANDARD"}}, {});
  ASSERT_TRUE(refused.has_value());
  // orderId, customerId, items, totalAmount, orderDate and the CorrelationId header.
  EXPECT_THAT(refused->message, HasSubstr("; and 3 more")) << refused->message;
}

TEST(ContractInputCheckTest, KafkaHeadersAreCheckedAsAnObjectOfStrings) {
  const kafka::Headers headers{
      {"CorrelationId", "a"}, {"Empty", std::nullopt}, {"CorrelationId", "b"}};
  EXPECT_EQ(HeadersAsJson(headers), (json{{"CorrelationId", "b"}, {"Empty", nullptr}}));
  auto check = Load(kFiles.contract);
  ASSERT_TRUE(check);
  // A null CorrelationId is not a string.
  auto refused = check->Check(json::parse(kLabStandard), {{"CorrelationId", std::nullopt}});
  ASSERT_TRUE(refused.has_value());
  EXPECT_THAT(refused->message, HasSubstr("/headers/CorrelationId"));
}

TEST(ContractInputCheckTest, ARenamedTopicFallsBackToTheOnlyOperationWithADeadLetterRoute) {
  auto check = Load(kFiles.contract, "orders-it-1234");
  ASSERT_TRUE(check);
  EXPECT_EQ(check->operation().id, "sendOrder");
}

TEST(ContractInputCheckTest, NoOperationForTheTopicIsReportedNamingFileAndTopic) {
  TempDir dir;
  const fs::path contract = dir.Write(
      "no-dlq.yaml",
      Replaced(testkit::ReadFile(kFiles.contract.string()), "x-specmatic-dlq:", "x-not-a-dlq:"));
  // On the main topic: found.
  EXPECT_TRUE(ContractInputCheck::Load(contract, "place-order-topic").has_value());
  auto check = ContractInputCheck::Load(contract, "orders-elsewhere");
  ASSERT_FALSE(check.has_value());
  EXPECT_EQ(check.error().message(),
            contract.string() +
                ": no receive operation on topic 'orders-elsewhere' (KAFKA_TOPIC), and none with "
                "a dead-letter route (x-specmatic-dlq / deadLetter) to use instead; receive "
                "operations: sendOrder (topic 'place-order-topic')");
}

TEST(ContractInputCheckTest, AContractThatDoesNotLoadGivesTheLoadersError) {
  TempDir dir;
  auto missing = ContractInputCheck::Load(dir.path() / "missing.yaml", "place-order-topic");
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message(), HasSubstr("missing.yaml"));
  const fs::path bad = dir.Write("bad.yaml", "asyncapi: 3.0.0\ninfo: {title: x\nchannels: [\n");
  auto malformed = ContractInputCheck::Load(bad, "place-order-topic");
  ASSERT_FALSE(malformed.has_value());
  EXPECT_THAT(malformed.error().message(), HasSubstr(bad.string() + ":"));
}

TEST(ContractInputCheckTest, AttachBuildsTheCheckOnlyWhenAContractIsGiven) {
  BridgeConfig config;
  ASSERT_TRUE(AttachContractInputCheck(config).has_value());
  EXPECT_EQ(config.input_check, nullptr);

  config.contract_path = kFiles.contract.string();
  ASSERT_TRUE(AttachContractInputCheck(config).has_value());
  ASSERT_NE(config.input_check, nullptr);
  EXPECT_TRUE(Validate(config).has_value());

  BridgeConfig bad;
  bad.contract_path = "/nonexistent/contract.yaml";
  auto s = AttachContractInputCheck(bad);
  ASSERT_FALSE(s.has_value());
  EXPECT_THAT(s.error().message(),
              HasSubstr("ORDER_CONTRACT (--contract): /nonexistent/contract.yaml"));
  EXPECT_EQ(bad.input_check, nullptr);
}

TEST(ContractInputCheckTest, TheTestKitsOrdersConformToTheLabContract) {
  // What the integration tests, the benchmarks and the fault campaign send, with a
  // CorrelationId (those that send none are refused when the check is on).
  auto check = Load(kFiles.contract);
  ASSERT_TRUE(check);
  std::vector<std::string> orders = {testkit::StandardOrder("S-1", 3),
                                     testkit::PriorityOrder("P-1"),
                                     testkit::BulkOrder("B-1", {1, 2})};
  for (int i = 0; i < 6; ++i) {
    orders.push_back(testkit::MixedOrder(testkit::BenchMix(), "M-" + std::to_string(i), i));
    orders.push_back(testkit::MixedOrder(testkit::FaultsMix(), "F-" + std::to_string(i), i));
  }
  for (const std::string& order : orders) {
    auto refused = check->Check(json::parse(order), WithCorrelationId());
    EXPECT_FALSE(refused.has_value()) << order << "\n" << refused->message;
  }
}

}  // namespace
}  // namespace driftline::bridge
