// order-service as a process against the real stack with ORDER_CONTRACT: a private copy of the
// lab's contract, its addresses renamed to this test's topics and queue. An order that breaks
// the contract is dead-lettered at once and never answered; a valid one is answered.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "harness.h"
#include "testkit/contract_copy.h"
#include "testkit/secrets.h"

namespace driftline::bridge::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;
using testkit::HeaderOf;
using testkit::ReadFile;

const fs::path kLab = fs::path(DRIFTLINE_SOURCE_DIR) / "../shared/reference/kafka-sqs-retry-dlq";

class ContractInputProcessTest : public BridgeIntegrationTest {
 protected:
  void SetUp() override { SetUpTopology(1); }
  std::string Dir() const {
    return std::string(DRIFTLINE_TEST_LOG_DIR) + "/" + main_topic_ + "-contract";
  }
};

TEST_F(ContractInputProcessTest, AnOrderBreakingTheContractIsDeadLetteredAndAValidOneAnswered) {
  auto copy = testkit::CopyContract(
      kLab /
          ".specmatic/repos/labs-contracts/asyncapi/kafka-sqs-retry-dlq/"
          "order-service-sqs-kafka.yaml",
      kLab / "spec/order-service-sqs-kafka_examples", {}, fs::path(Dir()) / "contract",
      {{"place-order-topic", main_topic_},
       {"place-order-retry-topic", retry_topic_},
       {"place-order-dlq-topic", dlq_topic_},
       {"place-order-queue", queue_name_}});
  ASSERT_TRUE(copy.has_value()) << copy.error().ToString();

  json broken = json::parse(StandardOrder("ORD-NO-CUSTOMER"));
  broken.erase("customerId");
  Produce({Order(broken.dump(), "corr-broken"), Order(StandardOrder("ORD-VALID"), "corr-valid")});

  std::vector<std::string> env = ServiceEnv();
  env.push_back("ORDER_CONTRACT=" + copy->contract.string());
  env.push_back("LOG_LEVEL=info");  // for the start-up line that names the operation
  const std::string log = Dir() + "/order-service.log";
  auto service = StartProcess(env, log);
  ASSERT_TRUE(service);

  // Both records are processed (their offsets committed) ...
  ASSERT_TRUE(Eventually([&] { return CommittedSum(main_group_, main_topic_) == 2; }, seconds(60)))
      << "committed " << CommittedSum(main_group_, main_topic_) << " of 2; see " << log;

  // ... the valid order is answered, and only it ...
  const auto replies = DrainQueue(1, seconds(30));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(json::parse(replies[0].body)["orderId"], "ORD-VALID");
  EXPECT_EQ(topology_->QueueDepth(), 0);

  // ... and the broken one is dead-lettered at once: exactly one dead letter, no retry.
  const auto dead = ReadTopic(dlq_topic_, 1, seconds(30));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(EndOffsetSum(dlq_topic_), 1);
  EXPECT_EQ(EndOffsetSum(retry_topic_), 0);
  const json d = json::parse(dead[0].payload);
  EXPECT_EQ(d["totalRetries"], 0);
  EXPECT_EQ(d["failureReason"], "schema-violation");
  EXPECT_EQ(d["messageKey"], "ORD-NO-CUSTOMER");
  EXPECT_EQ(d["originalMessage"]["orderId"], "ORD-NO-CUSTOMER");
  const std::string message = d["finalErrorMessage"];
  EXPECT_NE(message.find("/payload/customerId"), std::string::npos) << message;
  EXPECT_EQ(HeaderOf(dead[0], "CorrelationId"), "corr-broken");
  EXPECT_EQ(HeaderOf(dead[0], "dlq-reason"), "schema-violation");
  EXPECT_EQ(HeaderOf(dead[0], "dlq-error-kind"), "permanent");

  EXPECT_EQ(service->Terminate(), 0) << "graceful stop exits 0; see " << log;
  // The start-up log names the contract's operation the orders are held to.
  EXPECT_NE(ReadFile(log).find("are held to order-service-sqs-kafka.yaml operation sendOrder"),
            std::string::npos)
      << log;
}

}  // namespace
}  // namespace driftline::bridge::testing
