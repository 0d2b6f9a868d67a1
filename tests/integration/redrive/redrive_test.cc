// The redrive scenario on the real stack: an outage of an older build dead-lettered good orders
// (it took a missing queue for a bad message); once the queue is back, dlq-redrive re-publishes
// them, order-service sends each to SQS exactly once, a second run redrives nothing, and poison
// input that fails again is refused at --max-redrives.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <variant>

#include "bridge/routing.h"
#include "testkit/child_process.h"
#include "testkit/eventually.h"
#include "testkit/orders.h"
#include "testkit/service.h"
#include "testkit/topology.h"

namespace driftline::redrive {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using testkit::HeaderOf;

constexpr int kOrders = 20;

class RedriveIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testkit::TopologyOptions options;
    options.prefix = "redrive";
    options.partitions = 2;
    auto topology = testkit::Topology::Create(options);
    ASSERT_TRUE(topology.has_value()) << topology.error().ToString();
    topology_ = std::move(*topology);
    config_.main_topic = topology_->main_topic();
    config_.retry_topic = topology_->retry_topic();
    config_.dlq_topic = topology_->dlq_topic();
    config_.main_group = topology_->main_group();
    config_.retry_group = topology_->retry_group();
    config_.sqs_queue_url = topology_->queue_url();
  }

  // The record order-service consumed, at `offset` of the main topic.
  kafka::Message Consumed(std::string payload, std::string key, const std::string& corr,
                          std::int64_t offset) {
    kafka::Message in;
    in.topic = topology_->main_topic();
    in.partition = static_cast<std::int32_t>(offset % 2);
    in.offset = offset;
    in.key = std::move(key);
    in.payload = std::move(payload);
    in.headers.Add("CorrelationId", corr);
    return in;
  }

  // What the older build wrote for a good order while the queue did not exist.
  kafka::OutgoingMessage QueueMissingDeadLetter(const kafka::Message& in) {
    const Error missing(Code::kNotFound,
                        "AWS.SimpleQueueService.NonExistentQueue: The specified queue does not "
                        "exist for this wsdl version.");
    return bridge::RouteSqsRejection(in, missing, bridge::RouteContext{config_, clock_}).message;
  }
  // What any build writes for input that is not an order.
  kafka::OutgoingMessage PermanentDeadLetter(const kafka::Message& in) {
    bridge::Route r = bridge::RouteMain(in, bridge::RouteContext{config_, clock_});
    return std::get<bridge::KafkaOutput>(r).message;
  }

  testkit::CapturedRun Redrive(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/env"};
    for (const std::string& e :
         topology_->ServiceEnv({"REDRIVE_GROUP_ID=" + topology_->base() + "-redrive"})) {
      argv.push_back(e);
    }
    argv.push_back(DRIFTLINE_DLQ_REDRIVE_BIN);
    argv.insert(argv.end(), args.begin(), args.end());
    testkit::CapturedRun run = testkit::RunCaptured(argv, seconds(120));
    std::printf("$ dlq-redrive");
    for (const auto& a : args)
      std::printf(" %s", a.c_str());
    std::printf("\n%s", run.output.c_str());
    return run;
  }

  std::vector<kafka::Message> MainTopic(std::size_t count) {
    auto records = topology_->ReadTopic(topology_->main_topic(), count, seconds(30));
    EXPECT_TRUE(records.has_value()) << records.error().ToString();
    return records ? *records : std::vector<kafka::Message>{};
  }

  std::unique_ptr<testkit::Topology> topology_;
  bridge::BridgeConfig config_;
  ManualClock clock_{Clock::WallTime{std::chrono::seconds(1768816800)}};  // 2026-01-19T10:00:00Z
};

