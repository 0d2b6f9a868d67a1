// The mock's decisions on the project's contract, the lab's and the sample contract: no broker,
// no sleeping. The strongest check feeds each example's outputs to the runner's own test engine.
#include "contract/mock/responder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "common/base64.h"
#include "contract/run/engine.h"
#include "contract/run/suite.h"
#include "sample_contract.h"
#include "temp_dir.h"

namespace driftline::contract::mock {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

const fs::path kSource = fs::path(DRIFTLINE_SOURCE_DIR);
const fs::path kProjectConfig = kSource / "contracts" / "specmatic.yaml";
const fs::path kLab = kSource / "../shared/reference/kafka-sqs-retry-dlq";

const Clock::WallTime kWall0 = Clock::WallTime{} + std::chrono::hours(24 * 365 * 56);
const Clock::MonoTime kMono0 = Clock::MonoTime{} + std::chrono::hours(1);

std::unique_ptr<Suite> Load(SuiteOptions options) {
  auto suite = LoadSuite(options);
  EXPECT_TRUE(suite) << suite.error().message();
  if (!suite) return nullptr;
  return std::make_unique<Suite>(std::move(*suite));
}

std::unique_ptr<Suite> LoadConfig(const fs::path& config) {
  SuiteOptions options;
  options.config = config;
  return Load(options);
}

std::unique_ptr<Responder> Mock(const Suite& suite) {
  auto responder = Responder::Create(suite);
  EXPECT_TRUE(responder) << responder.error().message();
  return responder ? std::move(*responder) : nullptr;
}

// The example's receive block as the runner publishes it (Runner::RunOne), seen at `at`.
ObservedMessage Published(const TestCase& tc, Clock::WallTime at) {
  const ExampleMessage& receive = *tc.plan->example->receive;
  ObservedMessage m;
  m.channel = tc.plan->input;
  m.payload = MaterializeForPublish(receive.payload.value_or(json(nullptr)), tc.input_schema, at);
  m.raw_payload = m.payload.dump();
  const json headers = MaterializeForPublish(receive.headers, nullptr, at);
  for (auto it = headers.begin(); it != headers.end(); ++it)
    m.headers[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
  if (receive.key)
    m.key = receive.key->is_string() ? receive.key->get<std::string>() : receive.key->dump();
  m.produced_at = at;
  m.coordinates = tc.plan->input->address + "/0@1";
  return m;
}

// A message on `address` of the suite's (first) contract as a transport hands it over: `raw`
// parsed when it is JSON.
ObservedMessage Input(const Suite& suite, const std::string& address, const std::string& raw,
                      json headers, std::optional<std::string> key = std::nullopt) {
  ObservedMessage m;
  m.channel = suite.specs.front()->contract->ChannelByAddress(address);
  m.raw_payload = raw;
  m.payload = json::parse(raw, nullptr, false);
  m.payload_is_json = !m.payload.is_discarded();
  if (!m.payload_is_json) m.payload = raw;
  m.headers = std::move(headers);
  m.key = std::move(key);
  m.produced_at = kWall0;
  return m;
}

// An output as the runner's watcher would hand it over: produced at its due time, received
// `latency` later.
ObservedMessage Delivered(const PlannedOutput& o, int sequence, milliseconds latency) {
  ObservedMessage m;
  m.channel = o.channel;
  m.payload = o.payload;
  m.raw_payload = o.payload.dump();
  m.headers = o.headers;
  m.key = o.key;
  m.produced_at = o.due;
  m.received_at =
      kMono0 + std::chrono::duration_cast<Clock::MonoTime::duration>(o.due - kWall0) + latency;
  m.coordinates = o.channel->address + "/0@" + std::to_string(sequence);
  return m;
}

std::string Timeline(const Response& r) {
  std::string text = std::string(ResponseKindName(r.kind)) + ": " + r.reason;
  for (const PlannedOutput& o : r.outputs)
    text += "\n  " + o.Describe(kWall0);
  return text;
}

std::string Reasons(const TestResult& t) {
  std::string text;
  for (const std::string& reason : t.reasons)
    text += "\n  " + reason;
  for (const Check& c : t.checks) {
    if (!c.passed) text += "\n  check failed: " + c.name + ": " + c.detail;
  }
  return text;
}

// Runs the runner's engine for one example against the mock: publish at t0, the mock's outputs
// arrive `latency` after their due times, then the test settles.
TestResult RunAgainstMock(const TestCase& tc, const Responder& mock, Response* response = nullptr,
                          milliseconds latency = milliseconds(50)) {
  TestEvaluator eval(*tc.plan, *tc.schemas, Timing{}, MatchOptions{});
  eval.Start(kMono0, kWall0);
  const ObservedMessage published = Published(tc, kWall0);
  eval.Published(kMono0, kWall0, published);
  Response r = mock.Decide(published, kWall0);
  int sequence = 0;
  for (const PlannedOutput& o : r.outputs) {
    EXPECT_FALSE(o.payload.is_null()) << o.Describe(kWall0);
    const ObservedMessage m = Delivered(o, ++sequence, latency);
    eval.Advance(m.received_at);
    eval.Observe(m);
  }
  Clock::MonoTime now = kMono0;
  for (int step = 0; step < 100 && !eval.done(); ++step) {
    auto next = eval.NextDeadline();
    if (!next) break;
    now = *next;
    eval.Advance(now);
  }
  EXPECT_TRUE(eval.done()) << tc.plan->example->name << " did not finish";
  if (response != nullptr) *response = std::move(r);
  return eval.Finish(now);
}

// Roles, channels and due offsets of a response, as "retry@1000 place-order-retry-topic".
std::vector<std::string> Shape(const Response& r) {
  std::vector<std::string> out;
  for (const PlannedOutput& o : r.outputs) {
    const char* role = o.role == Role::kReply ? "send" : o.role == Role::kRetry ? "retry" : "dlq";
    out.push_back(std::string(role) + "@" +
                  std::to_string(std::chrono::duration_cast<milliseconds>(o.due - kWall0).count()) +
                  " " + o.channel->address);
  }
  return out;
}

const Message* DeclaredMessage(const Suite& suite, const std::string& name) {
  for (const auto& m : suite.specs.front()->contract->messages) {
    if (m->name == name) return m.get();
  }
  return nullptr;
}

// Whether `o`'s payload and headers conform to its declared message.
void ExpectConforms(const Suite& suite, const PlannedOutput& o) {
  ASSERT_NE(o.message, nullptr) << o.Describe(kWall0);
  const SchemaCatalog& schemas = *suite.specs.front()->schemas;
  std::vector<Mismatch> mismatches;
  schemas.Payload(o.message)->Validate(o.payload, "/payload", mismatches);
  if (const CompiledSchema* h = schemas.Headers(o.message))
    h->Validate(o.headers, "/headers", mismatches);
  for (const Mismatch& m : mismatches)
    ADD_FAILURE() << o.Describe(kWall0) << ": " << m.pointer << ": " << m.message;
}

// --- The project's contract and its eight examples ---

class ProjectMockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suite_ = LoadConfig(kProjectConfig);
    ASSERT_NE(suite_, nullptr);
    mock_ = Mock(*suite_);
    ASSERT_NE(mock_, nullptr);
  }

