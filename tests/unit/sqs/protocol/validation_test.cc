#include "sqs/protocol/validation.h"

#include <gtest/gtest.h>

#include "queue_url.h"
#include "sqs/protocol/encode.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;

using test_data::kQueueUrl;

TEST(CreateQueueTest, RejectsInvalidNames) {
  for (const std::string& name : {std::string(), std::string("has space"), std::string("a/b"),
                                  std::string(81, 'q'), std::string(".fifo")}) {
    auto encoded = EncodeCreateQueue({name, {}});
    ASSERT_FALSE(encoded.has_value()) << name;
    EXPECT_EQ(encoded.error().code(), Code::kInvalidArgument);
  }
  EXPECT_TRUE(EncodeCreateQueue({std::string(80, 'q'), {}}).has_value());
}

TEST(SendMessageTest, RejectsWhatSqsWouldReject) {
  auto with = [](auto change) {
    OutgoingMessage message;
    message.body = "ok";
    change(message);
    return message;
  };
  const std::vector<std::pair<std::string, OutgoingMessage>> cases = {
      {"empty body", with([](OutgoingMessage& m) { m.body.clear(); })},
      {"invalid UTF-8", with([](OutgoingMessage& m) { m.body = "bad \xC3"; })},
      {"overlong UTF-8", with([](OutgoingMessage& m) { m.body = "\xC0\xAF"; })},
      {"control character", with([](OutgoingMessage& m) { m.body = std::string("a\x01", 2); })},
      {"NUL", with([](OutgoingMessage& m) { m.body = std::string("a\0b", 3); })},
      {"U+FFFF", with([](OutgoingMessage& m) { m.body = "\xEF\xBF\xBF"; })},
      {"surrogate", with([](OutgoingMessage& m) { m.body = "\xED\xA0\x80"; })},
      {"delay", with([](OutgoingMessage& m) { m.delay_seconds = 901; })},
      {"negative delay", with([](OutgoingMessage& m) { m.delay_seconds = -1; })},
      {"empty attribute value",
       with([](OutgoingMessage& m) { m.attributes["A"] = MessageAttributeValue::String(""); })},
      {"empty binary value",
       with([](OutgoingMessage& m) { m.attributes["A"] = MessageAttributeValue::Binary(""); })},
      {"unknown type", with([](OutgoingMessage& m) {
         m.attributes["A"] = MessageAttributeValue{"Date", "x", {}};
       })},
      {"bad attribute name",
       with([](OutgoingMessage& m) { m.attributes["a b"] = MessageAttributeValue::String("x"); })},
      {"reserved attribute name", with([](OutgoingMessage& m) {
         m.attributes["AWS.x"] = MessageAttributeValue::String("x");
       })},
      {"double dot",
       with([](OutgoingMessage& m) { m.attributes["a..b"] = MessageAttributeValue::String("x"); })},
      {"eleven attributes", with([](OutgoingMessage& m) {
         for (int i = 0; i < 11; ++i) {
           m.attributes["A" + std::to_string(i)] = MessageAttributeValue::String("x");
         }
       })},
  };
  for (const auto& [what, message] : cases) {
    auto encoded = EncodeSendMessage(kQueueUrl, message);
    ASSERT_FALSE(encoded.has_value()) << what;
    EXPECT_EQ(encoded.error().code(), Code::kInvalidArgument) << what;
  }
  // Tab, CR, LF and astral characters are fine.
  EXPECT_TRUE(EncodeSendMessage(kQueueUrl, with([](OutgoingMessage& m) {
                                  m.body = "a\tb\r\nc \xF0\x9F\x93\xA6";
                                }))
                  .has_value());
}

// The body check reads printable ASCII eight bytes at a time: a bad byte is found, and named by
// its offset, wherever it falls in or between those words.
TEST(SendMessageTest, NamesTheOffsetOfABadByteAnywhereInTheBody) {
  for (std::size_t at = 0; at < 41; ++at) {
    for (const auto& [byte, why] :
         std::vector<std::pair<char, std::string>>{{'\x01', "a character SQS does not accept"},
                                                   {'\x1f', "a character SQS does not accept"},
                                                   {'\x80', "invalid UTF-8"},
                                                   {'\xff', "invalid UTF-8"}}) {
      OutgoingMessage message;
      message.body = std::string(41, '~');
      message.body[at] = byte;
      auto encoded = EncodeSendMessage(kQueueUrl, message);
      ASSERT_FALSE(encoded.has_value()) << at;
      EXPECT_EQ(encoded.error().message(),
                "message body has " + why + " at byte " + std::to_string(at));
    }
    OutgoingMessage fine;
    fine.body = std::string(41, ' ');
    fine.body[at] = '\x7f';
    fine.body.insert(at, "\t\xc3\xa9\n");  // tab, é, line feed
    EXPECT_TRUE(EncodeSendMessage(kQueueUrl, fine).has_value()) << at;
  }
}

