#include "sqs/protocol/encode.h"

#include <gtest/gtest.h>

#include "queue_url.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;

using test_data::kQueueUrl;

OutgoingMessage FullMessage() {
  OutgoingMessage message;
  message.body = R"({"orderId":"ORD-1","note":"Grüße"})";
  message.attributes = {{"CorrelationId", MessageAttributeValue::String("corr-1")},
                        {"Attempt", MessageAttributeValue::Number("2")},
                        {"Blob", MessageAttributeValue::Binary(std::string("\x00\xff", 2))}};
  message.delay_seconds = 5;
  return message;
}

TEST(CreateQueueTest, EncodesNameAndAttributes) {
  CreateQueueRequest request{"place-order-queue",
                             {{"VisibilityTimeout", "180"}, {"MaximumMessageSize", "262144"}}};
  EXPECT_EQ(EncodeCreateQueue(request).value(), json::parse(R"({"QueueName":"place-order-queue",
                            "Attributes":{"VisibilityTimeout":"180","MaximumMessageSize":"262144"}})"));
  EXPECT_EQ(EncodeCreateQueue({"plain", {}}).value(), json::parse(R"({"QueueName":"plain"})"));
}

TEST(CreateQueueTest, EncodesFifoQueues) {
  EXPECT_EQ(EncodeCreateQueue(CreateQueueRequest::Fifo("orders.fifo", true)).value(),
            json::parse(R"({"QueueName":"orders.fifo",
                            "Attributes":{"FifoQueue":"true","ContentBasedDeduplication":"true"}})"));
  EXPECT_FALSE(EncodeCreateQueue(CreateQueueRequest::Fifo("orders", false)).has_value());
  EXPECT_FALSE(EncodeCreateQueue({"orders.fifo", {}}).has_value());
}

TEST(QueueUrlOnlyTest, PurgeAndDeleteQueueTakeOnlyTheUrl) {
  EXPECT_EQ(EncodeQueueUrlOnly(kQueueUrl), json({{"QueueUrl", kQueueUrl}}));
}

TEST(SendMessageTest, EncodesBodyAttributesAndDelay) {
  auto encoded = EncodeSendMessage(kQueueUrl, FullMessage());
  ASSERT_TRUE(encoded.has_value()) << encoded.error().ToString();
  EXPECT_EQ(json::parse(*encoded), json::parse(R"({
      "QueueUrl": "http://127.0.0.1:4566/000000000000/place-order-queue",
      "MessageBody": "{\"orderId\":\"ORD-1\",\"note\":\"Grüße\"}",
      "DelaySeconds": 5,
      "MessageAttributes": {
        "CorrelationId": {"DataType": "String", "StringValue": "corr-1"},
        "Attempt": {"DataType": "Number", "StringValue": "2"},
        "Blob": {"DataType": "Binary", "BinaryValue": "AP8="}}})"));
}

TEST(SendMessageTest, EncodesFifoFields) {
  OutgoingMessage message;
  message.body = "x";
  message.message_group_id = "customer-7";
  message.message_deduplication_id = "ORD-1";
  EXPECT_EQ(json::parse(EncodeSendMessage(kQueueUrl, message).value()),
            json({{"QueueUrl", kQueueUrl},
                  {"MessageBody", "x"},
                  {"MessageGroupId", "customer-7"},
                  {"MessageDeduplicationId", "ORD-1"}}));
}

TEST(SendMessageBatchTest, EncodesEntriesWithIds) {
  OutgoingMessage a;
  a.body = "first";
  OutgoingMessage b = FullMessage();
  auto text = EncodeSendMessageBatch(kQueueUrl, {{"0", a}, {"id_1-x", b}});
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  json encoded = json::parse(*text);
  EXPECT_EQ(encoded["QueueUrl"], kQueueUrl);
  ASSERT_EQ(encoded["Entries"].size(), 2u);
  EXPECT_EQ(encoded["Entries"][0], json::parse(R"({"Id":"0","MessageBody":"first"})"));
  EXPECT_EQ(encoded["Entries"][1]["Id"], "id_1-x");
  EXPECT_EQ(encoded["Entries"][1]["MessageAttributes"]["Blob"]["BinaryValue"], "AP8=");
  EXPECT_EQ(encoded["Entries"][1]["DelaySeconds"], 5);
}