  std::unique_ptr<Suite> suite_;
  std::unique_ptr<Responder> mock_;
};

TEST_F(ProjectMockTest, EveryExamplePlaysItsFlowOnTheDeclaredSchedule) {
  const std::string queue = " place-order-queue", retry = " place-order-retry-topic",
                    dlq = " place-order-dlq-topic";
  const std::map<std::string, std::vector<std::string>> expected = {
      {"01-standard.json", {"send@0" + queue}},
      {"02-priority.json", {"send@0" + queue}},
      {"03-bulk-several-orders.json", {"send@0" + queue}},
      // One failure, then the reply delay(0) = 1 s after envelope 0.
      {"04-retry-then-success.json", {"retry@0" + retry, "send@1000" + queue}},
      // maxAttempts 3, exponential from 1 s by 2: envelopes at 0, 1, 3, 7 s; the dead letter
      // at once after the last.
      {"05-retries-exhausted.json",
       {"retry@0" + retry, "retry@1000" + retry, "retry@3000" + retry, "retry@7000" + retry,
        "dlq@7001" + dlq}},
      {"06-permanent-failure.json", {"dlq@0" + dlq}},
      {"07-malformed-order.json", {"dlq@0" + dlq}},
      {"08-unknown-order-type.json", {"dlq@0" + dlq}},
  };
  const auto cases = suite_->Cases();
  ASSERT_EQ(cases.size(), expected.size());
  for (const TestCase& tc : cases) {
    const std::string file = tc.plan->example->file.filename().string();
    SCOPED_TRACE(file);
    const Response r = mock_->Decide(Published(tc, kWall0), kWall0);
    ASSERT_EQ(r.kind, Response::Kind::kExample) << Timeline(r);
    EXPECT_EQ(r.example, tc.plan->example);
    EXPECT_EQ(r.operation, tc.plan->operation);
    EXPECT_EQ(r.correlation_id, tc.plan->correlation_id);
    EXPECT_FALSE(r.correlation_id_generated);
    EXPECT_EQ(Shape(r), expected.at(file)) << Timeline(r);
    int envelope = 0;
    for (const PlannedOutput& o : r.outputs) {
      // The runner finds every output by the correlation id, where the plan says.
      EXPECT_EQ(ExtractCorrelationId(o.headers, o.payload, tc.plan->correlation_locations),
                tc.plan->correlation_id)
          << o.Describe(kWall0);
      EXPECT_EQ(o.headers.value("CorrelationId", ""), tc.plan->correlation_id);
      ExpectConforms(*suite_, o);
      if (o.role == Role::kRetry) {
        EXPECT_EQ(o.retry_count, envelope);
        EXPECT_EQ(o.payload["retryCount"], envelope);
        ++envelope;
      }
      if (o.role == Role::kDeadLetter) {
        const int total = tc.plan->example->retry ? 3 : 0;
        EXPECT_EQ(o.total_retries, total);
        EXPECT_EQ(o.payload["totalRetries"], total);
      }
    }
  }
}

