// What an SQS failure means and how it reads: the AWS error-code table, the HTTP status mapping,
// and the one place that words each error the protocol reports from more than one spot (a
// message over a size limit, a checksum mismatch, a malformed response, an AWS error).
//
// It is also the one place that decides each failure's scope (common/status.h): kMessage only
// for content SQS refuses for that message (kMessageContentErrors below, a per-entry sender
// fault, this client's own checks of a message); kInfrastructure for everything else — the
// queue, the endpoint, credentials, KMS, TLS, throttling, 5xx, a reply that cannot be read or
// lacks an entry, a checksum mismatch. Every Error built here is classified, with a cause: the
// AWS code in one spelling ("QueueDoesNotExist" for both of its names), "http-<status>" when a
// response names no code this client knows, or one of the causes below.
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

// The one name of a known AWS error code, used as its cause: "QueueDoesNotExist" for
// "AWS.SimpleQueueService.NonExistentQueue" too, "AccessDenied" for every "AccessDenied*";
// nullopt for a code this client does not know.
std::optional<std::string_view> CanonicalAwsError(std::string_view aws_code);

// True for the (canonical) AWS codes that blame a message's content: InvalidMessageContents,
// MessageTooLong, BatchEntryTooLong, InvalidParameterValue, InvalidAttributeName,
// InvalidAttributeValue. All map to kInvalidArgument, so a batch refused as a whole for one of
// them is resent message by message (CurlSqsClient) and the verdict lands on the right one.
bool IsMessageContentError(std::string_view canonical_aws_code);

// The Code for an HTTP status that came without a recognisable AWS error code.
Code CodeForHttpStatus(long status);

// An Error for a non-2xx response: the AWS error code (from the JSON __type, or an XML <Code>,
// else the x-amzn-query-error header) decides the Code, else the HTTP status does; the message
// names the AWS code and carries AWS's message, the status and the request id. Scope: kMessage
// for a message-content code below 500, else kInfrastructure; maybe_applied for 5xx (the
// server may have done it before it failed).
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
// Scope: kMessage for a sender fault whose code blames the content or is unknown (SQS blames
// this entry of the request alone: cause "sender-fault"); kInfrastructure for a server fault
// (cause the code, else "server-fault") and for a sender fault with any other known code
// (QueueDoesNotExist, AccessDenied, Kms*, throttling, a malformed request: not the message).
Error ErrorFromBatchFailure(const BatchEntryFailure& failure);

// A whole request's failure as the outcome of one of its `entries_in_request` entries: it
// stays kMessage only when the request carried that message alone; otherwise it cannot be
// pinned on any one message and becomes kInfrastructure (same cause).
Error RequestFailureForEntry(Error error, std::size_t entries_in_request);

// ---- Causes this client names itself -----------------------------------------------------

namespace cause {
// kMessage.
inline constexpr std::string_view kMessageTooLarge = "message-too-large";
inline constexpr std::string_view kInvalidMessage = "invalid-message";
inline constexpr std::string_view kSenderFault = "sender-fault";
// kInfrastructure.
inline constexpr std::string_view kServerFault = "server-fault";
inline constexpr std::string_view kChecksumMismatch = "checksum-mismatch";
inline constexpr std::string_view kMalformedResponse = "malformed-response";
inline constexpr std::string_view kUnreadableResponse = "unreadable-response";
inline constexpr std::string_view kMissingEntryResult = "missing-entry-result";
inline constexpr std::string_view kUnreachable = "unreachable";
inline constexpr std::string_view kTimeout = "timeout";
inline constexpr std::string_view kConnectionLost = "connection-lost";
inline constexpr std::string_view kTls = "tls";
inline constexpr std::string_view kTransport = "transport";
}  // namespace cause

// How a request failed to get any answer (the transport maps its own error codes onto these).
enum class TransportFailure {
  kUnreachable,     // name not resolved, connection refused: the request never left
  kTls,             // handshake or certificate refused: the request never left
  kTimeout,         // no (complete) answer in time
  kConnectionLost,  // reset, closed, nothing or part of an answer
  kOther,           // anything else on the wire
};

// `error` classified kInfrastructure, its cause the kind ("unreachable", "tls", "timeout",
// "connection-lost", "transport"); maybe_applied unless the request never left.
Error ClassifyTransportFailure(Error error, TransportFailure kind);

// `error` unchanged when classified; otherwise kInfrastructure with the Code's name as cause
// ("unavailable", "invalid_argument"): what this client returns is always classified.
Error ClassifyUnclassified(Error error);

// ---- Errors raised by this client ------------------------------------------------------------

// Which size limit a message passed.
enum class SizeLimit {
  kQueueMaximumMessageSize,  // the queue's MaximumMessageSize
  kBatchPayload,             // the sum over one SendMessageBatch request
};

// kInvalidArgument, kMessage ("message-too-large"): "message of <size> bytes exceeds the
// queue's MaximumMessageSize of <limit>".
Error MessageTooLarge(std::size_t size, std::size_t limit, SizeLimit which);

// kInternal, kInfrastructure ("checksum-mismatch", maybe_applied): the MD5 SQS reported
// (`field`: MD5OfMessageBody, MD5OfBody, MD5OfMessageAttributes) is not the MD5 of what was
// sent: corrupted on the way, or not SQS answering. Sent again, SQS may hold it twice.
Error ChecksumMismatch(std::string_view message_id, std::string_view field,
                       std::string_view reported, std::string_view computed);

// kInternal, kInfrastructure ("malformed-response", maybe_applied): a 2xx response to `action`
// that does not have the documented shape.
Error MalformedResponse(std::string_view action, std::string_view detail);

// kInternal, kInfrastructure ("unreadable-response", maybe_applied): a 2xx response whose body
// is not a JSON object (is the endpoint SQS at all?).
Error NotAJsonObjectResponse(const HttpResponse& response);

// kInternal, kInfrastructure ("missing-entry-result", maybe_applied): a batch response that
// lists an entry neither as Successful nor as Failed.
Error MissingEntryResult();

}  // namespace driftline::sqs
