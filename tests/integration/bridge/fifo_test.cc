// order-service on a FIFO queue of the real stack (ElasticMQ): per MessageGroupId, orders
// arrive in the order they were consumed, through concurrent batches and an outage that cuts
// requests in flight; and a resend within the deduplication interval is delivered once.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bridge/service.h"
#include "harness.h"
#include "testkit/stack_env.h"

namespace driftline::bridge::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class FifoQueueTest : public BridgeIntegrationTest {
 protected:
  void SetUp() override {
    SetUpTopology(1);  // one partition: the consumed order is the produced order
    auto url = sqs_->CreateQueue(sqs::CreateQueueRequest::Fifo(
        queue_name_ + ".fifo", /*content_based_deduplication=*/false));
    ASSERT_TRUE(url.has_value()) << url.error().ToString();
    standard_url_ = queue_url_;
    queue_url_ = *url;
  }
  void TearDown() override {
    (void)sqs_->DeleteQueue(queue_url_);
    queue_url_ = standard_url_;
    BridgeIntegrationTest::TearDown();
  }

  std::string standard_url_;
};

TEST_F(FifoQueueTest, EachGroupArrivesInConsumedOrderThroughConcurrentBatchesAndAnOutage) {
  const std::string endpoint = testkit::SqsEndpoint();
  const int port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  auto started = TcpProxy::Start("127.0.0.1", port);
  ASSERT_TRUE(started) << started.error().ToString();
  TcpProxy& proxy = **started;
  BridgeConfig c = Config();
  c.sqs_endpoint = "http://127.0.0.1:" + std::to_string(proxy.port());
  ASSERT_EQ(c.sqs_max_in_flight_batches, 8u);
  auto svc = OrderService::Create(c, Clock::System());
  ASSERT_TRUE(svc.has_value()) << svc.error().Trace();
  (*svc)->Start();
  ASSERT_TRUE(Eventually([&] { return (*svc)->Ready(); }, seconds(30))) << (*svc)->HealthReport();

  // Six groups (orderIds), interleaved; record i of a group has i + 1 items, so itemsCount
  // numbers the group's messages.
  constexpr int kGroups = 6;
  constexpr int kPerGroup = 20;
  auto records = [&](int from, int to) {
    std::vector<kafka::OutgoingMessage> out;
    for (int i = from; i < to; ++i) {
      for (int g = 0; g < kGroups; ++g) {
        out.push_back(Order(StandardOrder("FIFO-G" + std::to_string(g), i + 1),
                            "c-" + std::to_string(g) + "-" + std::to_string(i)));
      }
    }
    return out;
  };
  Produce(records(0, kPerGroup / 2));
  // The second half meets an outage: every sender thread's request fails or is cut, and all
  // are resent together once SQS is back.
  proxy.SetDown(true);
  Produce(records(kPerGroup / 2, kPerGroup));
  EXPECT_TRUE(Eventually([&] { return !(*svc)->Ready(); }, seconds(20)));
  proxy.SetDown(false);
  EXPECT_TRUE(Eventually([&] { return (*svc)->Ready(); }, seconds(30))) << (*svc)->HealthReport();

  const auto received = DrainQueue(kGroups * kPerGroup, seconds(60));
  std::map<std::string, std::vector<int>> by_group;
  for (const auto& m : received) {
    const json body = json::parse(m.body);
    ASSERT_EQ(m.attributes.at("MessageGroupId"), body["orderId"]);
    by_group[body["orderId"]].push_back(body["itemsCount"].get<int>());
  }
  std::vector<int> in_order;
  for (int i = 1; i <= kPerGroup; ++i)
    in_order.push_back(i);
  ASSERT_EQ(by_group.size(), static_cast<std::size_t>(kGroups));
  for (const auto& [group, counts] : by_group)
    EXPECT_EQ(counts, in_order) << group << ": out of order, missing or duplicated";
  EXPECT_EQ(received.size(), static_cast<std::size_t>(kGroups * kPerGroup));
  EXPECT_EQ((*svc)->Stop(), 0u);
}

// What the deduplication id relies on (bridge/deduplication_id.h): a message sent again with the
// same MessageDeduplicationId inside the interval is accepted and not delivered a second time.
TEST_F(FifoQueueTest, AResendWithTheSameDeduplicationIdIsDeliveredOnce) {
  auto message = [](std::string body, std::string dedup) {
    sqs::OutgoingMessage m;
    m.body = std::move(body);
    m.message_group_id = "ORD-1";
    m.message_deduplication_id = std::move(dedup);
    return m;
  };
  const std::string topic_offset = "place-order-topic-0-42";
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto sent = sqs_->SendMessageBatch(queue_url_, {message("first", topic_offset)});
    ASSERT_EQ(sent.entries.size(), 1u);
    ASSERT_TRUE(sent.entries[0].has_value())
        << "attempt " << attempt << ": " << sent.entries[0].error().ToString();
  }
  auto next = sqs_->SendMessageBatch(queue_url_, {message("second", "place-order-topic-0-43")});
  ASSERT_TRUE(next.entries.at(0).has_value()) << next.entries[0].error().ToString();

  const auto received = DrainQueue(2, seconds(30));
  std::vector<std::string> bodies;
  for (const auto& m : received)
    bodies.push_back(m.body);
  EXPECT_EQ(bodies, (std::vector<std::string>{"first", "second"}));
}

}  // namespace
}  // namespace driftline::bridge::testing
