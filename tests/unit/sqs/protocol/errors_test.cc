#include "sqs/protocol/errors.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace driftline::sqs {
namespace {

using nlohmann::json;

HttpResponse ErrorResponse(long status, const json& body,
                           std::map<std::string, std::string> headers = {}) {
  return HttpResponse{status, std::move(headers), body.dump()};
}

struct ErrorCase {
  const char* aws_code;
  Code expected;
};

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

}  // namespace
}  // namespace driftline::sqs
