// order-service in-process against the real stack: the lab's six flows, hostile input, an SQS
// outage, graceful shutdown.
#include "bridge/service.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "harness.h"
#include "testkit/stack_env.h"

namespace driftline::bridge::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Steady = std::chrono::steady_clock;

std::string Header(const kafka::Message& m, std::string_view name) {
  const kafka::Header* h = m.headers.Find(name);
  return h && h->value ? *h->value : "";
}

std::string CorrelationOf(const sqs::ReceivedMessage& m) {
  auto it = m.message_attributes.find("CorrelationId");
  return it == m.message_attributes.end() ? "" : it->second.string_value;
}

class ServiceTest : public BridgeIntegrationTest {
 protected:
  void SetUp() override { SetUpTopology(1); }

  std::unique_ptr<OrderService> StartService(BridgeConfig config) {
    auto svc = OrderService::Create(std::move(config), Clock::System());
    EXPECT_TRUE(svc.has_value()) << svc.error().Trace();
    if (!svc) return nullptr;
    (*svc)->Start();
    EXPECT_TRUE(Eventually([&] { return (*svc)->Ready(); }, seconds(30))) << (*svc)->HealthReport();
    return std::move(*svc);
  }

  BridgeConfig LabConfig() {
    BridgeConfig c = Config();
    c.faults.enabled = true;
    c.faults.fail_once = {"ORD-RETRY-90001"};
    c.faults.always_fail = {"ORD-DLQ-90001"};
    c.faults.direct_dlq = {"ORD-RECEIVE-DLQ-90001"};
    return c;
  }
};

