// The failure-scope table: which SQS failures belong to the message (and may dead-letter it)
// and which to the infrastructure (the message waits and is sent again), each with its cause.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "queue_url.h"
#include "sqs/protocol/decode.h"
#include "sqs/protocol/errors.h"
#include "sqs/protocol/validation.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;

constexpr FailureScope kMessage = FailureScope::kMessage;
constexpr FailureScope kInfrastructure = FailureScope::kInfrastructure;

struct ScopeCase {
  const char* aws_code;
  FailureScope scope;  // of a 4xx response or a sender-fault batch entry naming it
  const char* cause;
};

// Every code of the error table, and the ones the issue names, in both spellings where SQS has
// two. Only message-content codes are kMessage.
const std::vector<ScopeCase>& Table() {
  static const std::vector<ScopeCase> cases = {
      // The message's content.
      {"InvalidMessageContents", kMessage, "InvalidMessageContents"},
      {"MessageTooLong", kMessage, "MessageTooLong"},
      {"BatchEntryTooLong", kMessage, "BatchEntryTooLong"},
      {"InvalidParameterValue", kMessage, "InvalidParameterValue"},
      {"InvalidAttributeName", kMessage, "InvalidAttributeName"},
      {"InvalidAttributeValue", kMessage, "InvalidAttributeValue"},
      // The queue.
      {"QueueDoesNotExist", kInfrastructure, "QueueDoesNotExist"},
      {"AWS.SimpleQueueService.NonExistentQueue", kInfrastructure, "QueueDoesNotExist"},
      {"QueueDeletedRecently", kInfrastructure, "QueueDeletedRecently"},
      {"AWS.SimpleQueueService.QueueDeletedRecently", kInfrastructure, "QueueDeletedRecently"},
      {"PurgeQueueInProgress", kInfrastructure, "PurgeQueueInProgress"},
      {"InvalidAddress", kInfrastructure, "InvalidAddress"},
      // Credentials and permissions.
      {"ExpiredToken", kInfrastructure, "ExpiredToken"},
      {"SignatureDoesNotMatch", kInfrastructure, "SignatureDoesNotMatch"},
      {"RequestExpired", kInfrastructure, "RequestExpired"},
      {"InvalidClientTokenId", kInfrastructure, "InvalidClientTokenId"},
      {"IncompleteSignature", kInfrastructure, "IncompleteSignature"},
      {"MissingAuthenticationToken", kInfrastructure, "MissingAuthenticationToken"},
      {"UnrecognizedClientException", kInfrastructure, "UnrecognizedClientException"},
      {"InvalidSignatureException", kInfrastructure, "InvalidSignatureException"},
      {"AccessDenied", kInfrastructure, "AccessDenied"},
      {"AccessDeniedException", kInfrastructure, "AccessDenied"},
      {"InvalidSecurity", kInfrastructure, "InvalidSecurity"},
      {"OptInRequired", kInfrastructure, "OptInRequired"},
      // The queue's KMS key.
      {"KmsAccessDenied", kInfrastructure, "KmsAccessDenied"},
      {"KmsDisabled", kInfrastructure, "KmsDisabled"},
      {"KmsInvalidState", kInfrastructure, "KmsInvalidState"},
      {"KmsNotFound", kInfrastructure, "KmsNotFound"},
      {"KmsOptInRequired", kInfrastructure, "KmsOptInRequired"},
      {"KmsInvalidKeyUsage", kInfrastructure, "KmsInvalidKeyUsage"},
      {"KmsThrottled", kInfrastructure, "KmsThrottled"},
      {"KMS.ThrottlingException", kInfrastructure, "KMS.ThrottlingException"},
      // Throttling and the server.
      {"ThrottlingException", kInfrastructure, "ThrottlingException"},
      {"RequestThrottled", kInfrastructure, "RequestThrottled"},
      {"OverLimit", kInfrastructure, "OverLimit"},
      {"InternalError", kInfrastructure, "InternalError"},
      {"InternalFailure", kInfrastructure, "InternalFailure"},
      {"ServiceUnavailable", kInfrastructure, "ServiceUnavailable"},
      // The request this client built (a bug, or an endpoint that is not SQS): not the message.
      {"MissingParameter", kInfrastructure, "MissingParameter"},
      {"InvalidParameterCombination", kInfrastructure, "InvalidParameterCombination"},
      {"ValidationError", kInfrastructure, "ValidationError"},
      {"ValidationException", kInfrastructure, "ValidationException"},
      {"SerializationException", kInfrastructure, "SerializationException"},
      {"MalformedQueryString", kInfrastructure, "MalformedQueryString"},
      {"BatchRequestTooLong", kInfrastructure, "BatchRequestTooLong"},
      {"AWS.SimpleQueueService.BatchRequestTooLong", kInfrastructure, "BatchRequestTooLong"},
      {"EmptyBatchRequest", kInfrastructure, "EmptyBatchRequest"},
      {"TooManyEntriesInBatchRequest", kInfrastructure, "TooManyEntriesInBatchRequest"},
      {"InvalidBatchEntryId", kInfrastructure, "InvalidBatchEntryId"},
      {"BatchEntryIdsNotDistinct", kInfrastructure, "BatchEntryIdsNotDistinct"},
      {"UnsupportedOperation", kInfrastructure, "UnsupportedOperation"},
      {"AWS.SimpleQueueService.UnsupportedOperation", kInfrastructure, "UnsupportedOperation"},
      {"InvalidAction", kInfrastructure, "InvalidAction"},
      {"UnknownOperationException", kInfrastructure, "UnknownOperationException"},
  };
  return cases;
}

