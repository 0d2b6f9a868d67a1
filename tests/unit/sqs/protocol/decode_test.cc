#include "sqs/protocol/decode.h"

#include <gtest/gtest.h>

#include "queue_url.h"
#include "sqs/protocol/digest.h"
#include "sqs/protocol/encode.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;

using test_data::kQueueUrl;

TEST(QueueUrlTest, EncodesGetQueueUrlAndDecodesEitherResponse) {
  EXPECT_EQ(EncodeGetQueueUrl("place-order-queue"),
            json::parse(R"({"QueueName":"place-order-queue"})"));
  // Documented CreateQueue / GetQueueUrl response shape.
  EXPECT_EQ(
      DecodeQueueUrl(
          json::parse(R"({"QueueUrl":"https://sqs.us-east-1.amazonaws.com/177715257436/MyQueue"})"))
          .value(),
      "https://sqs.us-east-1.amazonaws.com/177715257436/MyQueue");
  auto missing = DecodeQueueUrl(json::object());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Code::kInternal);
}

TEST(GetQueueAttributesTest, EncodesNamesAndDecodesTypedValues) {
  EXPECT_EQ(EncodeGetQueueAttributes(kQueueUrl, {"All"}),
            json({{"QueueUrl", kQueueUrl}, {"AttributeNames", {"All"}}}));
  // Documented response shape: every value is a string.
  auto attributes = DecodeGetQueueAttributes(json::parse(R"({
      "Attributes": {
        "QueueArn": "arn:aws:sqs:us-east-1:555555555555:MyQueue",
        "ApproximateNumberOfMessages": "5",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": "1676665337",
        "LastModifiedTimestamp": "1677096375",
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "262144",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true"
      }})"));
  ASSERT_TRUE(attributes.has_value()) << attributes.error().ToString();
  EXPECT_EQ(attributes->maximum_message_size(), 262144);
  EXPECT_EQ(attributes->visibility_timeout(), 30);
  EXPECT_EQ(attributes->approximate_number_of_messages(), 5);
  EXPECT_EQ(attributes->values.at("QueueArn"), "arn:aws:sqs:us-east-1:555555555555:MyQueue");
  EXPECT_FALSE(attributes->Int("SqsManagedSseEnabled").has_value());
  EXPECT_FALSE(attributes->Int("Missing").has_value());
  EXPECT_TRUE(DecodeGetQueueAttributes(json::object())->values.empty());
  EXPECT_FALSE(DecodeGetQueueAttributes(json::parse(R"({"Attributes":{"A":5}})")).has_value());
}

TEST(ListQueuesTest, EncodesPrefixAndTokenAndDecodesPages) {
  EXPECT_EQ(EncodeListQueues("place-", std::nullopt, 1000),
            json::parse(R"({"QueueNamePrefix":"place-","MaxResults":1000})"));
  EXPECT_EQ(EncodeListQueues("", std::string("tok"), 5000),
            json::parse(R"({"NextToken":"tok","MaxResults":1000})"));
  auto page = DecodeListQueues(json::parse(R"({
      "QueueUrls": ["https://sqs.us-east-1.amazonaws.com/177715257436/MyQueue",
                    "https://sqs.us-east-1.amazonaws.com/177715257436/MyOtherQueue"],
      "NextToken": "abc"})"));
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->queue_urls.size(), 2u);
  EXPECT_EQ(page->next_token, "abc");
  // No queues: SQS omits QueueUrls altogether.
  auto empty = DecodeListQueues(json::object());
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->queue_urls.empty());
  EXPECT_FALSE(empty->next_token.has_value());
}

TEST(SendMessageTest, DecodesAndVerifiesTheDocumentedExample) {
  // SendMessage example from the SQS API reference (JSON protocol).
  OutgoingMessage message;
  message.body = "This is a test message";
  message.attributes = {
      {"my_attribute_name_1", MessageAttributeValue::String("my_attribute_value_1")},
      {"my_attribute_name_2", MessageAttributeValue::String("my_attribute_value_2")}};
  auto result = DecodeSendMessage(test_data::Ok200(R"({
      "MD5OfMessageAttributes": "c48838208d2b4e14e3ca0093a8443f09",
      "MD5OfMessageBody": "fafb00f5732ab283681e124bf8747ed1",
      "MessageId": "219f8380-5770-4cc2-8c3e-5c715e145f5e"})"));
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->message_id, "219f8380-5770-4cc2-8c3e-5c715e145f5e");
  EXPECT_FALSE(result->sequence_number.has_value());
  EXPECT_TRUE(VerifySent(message, *result).has_value());
}