TEST_F(RedriveIntegrationTest, DeadLettersOfAnOutageAreRedrivenOnceAndReachSqsOnce) {
  // The older build's outage: kOrders good orders dead-lettered as refused by SQS; besides
  // them, poison input and an unknown order type, which the operator's filter leaves alone.
  std::vector<kafka::OutgoingMessage> dead_letters;
  std::map<std::string, std::string> sent;  // order id -> payload
  for (int i = 0; i < kOrders; ++i) {
    const std::string id = "ORD-OUTAGE-" + std::to_string(i);
    sent[id] = testkit::StandardOrder(id);
    dead_letters.push_back(QueueMissingDeadLetter(Consumed(sent[id], id, "corr-" + id, i)));
  }
  const std::string poison("{\"orderType\": \xff", 16);
  dead_letters.push_back(PermanentDeadLetter(Consumed(poison, "poison-key", "corr-poison", 100)));
  dead_letters.push_back(PermanentDeadLetter(
      Consumed(R"({"orderType":"RETURN","orderId":"R-1"})", "R-1", "corr-return", 101)));
  ASSERT_TRUE(topology_->Produce(dead_letters).has_value());

  // Dry run: the table, nothing moves.
  testkit::CapturedRun run = Redrive({"--dry-run", "--reason", "queue does not exist"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("read 22, matched 20, would redrive 20, refused 0, skipped 2"),
            std::string::npos);
  EXPECT_NE(run.output.find("would redrive"), std::string::npos);
  EXPECT_EQ(topology_->EndOffsetSum(topology_->main_topic()), 0);

  run = Redrive({"--reason", "queue does not exist"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("read 22, matched 20, redriven 20, refused 0, skipped 2"),
            std::string::npos);
  const std::vector<kafka::Message> main = MainTopic(kOrders);
  ASSERT_EQ(main.size(), static_cast<std::size_t>(kOrders));
  std::map<std::string, int> seen;
  for (const kafka::Message& m : main) {
    const std::string id = m.key.value_or("");
    ++seen[id];
    ASSERT_TRUE(sent.contains(id)) << id;
    EXPECT_EQ(json::parse(m.payload), json::parse(sent[id])) << id;
    EXPECT_EQ(HeaderOf(m, "CorrelationId"), "corr-" + id);
    EXPECT_EQ(HeaderOf(m, "redrive-count"), "1");
    EXPECT_EQ(HeaderOf(m, "redrive-source").rfind(topology_->dlq_topic() + "/", 0), 0u);
    EXPECT_EQ(HeaderOf(m, "dlq-reason"), "");
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kOrders));

  // A second run of the group redrives nothing.
  run = Redrive({"--reason", "queue does not exist"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("read 0, matched 0, redriven 0"), std::string::npos);
  EXPECT_EQ(topology_->EndOffsetSum(topology_->main_topic()), kOrders);

  // The queue exists now: order-service sends every redriven order to SQS, each once.
  auto service = testkit::ServiceProcess::Start(
      {DRIFTLINE_ORDER_SERVICE_BIN, topology_->ServiceEnv({"LOG_LEVEL=warn"}),
       std::string(DRIFTLINE_TEST_LOG_DIR) + "/" + topology_->base() + "-service.log", true});
  ASSERT_TRUE(service.has_value()) << service.error().ToString();
  auto drained = topology_->DrainQueue(kOrders, seconds(60));
  ASSERT_TRUE(drained.has_value()) << drained.error().ToString();
  std::map<std::string, int> in_sqs;
  for (const auto& m : *drained)
    ++in_sqs[json::parse(m.body)["orderId"].get<std::string>()];
  EXPECT_EQ(in_sqs.size(), static_cast<std::size_t>(kOrders));
  for (const auto& [id, n] : in_sqs)
    EXPECT_EQ(n, 1) << id;

  // The group has passed over what its filter skipped: the poison input takes another group.
  run = Redrive({"--failure-reason", "not-utf8"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("read 0, matched 0"), std::string::npos);
  const std::string poison_group = topology_->base() + "-poison";
  run = Redrive({"--group", poison_group, "--failure-reason", "not-utf8"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("read 22, matched 1, redriven 1, refused 0, skipped 21"),
            std::string::npos);
  const std::vector<kafka::Message> with_poison = MainTopic(kOrders + 1);
  ASSERT_EQ(with_poison.size(), static_cast<std::size_t>(kOrders + 1));
  int exact = 0;
  for (const kafka::Message& m : with_poison)
    exact += m.payload == poison;
  EXPECT_EQ(exact, 1) << "the poison input's exact bytes, once";

  // It fails again in order-service: its new dead letter carries redrive-count 1, and with
  // --max-redrives 1 the next run of the group refuses it.
  ASSERT_TRUE(testkit::Eventually(
      [&] { return topology_->EndOffsetSum(topology_->dlq_topic()) == kOrders + 3; }, seconds(60)));
  auto dlq = topology_->ReadTopic(topology_->dlq_topic(), kOrders + 3, seconds(30));
  ASSERT_TRUE(dlq.has_value());
  const kafka::Message* again = nullptr;
  for (const kafka::Message& m : *dlq) {
    if (HeaderOf(m, "redrive-count") == "1") again = &m;
  }
  ASSERT_NE(again, nullptr) << "the bridge carried redrive-count into the new dead letter";
  EXPECT_EQ(HeaderOf(*again, "dlq-reason"), "not-utf8");
  EXPECT_EQ(HeaderOf(*again, "CorrelationId"), "corr-poison");

  run = Redrive({"--group", poison_group, "--failure-reason", "not-utf8", "--max-redrives", "1"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("read 1, matched 1, redriven 0, refused 1, skipped 0"),
            std::string::npos);
  EXPECT_NE(run.output.find("redriven 1 time already (--max-redrives 1)"), std::string::npos);
  EXPECT_EQ(topology_->EndOffsetSum(topology_->main_topic()), kOrders + 1);
  EXPECT_EQ((*service)->Terminate(), 0);
}

}  // namespace
}  // namespace driftline::redrive