HttpResponse JsonError(long status, const std::string& type) {
  return HttpResponse{status, {}, json{{"__type", "com.amazonaws.sqs#" + type}}.dump()};
}

TEST(FailureScopeTest, ResponsesAreScopedByTheirAwsCode) {
  for (const auto& c : Table()) {
    SCOPED_TRACE(c.aws_code);
    Error error = ErrorFromResponse(JsonError(400, c.aws_code));
    EXPECT_EQ(error.scope(), c.scope);
    EXPECT_EQ(error.cause(), c.cause);
    EXPECT_FALSE(error.maybe_applied()) << "a 4xx refusal enqueued nothing";
    // The same code only in the query-compatibility header.
    Error by_header = ErrorFromResponse(
        HttpResponse{400, {{"x-amzn-query-error", std::string(c.aws_code) + ";Sender"}}, "{}"});
    EXPECT_EQ(by_header.scope(), c.scope);
    EXPECT_EQ(by_header.cause(), c.cause);
  }
}

TEST(FailureScopeTest, BatchEntriesAreScopedByFaultAndCode) {
  for (const auto& c : Table()) {
    SCOPED_TRACE(c.aws_code);
    Error sender = ErrorFromBatchFailure({"7", true, c.aws_code, "detail"});
    EXPECT_EQ(sender.scope(), c.scope);
    EXPECT_EQ(sender.cause(), c.cause);
    // SQS's own fault is never the message's, whatever the code says.
    Error server = ErrorFromBatchFailure({"7", false, c.aws_code, "detail"});
    EXPECT_EQ(server.scope(), kInfrastructure);
    EXPECT_EQ(server.cause(), c.cause);
  }
  // Unknown codes: SenderFault is all SQS says about this one entry.
  Error sender = ErrorFromBatchFailure({"1", true, "SomethingNew", ""});
  EXPECT_EQ(sender.scope(), kMessage);
  EXPECT_EQ(sender.cause(), cause::kSenderFault);
  Error server = ErrorFromBatchFailure({"1", false, "SomethingNew", ""});
  EXPECT_EQ(server.scope(), kInfrastructure);
  EXPECT_EQ(server.cause(), cause::kServerFault);
}

