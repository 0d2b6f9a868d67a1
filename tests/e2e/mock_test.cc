// contract-test mock against the real stack:
//   - contract-test, run against the mock, passes the lab's files unchanged (6 of 6, the lab's
//     table) and the project's contract (8 of 8): the mock plays every flow, retry schedule
//     included;
//   - orders no example covers get replies generated from the reply schema (valid, with their
//     correlation id), invalid input gets dead letters and no reply, and GET /_mock/verify
//     counts exactly what a consumer saw on every channel;
//   - the control API (health, expectations, log, reset) and the faults (drop, duplicate,
//     delay), and SIGTERM drains what is planned and exits 0.
// The tests on the lab's channel names own them while they run (RESOURCE_LOCK, as lab_test.cc);
// the others run on a private topology with a renamed copy of the project's contract.
// GCC 12 reports a false -Wnull-dereference inside std::streambuf when inlining this file at -O2.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/clock.h"
#include "contract/check/check.h"
#include "contract/mock/generate.h"
#include "contract/mock/responder.h"
#include "contract/run/suite.h"
#include "e2e_support.h"
#include "testkit/child_process.h"
#include "testkit/contract_copy.h"
#include "testkit/contract_output.h"
#include "testkit/eventually.h"
#include "testkit/ports.h"
#include "testkit/stack_env.h"
#include "testkit/topology.h"

namespace driftline::contract::mock_e2e {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using testkit::CapturedRun;
using testkit::RunCaptured;
namespace fs = std::filesystem;

using e2e_support::kLab;
using e2e_support::kLabTable;
using e2e_support::kOutput;
using e2e_support::kRepo;
using e2e_support::SqsAccountUrl;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The mock as a child process with its control port, stopped with SIGTERM by the destructor.
class MockProcess {
 public:
  // Starts `contract-test mock <args> --kafka .. --sqs .. --port <free>` and waits until
  // /_mock/health answers 200 (the mock is ready) or 60 s pass.
  static std::unique_ptr<MockProcess> Start(const std::string& name,
                                            const std::vector<std::string>& args) {
    auto m = std::unique_ptr<MockProcess>(new MockProcess());
    m->log_ = kOutput / (name + "-mock.log");
    fs::create_directories(kOutput);
    fs::remove(m->log_);
    m->port_ = testkit::FreeLoopbackPort();
    std::vector<std::string> argv = {DRIFTLINE_CONTRACT_TEST_BIN, "mock"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--kafka", testkit::KafkaBootstrap(), "--sqs", SqsAccountUrl(),
                             "--port", std::to_string(m->port_), "--log-level", "info"});
    auto child = testkit::ChildProcess::Spawn(argv, {}, m->log_.string());
    EXPECT_TRUE(child.has_value()) << child.error().ToString();
    if (!child) return nullptr;
    m->process_ = std::move(*child);
    const bool ready = testkit::Eventually(
        [&] { return testkit::HttpGetStatus(m->port_, "/_mock/health") == 200; },
        milliseconds(60000), milliseconds(20));
    EXPECT_TRUE(ready) << "the mock was not ready within 60 s; log " << m->log_ << ":\n"
                       << ReadFile(m->log_);
    if (!ready) return nullptr;
    return m;
  }
  ~MockProcess() {
    if (process_ && process_->Running()) process_->Terminate(milliseconds(30000));
  }

  int port() const { return port_; }
  const fs::path& log() const { return log_; }
  testkit::ChildProcess& process() { return *process_; }

  json Get(const std::string& path) const {
    const testkit::HttpGetReply r = testkit::HttpGet(port_, path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  // POST with a JSON body: the status and the parsed reply.
  std::pair<int, json> Post(const std::string& path, const std::string& body) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    auto r = client.Post(path, body, "application/json");
    if (!r) return {-1, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  // What the mock's channel counters say about `address` (verify's "channels").
  std::int64_t Count(const std::string& address, const std::string& what) const {
    const json v = Get("/_mock/verify");
    return v.at("channels").at(address).at(what).get<std::int64_t>();
  }

 private:
  MockProcess() = default;
  fs::path log_;
  int port_ = -1;
  std::unique_ptr<testkit::ChildProcess> process_;
};

CapturedRun RunContractTest(const std::string& name, const std::vector<std::string>& args) {
  return e2e_support::RunContractTest(name, args, "against contract-test mock");
}

class MockAgainstRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testkit::RunQuietly((kRepo / "stack/stack.sh").string() + " status"), 0)
        << "the local stack is not ready: run `make stack-up` (stack/stack.sh up)";
  }
  void TearDown() override {
    if (mock_) {
      EXPECT_EQ(mock_->process().Terminate(milliseconds(30000)), 0)
          << "the mock did not drain and exit 0; log " << mock_->log() << ":\n"
          << ReadFile(mock_->log());
      std::cout << "mock log " << mock_->log() << ":\n" << ReadFile(mock_->log());
    }
  }
  std::unique_ptr<MockProcess> mock_;
};