TEST_F(ProjectMockTest, MatchersBecomeValuesThatSatisfyThem) {
  const auto cases = suite_->Cases();
  std::map<std::string, Response> by_file;
  for (const TestCase& tc : cases)
    by_file[tc.plan->example->file.filename().string()] =
        mock_->Decide(Published(tc, kWall0), kWall0);

  const json reply = by_file["02-priority.json"].outputs.at(0).payload;
  EXPECT_EQ(reply["itemsCount"], 1);  // "$match(exact: 1)" typed by the schema: an integer
  EXPECT_EQ(reply["status"], "DELIVERED");
  EXPECT_EQ(reply["deliveredAt"], FormatUtcSeconds(kWall0));  // "(datetime)": the due time
  EXPECT_EQ(reply["deliveryLocation"], "string");

  const Response& retried = by_file["04-retry-then-success.json"];
  EXPECT_EQ(retried.outputs.at(0).payload["errorMessage"], "ORD-RETRY-90001");  // a pattern

  const Response& exhausted = by_file["05-retries-exhausted.json"];
  EXPECT_EQ(exhausted.outputs.at(3).payload["lastAttemptTimestamp"],
            FormatUtcSeconds(kWall0 + milliseconds(7000)));
  const json& letter = exhausted.outputs.at(4).payload;
  EXPECT_EQ(letter["finalErrorMessage"], "Retries exhausted after 3 attempts");
  EXPECT_EQ(letter["failureReason"], "retries-exhausted");
  EXPECT_EQ(letter["originalMessage"]["orderId"], "ORD-DLQ-90001");

  // The malformed order's dead letter keeps its key and the example's exact bytes.
  const PlannedOutput& malformed = by_file["07-malformed-order.json"].outputs.at(0);
  EXPECT_EQ(malformed.key, "BAD-ORDER-1");
  EXPECT_EQ(malformed.payload["rawMessageBase64"], Base64Encode("\"this is not an order\""));
}

// The strongest check: the runner's own engine, fed the mock's outputs at their due times,
// passes every example of the project's contract.
TEST_F(ProjectMockTest, TheRunnersEngineAcceptsEveryFlow) {
  for (const TestCase& tc : suite_->Cases()) {
    Response r;
    const TestResult t = RunAgainstMock(tc, *mock_, &r);
    EXPECT_EQ(t.outcome, Outcome::kPassed) << tc.plan->example->name << Reasons(t) << "\n"
                                           << Timeline(r);
  }
}

// A mock that broke the schedule would be caught: the same flows, the envelopes 40 % late.
TEST_F(ProjectMockTest, TheEngineWouldCatchAShiftedSchedule) {
  for (const TestCase& tc : suite_->Cases()) {
    if (tc.plan->example->file.filename() != "05-retries-exhausted.json") continue;
    TestEvaluator eval(*tc.plan, *tc.schemas, Timing{}, MatchOptions{});
    eval.Start(kMono0, kWall0);
    const ObservedMessage published = Published(tc, kWall0);
    eval.Published(kMono0, kWall0, published);
    Response r = mock_->Decide(published, kWall0);
    int sequence = 0;
    for (PlannedOutput& o : r.outputs) {
      o.due = kWall0 + (o.due - kWall0) * 14 / 10;
      eval.Observe(Delivered(o, ++sequence, milliseconds(50)));
    }
    for (auto next = eval.NextDeadline(); next && !eval.done(); next = eval.NextDeadline())
      eval.Advance(*next);
    const TestResult t = eval.Finish(kMono0 + std::chrono::seconds(30));
    EXPECT_EQ(t.outcome, Outcome::kFailed);
    EXPECT_THAT(Reasons(t), HasSubstr("retry chain and timing"));
  }
}

TEST_F(ProjectMockTest, TheCorrelationIdIsNotComparedButCopied) {
  for (const TestCase& tc : suite_->Cases()) {
    if (tc.plan->example->file.filename() != "01-standard.json") continue;
    ObservedMessage input = Published(tc, kWall0);
    input.headers["CorrelationId"] = "consumer-side-7";
    const Response r = mock_->Decide(input, kWall0);
    ASSERT_EQ(r.kind, Response::Kind::kExample) << Timeline(r);
    EXPECT_EQ(r.example, tc.plan->example);
    EXPECT_EQ(r.correlation_id, "consumer-side-7");
    ASSERT_EQ(r.outputs.size(), 1u);
    EXPECT_EQ(r.outputs[0].headers["CorrelationId"], "consumer-side-7");
    // Another value than the example's is another message.
    input.headers["Subject"] = "Order changed";
    EXPECT_NE(mock_->Decide(input, kWall0).kind, Response::Kind::kExample);
  }
}