TEST(FailureScopeTest, MessageContentCodesAreInvalidArgumentSoABatchIsResentOneByOne) {
  for (const auto& c : Table()) {
    if (c.scope != kMessage) continue;
    EXPECT_TRUE(IsMessageContentError(c.cause)) << c.aws_code;
    EXPECT_EQ(CodeForAwsError(c.aws_code), Code::kInvalidArgument) << c.aws_code;
  }
}

TEST(FailureScopeTest, CanonicalNamesOfBothSpellings) {
  EXPECT_EQ(CanonicalAwsError("AWS.SimpleQueueService.NonExistentQueue"), "QueueDoesNotExist");
  EXPECT_EQ(CanonicalAwsError("QueueDoesNotExist"), "QueueDoesNotExist");
  EXPECT_EQ(CanonicalAwsError("AccessDeniedForSomething"), "AccessDenied");
  EXPECT_FALSE(CanonicalAwsError("SomethingNew").has_value());
  EXPECT_FALSE(CanonicalAwsError("").has_value());
}

TEST(FailureScopeTest, ServerErrorsAreInfrastructureAndMayHaveBeenApplied) {
  // A content code on a 5xx is still the server's failure.
  Error content = ErrorFromResponse(JsonError(500, "InvalidParameterValue"));
  EXPECT_EQ(content.scope(), kInfrastructure);
  EXPECT_EQ(content.cause(), "InvalidParameterValue");
  EXPECT_TRUE(content.maybe_applied());

  Error internal = ErrorFromResponse(JsonError(500, "InternalError"));
  EXPECT_EQ(internal.scope(), kInfrastructure);
  EXPECT_TRUE(internal.maybe_applied());

  Error gateway = ErrorFromResponse({502, {}, "<html>bad gateway</html>"});
  EXPECT_EQ(gateway.scope(), kInfrastructure);
  EXPECT_EQ(gateway.cause(), "http-502");
  EXPECT_TRUE(gateway.maybe_applied());
}

TEST(FailureScopeTest, ResponsesWithoutAKnownCodeAreInfrastructureNamedByStatus) {
  for (long status : {400L, 401L, 403L, 404L, 413L, 429L, 301L}) {
    Error error = ErrorFromResponse({status, {}, "no code here"});
    EXPECT_EQ(error.scope(), kInfrastructure) << status;
    EXPECT_EQ(error.cause(), "http-" + std::to_string(status));
    EXPECT_FALSE(error.maybe_applied()) << status;
  }
  Error unknown = ErrorFromResponse(JsonError(400, "BrandNewError"));
  EXPECT_EQ(unknown.scope(), kInfrastructure);
  EXPECT_EQ(unknown.cause(), "http-400");
  // moto's XML documents are read too.
  Error xml = ErrorFromResponse(
      {403, {}, "<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>"});
  EXPECT_EQ(xml.scope(), kInfrastructure);
  EXPECT_EQ(xml.cause(), "SignatureDoesNotMatch");
}

TEST(FailureScopeTest, RepliesThatCannotBeTrustedAreInfrastructureAndMayHaveBeenApplied) {
  Error not_json = ParseResponse({200, {}, "<html>hello</html>"}).error();
  EXPECT_EQ(not_json.scope(), kInfrastructure);
  EXPECT_EQ(not_json.cause(), cause::kUnreadableResponse);
  EXPECT_TRUE(not_json.maybe_applied());

  Error malformed = DecodeSendMessageBatch(test_data::Ok200(R"({"Successful":{}})")).error();
  EXPECT_EQ(malformed.scope(), kInfrastructure);
  EXPECT_EQ(malformed.cause(), cause::kMalformedResponse);
  EXPECT_TRUE(malformed.maybe_applied());

  Error missing = MissingEntryResult();
  EXPECT_EQ(missing.scope(), kInfrastructure);
  EXPECT_EQ(missing.cause(), cause::kMissingEntryResult);
  EXPECT_TRUE(missing.maybe_applied());

  // SQS said Successful, with another MD5: it holds something, maybe not what was sent.
  OutgoingMessage message;
  message.body = "hello";
  SendMessageResult result;
  result.message_id = "m-1";
  result.md5_of_message_body = "0123456789abcdef0123456789abcdef";
  Error mismatch = VerifySent(message, result).error();
  EXPECT_EQ(mismatch.scope(), kInfrastructure);
  EXPECT_EQ(mismatch.cause(), cause::kChecksumMismatch);
  EXPECT_TRUE(mismatch.maybe_applied());
}