TEST_F(MockAgainstRunnerTest, LabFilesUnchangedPassAgainstTheMock) {
  if (!fs::exists(kLab / "specmatic.yaml"))
    GTEST_SKIP() << "skipped: ../shared is absent (" << kLab << "), so the lab's files are too";
  const std::string config = (kLab / "specmatic.yaml").string();
  mock_ = MockProcess::Start("lab", {"--config", config});
  ASSERT_TRUE(mock_);
  const CapturedRun r = RunContractTest("mock-lab", {"--config", config});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("Tests run: 6, Successes: 6, Failures: 0, WIP: 0, Errors: 0"));
  EXPECT_THAT(r.output, HasSubstr(kLabTable));
  EXPECT_THAT(r.output, Not(HasSubstr("Unsuccessful Scenarios:")));
  // The mock counted the runner's six inputs, four replies, two retry envelopes, two dead letters.
  EXPECT_EQ(mock_->Count("place-order-topic", "received"), 6);
  EXPECT_EQ(mock_->Count("place-order-queue", "emitted"), 4);
  EXPECT_EQ(mock_->Count("place-order-dlq-topic", "emitted"), 2);
  EXPECT_EQ(mock_->Count("place-order-retry-topic", "emitted"),
            5);  // 4 of one chain, 1 of the other
}

TEST_F(MockAgainstRunnerTest, ProjectContractPassesAgainstTheMock) {
  const std::string config = (kRepo / "contracts/specmatic.yaml").string();
  mock_ = MockProcess::Start("project", {"--config", config});
  ASSERT_TRUE(mock_);
  const CapturedRun r = RunContractTest("mock-project", {"--config", config});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("Tests run: 8, Successes: 8, Failures: 0, WIP: 0, Errors: 0"));
  // Every example of the contract matched exactly once.
  const json v = mock_->Get("/_mock/verify");
  ASSERT_EQ(v.at("examples").size(), 8u) << v.dump(2);
  for (const json& e : v.at("examples"))
    EXPECT_EQ(e.at("matched"), 1) << e.dump();
}

// The consumers' negative test: replies to the queue never sent. The runner fails exactly the
// scenarios that wait for the queue, each with a timeout reason; the dead-letter scenarios pass.
TEST_F(MockAgainstRunnerTest, DroppingEveryReplyFailsTheSuccessScenariosWithATimeout) {
  const std::string config = (kRepo / "contracts/specmatic.yaml").string();
  mock_ =
      MockProcess::Start("drop", {"--config", config, "--drop-percent", "place-order-queue=100"});
  ASSERT_TRUE(mock_);
  const CapturedRun r = RunContractTest("mock-drop", {"--config", config});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("Tests run: 8, Successes: 4, Failures: 4, WIP: 0, Errors: 0"));
  const testkit::ContractTestOutput parsed = testkit::ParseContractTestOutput(r.output);
  const auto failed = parsed.UnsuccessfulNames();
  ASSERT_EQ(failed.size(), 4u);
  for (const std::string& name : failed) {
    EXPECT_THAT(parsed.Find(name)->ReasonText(),
                HasSubstr("Timeout waiting for a message on queue 'place-order-queue'."))
        << name;
  }
  EXPECT_EQ(mock_->Count("place-order-queue", "dropped"), 4);
  EXPECT_EQ(mock_->Count("place-order-queue", "emitted"), 0);
}

// --- On a private topology: a renamed copy of the project's contract. ---

class MockOnTopologyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testkit::RunQuietly((kRepo / "stack/stack.sh").string() + " status"), 0)
        << "the local stack is not ready: run `make stack-up` (stack/stack.sh up)";
    testkit::TopologyOptions options;
    options.prefix = "mock";
    auto topology = testkit::Topology::Create(options);
    ASSERT_TRUE(topology.has_value()) << topology.error().ToString();
    topology_ = std::move(*topology);
    dir_ = kOutput / ("mock-" + topology_->base());
    auto copy = testkit::CopyContract(kRepo / "contracts/order-service.yaml",
                                      kRepo / "contracts/order-service_examples", {"schemas"}, dir_,
                                      {{"place-order-topic", topology_->main_topic()},
                                       {"place-order-retry-topic", topology_->retry_topic()},
                                       {"place-order-dlq-topic", topology_->dlq_topic()},
                                       {"place-order-queue", topology_->queue_name()}});
    ASSERT_TRUE(copy.has_value()) << copy.error().ToString();
    copy_ = *copy;
    SuiteOptions so;
    so.contracts = {copy_.contract};
    so.example_dirs = {copy_.examples};
    auto suite = LoadSuite(so);
    ASSERT_TRUE(suite.has_value()) << suite.error().ToString();
    suite_ = std::make_unique<Suite>(std::move(*suite));
    contract_ = suite_->specs.at(0)->contract.get();
    schemas_ = suite_->specs.at(0)->schemas.get();
    auto responder = mock::Responder::Create(*suite_, {});
    ASSERT_TRUE(responder.has_value()) << responder.error().ToString();
    responder_ = std::move(*responder);
  }
  void TearDown() override {
    if (mock_ && mock_->process().Running()) {
      EXPECT_EQ(mock_->process().Terminate(milliseconds(30000)), 0);
    }
    if (mock_) std::cout << "mock log " << mock_->log() << ":\n" << ReadFile(mock_->log());
    mock_.reset();
    fs::remove_all(dir_);
  }

  void StartMock(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--contract", copy_.contract.string(), "--examples",
                                     copy_.examples.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    mock_ = MockProcess::Start(topology_->base(), args);
    ASSERT_TRUE(mock_);
  }

  const Message* MessageNamed(const std::string& name) const {
    for (const auto& m : contract_->messages) {
      if (m->name == name) return m.get();
    }
    ADD_FAILURE() << "no message " << name;
    return nullptr;
  }
  const Channel* ChannelAt(const std::string& address) const {
    return contract_->ChannelByAddress(address);
  }

  // An input as the mock will observe it, for asking the responder what it decides.
  ObservedMessage Observed(const std::string& payload, const std::string& correlation_id) const {
    ObservedMessage m;
    m.channel = ChannelAt(topology_->main_topic());
    m.raw_payload = payload;
    m.payload = json::parse(payload, nullptr, false);
    m.payload_is_json = !m.payload.is_discarded();
    if (!m.payload_is_json) m.payload = payload;
    m.headers = {{"CorrelationId", correlation_id}};
    m.correlation_id = correlation_id;
    return m;
  }

  std::unique_ptr<testkit::Topology> topology_;
  fs::path dir_;
  testkit::ContractCopy copy_;
  std::unique_ptr<Suite> suite_;
  const Contract* contract_ = nullptr;
  const SchemaCatalog* schemas_ = nullptr;
  std::unique_ptr<mock::Responder> responder_;
  std::unique_ptr<MockProcess> mock_;
};