TEST_F(ServiceTest, TheLabsSixFlowsLandOnTheRightChannels) {
  auto svc = StartService(LabConfig());
  ASSERT_TRUE(svc);
  Produce({Order(StandardOrder("ORD-90001", 2), "corr-standard"),
           Order(PriorityOrder("ORD-PRIORITY-90002"), "corr-priority"),
           Order(BulkOrder("BATCH-90003", {1, 2, 1}), "corr-bulk"),
           Order(StandardOrder("ORD-RETRY-90001"), "corr-retry"),
           Order(PriorityOrder("ORD-DLQ-90001"), "corr-dlq"),
           Order(StandardOrder("ORD-RECEIVE-DLQ-90001"), "corr-receive-dlq")});

  // SQS: the three good orders and the one that succeeds on its retry.
  auto received = DrainQueue(4, seconds(30));
  std::map<std::string, json> by_corr;
  for (const auto& m : received)
    by_corr[CorrelationOf(m)] = json::parse(m.body);
  ASSERT_EQ(received.size(), 4u);
  EXPECT_EQ(by_corr["corr-standard"]["status"], "WIP");
  EXPECT_EQ(by_corr["corr-standard"]["itemsCount"], 2);
  EXPECT_EQ(by_corr["corr-priority"]["status"], "DELIVERED");
  EXPECT_TRUE(by_corr["corr-priority"]["deliveryLocation"].is_string());
  EXPECT_EQ(by_corr["corr-bulk"]["status"], "COMPLETED");
  EXPECT_EQ(by_corr["corr-bulk"]["itemsCount"], 4);
  EXPECT_EQ(by_corr["corr-bulk"]["customerConfirmation"], true);
  EXPECT_EQ(by_corr["corr-retry"]["orderId"], "ORD-RETRY-90001");

  // Retry topic: one envelope for the fail-once order, 0..3 for the always-failing one.
  auto retries = ReadTopic(retry_topic_, 5, seconds(30));
  std::vector<kafka::Message> always;
  int fail_once = 0;
  for (const auto& m : retries) {
    const json e = json::parse(m.payload);
    if (Header(m, "CorrelationId") == "corr-retry") {
      ++fail_once;
      EXPECT_EQ(e["retryCount"], 0);
      EXPECT_EQ(e["messageKey"], "ORD-RETRY-90001");
    } else {
      EXPECT_EQ(Header(m, "CorrelationId"), "corr-dlq");
      always.push_back(m);
    }
  }
  EXPECT_EQ(fail_once, 1);
  ASSERT_EQ(always.size(), 4u);
  const long delays[] = {1000, 2000, 4000};
  for (int n = 0; n < 4; ++n) {
    const json e = json::parse(always[static_cast<std::size_t>(n)].payload);
    EXPECT_EQ(e["retryCount"], n);
    EXPECT_EQ(e["originalMessage"]["orderId"], "ORD-DLQ-90001");
    for (const char* k : {"firstAttemptTimestamp", "lastAttemptTimestamp", "errorMessage",
                          "errorStackTrace", "messageKey"}) {
      EXPECT_TRUE(e[k].is_string()) << k;
    }
    if (n > 0) {
      // Never processed before its due time, exactly: the retry pipeline holds envelope n-1
      // until its record timestamp + delay (not only its retry-due-at header, which was
      // computed before it was produced), and stamps envelope n (CreateTime, the topics'
      // type) with the very clock reading that found n-1 due. So the gap between the two
      // record timestamps is at least the delay, with no slack (bridge/routing.h).
      const auto gap = always[static_cast<std::size_t>(n)].timestamp_ms -
                       always[static_cast<std::size_t>(n - 1)].timestamp_ms;
      EXPECT_GE(gap, delays[n - 1]) << "retry " << n << " came early";
      EXPECT_EQ(always[static_cast<std::size_t>(n)].timestamp_type,
                kafka::TimestampType::kCreateTime);
    }
  }

  // DLQ: the direct one (0 retries) and the exhausted one (3 retries).
  auto dead = ReadTopic(dlq_topic_, 2, seconds(30));
  ASSERT_EQ(dead.size(), 2u);
  std::map<std::string, json> dlq_by_corr;
  for (const auto& m : dead)
    dlq_by_corr[Header(m, "CorrelationId")] = json::parse(m.payload);
  EXPECT_EQ(dlq_by_corr["corr-receive-dlq"]["totalRetries"], 0);
  EXPECT_EQ(dlq_by_corr["corr-receive-dlq"]["messageKey"], "ORD-RECEIVE-DLQ-90001");
  EXPECT_EQ(dlq_by_corr["corr-dlq"]["totalRetries"], 3);
  EXPECT_EQ(dlq_by_corr["corr-dlq"]["originalMessage"]["orderType"], "PRIORITY");
  for (const auto& m : dead) {
    EXPECT_EQ(Header(m, "dlq-original-topic").empty(), false);
    EXPECT_FALSE(Header(m, "dlq-original-offset").empty());
    EXPECT_FALSE(Header(m, "dlq-consumer-group").empty());
    EXPECT_FALSE(Header(m, "dlq-error-kind").empty());
  }

  // Graceful shutdown commits everything that was consumed.
  EXPECT_EQ(svc->Stop(), 0u);
  EXPECT_EQ(CommittedSum(main_group_, main_topic_), EndOffsetSum(main_topic_));
  EXPECT_EQ(CommittedSum(retry_group_, retry_topic_), EndOffsetSum(retry_topic_));
}

struct Hostile {
  std::string name;
  std::string payload;
  bool keeps_raw_bytes;  // not a JSON object: the bytes travel as rawMessageBase64
};

