#include "sqs/protocol/batch.h"

#include <gtest/gtest.h>

namespace driftline::sqs {
namespace {

OutgoingMessage OfSize(std::size_t bytes) {
  OutgoingMessage message;
  message.body = std::string(bytes, 'x');
  return message;
}

std::vector<std::size_t> Sizes(const BatchPlan& plan) {
  std::vector<std::size_t> sizes;
  for (const auto& batch : plan.batches)
    sizes.push_back(batch.size());
  return sizes;
}

TEST(MessagePayloadSizeTest, CountsBodyAndAttributeNamesTypesAndValues) {
  OutgoingMessage message;
  message.body = "héllo";  // 6 bytes in UTF-8
  message.attributes = {
      {"CorrelationId", MessageAttributeValue::String("abc")},          // 13 + 6 + 3
      {"N", MessageAttributeValue::Number("42")},                       // 1 + 6 + 2
      {"Blob", MessageAttributeValue::Binary(std::string(10, '\0'))}};  // 4 + 6 + 10 raw bytes
  EXPECT_EQ(MessagePayloadSize(message), 6u + 22u + 9u + 20u);
}

TEST(SplitIntoBatchesTest, SplitsByCount) {
  std::vector<OutgoingMessage> messages(25, OfSize(10));
  BatchPlan plan = SplitIntoBatches(messages);
  EXPECT_EQ(Sizes(plan), (std::vector<std::size_t>{10, 10, 5}));
  EXPECT_TRUE(plan.rejected.empty());
  std::size_t expected = 0;
  for (const auto& batch : plan.batches) {
    for (std::size_t index : batch)
      EXPECT_EQ(index, expected++);
  }
  EXPECT_EQ(Sizes(SplitIntoBatches(messages, {.max_entries = 4})),
            (std::vector<std::size_t>{4, 4, 4, 4, 4, 4, 1}));
  EXPECT_TRUE(SplitIntoBatches({}).batches.empty());
}

TEST(SplitIntoBatchesTest, SplitsByTotalBytes) {
  // 100 KiB each: two fit in 256 KiB, a third would not.
  std::vector<OutgoingMessage> messages(5, OfSize(100 * 1024));
  EXPECT_EQ(Sizes(SplitIntoBatches(messages)), (std::vector<std::size_t>{2, 2, 1}));
  // Exactly at the limit still fits.
  std::vector<OutgoingMessage> exact = {OfSize(131072), OfSize(131072), OfSize(1)};
  EXPECT_EQ(Sizes(SplitIntoBatches(exact)), (std::vector<std::size_t>{2, 1}));
}

TEST(SplitIntoBatchesTest, AttributesCountTowardsTheLimit) {
  OutgoingMessage message = OfSize(100);
  message.attributes["A"] = MessageAttributeValue::String(std::string(50, 'v'));  // 1+6+50
  std::vector<OutgoingMessage> messages(3, message);
  EXPECT_EQ(Sizes(SplitIntoBatches(messages, {.max_batch_bytes = 2 * 157})),
            (std::vector<std::size_t>{2, 1}));
}

TEST(SplitIntoBatchesTest, OversizedEntryIsRejectedAndTheRestAreSent) {
  std::vector<OutgoingMessage> messages = {OfSize(10), OfSize(262145), OfSize(10)};
  BatchPlan plan = SplitIntoBatches(messages);
  ASSERT_EQ(plan.rejected.size(), 1u);
  EXPECT_EQ(plan.rejected[0].first, 1u);
  EXPECT_EQ(plan.rejected[0].second.code(), Code::kInvalidArgument);
  EXPECT_EQ(plan.rejected[0].second.message(),
            "message of 262145 bytes exceeds the queue's MaximumMessageSize of 262144");
  EXPECT_EQ(plan.batches, (std::vector<std::vector<std::size_t>>{{0, 2}}));
  // Exactly MaximumMessageSize is allowed.
  EXPECT_TRUE(SplitIntoBatches({OfSize(262144)}).rejected.empty());
}

TEST(SplitIntoBatchesTest, UsesTheQueuesMaximumMessageSize) {
  std::vector<OutgoingMessage> messages = {OfSize(1024), OfSize(1025)};
  BatchPlan plan = SplitIntoBatches(messages, {.max_message_bytes = 1024});
  ASSERT_EQ(plan.rejected.size(), 1u);
  EXPECT_EQ(plan.rejected[0].first, 1u);
  EXPECT_NE(plan.rejected[0].second.message().find("MaximumMessageSize of 1024"),
            std::string::npos);
}

TEST(SplitIntoBatchesTest, InvalidMessagesAreRejectedNotSent) {
  OutgoingMessage bad = OfSize(10);
  bad.attributes["A"] = MessageAttributeValue::String("");
  BatchPlan plan = SplitIntoBatches({OfSize(1), bad, OutgoingMessage{}, OfSize(1)});
  ASSERT_EQ(plan.rejected.size(), 2u);
  EXPECT_EQ(plan.rejected[0].first, 1u);
  EXPECT_EQ(plan.rejected[1].first, 2u);
  EXPECT_EQ(plan.batches, (std::vector<std::vector<std::size_t>>{{0, 3}}));
}

TEST(SplitIntoBatchesTest, EveryIndexAppearsExactlyOnce) {
  std::vector<OutgoingMessage> messages;
  for (std::size_t i = 0; i < 57; ++i)
    messages.push_back(OfSize((i * 37'003) % 300'000 + 1));
  BatchPlan plan = SplitIntoBatches(messages);
  std::vector<int> seen(messages.size(), 0);
  for (const auto& batch : plan.batches) {
    EXPECT_LE(batch.size(), 10u);
    std::size_t bytes = 0;
    for (std::size_t index : batch) {
      ++seen[index];
      bytes += MessagePayloadSize(messages[index]);
    }
    EXPECT_LE(bytes, kDefaultMaximumMessageSize);
  }
  for (const auto& [index, error] : plan.rejected)
    ++seen[index];
  for (int count : seen)
    EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace driftline::sqs