// 1,000 random orders valid against the contract and in no example → 1,000 replies, each valid
// against the reply channel's messages and carrying its order's correlation id; 200 invalid
// inputs of nine kinds → 200 dead letters (totalRetries 0, correlation id kept) and nothing
// else. The mock's verify counts equal what the consumers saw on each channel.
TEST_F(MockOnTopologyTest, GeneratedRepliesAndDeadLettersMatchWhatTheConsumersSee) {
  ASSERT_NO_FATAL_FAILURE(StartMock());
  constexpr int kValid = 1000;
  constexpr int kInvalid = 200;
  const std::vector<const Message*> orders = {
      MessageNamed("StandardOrder"), MessageNamed("PriorityOrder"), MessageNamed("BulkOrder")};
  std::vector<kafka::OutgoingMessage> records;
  std::set<std::string> valid_ids;
  const Clock::WallTime now = Clock::System().Wall();
  for (int i = 0; i < kValid; ++i) {
    const Message* m = orders[static_cast<std::size_t>(i) % orders.size()];
    auto payload = mock::GenerateFromSchema(m->payload_schema, json(),
                                            7000 + static_cast<std::uint64_t>(i), i % 2 == 0);
    ASSERT_TRUE(payload.has_value()) << payload.error().ToString();
    const std::string id = "mock-valid-" + std::to_string(i);
    const std::string text = payload->dump();
    // Honest input: valid, and answered by a generated reply rather than an example's.
    const mock::Response decided = responder_->Decide(Observed(text, id), now);
    ASSERT_EQ(decided.kind, mock::Response::Kind::kGenerated)
        << text << " → " << mock::ResponseKindName(decided.kind) << ": " << decided.reason;
    records.push_back(topology_->Order(text, id));
    valid_ids.insert(id);
  }
  const std::vector<std::string> invalid = {
      "{not json",                         // not JSON
      std::string("\xff\xfe\x00\x81", 4),  // not UTF-8
      "[1,2,3]",                           // an array
      "\"just a string\"",                 // a bare string
      "{}",                                // an empty object
      R"({"orderType":"STANDARD","orderId":"O-1","items":[{"productId":"P","quantity":1,"price":1}],"totalAmount":1,"orderDate":"2026-01-01T00:00:00Z"})",  // customerId missing
      R"({"orderType":"STANDARD","orderId":"O-1","customerId":"C","items":[{"productId":"P","quantity":1,"price":1}],"totalAmount":"lots","orderDate":"2026-01-01T00:00:00Z"})",  // a wrong type
      R"({"orderType":"EXPRESS","orderId":"O-1"})",  // an order type outside the enum
      R"({"orderType":"STANDARD","orderId":"O-1","customerId":"C","items":[],"totalAmount":1,"orderDate":"2026-01-01T00:00:00Z"})",  // minItems broken
  };
  std::set<std::string> invalid_ids;
  for (int i = 0; i < kInvalid; ++i) {
    const std::string id = "mock-invalid-" + std::to_string(i);
    const std::string& text = invalid[static_cast<std::size_t>(i) % invalid.size()];
    const mock::Response decided = responder_->Decide(Observed(text, id), now);
    ASSERT_EQ(decided.kind, mock::Response::Kind::kDeadLetter)
        << text << " → " << mock::ResponseKindName(decided.kind);
    records.push_back(topology_->Order(text, id));
    invalid_ids.insert(id);
  }
  ASSERT_TRUE(topology_->Produce(records, milliseconds(60000)));

  // Every reply: valid against one of the reply channel's messages, with a correlation id of
  // a valid order, each exactly once.
  auto replies = topology_->DrainQueue(kValid, milliseconds(120000));
  ASSERT_TRUE(replies.has_value()) << replies.error().ToString();
  const Channel* queue = ChannelAt(topology_->queue_name());
  std::map<std::string, int> replied;
  int invalid_replies = 0;
  for (const sqs::ReceivedMessage& r : *replies) {
    ObservedMessage o;
    o.channel = queue;
    o.raw_payload = r.body;
    o.payload = json::parse(r.body, nullptr, false);
    json headers = json::object();
    for (const auto& [name, value] : r.message_attributes)
      headers[name] = value.string_value;
    o.headers = headers;
    const MessageVerdict verdict = CheckMessage(*schemas_, queue->messages, nullptr, o, {});
    if (!verdict.schema_ok()) {
      if (++invalid_replies <= 5)
        ADD_FAILURE() << "a reply that breaks the reply schema: " << r.body << " ("
                      << verdict.schema_mismatches.front().pointer << ")";
    }
    ++replied[headers.value("CorrelationId", std::string("(none)"))];
  }
  EXPECT_EQ(invalid_replies, 0);
  EXPECT_EQ(replies->size(), static_cast<std::size_t>(kValid));
  int unknown = 0, twice = 0;
  for (const auto& [id, n] : replied) {
    if (valid_ids.count(id) == 0) ++unknown;
    if (n > 1) ++twice;
  }
  EXPECT_EQ(unknown, 0) << "replies with a correlation id of no valid order";
  EXPECT_EQ(twice, 0);
  EXPECT_EQ(replied.size(), valid_ids.size());

  // Every dead letter: one per invalid input, totalRetries 0, its correlation id.
  auto dead = topology_->ReadTopic(topology_->dlq_topic(), kInvalid, milliseconds(60000));
  ASSERT_TRUE(dead.has_value()) << dead.error().ToString();
  EXPECT_EQ(dead->size(), static_cast<std::size_t>(kInvalid));
  std::set<std::string> dead_ids;
  for (const kafka::Message& d : *dead) {
    const json payload = json::parse(d.payload, nullptr, false);
    ASSERT_TRUE(payload.is_object()) << d.payload;
    EXPECT_EQ(payload.value("totalRetries", -1), 0) << d.payload;
    dead_ids.insert(testkit::HeaderOf(d, "CorrelationId"));
  }
  EXPECT_EQ(dead_ids, invalid_ids);
  EXPECT_EQ(topology_->EndOffsetSum(topology_->retry_topic()), 0) << "no retry envelope";

  // The mock's counts are what the consumers saw (nothing left pending: all was sent).
  const json v = mock_->Get("/_mock/verify");
  std::cout << "verify: " << v.dump(2) << "\n";
  const json& ch = v.at("channels");
  EXPECT_EQ(ch.at(topology_->main_topic()).at("received"), kValid + kInvalid);
  EXPECT_EQ(ch.at(topology_->queue_name()).at("emitted"), replies->size());
  EXPECT_EQ(ch.at(topology_->queue_name()).at("replies"), replies->size());
  EXPECT_EQ(ch.at(topology_->dlq_topic()).at("emitted"), dead->size());
  EXPECT_EQ(ch.at(topology_->retry_topic()).at("emitted"), 0);
  EXPECT_EQ(v.at("kinds").at("generated"), kValid);
  EXPECT_EQ(v.at("kinds").at("dead-letter"), kInvalid);
  for (const auto& [address, counts] : ch.items()) {
    EXPECT_EQ(counts.at("failed"), 0) << address;
    EXPECT_EQ(counts.at("pending"), 0) << address;
  }
}