TEST(FailureScopeTest, WhatThisClientRefusesBeforeSendingIsTheMessages) {
  OutgoingMessage control;
  control.body = std::string("order \x01 with a control character");
  Error invalid = CheckOutgoingMessage(control).error();
  EXPECT_EQ(invalid.scope(), kMessage);
  EXPECT_EQ(invalid.cause(), cause::kInvalidMessage);

  OutgoingMessage bad_attribute;
  bad_attribute.body = "ok";
  bad_attribute.attributes["CorrelationId"] = MessageAttributeValue::String("\xff");
  EXPECT_EQ(CheckOutgoingMessage(bad_attribute).error().scope(), kMessage);

  OutgoingMessage big;
  big.body = std::string(kDefaultMaximumMessageSize + 1, 'x');
  Error too_large = CheckMessageSize(big, BatchLimits{}, /*in_batch=*/true).error();
  EXPECT_EQ(too_large.scope(), kMessage);
  EXPECT_EQ(too_large.cause(), cause::kMessageTooLarge);
}

TEST(FailureScopeTest, AWholeRequestsFailureIsAMessagesOnlyWhenItCarriedItAlone) {
  Error content = ErrorFromResponse(JsonError(400, "InvalidMessageContents"));
  ASSERT_EQ(content.scope(), kMessage);
  EXPECT_EQ(RequestFailureForEntry(content, 1).scope(), kMessage);
  Error shared = RequestFailureForEntry(content, 3);
  EXPECT_EQ(shared.scope(), kInfrastructure);
  EXPECT_EQ(shared.cause(), "InvalidMessageContents");
  Error queue = ErrorFromResponse(JsonError(400, "QueueDoesNotExist"));
  EXPECT_EQ(RequestFailureForEntry(queue, 1).scope(), kInfrastructure);
}

TEST(FailureScopeTest, TransportFailuresAreInfrastructure) {
  struct Case {
    TransportFailure kind;
    std::string_view cause;
    bool maybe_applied;
  };
  for (const Case& c : {Case{TransportFailure::kUnreachable, cause::kUnreachable, false},
                        Case{TransportFailure::kTls, cause::kTls, false},
                        Case{TransportFailure::kTimeout, cause::kTimeout, true},
                        Case{TransportFailure::kConnectionLost, cause::kConnectionLost, true},
                        Case{TransportFailure::kOther, cause::kTransport, true}}) {
    Error error = ClassifyTransportFailure(Error(Code::kUnavailable, "wire"), c.kind);
    EXPECT_EQ(error.scope(), kInfrastructure) << c.cause;
    EXPECT_EQ(error.cause(), c.cause);
    EXPECT_EQ(error.maybe_applied(), c.maybe_applied) << c.cause;
    EXPECT_EQ(error.message(), "wire");
  }
}

TEST(FailureScopeTest, UnclassifiedErrorsBecomeInfrastructureNamedByTheirCode) {
  Error plain = ClassifyUnclassified(Error(Code::kInvalidArgument, "header"));
  EXPECT_EQ(plain.scope(), kInfrastructure);
  EXPECT_EQ(plain.cause(), "invalid_argument");
  Error content = ErrorFromResponse(JsonError(400, "MessageTooLong"));
  EXPECT_EQ(ClassifyUnclassified(content).scope(), kMessage) << "a decided scope stays";
}

}  // namespace
}  // namespace driftline::sqs
