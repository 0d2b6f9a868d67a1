#include "sqs/protocol.h"

#include <gtest/gtest.h>

#include "sqs/digest.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;

constexpr char kQueueUrl[] = "http://127.0.0.1:4566/000000000000/place-order-queue";

std::string HeaderOf(const HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return {};
}

HttpResponse ErrorResponse(long status, const json& body,
                           std::map<std::string, std::string> headers = {}) {
  return HttpResponse{status, std::move(headers), body.dump()};
}

// ---- Endpoint and request ---------------------------------------------------------------------

TEST(MakeEndpointTest, AcceptsHostAndPortAndDropsTrailingSlash) {
  auto endpoint = MakeEndpoint("http://127.0.0.1:4566/", "us-east-1");
  ASSERT_TRUE(endpoint.has_value()) << endpoint.error().ToString();
  EXPECT_EQ(endpoint->url, "http://127.0.0.1:4566");
  EXPECT_EQ(endpoint->region, "us-east-1");
  EXPECT_EQ(MakeEndpoint("https://sqs.eu-west-1.amazonaws.com", "eu-west-1")->url,
            "https://sqs.eu-west-1.amazonaws.com");
}

TEST(MakeEndpointTest, RejectsWhatCannotBeAnSqsEndpoint) {
  for (const char* url :
       {"127.0.0.1:4566", "ftp://host", "http://", "http://:4566", "http://host/000000000000/queue",
        "http://user:pw@host", "http://host?x=1"}) {
    auto endpoint = MakeEndpoint(url, "us-east-1");
    ASSERT_FALSE(endpoint.has_value()) << url;
    EXPECT_EQ(endpoint.error().code(), Code::kInvalidArgument);
  }
  EXPECT_FALSE(MakeEndpoint("http://host", "").has_value());
  EXPECT_FALSE(MakeEndpoint("http://host", "US East").has_value());
}