TEST_F(ProjectMockTest, AValidOrderOfNoExampleGetsAReplyToGenerate) {
  const json standard = {
      {"orderType", "STANDARD"}, {"orderId", "ORD-NEW-1"},
      {"customerId", "C-1"},     {"items", {{{"productId", "P"}, {"quantity", 1}, {"price", 2.5}}}},
      {"totalAmount", 2.5},      {"orderDate", "2026-02-01T10:00:00Z"}};
  const Clock::WallTime now = kWall0 + milliseconds(1234);
  const Response r = mock_->Decide(
      Input(*suite_, "place-order-topic", standard.dump(), {{"CorrelationId", "gen-1"}}, "K-1"),
      now);
  ASSERT_EQ(r.kind, Response::Kind::kGenerated) << Timeline(r);
  EXPECT_EQ(r.input_message, DeclaredMessage(*suite_, "StandardOrder"));
  EXPECT_EQ(r.correlation_id, "gen-1");
  ASSERT_EQ(r.outputs.size(), 1u);
  const PlannedOutput& o = r.outputs[0];
  EXPECT_EQ(o.channel->address, "place-order-queue");
  EXPECT_EQ(o.role, Role::kReply);
  EXPECT_EQ(o.due, now);
  // The reply the standard examples answer with.
  EXPECT_EQ(o.message, DeclaredMessage(*suite_, "OrderInProgress"));
  EXPECT_TRUE(o.payload.is_null());
  EXPECT_EQ(o.generate_from, &o.message->payload_schema);
  EXPECT_EQ(o.headers, (json{{"CorrelationId", "gen-1"}}));
  EXPECT_EQ(o.key, "K-1");

  // The caller fills the payload; the correlation id and overrides are placed over it.
  PlannedOutput filled = o;
  CompleteGenerated(filled,
                    {{"orderId", "ORD-NEW-1"},
                     {"itemsCount", 1},
                     {"status", "WIP"},
                     {"processingStartedAt", FormatUtcSeconds(now)}},
                    r.correlation_id);
  ExpectConforms(*suite_, filled);

  // A priority and a bulk order are answered as their examples are.
  json priority = standard;
  priority["orderType"] = "PRIORITY";
  priority["priorityLevel"] = "HIGH";
  priority["expectedDeliveryDate"] = "2026-02-02T10:00:00Z";
  const Response p = mock_->Decide(
      Input(*suite_, "place-order-topic", priority.dump(), {{"CorrelationId", "gen-2"}}), now);
  ASSERT_EQ(p.kind, Response::Kind::kGenerated) << Timeline(p);
  EXPECT_EQ(p.outputs.at(0).message, DeclaredMessage(*suite_, "OrderDelivered"));
  const json bulk = {{"orderType", "BULK"},
                     {"batchId", "B-9"},
                     {"customerId", "C-1"},
                     {"orders", {{{"orderId", "O-1"}, {"items", json::array()}}}},
                     {"totalOrderCount", 1},
                     {"batchTotalAmount", 0},
                     {"orderDate", "2026-02-01T10:00:00Z"}};
  const Response b = mock_->Decide(
      Input(*suite_, "place-order-topic", bulk.dump(), {{"CorrelationId", "gen-3"}}), now);
  ASSERT_EQ(b.kind, Response::Kind::kGenerated) << Timeline(b);
  EXPECT_EQ(b.outputs.at(0).message, DeclaredMessage(*suite_, "BatchCompleted"));
}

TEST_F(ProjectMockTest, InputThatIsNotJsonIsDeadLetteredWithItsBytes) {
  const std::string raw = "{not json at all";
  const Response r = mock_->Decide(
      Input(*suite_, "place-order-topic", raw, {{"CorrelationId", "bad-1"}}, "KEY-9"), kWall0);
  ASSERT_EQ(r.kind, Response::Kind::kDeadLetter) << Timeline(r);
  EXPECT_THAT(r.reason, HasSubstr("not JSON"));
  EXPECT_EQ(r.correlation_id, "bad-1");
  EXPECT_EQ(Shape(r), std::vector<std::string>{"dlq@0 place-order-dlq-topic"});
  const PlannedOutput& o = r.outputs[0];
  EXPECT_EQ(o.total_retries, 0);
  EXPECT_EQ(o.payload["totalRetries"], 0);
  EXPECT_EQ(o.payload["rawMessageBase64"], Base64Encode(raw));
  EXPECT_EQ(*Base64Decode(o.payload["rawMessageBase64"].get<std::string>()), raw);
  EXPECT_EQ(o.payload["originalMessage"], json::object());
  EXPECT_EQ(o.payload["failureReason"], "invalid-json");
  EXPECT_EQ(o.payload["messageKey"], "KEY-9");
  EXPECT_EQ(o.key, "KEY-9");
  EXPECT_EQ(o.headers["CorrelationId"], "bad-1");
  ExpectConforms(*suite_, o);
}