TEST_F(ServiceTest, HostileInputIsDeadLetteredWhileGoodOrdersFlow) {
  auto svc = StartService(Config());
  ASSERT_TRUE(svc);
  std::string deep_array = std::string(100000, '[') + std::string(100000, ']');
  std::string deep_object = R"({"orderType":"STANDARD","orderId":"D","items":[],"x":)" +
                            std::string(500, '[') + std::string(500, ']') + "}";
  const std::vector<Hostile> corpus = {
      {"invalid-json", "{\"orderType\": STANDARD", true},
      {"binary", std::string("\x00\x01\x02\xff\xfe\x80", 6), true},
      {"empty", "", true},
      {"huge", std::string(600 * 1024, 'A'), true},
      {"deep-array", deep_array, true},
      {"deep-object", deep_object, true},
      {"not-utf8", std::string("{\"orderType\":\"STANDARD\",\"orderId\":\"\xc3\x28\"}"), true},
      {"utf16-bom", std::string("\xff\xfe{\x00}\x00", 6), true},
      {"array", "[1,2,3]", true},
      {"string", "\"STANDARD\"", true},
      {"null", "null", true},
      {"number", "42", true},
      {"truncated", R"({"orderType":"STANDARD","orderId":"T-1","items":[)", true},
      {"trailing-garbage", R"({"orderType":"STANDARD","orderId":"T-2","items":[]} xyz)", true},
      {"unknown-type", R"({"orderType":"EXPRESS","orderId":"U-1","items":[]})", false},
      {"missing-type", R"({"orderId":"M-1","items":[]})", false},
      {"order-id-number", R"({"orderType":"STANDARD","orderId":17,"items":[]})", false},
      {"items-string", R"({"orderType":"PRIORITY","orderId":"W-1","items":"three"})", false},
      {"bulk-without-orders", R"({"orderType":"BULK","batchId":"B-1"})", false},
  };
  std::vector<kafka::OutgoingMessage> batch;
  int good = 0;
  for (const auto& h : corpus) {
    batch.push_back(Order(h.payload, "corr-" + h.name));
    batch.push_back(
        Order(StandardOrder("GOOD-" + std::to_string(good)), "corr-good-" + std::to_string(good)));
    ++good;
  }
  // A good order without any CorrelationId gets a fresh one.
  batch.push_back(Order(StandardOrder("GOOD-NO-CORR"), ""));
  ++good;
  Produce(batch);

  auto received = DrainQueue(static_cast<std::size_t>(good), seconds(30));
  EXPECT_EQ(received.size(), static_cast<std::size_t>(good));
  std::set<std::string> ids;
  for (const auto& m : received)
    ids.insert(json::parse(m.body)["orderId"].get<std::string>());
  EXPECT_TRUE(ids.contains("GOOD-NO-CORR"));
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(good));

  auto dead = ReadTopic(dlq_topic_, corpus.size(), seconds(30));
  ASSERT_EQ(dead.size(), corpus.size());
  std::map<std::string, kafka::Message> by_corr;
  for (auto& m : dead)
    by_corr[Header(m, "CorrelationId")] = m;
  for (const auto& h : corpus) {
    SCOPED_TRACE(h.name);
    ASSERT_TRUE(by_corr.contains("corr-" + h.name));
    const json d = json::parse(by_corr["corr-" + h.name].payload);
    EXPECT_EQ(d["totalRetries"], 0);
    EXPECT_TRUE(d["originalMessage"].is_object());
    EXPECT_TRUE(d["finalErrorMessage"].is_string());
    EXPECT_FALSE(d["failureReason"].get<std::string>().empty());
    if (h.keeps_raw_bytes) {
      ASSERT_TRUE(d.contains("rawMessageBase64"));
      EXPECT_EQ(Base64Decode(d["rawMessageBase64"].get<std::string>()).value(), h.payload)
          << "the poison message's bytes are kept exactly";
    } else {
      EXPECT_FALSE(d["originalMessage"].empty());
    }
  }
  EXPECT_EQ(EndOffsetSum(retry_topic_), 0) << "nothing hostile is retried";
  EXPECT_EQ(svc->Stop(), 0u);
  EXPECT_EQ(CommittedSum(main_group_, main_topic_), EndOffsetSum(main_topic_));
}

TEST_F(ServiceTest, AnSqsOutageMovesNothingAndLosesNothing) {
  const std::string endpoint = testkit::SqsEndpoint();  // http://127.0.0.1:PORT
  const int port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  auto started = TcpProxy::Start("127.0.0.1", port);
  ASSERT_TRUE(started) << started.error().ToString();
  TcpProxy& proxy = **started;
  BridgeConfig c = Config();
  c.sqs_endpoint = "http://127.0.0.1:" + std::to_string(proxy.port());
  c.max_in_flight_messages = 50;  // so the outage also drives the pipeline into backpressure
  auto svc = StartService(c);
  ASSERT_TRUE(svc);

  std::vector<kafka::OutgoingMessage> first, second;
  for (int i = 0; i < 100; ++i)
    first.push_back(Order(StandardOrder("A-" + std::to_string(i)), "a"));
  for (int i = 0; i < 100; ++i)
    second.push_back(Order(StandardOrder("B-" + std::to_string(i)), "b"));
  Produce(first);
  // Mid-stream: some of the first orders are in SQS before the endpoint goes away.
  ASSERT_TRUE(Eventually(
      [&] {
        auto a = sqs_->GetQueueAttributes(queue_url_, {"ApproximateNumberOfMessages"});
        return a && a->approximate_number_of_messages().value_or(0) >= 50;
      },
      seconds(30)));

  proxy.SetDown(true);
  Produce(second);
  EXPECT_TRUE(Eventually([&] { return !svc->Ready(); }, seconds(20)))
      << "health must go not-ready while SQS is unreachable";
  // Keep the endpoint down for about ten seconds (the outage being simulated).
  std::this_thread::sleep_for(seconds(10));
  EXPECT_FALSE(svc->Ready());
  proxy.SetDown(false);
  EXPECT_TRUE(Eventually([&] { return svc->Ready(); }, seconds(30))) << svc->HealthReport();

  auto received = DrainQueue(200, seconds(60));
  std::set<std::string> ids;
  for (const auto& m : received)
    ids.insert(json::parse(m.body)["orderId"].get<std::string>());
  EXPECT_EQ(ids.size(), 200u) << "every order reaches SQS once it is back";
  EXPECT_EQ(EndOffsetSum(retry_topic_), 0) << "an outage is not the order's fault: no retries";
  EXPECT_EQ(EndOffsetSum(dlq_topic_), 0) << "and no dead letters";
  EXPECT_EQ(svc->Stop(), 0u);
}

