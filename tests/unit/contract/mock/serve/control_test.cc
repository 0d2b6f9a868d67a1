// The control API over a provider on recording transports: health follows the provider's state,
// a Host that is not the loopback is refused, and verify, log, reset and expectations answer as
// documented in control.h.
#include "contract/mock/serve/control.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "provider_fixture.h"
#include "testkit/eventually.h"

namespace driftline::contract::mock {
namespace {

class ControlServerTest : public MockProviderTest {
 protected:
  void Serve() {
    ControlOptions options;
    options.port = 0;
    auto server = ControlServer::Bind(*provider_, options);
    ASSERT_TRUE(server) << server.error().message();
    server_ = std::move(*server);
    server_->Start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }
  // Status and parsed body of a request.
  std::pair<int, json> Get(const std::string& path, const httplib::Headers& headers = {}) {
    auto r = client_->Get(path, headers);
    if (!r) return {-1, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  std::pair<int, json> Post(const std::string& path, const std::string& body) {
    auto r = client_->Post(path, body, "application/json");
    if (!r) return {-1, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
  }

  std::unique_ptr<ControlServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ControlServerTest, HealthIsReadyOnlyOnceTheProviderStartedAndNotWhileItStops) {
  Make({}, /*start=*/false);
  Serve();
  auto [starting, body] = Get("/_mock/health");
  EXPECT_EQ(starting, 503);
  EXPECT_EQ(body["status"], "starting");
  ASSERT_TRUE(provider_->Start());
  auto [ready, ready_body] = Get("/_mock/health");
  EXPECT_EQ(ready, 200);
  EXPECT_EQ(ready_body["status"], "ready");
  EXPECT_EQ(ready_body["inputs"], json::array({"place-order-topic"}));
  provider_->Drain(milliseconds(0));
  auto [stopped, stopped_body] = Get("/_mock/health");
  EXPECT_EQ(stopped, 503);
  EXPECT_EQ(stopped_body["status"], "stopped");
}

TEST_F(ControlServerTest, AHostThatIsNotTheLoopbackIsRefused) {
  Make();
  Serve();
  const std::string port = std::to_string(server_->port());
  EXPECT_EQ(Get("/_mock/verify", {{"Host", "attacker.example:" + port}}).first, 403);
  EXPECT_EQ(Get("/_mock/verify", {{"Host", "127.0.0.1.attacker.example"}}).first, 403);
  EXPECT_EQ(Get("/_mock/verify", {{"Host", "localhost:" + port}}).first, 200);
  EXPECT_EQ(Get("/_mock/verify", {{"Host", "127.0.0.1"}}).first, 200);
}

TEST_F(ControlServerTest, VerifyLogResetAndExpectations) {
  Make();
  Serve();
  kafka_.Deliver(ExampleInput("Standard_Order_Kafka_SQS"));
  ASSERT_TRUE(testkit::Eventually([&] { return SentCount() == 1; }, kLimit));

  auto [status, verify] = Get("/_mock/verify");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(verify["kinds"]["example"], 1);
  EXPECT_EQ(verify["channels"]["place-order-queue"]["replies"], 1);
  auto [log_status, log] = Get("/_mock/log?limit=1");
  ASSERT_EQ(log_status, 200);
  ASSERT_EQ(log["exchanges"].size(), 1u);
  EXPECT_EQ(log["exchanges"][0]["example"], "Standard_Order_Kafka_SQS");
  EXPECT_EQ(Get("/_mock/log?limit=ten").first, 400);

  // An expectation that does not fit the contract: 400 and why; one that does: 201 and its name.
  auto [bad, bad_body] = Post("/_mock/expectations", R"({"receive": {"topic": "nowhere"}})");
  EXPECT_EQ(bad, 400);
  EXPECT_TRUE(bad_body.contains("error")) << bad_body.dump();
  EXPECT_EQ(Post("/_mock/expectations", "not json").first, 400);
  json example = json::parse(R"js({
    "name": "Added_At_Run_Time",
    "receive": {"topic": "place-order-topic",
      "headers": {"CorrelationId": "corr-added-1"},
      "payload": {"orderType": "STANDARD", "orderId": "ORD-ADDED-1", "customerId": "C-1",
        "items": [{"productId": "P-1", "quantity": 7, "price": 1.0}], "totalAmount": 7.0,
        "orderDate": "2025-12-09T14:20:00Z"}},
    "send": {"topic": "place-order-queue", "headers": {"CorrelationId": "corr-added-1"},
      "payload": {"orderId": "ORD-ADDED-1", "itemsCount": 7, "status": "WIP",
        "processingStartedAt": "(datetime)"}}})js");
  auto [added, added_body] = Post("/_mock/expectations", example.dump());
  ASSERT_EQ(added, 201) << added_body.dump();
  EXPECT_EQ(added_body["added"], "Added_At_Run_Time");

  auto [reset, reset_body] = Post("/_mock/reset", "");
  EXPECT_EQ(reset, 200);
  auto [after, after_body] = Get("/_mock/verify");
  EXPECT_EQ(after_body["kinds"]["example"], 0);
  EXPECT_EQ(after_body["channels"]["place-order-topic"]["received"], 0);
  EXPECT_EQ(Get("/_mock/log").second["exchanges"].size(), 0u);
  EXPECT_EQ(Get("/_mock/nothing-here").first, 404);
}

}  // namespace
}  // namespace driftline::contract::mock
