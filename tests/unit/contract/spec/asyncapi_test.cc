#include "contract/spec/asyncapi.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sample_contract.h"
#include "temp_dir.h"

namespace driftline::contract {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using testing::kSampleContract;
using testing::TempDir;

TEST(LoadContractTest, ReadsChannelsOperationsAndExtensions) {
  TempDir dir;
  auto contract = LoadContract(dir.Write("orders.yaml", kSampleContract));
  ASSERT_TRUE(contract) << contract.error().message();
  EXPECT_EQ(contract->title, "Sample orders");
  ASSERT_EQ(contract->channels.size(), 4u);
  const Channel* in = contract->ChannelByAddress("orders-in");
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->protocol, Protocol::kKafka);
  EXPECT_EQ(in->Describe(), "topic 'orders-in'");
  EXPECT_EQ(contract->ChannelByAddress("orders-out")->Describe(), "queue 'orders-out'");
  ASSERT_EQ(contract->operations.size(), 1u);
  const Operation& op = *contract->operations[0];
  EXPECT_EQ(op.action, Operation::Action::kReceive);
  EXPECT_EQ(op.channel, in);
  ASSERT_EQ(op.messages.size(), 1u);
  EXPECT_EQ(op.messages[0]->name, "Order");
  // The operation's message is the channel's message (same target of the references).
  EXPECT_EQ(op.messages[0], in->messages[0]);
  ASSERT_TRUE(op.reply);
  EXPECT_EQ(op.reply->channel->address, "orders-out");
  ASSERT_TRUE(op.retry);
  EXPECT_EQ(op.retry->max_attempts, 3);
  EXPECT_EQ(op.retry->strategy.DelayBefore(0), milliseconds(1000));
  EXPECT_EQ(op.retry->strategy.DelayBefore(2), milliseconds(4000));
  EXPECT_EQ(op.retry->strategy.Total(3), milliseconds(7000));
  ASSERT_TRUE(op.dead_letter);
  EXPECT_EQ(op.dead_letter->wait_time, milliseconds(15000));
  EXPECT_EQ(op.OutputChannels().size(), 3u);
  const Message& order = *op.messages[0];
  ASSERT_TRUE(order.correlation_id);
  EXPECT_EQ(order.correlation_id->source, CorrelationIdLocation::Source::kHeader);
  EXPECT_EQ(order.correlation_id->pointer, "/CorrelationId");
  // $ref inside the payload schema is inlined.
  EXPECT_EQ(order.payload_schema["properties"]["id"], json({{"type", "string"}, {"minLength", 1}}));
  ASSERT_TRUE(order.headers_schema);
}

TEST(LoadContractTest, ProposedRetryAndDeadLetterKeys) {
  std::string text = kSampleContract;
  auto replace = [&text](const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
  };
  replace("x-specmatic-retry:", "retry:");
  replace("strategy: {type: exponential, initialDelaySeconds: 1, multiplier: 2}",
          "strategy: {linear: {initialDelay: PT0.5S, increment: PT1S}}");
  replace("x-specmatic-dlq:", "deadLetter:");
  replace("waitTimeInSeconds: 15", "waitTime: PT1M");
  TempDir dir;
  auto contract = LoadContract(dir.Write("orders.yaml", text));
  ASSERT_TRUE(contract) << contract.error().message();
  const Operation& op = *contract->operations[0];
  ASSERT_TRUE(op.retry);
  EXPECT_EQ(op.retry->source, "retry");
  EXPECT_EQ(op.retry->strategy.type, RetryStrategy::Type::kLinear);
  EXPECT_EQ(op.retry->strategy.DelayBefore(0), milliseconds(500));
  EXPECT_EQ(op.retry->strategy.DelayBefore(2), milliseconds(2500));
  ASSERT_TRUE(op.dead_letter);
  EXPECT_EQ(op.dead_letter->wait_time, milliseconds(60000));
}

TEST(LoadContractTest, BothRetryDeclarationsAreAmbiguous) {
  std::string text = kSampleContract;
  const std::string marker = "    x-specmatic-dlq:";
  text.insert(text.find(marker),
              "    retry:\n      channel: {$ref: '#/channels/retries'}\n      maxAttempts: 1\n");
  TempDir dir;
  auto contract = LoadContract(dir.Write("orders.yaml", text));
  ASSERT_FALSE(contract);
  EXPECT_THAT(contract.error().message(), HasSubstr("both 'x-specmatic-retry' and 'retry'"));
}

TEST(LoadContractTest, DanglingMessageReferenceNamesFileAndLine) {
  std::string text = kSampleContract;
  const std::string from = "'#/components/messages/Accepted'";
  text.replace(text.find(from), from.size(), "'#/components/messages/Nope'");
  TempDir dir;
  auto contract = LoadContract(dir.Write("orders.yaml", text));
  ASSERT_FALSE(contract);
  EXPECT_THAT(contract.error().message(), HasSubstr("orders.yaml:"));
  EXPECT_THAT(contract.error().message(),
              HasSubstr("'#/components/messages/Nope' points at nothing"));
}