// The control API: an expectation added at run time answers its order with its own reply, the
// log shows the exchange, reset zeroes the counters; --duplicate-percent 100 sends each reply
// twice; --delay-ms holds every reply at least that long after its order's timestamp; SIGTERM
// sends what is still planned and exits 0.
TEST_F(MockOnTopologyTest, ControlApiFaultsAndDrain) {
  ASSERT_NO_FATAL_FAILURE(StartMock({"--duplicate-percent", "100", "--delay-ms", "1500"}));
  const json health = mock_->Get("/_mock/health");
  EXPECT_EQ(health.value("status", ""), "ready") << health.dump();

  // One more example, at run time.
  const std::string expectation = json{
      {"name", "runtime-expectation"},
      {"receive",
       {{"topic", topology_->main_topic()},
        {"headers", {{"CorrelationId", "(string)"}}},
        {"payload",
         {{"orderType", "STANDARD"},
          {"orderId", "ORD-EXPECTED-1"},
          {"customerId", "C-1"},
          {"items", {{{"productId", "P-1"}, {"quantity", 3}, {"price", 2.5}}}},
          {"totalAmount", 7.5},
          {"orderDate", "(datetime)"}}}}},
      {"send",
       {{"topic", topology_->queue_name()},
        {"headers", {{"CorrelationId", "(string)"}}},
        {"payload",
         {{"orderId", "ORD-EXPECTED-1"},
          {"itemsCount", 3},
          {"status", "WIP"},
          {"processingStartedAt",
           "(datetime)"}}}}}}.dump();
  auto [status, added] = mock_->Post("/_mock/expectations", expectation);
  ASSERT_EQ(status, 201) << added.dump();
  const std::string added_name = added.value("added", "");
  EXPECT_FALSE(added_name.empty()) << added.dump();
  auto [bad_status, bad] = mock_->Post("/_mock/expectations", "{\"receive\": 1}");
  EXPECT_EQ(bad_status, 400) << bad.dump();
  EXPECT_TRUE(bad.contains("error")) << bad.dump();

  const std::string order =
      R"({"orderType":"STANDARD","orderId":"ORD-EXPECTED-1","customerId":"C-1","items":[{"productId":"P-1","quantity":3,"price":2.5}],"totalAmount":7.5,"orderDate":"2026-01-01T00:00:00Z"})";
  ASSERT_TRUE(topology_->Produce({topology_->Order(order, "ctl-1")}));
  auto got = topology_->DrainQueue(2, milliseconds(30000));
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  ASSERT_EQ(got->size(), 2u) << "--duplicate-percent 100: the reply twice";
  auto record = topology_->ReadTopic(topology_->main_topic(), 1, milliseconds(10000));
  ASSERT_TRUE(record.has_value() && record->size() == 1u);
  for (const sqs::ReceivedMessage& r : *got) {
    const json body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(body.value("orderId", ""), "ORD-EXPECTED-1") << r.body;
    EXPECT_EQ(body.value("itemsCount", 0), 3) << r.body;
    EXPECT_EQ(r.message_attributes.at("CorrelationId").string_value, "ctl-1");
    // Never before the due time: the order's CreateTime plus the delay.
    EXPECT_GE(std::stoll(r.attributes.at("SentTimestamp")), (*record)[0].timestamp_ms + 1500)
        << r.body;
  }
  const json v = mock_->Get("/_mock/verify");
  bool found = false;
  for (const json& e : v.at("examples")) {
    if (e.at("name") != added_name) continue;
    found = true;
    EXPECT_EQ(e.at("matched"), 1) << e.dump();
  }
  EXPECT_TRUE(found) << v.dump(2);
  EXPECT_EQ(v.at("channels").at(topology_->queue_name()).at("duplicated"), 1);
  const json log = mock_->Get("/_mock/log?limit=5");
  ASSERT_EQ(log.at("exchanges").size(), 1u) << log.dump(2);
  EXPECT_EQ(log.at("exchanges")[0].at("correlation_id"), "ctl-1");
  EXPECT_EQ(log.at("exchanges")[0].at("example"), added_name);
  EXPECT_EQ(log.at("exchanges")[0].at("outputs")[0].at("status"), "sent");

  auto [reset_status, reset] = mock_->Post("/_mock/reset", "");
  EXPECT_EQ(reset_status, 200) << reset.dump();
  EXPECT_EQ(mock_->Count(topology_->main_topic(), "received"), 0);
  EXPECT_EQ(mock_->Get("/_mock/log").at("exchanges").size(), 0u);

  // SIGTERM while a reply is still held back by the delay: it is sent, then the mock exits 0.
  ASSERT_TRUE(topology_->Produce({topology_->Order(order, "ctl-2")}));
  ASSERT_TRUE(testkit::Eventually(
      [&] { return mock_->Count(topology_->main_topic(), "received") == 1; }, milliseconds(10000)));
  EXPECT_EQ(mock_->process().Terminate(milliseconds(30000)), 0);
  const std::string out = ReadFile(mock_->log());
  EXPECT_THAT(out, HasSubstr("contract-test mock: draining"));
  EXPECT_THAT(out, HasSubstr("contract-test mock: stopped\n"));
  auto drained = topology_->DrainQueue(2, milliseconds(30000));
  ASSERT_TRUE(drained.has_value()) << drained.error().ToString();
  EXPECT_EQ(drained->size(), 2u) << "the planned reply (and its duplicate) sent while draining";
}