TEST_F(ServiceTest, AnOrderSqsRefusesIsDeadLetteredAndTheRestFlow) {
  auto svc = StartService(Config());
  ASSERT_TRUE(svc);
  // U+FFFE is valid UTF-8 and valid JSON, but not a character SQS accepts in a message body.
  Produce({Order(StandardOrder("OK-1"), "c-ok-1"),
           Order(StandardOrder("BAD-\xef\xbf\xbe"), "c-bad"),
           Order(StandardOrder("OK-2"), "c-ok-2")});
  auto received = DrainQueue(2, seconds(30));
  EXPECT_EQ(received.size(), 2u);
  auto dead = ReadTopic(dlq_topic_, 1, seconds(30));
  ASSERT_EQ(dead.size(), 1u);
  const json d = json::parse(dead[0].payload);
  EXPECT_EQ(d["failureReason"], "sqs-rejected");
  EXPECT_EQ(Header(dead[0], "CorrelationId"), "c-bad");
  EXPECT_EQ(Header(dead[0], "dlq-error-kind"), "sqs-rejected");
  EXPECT_EQ(d["originalMessage"]["orderId"], "BAD-\xef\xbf\xbe");
  EXPECT_EQ(svc->Stop(), 0u);
  EXPECT_EQ(CommittedSum(main_group_, main_topic_), 3);
}

TEST_F(ServiceTest, FifoQueueGetsGroupAndDeduplicationIds) {
  sqs::CreateQueueRequest fifo =
      sqs::CreateQueueRequest::Fifo(queue_name_ + ".fifo", /*content_based_deduplication=*/false);
  auto url = sqs_->CreateQueue(fifo);
  ASSERT_TRUE(url.has_value()) << url.error().ToString();
  const std::string standard_url = queue_url_;
  queue_url_ = *url;
  BridgeConfig c = Config();
  auto svc = StartService(c);
  ASSERT_TRUE(svc);
  Produce({Order(StandardOrder("F-1"), "c-f1"), Order(PriorityOrder("F-2"), "c-f2")});
  auto received = DrainQueue(2, seconds(30));
  ASSERT_EQ(received.size(), 2u);
  for (const auto& m : received) {
    const std::string id = json::parse(m.body)["orderId"];
    ASSERT_TRUE(m.attributes.contains("MessageGroupId"));
    EXPECT_EQ(m.attributes.at("MessageGroupId"), id);
    ASSERT_TRUE(m.attributes.contains("MessageDeduplicationId"));
    EXPECT_EQ(m.attributes.at("MessageDeduplicationId").rfind(main_topic_ + "-0-", 0), 0u);
  }
  EXPECT_EQ(svc->Stop(), 0u);
  (void)sqs_->DeleteQueue(queue_url_);
  queue_url_ = standard_url;
}