TEST_F(ProjectMockTest, InputInvalidAgainstTheSchemaIsDeadLettered) {
  const json order = {{"orderType", "STANDARD"}, {"orderId", "ORD-HALF-1"}, {"customerId", ""}};
  const Response r = mock_->Decide(
      Input(*suite_, "place-order-topic", order.dump(), {{"CorrelationId", "bad-2"}}), kWall0);
  ASSERT_EQ(r.kind, Response::Kind::kDeadLetter) << Timeline(r);
  EXPECT_THAT(r.reason, HasSubstr("conforms to none of StandardOrder, PriorityOrder, BulkOrder"));
  // The closest declaration: its one violation is orderType, which RejectedOrder excludes.
  EXPECT_EQ(r.input_message, DeclaredMessage(*suite_, "RejectedOrder"));
  ASSERT_EQ(r.outputs.size(), 1u);
  const PlannedOutput& o = r.outputs[0];
  EXPECT_EQ(o.due, kWall0);
  EXPECT_EQ(o.payload["totalRetries"], 0);
  EXPECT_EQ(o.payload["originalMessage"], order);  // an object travels as itself
  EXPECT_FALSE(o.payload.contains("rawMessageBase64"));
  EXPECT_EQ(o.payload["failureReason"], "schema-invalid");
  EXPECT_THAT(o.payload["finalErrorMessage"].get<std::string>(), HasSubstr("/payload"));
  // The example's messageKey echoed its orderId: so does this one.
  EXPECT_EQ(o.payload["messageKey"], "ORD-HALF-1");
  EXPECT_EQ(o.headers["CorrelationId"], "bad-2");
  ExpectConforms(*suite_, o);
}

TEST_F(ProjectMockTest, RejectedInputOfNoExampleIsDeadLetteredToo) {
  // Valid as a RejectedOrder, which the examples only ever dead-letter.
  json order = {{"orderType", "EXCHANGE"}, {"orderId", "ORD-X-1"}};
  Response r = mock_->Decide(
      Input(*suite_, "place-order-topic", order.dump(), {{"CorrelationId", "rej-1"}}), kWall0);
  ASSERT_EQ(r.kind, Response::Kind::kDeadLetter) << Timeline(r);
  EXPECT_EQ(r.input_message, DeclaredMessage(*suite_, "RejectedOrder"));
  EXPECT_EQ(r.outputs.at(0).payload["failureReason"], "rejected");
  EXPECT_EQ(r.outputs.at(0).payload["originalMessage"], order);
  ExpectConforms(*suite_, r.outputs.at(0));

  // JSON that is not an object keeps its exact bytes.
  r = mock_->Decide(Input(*suite_, "place-order-topic", "[1, 2]", {{"CorrelationId", "rej-2"}}),
                    kWall0);
  ASSERT_EQ(r.kind, Response::Kind::kDeadLetter) << Timeline(r);
  EXPECT_EQ(r.outputs.at(0).payload["rawMessageBase64"], Base64Encode("[1, 2]"));
  EXPECT_EQ(r.outputs.at(0).payload["messageKey"], "unknown");
  ExpectConforms(*suite_, r.outputs.at(0));
}

TEST_F(ProjectMockTest, InputWithoutACorrelationIdGetsANewOne) {
  const Response r =
      mock_->Decide(Input(*suite_, "place-order-topic", "oops", json::object()), kWall0);
  ASSERT_EQ(r.kind, Response::Kind::kDeadLetter);
  EXPECT_TRUE(r.correlation_id_generated);
  EXPECT_EQ(r.correlation_id.size(), 36u);
  EXPECT_EQ(r.outputs.at(0).headers["CorrelationId"], r.correlation_id);
}

TEST_F(ProjectMockTest, ChannelsNobodyReceivesOnAreNotConsumed) {
  const Response r =
      mock_->Decide(Input(*suite_, "place-order-queue", "{}", {{"CorrelationId", "x"}}), kWall0);
  EXPECT_EQ(r.kind, Response::Kind::kNotConsumed);
  EXPECT_TRUE(r.outputs.empty());
  std::vector<std::string> inputs, outputs;
  for (const Channel* c : mock_->InputChannels())
    inputs.push_back(c->address);
  for (const Channel* c : mock_->OutputChannels())
    outputs.push_back(c->address);
  EXPECT_EQ(inputs, std::vector<std::string>{"place-order-topic"});
  EXPECT_EQ(outputs, (std::vector<std::string>{"place-order-queue", "place-order-retry-topic",
                                               "place-order-dlq-topic"}));
  EXPECT_EQ(mock_->Examples().size(), 8u);
  EXPECT_TRUE(mock_->warnings().empty());
}

// --- Examples added at run time ---

constexpr const char* kAddedStandard = R"J({
  "name": "An added order is retried once",
  "receive": {"topic": "place-order-topic", "headers": {"CorrelationId": "added-1"},
    "payload": {"orderType": "STANDARD", "orderId": "ORD-ADDED-1", "customerId": "C",
      "items": [{"productId": "P", "quantity": 1, "price": 1.0}], "totalAmount": 1.0,
      "orderDate": "(datetime)"
}
}
, "retry" : {
  "topic" : "place-order-retry-topic",
  "headers" : {"CorrelationId" : "added-1"},
  "payload" : {
    "originalMessage" : {"orderId" : "ORD-ADDED-1"},
    "messageKey" : "ORD-ADDED-1",
    "retryCount" : "(integer)",
    "firstAttemptTimestamp" : "(datetime)",
    "lastAttemptTimestamp" : "(datetime)",
    "errorMessage" : "$match(pattern: Flaky [A-Z]+)",
    "errorStackTrace" : "(string)"
  }
},
            "send" : {
  "topic" : "place-order-queue", "headers" : {"CorrelationId" : "added-1"}, "payload" : {
    "orderId" : "ORD-ADDED-1",
                "itemsCount" : 1,
                "status" : "WIP",
                           "processingStartedAt" : "(datetime)"
  }
}
})J";