// The README's consumer-side example, run as a consumer team would against the mock.
TEST_F(MockOnTopologyTest, ConsumerExampleScriptGetsItsReply) {
  ASSERT_NO_FATAL_FAILURE(StartMock());
  const CapturedRun r = RunCaptured(
      {"/usr/bin/env", "KAFKA=" + testkit::KafkaBootstrap(), "SQS=" + testkit::SqsEndpoint(),
       "TOPIC=" + topology_->main_topic(), "QUEUE=" + topology_->queue_name(), "WAIT_SECONDS=30",
       "/bin/bash", (kRepo / "examples/mock/consumer.sh").string()},
      milliseconds(60000));
  std::cout << r.output;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("OK: reply for ORD-CONSUMER-"));
  EXPECT_EQ(mock_->Count(topology_->queue_name(), "replies"), 1);
}

// A configuration error: exit 2, the reason, nothing started.
TEST(MockCommandLineTest, UnknownDropChannelIsAnErrorNamingTheChannels) {
  const CapturedRun r = RunCaptured({DRIFTLINE_CONTRACT_TEST_BIN, "mock", "--config",
                                     (kRepo / "contracts/specmatic.yaml").string(),
                                     "--drop-percent", "no-such-queue=50", "--port", "0"},
                                    milliseconds(30000));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("no-such-queue"));
  EXPECT_THAT(r.output, HasSubstr("place-order-queue"));
}

}  // namespace
}  // namespace driftline::contract::mock_e2e