TEST(SendMessageBatchTest, RejectsBadBatches) {
  OutgoingMessage m;
  m.body = "x";
  std::vector<SendBatchEntry> eleven;
  for (int i = 0; i < 11; ++i)
    eleven.push_back({std::to_string(i), m});
  OutgoingMessage empty;
  for (const auto& entries : std::vector<std::vector<SendBatchEntry>>{{},
                                                                      eleven,
                                                                      {{"a b", m}},
                                                                      {{std::string(81, 'a'), m}},
                                                                      {{"", m}},
                                                                      {{"same", m}, {"same", m}},
                                                                      {{"ok", empty}}}) {
    auto encoded = EncodeSendMessageBatch(kQueueUrl, entries);
    ASSERT_FALSE(encoded.has_value());
    EXPECT_EQ(encoded.error().code(), Code::kInvalidArgument);
  }
}

TEST(ReceiveMessageTest, RejectsOutOfRangeOptions) {
  for (auto change : std::vector<void (*)(ReceiveRequest&)>{
           [](ReceiveRequest& r) { r.max_messages = 0; },
           [](ReceiveRequest& r) { r.max_messages = 11; },
           [](ReceiveRequest& r) { r.wait_time_seconds = 21; },
           [](ReceiveRequest& r) { r.wait_time_seconds = -1; },
           [](ReceiveRequest& r) { r.visibility_timeout = 43201; }}) {
    ReceiveRequest request;
    request.queue_url = kQueueUrl;
    change(request);
    auto encoded = EncodeReceiveMessage(request);
    ASSERT_FALSE(encoded.has_value());
    EXPECT_EQ(encoded.error().code(), Code::kInvalidArgument);
  }
}

TEST(BatchEntryIdTest, AllowsOnlyTheSqsAlphabet) {
  EXPECT_TRUE(IsValidBatchEntryId("0"));
  EXPECT_TRUE(IsValidBatchEntryId("msg_1-A"));
  EXPECT_TRUE(IsValidBatchEntryId(std::string(80, 'a')));
  EXPECT_FALSE(IsValidBatchEntryId(""));
  EXPECT_FALSE(IsValidBatchEntryId(std::string(81, 'a')));
  EXPECT_FALSE(IsValidBatchEntryId("a.b"));
  EXPECT_FALSE(IsValidBatchEntryId("a b"));
  EXPECT_FALSE(IsValidBatchEntryId("ü"));
}

// Added with CheckMessageSize: the one size check SendMessage and the batch splitter share.
TEST(CheckMessageSizeTest, QueueLimitAlwaysBatchLimitOnlyInABatch) {
  OutgoingMessage message;
  message.body = std::string(1025, 'x');
  const BatchLimits limits{.max_message_bytes = 2048, .max_batch_bytes = 1024};
  EXPECT_TRUE(CheckMessageSize(message, limits, /*in_batch=*/false).has_value());
  auto in_batch = CheckMessageSize(message, limits, /*in_batch=*/true);
  ASSERT_FALSE(in_batch.has_value());
  EXPECT_EQ(in_batch.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(in_batch.error().message(),
            "message of 1025 bytes exceeds the batch payload limit of 1024");

  auto single = CheckMessageSize(message, {.max_message_bytes = 1024}, /*in_batch=*/false);
  ASSERT_FALSE(single.has_value());
  EXPECT_EQ(single.error().message(),
            "message of 1025 bytes exceeds the queue's MaximumMessageSize of 1024");
  message.body.pop_back();
  EXPECT_TRUE(CheckMessageSize(message, {.max_message_bytes = 1024}, false).has_value());
}

TEST(CheckReceiptHandleTest, EmptyIsInvalid) {
  EXPECT_TRUE(CheckReceiptHandle("rh").has_value());
  EXPECT_EQ(CheckReceiptHandle("").error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace driftline::sqs