TEST(SendMessageTest, ChecksumMismatchIsInternal) {
  OutgoingMessage message;
  message.body = "This is a test message";
  SendMessageResult result{"id-1", Md5Hex("This is a test messagf"), "", std::nullopt};
  auto verified = VerifySent(message, result);
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().code(), Code::kInternal);
  EXPECT_NE(verified.error().message().find("id-1"), std::string::npos);

  message.attributes["A"] = MessageAttributeValue::String("x");
  result.md5_of_message_body = Md5Hex(message.body);
  result.md5_of_message_attributes = "00000000000000000000000000000000";
  EXPECT_EQ(VerifySent(message, result).error().code(), Code::kInternal);
  // Attributes sent but no MD5 returned: cannot prove they arrived.
  result.md5_of_message_attributes.clear();
  EXPECT_EQ(VerifySent(message, result).error().code(), Code::kInternal);
}

TEST(SendMessageTest, DecodeRequiresIdAndChecksum) {
  EXPECT_EQ(DecodeSendMessage(test_data::Ok200(R"({"MessageId":"x"})")).error().code(),
            Code::kInternal);
  auto fifo = DecodeSendMessage(test_data::Ok200(
      R"({"MessageId":"x","MD5OfMessageBody":"y","SequenceNumber":"18849496460467696128"})"));
  EXPECT_EQ(fifo->sequence_number, "18849496460467696128");
}

TEST(SendMessageBatchTest, DecodesSuccessfulAndFailedEntries) {
  // SendMessageBatch response shape from the SQS API reference, plus a failure.
  auto response = DecodeSendMessageBatch(test_data::Ok200(R"({
      "Successful": [
        {"Id": "0", "MessageId": "0a5231c7-8bff-4955-be2e-8dc7c50a25fa",
         "MD5OfMessageBody": "fafb00f5732ab283681e124bf8747ed1"},
        {"Id": "2", "MessageId": "15ee1ed3-87e7-40c1-bdaa-2e49968ea7e9",
         "MD5OfMessageBody": "fafb00f5732ab283681e124bf8747ed1",
         "MD5OfMessageAttributes": "c48838208d2b4e14e3ca0093a8443f09"}],
      "Failed": [
        {"Id": "1", "SenderFault": true, "Code": "InvalidParameterValue",
         "Message": "One or more parameters are invalid."},
        {"Id": "3", "SenderFault": false, "Code": "InternalError"}]})"));
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  ASSERT_EQ(response->successful.size(), 2u);
  EXPECT_EQ(response->successful[1].id, "2");
  EXPECT_EQ(response->successful[1].result.md5_of_message_attributes,
            "c48838208d2b4e14e3ca0093a8443f09");
  ASSERT_EQ(response->failed.size(), 2u);
  EXPECT_EQ(response->failed[0].id, "1");
  EXPECT_TRUE(response->failed[0].sender_fault);
  EXPECT_EQ(response->failed[0].code, "InvalidParameterValue");
  EXPECT_EQ(response->failed[0].message, "One or more parameters are invalid.");
  EXPECT_FALSE(response->failed[1].sender_fault);
  EXPECT_TRUE(response->failed[1].message.empty());
  // Either list may be omitted when empty.
  EXPECT_TRUE(DecodeSendMessageBatch(test_data::Ok200("{}")).has_value());
  EXPECT_FALSE(DecodeSendMessageBatch(test_data::Ok200(R"({"Failed":{}})")).has_value());
}