TEST_F(ProjectMockTest, AnAddedExampleIsPlayedAndTakesPrecedence) {
  testing::TempDir dir;
  ASSERT_TRUE(mock_->AddExample(dir.Write("added.json", kAddedStandard)));
  ASSERT_EQ(mock_->Examples().size(), 9u);
  const Example* added = mock_->Examples().back();
  EXPECT_EQ(added->name, "An added order is retried once");

  ObservedMessage input = Input(*suite_, "place-order-topic", R"({"orderType": "STANDARD",
      "orderId": "ORD-ADDED-1", "customerId": "C", "items": [{"productId": "P", "quantity": 1,
      "price": 1.0}], "totalAmount": 1.0, "orderDate": "2026-03-01T00:00:00Z"})",
                                {{"CorrelationId", "added-9"}});
  Response r = mock_->Decide(input, kWall0);
  ASSERT_EQ(r.kind, Response::Kind::kExample) << Timeline(r);
  EXPECT_EQ(r.example, added);
  EXPECT_EQ(Shape(r), (std::vector<std::string>{"retry@0 place-order-retry-topic",
                                                "send@1000 place-order-queue"}));
  EXPECT_EQ(r.outputs[0].payload["errorMessage"], "Flaky A");
  for (const PlannedOutput& o : r.outputs) {
    EXPECT_EQ(o.headers["CorrelationId"], "added-9");
    ExpectConforms(*suite_, o);
  }

  // Added with the same receive as 01-standard.json (from text): the newest is played.
  std::string same = kAddedStandard;
  const json standard = *suite_->Cases().front().plan->example->receive->payload;
  json text = json::parse(same);
  text["name"] = "Standard, retried";
  text["receive"]["payload"] = standard;
  text["receive"]["headers"]["Subject"] = "Order placed";
  text["retry"]["payload"]["errorMessage"] = "(string)";
  ASSERT_TRUE(mock_->AddExampleText(text.dump(), "inline.json"));
  const auto cases = suite_->Cases();
  const TestCase& first = cases.front();
  r = mock_->Decide(Published(first, kWall0), kWall0);
  ASSERT_EQ(r.kind, Response::Kind::kExample);
  EXPECT_EQ(r.example->name, "Standard, retried");
  EXPECT_EQ(r.example->file, fs::path("inline.json"));
}

TEST_F(ProjectMockTest, ABrokenExampleIsRefusedNamingFileAndPointer) {
  testing::TempDir dir;
  // Not valid for the contract: orderId must be a string.
  json broken = json::parse(kAddedStandard);
  broken["receive"]["payload"]["orderId"] = 42;
  const fs::path file = dir.Write("broken.json", broken.dump());
  auto status = mock_->AddExample(file);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), Code::kInvalidArgument);
  EXPECT_THAT(status.error().message(),
              HasSubstr(file.string() + " (at /receive/payload/orderId)"));

  // Not an example: a block without its topic.
  json no_topic = json::parse(kAddedStandard);
  no_topic["send"].erase("topic");
  status = mock_->AddExample(dir.Write("no-topic.json", no_topic.dump()));
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message(), HasSubstr("no-topic.json"));
  EXPECT_THAT(status.error().message(), HasSubstr("/send"));

  // A topic nobody receives on.
  json elsewhere = json::parse(kAddedStandard);
  elsewhere["receive"]["topic"] = "nowhere-topic";
  status = mock_->AddExampleText(elsewhere.dump(), "elsewhere.json");
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message(), HasSubstr("elsewhere.json (at /receive/topic)"));

  // A pattern no value can be found for.
  json lookahead = json::parse(kAddedStandard);
  lookahead["retry"]["payload"]["errorMessage"] = "$match(pattern: (?=F)Flaky)";
  status = mock_->AddExampleText(lookahead.dump(), "lookahead.json");
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message(),
              HasSubstr("lookahead.json (at /retry/payload/errorMessage): no value found"));

  // Unreadable, and not JSON.
  status = mock_->AddExample(dir.path() / "missing.json");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), Code::kNotFound);
  status = mock_->AddExampleText("{\"name\": ", "cut.json");
  ASSERT_FALSE(status);
  EXPECT_THAT(status.error().message(), HasSubstr("cut.json"));

  EXPECT_EQ(mock_->Examples().size(), 8u);  // none of them was added
}