// The sending actions are written as text, not dumped from a document: the bytes are still
// what nlohmann would dump (members in name order, UTF-8 as is, quotes and line breaks
// escaped), so a request signed before this change is signed the same way now.
TEST(SendMessageBatchTest, WritesTheBytesADocumentWouldDump) {
  OutgoingMessage fifo;
  fifo.body = "line one\nline \"two\" \\ Grüße \t end";
  fifo.message_group_id = "customer-7";
  fifo.message_deduplication_id = "ORD-1";
  fifo.attributes = {{"Zeta", MessageAttributeValue::String("z")},
                     {"Alpha", MessageAttributeValue::Binary("\x01\x02")}};
  const OutgoingMessage full = FullMessage();
  auto batch = EncodeSendMessageBatch(kQueueUrl, {{"b", fifo}, {"a", full}});
  ASSERT_TRUE(batch.has_value()) << batch.error().ToString();
  EXPECT_EQ(*batch, json::parse(*batch).dump());
  auto single = EncodeSendMessage(kQueueUrl, fifo);
  ASSERT_TRUE(single.has_value()) << single.error().ToString();
  EXPECT_EQ(*single, json::parse(*single).dump());
  EXPECT_EQ(json::parse(*single)["MessageBody"], fifo.body);
}

TEST(ReceiveMessageTest, EncodesEveryOption) {
  ReceiveRequest request;
  request.queue_url = kQueueUrl;
  request.max_messages = 10;
  request.wait_time_seconds = 20;
  request.visibility_timeout = 60;
  EXPECT_EQ(EncodeReceiveMessage(request).value(), json::parse(R"({
      "QueueUrl": "http://127.0.0.1:4566/000000000000/place-order-queue",
      "MaxNumberOfMessages": 10, "WaitTimeSeconds": 20, "VisibilityTimeout": 60,
      "MessageAttributeNames": ["All"], "MessageSystemAttributeNames": ["All"],
      "AttributeNames": ["All"]})"));
  request.visibility_timeout.reset();
  request.system_attribute_names.clear();
  request.receive_request_attempt_id = "attempt-1";
  auto encoded = EncodeReceiveMessage(request).value();
  EXPECT_FALSE(encoded.contains("VisibilityTimeout"));
  EXPECT_FALSE(encoded.contains("AttributeNames"));
  EXPECT_EQ(encoded["ReceiveRequestAttemptId"], "attempt-1");
}

TEST(DeleteMessageTest, EncodesReceiptHandle) {
  EXPECT_EQ(EncodeDeleteMessage(kQueueUrl, "rh-1"),
            json({{"QueueUrl", kQueueUrl}, {"ReceiptHandle", "rh-1"}}));
}

TEST(ChangeMessageVisibilityTest, EncodesAndChecksRange) {
  EXPECT_EQ(EncodeChangeMessageVisibility(kQueueUrl, "rh", 0).value(),
            json({{"QueueUrl", kQueueUrl}, {"ReceiptHandle", "rh"}, {"VisibilityTimeout", 0}}));
  EXPECT_TRUE(EncodeChangeMessageVisibility(kQueueUrl, "rh", 43200).has_value());
  EXPECT_FALSE(EncodeChangeMessageVisibility(kQueueUrl, "rh", 43201).has_value());
  EXPECT_FALSE(EncodeChangeMessageVisibility(kQueueUrl, "rh", -1).has_value());
}

}  // namespace
}  // namespace driftline::sqs