TEST(BuildRequestTest, IsAJson10PostSignedForSqs) {
  auto endpoint = MakeEndpoint("http://127.0.0.1:4566", "us-east-1").value();
  HttpRequest request =
      BuildRequest(endpoint, "SendMessage", {{"QueueUrl", kQueueUrl}, {"MessageBody", "héllo"}});
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "http://127.0.0.1:4566/");
  EXPECT_EQ(HeaderOf(request, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(HeaderOf(request, "X-Amz-Target"), "AmazonSQS.SendMessage");
  EXPECT_EQ(request.aws_sigv4, "aws:amz:us-east-1:sqs");
  // Compact, keys sorted, UTF-8 kept as is (not \u escapes).
  EXPECT_EQ(request.body,
            std::string(R"({"MessageBody":"héllo","QueueUrl":")") + kQueueUrl + "\"}");
  EXPECT_EQ(request.headers.size(), 2u);
  for (const auto& [name, value] : request.headers)
    EXPECT_FALSE(value.empty()) << name;
}

// ---- Queues -----------------------------------------------------------------------------------

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

TEST(CreateQueueTest, RejectsInvalidNames) {
  for (const std::string& name : {std::string(), std::string("has space"), std::string("a/b"),
                                  std::string(81, 'q'), std::string(".fifo")}) {
    auto encoded = EncodeCreateQueue({name, {}});
    ASSERT_FALSE(encoded.has_value()) << name;
    EXPECT_EQ(encoded.error().code(), Code::kInvalidArgument);
  }
  EXPECT_TRUE(EncodeCreateQueue({std::string(80, 'q'), {}}).has_value());
}

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

TEST(QueueUrlOnlyTest, PurgeAndDeleteQueueTakeOnlyTheUrl) {
  EXPECT_EQ(EncodeQueueUrlOnly(kQueueUrl), json({{"QueueUrl", kQueueUrl}}));
}

// ---- Sending ----------------------------------------------------------------------------------

OutgoingMessage FullMessage() {
  OutgoingMessage message;
  message.body = R"({"orderId":"ORD-1","note":"Grüße"})";
  message.attributes = {{"CorrelationId", MessageAttributeValue::String("corr-1")},
                        {"Attempt", MessageAttributeValue::Number("2")},
                        {"Blob", MessageAttributeValue::Binary(std::string("\x00\xff", 2))}};
  message.delay_seconds = 5;
  return message;
}

TEST(SendMessageTest, EncodesBodyAttributesAndDelay) {
  auto encoded = EncodeSendMessage(kQueueUrl, FullMessage());
  ASSERT_TRUE(encoded.has_value()) << encoded.error().ToString();
  EXPECT_EQ(*encoded, json::parse(R"({
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
  EXPECT_EQ(EncodeSendMessage(kQueueUrl, message).value(),
            json({{"QueueUrl", kQueueUrl},
                  {"MessageBody", "x"},
                  {"MessageGroupId", "customer-7"},
                  {"MessageDeduplicationId", "ORD-1"}}));
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

TEST(SendMessageTest, DecodesAndVerifiesTheDocumentedExample) {
  // SendMessage example from the SQS API reference (JSON protocol).
  OutgoingMessage message;
  message.body = "This is a test message";
  message.attributes = {
      {"my_attribute_name_1", MessageAttributeValue::String("my_attribute_value_1")},
      {"my_attribute_name_2", MessageAttributeValue::String("my_attribute_value_2")}};
  auto result = DecodeSendMessage(json::parse(R"({
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
  EXPECT_EQ(DecodeSendMessage(json::parse(R"({"MessageId":"x"})")).error().code(), Code::kInternal);
  auto fifo = DecodeSendMessage(json::parse(
      R"({"MessageId":"x","MD5OfMessageBody":"y","SequenceNumber":"18849496460467696128"})"));
  EXPECT_EQ(fifo->sequence_number, "18849496460467696128");
}

TEST(SendMessageBatchTest, EncodesEntriesWithIds) {
  OutgoingMessage a;
  a.body = "first";
  OutgoingMessage b = FullMessage();
  auto encoded = EncodeSendMessageBatch(kQueueUrl, {{"0", a}, {"id_1-x", b}});
  ASSERT_TRUE(encoded.has_value()) << encoded.error().ToString();
  EXPECT_EQ((*encoded)["QueueUrl"], kQueueUrl);
  ASSERT_EQ((*encoded)["Entries"].size(), 2u);
  EXPECT_EQ((*encoded)["Entries"][0], json::parse(R"({"Id":"0","MessageBody":"first"})"));
  EXPECT_EQ((*encoded)["Entries"][1]["Id"], "id_1-x");
  EXPECT_EQ((*encoded)["Entries"][1]["MessageAttributes"]["Blob"]["BinaryValue"], "AP8=");
  EXPECT_EQ((*encoded)["Entries"][1]["DelaySeconds"], 5);
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

TEST(SendMessageBatchTest, DecodesSuccessfulAndFailedEntries) {
  // SendMessageBatch response shape from the SQS API reference, plus a failure.
  auto response = DecodeSendMessageBatch(json::parse(R"({
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
  EXPECT_TRUE(DecodeSendMessageBatch(json::object()).has_value());
  EXPECT_FALSE(DecodeSendMessageBatch(json::parse(R"({"Failed":{}})")).has_value());
}

TEST(BatchFailureTest, SenderFaultIsPermanentServerFaultRetryable) {
  Error permanent = ErrorFromBatchFailure({"1", true, "InvalidParameterValue", "bad"});
  EXPECT_EQ(permanent.code(), Code::kInvalidArgument);
  EXPECT_FALSE(permanent.retryable());
  EXPECT_NE(permanent.message().find("InvalidParameterValue: bad"), std::string::npos);
  // A sender fault with a code we would call retryable is still the sender's fault.
  EXPECT_FALSE(ErrorFromBatchFailure({"1", true, "InternalError", ""}).retryable());
  EXPECT_EQ(ErrorFromBatchFailure({"1", true, "Whatever", ""}).code(), Code::kInvalidArgument);

  Error retryable = ErrorFromBatchFailure({"3", false, "InternalError", ""});
  EXPECT_EQ(retryable.code(), Code::kUnavailable);
  EXPECT_TRUE(retryable.retryable());
  EXPECT_EQ(ErrorFromBatchFailure({"3", false, "ThrottlingException", ""}).code(),
            Code::kResourceExhausted);
  EXPECT_TRUE(ErrorFromBatchFailure({"3", false, "InvalidParameterValue", ""}).retryable());
}

// ---- Receiving --------------------------------------------------------------------------------

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

// ---- Deleting and visibility ------------------------------------------------------------------

TEST(DeleteMessageTest, EncodesReceiptHandle) {
  EXPECT_EQ(EncodeDeleteMessage(kQueueUrl, "rh-1"),
            json({{"QueueUrl", kQueueUrl}, {"ReceiptHandle", "rh-1"}}));
}

TEST(DeleteMessageBatchTest, EncodesAndDecodesPartialFailure) {
  auto encoded = EncodeDeleteMessageBatch(kQueueUrl, {{"0", "rh-0"}, {"1", "rh-1"}});
  EXPECT_EQ(encoded.value(), json::parse(R"({
      "QueueUrl": "http://127.0.0.1:4566/000000000000/place-order-queue",
      "Entries": [{"Id": "0", "ReceiptHandle": "rh-0"}, {"Id": "1", "ReceiptHandle": "rh-1"}]})"));
  EXPECT_FALSE(EncodeDeleteMessageBatch(kQueueUrl, {{"0", ""}}).has_value());
  EXPECT_FALSE(EncodeDeleteMessageBatch(kQueueUrl, {}).has_value());
  EXPECT_FALSE(EncodeDeleteMessageBatch(kQueueUrl, {{"0", "a"}, {"0", "b"}}).has_value());

  auto decoded = DecodeDeleteMessageBatch(json::parse(R"({
      "Successful": [{"Id": "0"}],
      "Failed": [{"Id": "1", "SenderFault": true, "Code": "ReceiptHandleIsInvalid",
                  "Message": "The input receipt handle is invalid."}]})"));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->successful, std::vector<std::string>{"0"});
  ASSERT_EQ(decoded->failed.size(), 1u);
  EXPECT_EQ(ErrorFromBatchFailure(decoded->failed[0]).code(), Code::kInvalidArgument);
}

TEST(ChangeMessageVisibilityTest, EncodesAndChecksRange) {
  EXPECT_EQ(EncodeChangeMessageVisibility(kQueueUrl, "rh", 0).value(),
            json({{"QueueUrl", kQueueUrl}, {"ReceiptHandle", "rh"}, {"VisibilityTimeout", 0}}));
  EXPECT_TRUE(EncodeChangeMessageVisibility(kQueueUrl, "rh", 43200).has_value());
  EXPECT_FALSE(EncodeChangeMessageVisibility(kQueueUrl, "rh", 43201).has_value());
  EXPECT_FALSE(EncodeChangeMessageVisibility(kQueueUrl, "rh", -1).has_value());
}

// ---- Errors -----------------------------------------------------------------------------------

struct ErrorCase {
  const char* aws_code;
  Code expected;
};

TEST(ErrorMappingTest, EveryKnownErrorTypeInBothSpellings) {
  const std::vector<ErrorCase> cases = {
      {"QueueDoesNotExist", Code::kNotFound},
      {"AWS.SimpleQueueService.NonExistentQueue", Code::kNotFound},
      {"ThrottlingException", Code::kResourceExhausted},
      {"RequestThrottled", Code::kResourceExhausted},
      {"KmsThrottled", Code::kResourceExhausted},
      {"OverLimit", Code::kResourceExhausted},
      {"InvalidParameterValue", Code::kInvalidArgument},
      {"MissingParameter", Code::kInvalidArgument},
      {"ValidationError", Code::kInvalidArgument},
      {"InvalidAttributeValue", Code::kInvalidArgument},
      {"InvalidAttributeName", Code::kInvalidArgument},
      {"BatchRequestTooLong", Code::kInvalidArgument},
      {"AWS.SimpleQueueService.BatchRequestTooLong", Code::kInvalidArgument},
      {"EmptyBatchRequest", Code::kInvalidArgument},
      {"AWS.SimpleQueueService.EmptyBatchRequest", Code::kInvalidArgument},
      {"TooManyEntriesInBatchRequest", Code::kInvalidArgument},
      {"AWS.SimpleQueueService.TooManyEntriesInBatchRequest", Code::kInvalidArgument},
      {"InvalidBatchEntryId", Code::kInvalidArgument},
      {"AWS.SimpleQueueService.InvalidBatchEntryId", Code::kInvalidArgument},
      {"BatchEntryIdsNotDistinct", Code::kInvalidArgument},
      {"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", Code::kInvalidArgument},
      {"InvalidMessageContents", Code::kInvalidArgument},
      {"UnsupportedOperation", Code::kInvalidArgument},
      {"AWS.SimpleQueueService.UnsupportedOperation", Code::kInvalidArgument},
      {"ReceiptHandleIsInvalid", Code::kInvalidArgument},
      {"InvalidClientTokenId", Code::kUnauthenticated},
      {"SignatureDoesNotMatch", Code::kUnauthenticated},
      {"IncompleteSignature", Code::kUnauthenticated},
      {"MissingAuthenticationToken", Code::kUnauthenticated},
      {"UnrecognizedClientException", Code::kUnauthenticated},
      {"AccessDenied", Code::kPermissionDenied},
      {"AccessDeniedException", Code::kPermissionDenied},
      {"KmsAccessDenied", Code::kPermissionDenied},
      {"QueueAlreadyExists", Code::kAlreadyExists},
      {"PurgeQueueInProgress", Code::kFailedPrecondition},
      {"AWS.SimpleQueueService.PurgeQueueInProgress", Code::kFailedPrecondition},
      {"InvalidAction", Code::kUnimplemented},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CodeForAwsError(c.aws_code), c.expected) << c.aws_code;
    // As a JSON __type with the namespace prefix, on an HTTP 400.
    Error error = ErrorFromResponse(ErrorResponse(
        400,
        {{"__type", std::string("com.amazonaws.sqs#") + c.aws_code}, {"message", "details here"}}));
    EXPECT_EQ(error.code(), c.expected) << c.aws_code;
    EXPECT_NE(error.message().find(c.aws_code), std::string::npos) << error.message();
    EXPECT_NE(error.message().find("details here"), std::string::npos) << error.message();
    // Only in the query-compatibility header.
    EXPECT_EQ(ErrorFromResponse(
                  ErrorResponse(400, json::object(),
                                {{"x-amzn-query-error", std::string(c.aws_code) + ";Sender"}}))
                  .code(),
              c.expected)
        << c.aws_code;
  }
  EXPECT_FALSE(CodeForAwsError("SomethingNew").has_value());
  EXPECT_FALSE(CodeForAwsError("").has_value());
}

TEST(ErrorMappingTest, StripsTypePrefixes) {
  EXPECT_EQ(StripErrorTypePrefix("com.amazonaws.sqs#QueueDoesNotExist"), "QueueDoesNotExist");
  EXPECT_EQ(StripErrorTypePrefix("com.amazon.coral.service#AccessDeniedException"),
            "AccessDeniedException");
  EXPECT_EQ(StripErrorTypePrefix("AWS.SimpleQueueService.NonExistentQueue"),
            "AWS.SimpleQueueService.NonExistentQueue");
}

TEST(ErrorMappingTest, RealSqsNonExistentQueueResponse) {
  // What SQS answers for a missing queue on the JSON protocol.
  Error error = ErrorFromResponse(
      ErrorResponse(400,
                    {{"__type", "com.amazonaws.sqs#QueueDoesNotExist"},
                     {"message", "The specified queue does not exist."}},
                    {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"},
                     {"x-amzn-requestid", "2f8b0d5c-aaaa-bbbb-cccc-000000000000"}}));
  EXPECT_EQ(error.code(), Code::kNotFound);
  EXPECT_EQ(error.message(),
            "SQS QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue): The specified queue "
            "does not exist. [HTTP 400, request id 2f8b0d5c-aaaa-bbbb-cccc-000000000000]");
}

TEST(ErrorMappingTest, ElasticMqNonExistentQueueResponse) {
  // ElasticMQ 1.7: "Message" capitalised, the __type repeated in x-amzn-query-error, no
  // request id.
  Error error = ErrorFromResponse(
      ErrorResponse(400,
                    {{"__type", "com.amazonaws.sqs#QueueDoesNotExist"},
                     {"Message", "The specified queue does not exist."}},
                    {{"x-amzn-query-error", "com.amazonaws.sqs#QueueDoesNotExist"}}));
  EXPECT_EQ(error.code(), Code::kNotFound);
  EXPECT_EQ(error.message(),
            "SQS QueueDoesNotExist: The specified queue does not exist. [HTTP 400]");
}

TEST(ErrorMappingTest, ReadsXmlErrorDocuments) {
  // moto answers failed IAM checks in the query protocol's XML, even to JSON requests.
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
  <ErrorResponse><Errors><Error>
    <Code>SignatureDoesNotMatch</Code>
    <Message><![CDATA[The request signature we calculated does not match.]]></Message>
  </Error></Errors><RequestId>r-1</RequestId></ErrorResponse>)";
  Error error = ErrorFromResponse({403, {}, xml});
  EXPECT_EQ(error.code(), Code::kUnauthenticated);
  EXPECT_EQ(error.message(),
            "SQS SignatureDoesNotMatch: The request signature we calculated does not match. "
            "[HTTP 403]");
  Error escaped = ErrorFromResponse(
      {403, {}, "<Error><Code>InvalidClientTokenId</Code><Message>a &lt;b&gt; &amp; c</Message>"});
  EXPECT_EQ(escaped.code(), Code::kUnauthenticated);
  EXPECT_NE(escaped.message().find("a <b> & c"), std::string::npos);
}

TEST(ErrorMappingTest, HttpStatusDecidesWhenTheTypeIsUnknown) {
  EXPECT_EQ(ErrorFromResponse(ErrorResponse(500, {{"__type", "InternalError"}})).code(),
            Code::kUnavailable);
  EXPECT_EQ(ErrorFromResponse({503, {}, "Service Unavailable"}).code(), Code::kUnavailable);
  EXPECT_EQ(ErrorFromResponse({502, {}, "<html>bad gateway</html>"}).code(), Code::kUnavailable);
  EXPECT_EQ(ErrorFromResponse({504, {}, ""}).code(), Code::kDeadlineExceeded);
  EXPECT_EQ(ErrorFromResponse({429, {}, ""}).code(), Code::kResourceExhausted);
  EXPECT_EQ(ErrorFromResponse({403, {}, ""}).code(), Code::kPermissionDenied);
  EXPECT_EQ(ErrorFromResponse({401, {}, ""}).code(), Code::kUnauthenticated);
  EXPECT_EQ(ErrorFromResponse({404, {}, "Not Found"}).code(), Code::kNotFound);
  EXPECT_EQ(ErrorFromResponse(ErrorResponse(400, {{"__type", "BrandNewError"}})).code(),
            Code::kInvalidArgument);
  // A 5xx is the server's fault even when it names a permanent-looking error.
  EXPECT_EQ(ErrorFromResponse(ErrorResponse(500, {{"__type", "InvalidParameterValue"}})).code(),
            Code::kUnavailable);
  // Throttling stays throttling on a 400 (how SQS sends it).
  EXPECT_EQ(ErrorFromResponse(ErrorResponse(400, {{"__type", "ThrottlingException"}})).code(),
            Code::kResourceExhausted);
  EXPECT_TRUE(
      ErrorFromResponse(ErrorResponse(400, {{"__type", "ThrottlingException"}})).retryable());
}

TEST(ErrorMappingTest, QuotesANonJsonBodyShortly) {
  const std::string html = "<html>" + std::string(1000, 'x') + "</html>";
  Error error = ErrorFromResponse({502, {}, html});
  EXPECT_NE(error.message().find("<html>xxx"), std::string::npos);
  EXPECT_LT(error.message().size(), 300u);
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