TEST_F(ProjectMockTest, DecidingWhileExamplesAreAddedIsSafe) {
  const auto cases = suite_->Cases();
  std::atomic<bool> adding{true};
  std::atomic<int> wrong{0};
  std::atomic<int> decided{0};
  std::vector<std::thread> deciders;
  for (int t = 0; t < 2; ++t) {
    deciders.emplace_back([&] {
      while (adding.load() || decided.load() < 100) {
        for (const TestCase& tc : cases) {
          const Response r = mock_->Decide(Published(tc, kWall0), kWall0);
          if (r.kind != Response::Kind::kExample || r.example != tc.plan->example) ++wrong;
          ++decided;
        }
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    json ex = json::parse(kAddedStandard);
    ex["name"] = "added " + std::to_string(i);
    ex["receive"]["payload"]["orderId"] = "ORD-ADDED-" + std::to_string(i);
    EXPECT_TRUE(mock_->AddExampleText(ex.dump(), "added-" + std::to_string(i) + ".json"));
  }
  adding = false;
  for (std::thread& t : deciders)
    t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(mock_->Examples().size(), 28u);
}

// --- The lab's contract and examples, unchanged ---

TEST(LabMockTest, TheRunnersEngineAcceptsEveryFlowOfTheLab) {
  if (!fs::exists(kLab)) GTEST_SKIP() << "../shared is absent: " << kLab;
  auto suite = LoadConfig(kLab / "specmatic.yaml");
  ASSERT_NE(suite, nullptr);
  auto mock = Mock(*suite);
  ASSERT_NE(mock, nullptr);
  const auto cases = suite->Cases();
  ASSERT_EQ(cases.size(), 6u);
  for (const TestCase& tc : cases) {
    Response r;
    const TestResult t = RunAgainstMock(tc, *mock, &r);
    EXPECT_EQ(t.outcome, Outcome::kPassed) << tc.plan->example->name << Reasons(t) << "\n"
                                           << Timeline(r);
    if (tc.plan->example->name == "Receive_Retry_DLQ_Scenario_Priority_Order") {
      EXPECT_EQ(Shape(r),
                (std::vector<std::string>{
                    "retry@0 place-order-retry-topic", "retry@1000 place-order-retry-topic",
                    "retry@3000 place-order-retry-topic", "retry@7000 place-order-retry-topic",
                    "dlq@7001 place-order-dlq-topic"}));
      EXPECT_EQ(r.outputs.back().payload["totalRetries"], 3);
    }
    if (tc.plan->example->name == "Retry_Scenario_Standard_Order") {
      EXPECT_EQ(Shape(r), (std::vector<std::string>{"retry@0 place-order-retry-topic",
                                                    "send@1000 place-order-queue"}));
    }
  }
  // Not JSON: the lab's dead letter, shaped like its direct-DLQ example, with the raw bytes.
  const Response bad = mock->Decide(
      Input(*suite, "place-order-topic", "garbage", {{"CorrelationId", "lab-bad"}}), kWall0);
  ASSERT_EQ(bad.kind, Response::Kind::kDeadLetter) << Timeline(bad);
  const PlannedOutput& o = bad.outputs.at(0);
  EXPECT_EQ(o.message, DeclaredMessage(*suite, "PlaceOrderDlqMessage"));
  EXPECT_EQ(o.payload["totalRetries"], 0);
  EXPECT_EQ(o.payload["rawMessageBase64"], Base64Encode("garbage"));
  ExpectConforms(*suite, o);
  // A valid standard order of no example: a WIP reply to generate.
  const json order = {{"orderType", "STANDARD"}, {"orderId", "O"},
                      {"customerId", "C"},       {"items", json::array()},
                      {"totalAmount", 0},        {"orderDate", "2026-01-01T00:00:00Z"}};
  const Response generated = mock->Decide(
      Input(*suite, "place-order-topic", order.dump(), {{"CorrelationId", "lab-gen"}}), kWall0);
  ASSERT_EQ(generated.kind, Response::Kind::kGenerated) << Timeline(generated);
  EXPECT_EQ(generated.outputs.at(0).message, DeclaredMessage(*suite, "WipOrderMessage"));
}

// --- The sample contract (tests/unit/contract/support) ---

class SampleMockTest : public ::testing::Test {
 protected:
  // Loads the sample contract (optionally edited) with `examples` (file name -> JSON text).
  void Load(const std::map<std::string, std::string>& examples, std::string contract = {}) {
    dir_.Write("orders.yaml", contract.empty() ? testing::kSampleContract : contract);
    for (const auto& [name, text] : examples)
      dir_.Write("orders_examples/" + name, text);
    SuiteOptions options;
    options.contracts.push_back(dir_.path() / "orders.yaml");
    options.strict = true;
    suite_ = mock::Load(options);
    ASSERT_NE(suite_, nullptr);
    mock_ = Mock(*suite_);
    ASSERT_NE(mock_, nullptr);
  }

  testing::TempDir dir_;
  std::unique_ptr<Suite> suite_;
  std::unique_ptr<Responder> mock_;
};

constexpr const char* kRetryThenDead = R"J({"name": "Always failing",
  "receive": {"topic": "orders-in", "payload": {"id": "A", "count": 1},
              "headers": {"CorrelationId": "c-a"}},
  "retry": {"topic": "orders-retry", "payload": {"id": "A", "retryCount": "(number)"
}
}
, "dlq" : {
  "topic" : "orders-dlq", "payload" : {
    "id" : "A", "totalRetries" : "(number)"
  }
}
})J";
constexpr const char* kAccepted = R"J({"name": "Accepted",
  "receive": {"topic": "orders-in", "payload": {"id": "B", "count": 2},
              "headers": {"CorrelationId": "c-b"}},
  "send": {"topic": "orders-out", "payload": {"id": "B", "status": "ACCEPTED",
           "at": "(datetime)"
}
}
})J";