// The hot path's decoders read the HTTP response themselves and check it as ParseResponse does.
TEST(SendMessageBatchTest, ChecksTheResponseAsParseResponseDoes) {
  auto refused = DecodeSendMessageBatch(
      HttpResponse{400, {}, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist"})"});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(),
            ParseResponse({400, {}, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist"})"})
                .error()
                .code());
  EXPECT_EQ(refused.error().code(), Code::kNotFound);
  for (const char* body : {"<html>hello</html>", "[]", "\"text\"", "{\"Successful\":[]} trailing",
                           "{\"a\":1e999}", "{\"a\":\"\xff\"}"}) {
    auto garbled = DecodeSendMessageBatch(test_data::Ok200(body));
    ASSERT_FALSE(garbled.has_value()) << body;
    EXPECT_EQ(garbled.error().cause(), cause::kUnreadableResponse) << body;
    EXPECT_EQ(DecodeDeleteMessageBatch(test_data::Ok200(body)).error().cause(),
              cause::kUnreadableResponse)
        << body;
    EXPECT_EQ(DecodeSendMessage(test_data::Ok200(body)).error().cause(), cause::kUnreadableResponse)
        << body;
  }
  // An empty 2xx body is {}: no entries either way.
  auto empty = DecodeSendMessageBatch(test_data::Ok200(""));
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->successful.empty());
  EXPECT_TRUE(empty->failed.empty());
  // A repeated member counts as its last value, as the nlohmann decoders read it.
  auto repeated = DecodeSendMessage(
      test_data::Ok200(R"({"MessageId":"first","MessageId":"last","MD5OfMessageBody":"m"})"));
  ASSERT_TRUE(repeated.has_value());
  EXPECT_EQ(repeated->message_id, "last");
  // Nesting deeper than any stack frame budget is read without recursion.
  const std::string deep =
      R"({"Successful":[],"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_TRUE(DecodeSendMessageBatch(test_data::Ok200(deep)).has_value());
}

TEST(ReceiveMessageTest, DecodesTheDocumentedExample) {
  // ReceiveMessage example from the SQS API reference (JSON protocol).
  auto messages = DecodeReceiveMessage(json::parse(R"({
      "Messages": [{
        "Attributes": {"SenderId": "AIDASSYFHUBOBT7F4XT75",
                       "ApproximateFirstReceiveTimestamp": "1677112433437",
                       "ApproximateReceiveCount": "1", "SentTimestamp": "1677112427387"},
        "Body": "This is a test message",
        "MD5OfBody": "fafb00f5732ab283681e124bf8747ed1",
        "MessageId": "219f8380-5770-4cc2-8c3e-5c715e145f5e",
        "ReceiptHandle": "AQEBaZ+j5qUoOAoxlmrCQPkBm9njMWXqemmIG6shMHCO6fV20JrQYg/AiZ8JELwLwOu5U61W+aIX5Qzu7GGofxJuvzymr4Ph53RiR0mudj4InLSgpSspYeTRDteBye5tV/txbZDdNZxsi+qqZA9xPnmtfQ=="
      }]})"));
  ASSERT_TRUE(messages.has_value()) << messages.error().ToString();
  ASSERT_EQ(messages->size(), 1u);
  const ReceivedMessage& m = messages->front();
  EXPECT_EQ(m.message_id, "219f8380-5770-4cc2-8c3e-5c715e145f5e");
  EXPECT_EQ(m.body, "This is a test message");
  EXPECT_EQ(m.attributes.at("ApproximateReceiveCount"), "1");
  EXPECT_TRUE(m.receipt_handle.starts_with("AQEBaZ+j5qUo"));
  EXPECT_TRUE(m.message_attributes.empty());
}

TEST(ReceiveMessageTest, DecodesMessageAttributesOfEveryType) {
  MessageAttributes attributes = {
      {"CorrelationId", MessageAttributeValue::String("corr-123")},
      {"Amount", MessageAttributeValue::Number("42.50")},
      {"Blob", MessageAttributeValue::Binary(std::string("\x00\x01\x02\xfe\xff", 5))},
      {"customer.name", MessageAttributeValue{"String.utf8", "Zoë Grüße", {}}}};
  json response = {
      {"Messages",
       {{{"MessageId", "m-1"},
         {"ReceiptHandle", "rh-1"},
         {"Body", "Bestellung für Zoë — 東京 ✓"},
         {"MD5OfBody", "c238e16f8a6dea5077fc8a59b9d374d4"},
         {"MD5OfMessageAttributes", "ccfbc6ca5567f35ba66c0d51aaf53a93"},
         {"MessageAttributes",
          {{"CorrelationId", {{"DataType", "String"}, {"StringValue", "corr-123"}}},
           {"Amount", {{"DataType", "Number"}, {"StringValue", "42.50"}}},
           {"Blob", {{"DataType", "Binary"}, {"BinaryValue", "AAEC/v8="}}},
           {"customer.name", {{"DataType", "String.utf8"}, {"StringValue", "Zoë Grüße"}}}}}}}}};
  auto messages = DecodeReceiveMessage(response);
  ASSERT_TRUE(messages.has_value()) << messages.error().ToString();
  EXPECT_EQ(messages->at(0).message_attributes, attributes);
}

