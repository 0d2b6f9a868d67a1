// What an SQS failure means and how it reads: the AWS error-code table, the HTTP status mapping,
// and the one place that words each error the protocol reports from more than one spot (a
// message over a size limit, a checksum mismatch, a malformed response, an AWS error).
//
// Errors come back as non-2xx with {"__type": "com.amazonaws.sqs#QueueDoesNotExist",
// "message": "..."} and, for compatibility with the older query protocol, an x-amzn-query-error
// header "AWS.SimpleQueueService.NonExistentQueue;Sender".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sqs/protocol/http_message.h"

namespace driftline::sqs {

// "com.amazonaws.sqs#QueueDoesNotExist" -> "QueueDoesNotExist"; anything without '#' unchanged.
std::string_view StripErrorTypePrefix(std::string_view type);

// The Code for an AWS error code, either spelling ("QueueDoesNotExist",
// "AWS.SimpleQueueService.NonExistentQueue"); nullopt when this client does not know it.
std::optional<Code> CodeForAwsError(std::string_view aws_code);

// The Code for an HTTP status that came without a recognisable AWS error code.
Code CodeForHttpStatus(long status);

// An Error for a non-2xx response: the AWS error code (from the JSON __type, or an XML <Code>,
// else the x-amzn-query-error header) decides the Code, else the HTTP status does; the message
// names the AWS code and carries AWS's message, the status and the request id.
Error ErrorFromResponse(const HttpResponse& response);

// One failed entry of a batch response.
struct BatchEntryFailure {
  std::string id;
  bool sender_fault = false;
  std::string code;     // "InvalidParameterValue", "InternalError", ...
  std::string message;  // may be empty
};

// SenderFault=true is permanent (the mapped Code if permanent, else kInvalidArgument);
// SenderFault=false is retryable (the mapped Code if retryable, else kUnavailable).
Error ErrorFromBatchFailure(const BatchEntryFailure& failure);

// ---- Errors raised by this client ------------------------------------------------------------

// Which size limit a message passed.
enum class SizeLimit {
  kQueueMaximumMessageSize,  // the queue's MaximumMessageSize
  kBatchPayload,             // the sum over one SendMessageBatch request
};

// kInvalidArgument: "message of <size> bytes exceeds the queue's MaximumMessageSize of <limit>".
Error MessageTooLarge(std::size_t size, std::size_t limit, SizeLimit which);

// kInternal: the MD5 SQS reported (`field`: MD5OfMessageBody, MD5OfBody, MD5OfMessageAttributes)
// is not the MD5 of what was sent: the message was corrupted on the way.
Error ChecksumMismatch(std::string_view message_id, std::string_view field,
                       std::string_view reported, std::string_view computed);

// kInternal: a 2xx response to `action` that does not have the documented shape.
Error MalformedResponse(std::string_view action, std::string_view detail);

// kInternal: a 2xx response whose body is not a JSON object (is the endpoint SQS at all?).
Error NotAJsonObjectResponse(const HttpResponse& response);

}  // namespace driftline::sqs