TEST(LoadContractTest, OperationMessageMustBelongToItsChannel) {
  std::string text = kSampleContract;
  const std::string from = "messages: [{$ref: '#/channels/orders/messages/order'}]";
  text.replace(text.find(from), from.size(),
               "messages: [{$ref: '#/channels/accepted/messages/accepted'}]");
  TempDir dir;
  auto contract = LoadContract(dir.Write("orders.yaml", text));
  ASSERT_FALSE(contract);
  EXPECT_THAT(contract.error().message(), HasSubstr("is not a message of channel 'orders'"));
}

TEST(LoadContractTest, RejectsOtherAsyncApiVersions) {
  TempDir dir;
  auto contract = LoadContract(dir.Write("old.yaml", "asyncapi: 2.6.0\nchannels: {}\n"));
  ASSERT_FALSE(contract);
  EXPECT_THAT(contract.error().message(), HasSubstr("old.yaml:1"));
  EXPECT_THAT(contract.error().message(), HasSubstr("AsyncAPI 3.x only"));
}

TEST(LoadContractTest, ReadsJsonContractsWithRelativeFileReferences) {
  TempDir dir;
  dir.Write("schemas/order.yaml", "type: object\nproperties:\n  id: {type: string}\n");
  const auto path = dir.Write("api.json", R"({
  "asyncapi": "3.0.0",
  "info": {"title": "J", "version": "1"},
  "servers": {"k": {"host": "h:1", "protocol": "kafka"}},
  "channels": {"in": {"address": "in-topic", "messages": {"m": {"payload": {"$ref": "schemas/order.yaml"}}}}},
  "operations": {"op": {"action": "receive", "channel": {"$ref": "#/channels/in"}}}
})");
  auto contract = LoadContract(path);
  ASSERT_TRUE(contract) << contract.error().message();
  EXPECT_EQ(contract->channels[0]->messages[0]->payload_schema["properties"]["id"]["type"],
            "string");
  EXPECT_EQ(contract->operations[0]->messages.size(), 1u);
}

TEST(ParseIsoDurationTest, Forms) {
  EXPECT_EQ(ParseIsoDuration("PT15S"), milliseconds(15000));
  EXPECT_EQ(ParseIsoDuration("PT1M30S"), milliseconds(90000));
  EXPECT_EQ(ParseIsoDuration("PT0.5S"), milliseconds(500));
  EXPECT_EQ(ParseIsoDuration("PT1H"), milliseconds(3600000));
  EXPECT_FALSE(ParseIsoDuration("15"));
  EXPECT_FALSE(ParseIsoDuration("PT"));
  EXPECT_FALSE(ParseIsoDuration("PT" + std::string(400, '9') + "S")) << "too large: rejected";
}

TEST(CorrelationIdLocationTest, Parses) {
  auto h = ParseCorrelationIdLocation("$message.header#/CorrelationId");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->source, CorrelationIdLocation::Source::kHeader);
  auto p = ParseCorrelationIdLocation("$message.payload#/order/id");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->source, CorrelationIdLocation::Source::kPayload);
  EXPECT_EQ(p->pointer, "/order/id");
  EXPECT_FALSE(ParseCorrelationIdLocation("$message.body#/x"));
}

// The lab's own contract, unmodified, when the shared folder is there.
TEST(LoadContractTest, LoadsTheLabContractUnchanged) {
  const std::filesystem::path lab =
      std::filesystem::path(DRIFTLINE_SOURCE_DIR) /
      "../shared/reference/kafka-sqs-retry-dlq/.specmatic/repos/labs-contracts/asyncapi/"
      "kafka-sqs-retry-dlq/order-service-sqs-kafka.yaml";
  if (!std::filesystem::exists(lab)) GTEST_SKIP() << "../shared is absent: " << lab;
  auto contract = LoadContract(lab);
  ASSERT_TRUE(contract) << contract.error().message();
  ASSERT_EQ(contract->operations.size(), 1u);
  const Operation& op = *contract->operations[0];
  EXPECT_EQ(op.channel->address, "place-order-topic");
  EXPECT_EQ(op.messages.size(), 3u);
  EXPECT_EQ(op.reply->channel->address, "place-order-queue");
  EXPECT_EQ(op.reply->channel->protocol, Protocol::kSqs);
  EXPECT_EQ(op.retry->channel->address, "place-order-retry-topic");
  EXPECT_EQ(op.retry->strategy.Total(op.retry->max_attempts), milliseconds(7000));
  EXPECT_EQ(op.dead_letter->wait_time, milliseconds(15000));
}

}  // namespace
}  // namespace driftline::contract