TEST_F(SampleMockTest, TheSampleFlowsPassTheEngine) {
  Load({{"a.json", kRetryThenDead}, {"b.json", kAccepted}});
  for (const TestCase& tc : suite_->Cases()) {
    Response r;
    const TestResult t = RunAgainstMock(tc, *mock_, &r);
    EXPECT_EQ(t.outcome, Outcome::kPassed) << tc.plan->example->name << Reasons(t) << "\n"
                                           << Timeline(r);
    if (tc.plan->example->name == "Always failing") {
      ASSERT_EQ(r.outputs.size(), 5u) << Timeline(r);
      EXPECT_EQ(r.outputs[2].Describe(kWall0),
                "+3.000 s retry retryCount 2 -> topic 'orders-retry'");
      EXPECT_EQ(r.outputs[4].Describe(kWall0),
                "+7.001 s dead letter totalRetries 3 -> topic 'orders-dlq'");
      EXPECT_EQ(r.outputs[4].payload, (json{{"id", "A"}, {"totalRetries", 3}}));
    }
  }
}

TEST_F(SampleMockTest, WithoutAnExampleDeadLetterTheDeadLetterIsGenerated) {
  Load({{"b.json", kAccepted}});
  const Response r = mock_->Decide(
      Input(*suite_, "orders-in", R"({"id": "Z"})", {{"CorrelationId", "c-z"}}, "k"), kWall0);
  ASSERT_EQ(r.kind, Response::Kind::kDeadLetter) << Timeline(r);
  ASSERT_EQ(r.outputs.size(), 1u);
  PlannedOutput o = r.outputs[0];
  EXPECT_EQ(o.channel->address, "orders-dlq");
  EXPECT_TRUE(o.payload.is_null());
  ASSERT_NE(o.generate_from, nullptr);
  EXPECT_EQ(*o.generate_from, DeclaredMessage(*suite_, "Dead")->payload_schema);
  EXPECT_EQ(o.overrides["totalRetries"], 0);
  EXPECT_EQ(o.overrides["originalMessage"], (json{{"id", "Z"}}));
  EXPECT_EQ(o.overrides["messageKey"], "k");
  CompleteGenerated(o, {{"id", "Z"}, {"totalRetries", 5}}, r.correlation_id);
  EXPECT_EQ(o.payload["totalRetries"], 0);
  EXPECT_EQ(o.headers["CorrelationId"], "c-z");
  ExpectConforms(*suite_, o);
}

TEST_F(SampleMockTest, ACorrelationIdInThePayloadIsWrittenWhereTheInputCarriesIt) {
  std::string contract = testing::kSampleContract;
  const std::string from = "{location: '$message.header#/CorrelationId'}";
  contract.replace(contract.find(from), from.size(), "{location: '$message.payload#/id'}");
  Load({{"b.json", kAccepted}, {"a.json", kRetryThenDead}}, contract);
  // The example's id is its correlation id, so it is not compared: another id matches.
  const Response r = mock_->Decide(
      Input(*suite_, "orders-in", R"({"id": "order-77", "count": 2})", {{"CorrelationId", "c-b"}}),
      kWall0);
  ASSERT_EQ(r.kind, Response::Kind::kExample) << Timeline(r);
  EXPECT_EQ(r.example->name, "Accepted");
  EXPECT_EQ(r.correlation_id, "order-77");
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].payload["id"], "order-77");
  ASSERT_TRUE(r.outputs[0].correlation_location);
  EXPECT_EQ(r.outputs[0].correlation_location->pointer, "/id");
  for (const TestCase& tc : suite_->Cases()) {
    const TestResult t = RunAgainstMock(tc, *mock_);
    EXPECT_EQ(t.outcome, Outcome::kPassed) << tc.plan->example->name << Reasons(t);
  }
}

TEST(ResponderCreateTest, AContractWithNothingToReceiveIsRefused) {
  testing::TempDir dir;
  std::string contract = testing::kSampleContract;
  const std::string from = "action: receive";
  contract.replace(contract.find(from), from.size(), "action: send");
  dir.Write("orders.yaml", contract);
  dir.Write("orders_examples/a.json", R"({"name": "Sent", "send": {"topic": "orders-out",
      "headers": {"CorrelationId": "c-1"}, "payload": {"id": "A", "status": "ACCEPTED"}}})");
  SuiteOptions options;
  options.contracts.push_back(dir.path() / "orders.yaml");
  auto suite = Load(options);
  ASSERT_NE(suite, nullptr);
  auto mock = Responder::Create(*suite);
  ASSERT_FALSE(mock);
  EXPECT_THAT(mock.error().message(), HasSubstr("no receive operation"));
}

}  // namespace
}  // namespace driftline::contract::mock