TEST(ReceiveMessageTest, ChecksumMismatchOrBadBase64IsInternal) {
  json message = {{"MessageId", "m-1"},
                  {"ReceiptHandle", "rh"},
                  {"Body", "This is a test message"},
                  {"MD5OfBody", "fafb00f5732ab283681e124bf8747ed0"}};
  auto corrupted = DecodeReceiveMessage({{"Messages", {message}}});
  ASSERT_FALSE(corrupted.has_value());
  EXPECT_EQ(corrupted.error().code(), Code::kInternal);
  EXPECT_NE(corrupted.error().message().find("m-1"), std::string::npos);

  message["MD5OfBody"] = "fafb00f5732ab283681e124bf8747ed1";
  message["MessageAttributes"] = {{"A", {{"DataType", "String"}, {"StringValue", "x"}}}};
  message["MD5OfMessageAttributes"] = "00000000000000000000000000000000";
  EXPECT_EQ(DecodeReceiveMessage({{"Messages", {message}}}).error().code(), Code::kInternal);

  message.erase("MD5OfMessageAttributes");
  message["MessageAttributes"] = {{"B", {{"DataType", "Binary"}, {"BinaryValue", "not base64"}}}};
  EXPECT_EQ(DecodeReceiveMessage({{"Messages", {message}}}).error().code(), Code::kInternal);
}

TEST(ReceiveMessageTest, NoMessagesIsAnEmptyList) {
  EXPECT_TRUE(DecodeReceiveMessage(json::object())->empty());
  EXPECT_TRUE(DecodeReceiveMessage(json::parse(R"({"Messages":[]})"))->empty());
  EXPECT_FALSE(
      DecodeReceiveMessage(json::parse(R"({"Messages":[{"MessageId":"x"}]})")).has_value());
}

TEST(DeleteMessageBatchTest, EncodesAndDecodesPartialFailure) {
  auto encoded = EncodeDeleteMessageBatch(kQueueUrl, {{"0", "rh-0"}, {"1", "rh-1"}});
  EXPECT_EQ(encoded.value(), json::parse(R"({
      "QueueUrl": "http://127.0.0.1:4566/000000000000/place-order-queue",
      "Entries": [{"Id": "0", "ReceiptHandle": "rh-0"}, {"Id": "1", "ReceiptHandle": "rh-1"}]})"));
  EXPECT_FALSE(EncodeDeleteMessageBatch(kQueueUrl, {{"0", ""}}).has_value());
  EXPECT_FALSE(EncodeDeleteMessageBatch(kQueueUrl, {}).has_value());
  EXPECT_FALSE(EncodeDeleteMessageBatch(kQueueUrl, {{"0", "a"}, {"0", "b"}}).has_value());

  auto decoded = DecodeDeleteMessageBatch(test_data::Ok200(R"({
      "Successful": [{"Id": "0"}],
      "Failed": [{"Id": "1", "SenderFault": true, "Code": "ReceiptHandleIsInvalid",
                  "Message": "The input receipt handle is invalid."}]})"));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->successful, std::vector<std::string>{"0"});
  ASSERT_EQ(decoded->failed.size(), 1u);
  EXPECT_EQ(ErrorFromBatchFailure(decoded->failed[0]).code(), Code::kInvalidArgument);
}

TEST(ParseResponseTest, SuccessBodiesMustBeJsonObjects) {
  EXPECT_EQ(ParseResponse({200, {}, ""}).value(), json::object());
  EXPECT_EQ(ParseResponse({200, {}, R"({"QueueUrl":"u"})"}).value()["QueueUrl"], "u");
  auto html = ParseResponse({200, {}, "<html>hello</html>"});
  ASSERT_FALSE(html.has_value());
  EXPECT_EQ(html.error().code(), Code::kInternal);
  auto error = ParseResponse({400, {}, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist"})"});
  ASSERT_FALSE(error.has_value());
  EXPECT_EQ(error.error().code(), Code::kNotFound);
}

}  // namespace
}  // namespace driftline::sqs