TEST_F(ServiceTest, DriftSwitchLeavesRetriesUnprocessed) {
  BridgeConfig c = LabConfig();
  c.retry_consumer_enabled = false;  // RETRY_CONSUMER_ENABLED=false: the lab's baseline
  auto svc = StartService(c);
  ASSERT_TRUE(svc);
  Produce(
      {Order(StandardOrder("ORD-90001"), "c-ok"), Order(StandardOrder("ORD-RETRY-90001"), "c-r")});
  auto retries = ReadTopic(retry_topic_, 1, seconds(30));
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_EQ(json::parse(retries[0].payload)["retryCount"], 0);
  // Well past the 1 s retry delay, only the good order is in SQS: nobody consumes the retry.
  auto received = DrainQueue(2, seconds(5));
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(CorrelationOf(received[0]), "c-ok");
  EXPECT_EQ(CommittedSum(retry_group_, retry_topic_), 0);
  EXPECT_EQ(svc->Stop(), 0u);
}

// Ready means "a record produced now will be consumed": with fresh groups at
// auto.offset.reset=latest (as contracts/run-demo.sh runs it), an order produced the moment the
// service first says ready comes out on SQS, every time. The start offsets are resolved before
// the assignment counts, so this is an ordering guarantee, not a race the test can win by time.
TEST_F(ServiceTest, AnOrderProducedTheMomentItIsFirstReadyIsConsumed) {
  for (int trial = 0; trial < 5; ++trial) {
    BridgeConfig c = Config();
    c.main_group = main_group_ + "-fresh-" + std::to_string(trial);
    c.retry_group = retry_group_ + "-fresh-" + std::to_string(trial);
    c.kafka_properties.Set("auto.offset.reset", "latest");
    auto svc = OrderService::Create(std::move(c), Clock::System());
    ASSERT_TRUE(svc.has_value()) << svc.error().Trace();
    (*svc)->Start();
    const auto deadline = Steady::now() + seconds(30);
    while (!(*svc)->Ready() && Steady::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    ASSERT_TRUE((*svc)->Ready()) << (*svc)->HealthReport();
    const std::string corr = "corr-ready-" + std::to_string(trial);
    Produce({Order(StandardOrder("ORD-READY-" + std::to_string(trial)), corr)});
    auto received = DrainQueue(1, seconds(30));
    ASSERT_EQ(received.size(), 1u) << "trial " << trial << ": the order was skipped";
    EXPECT_EQ(CorrelationOf(received[0]), corr);
    EXPECT_EQ((*svc)->Stop(), 0u);
  }
}

// A service that is built but never started (OrderService::Create failing after the pipelines
// exist does the same), or started but still waiting for its queue, has joined no group: its
// consumers subscribe only once the queue answers, so no member sits in a group with an
// assignment nobody takes (which would hold up every rebalance of the group), and closing them
// delivers nothing into a pipeline being destroyed. (Consumers used to subscribe when built; the
// pending assignment then arrived after the pipeline's members were destroyed, which the
// sanitize build reported as leaked map nodes.)
TEST_F(ServiceTest, NoGroupIsJoinedBeforeStartOrWhileTheQueueIsMissing) {
  const std::string late_name = queue_name_ + "-late";
  BridgeConfig c = Config();
  c.sqs_queue_url = queue_url_.substr(0, queue_url_.rfind('/') + 1) + late_name;
  c.kafka_properties.Set("debug", "cgrp");  // the join state is logged
  CapturedLog log;
  auto svc = OrderService::Create(c, Clock::System());
  ASSERT_TRUE(svc.has_value()) << svc.error().Trace();
  const auto joined = [&](const std::string& group) {
    return log.text().find("\"" + group + "\" changed join state") != std::string::npos;
  };
  (*svc)->Start();
  ASSERT_TRUE(Eventually(
      [&] { return (*svc)->HealthReport().find("QueueDoesNotExist") != std::string::npos; },
      seconds(30)))
      << (*svc)->HealthReport();
  EXPECT_FALSE(joined(main_group_)) << log.text();
  EXPECT_FALSE(joined(retry_group_)) << log.text();
  // Once the queue exists both join (and the log shows it: the check above can see a join).
  auto created = sqs_->CreateQueue({late_name, {}});
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  EXPECT_TRUE(Eventually([&] { return joined(main_group_) && joined(retry_group_); }, seconds(30)))
      << log.text();
  svc->reset();
  (void)sqs_->DeleteQueue(*created);
  EXPECT_NE(log.text().find("stopped; 0 record(s) left unfinished"), std::string::npos);
}

}  // namespace
}  // namespace driftline::bridge::testing
