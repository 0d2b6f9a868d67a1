// The SQS AWS JSON 1.0 protocol as pure functions: build a request, encode each action's input,
// decode its output, turn an error response into an Error. Nothing here does I/O, so all of it
// is unit-tested from literal JSON; CurlSqsClient strings these together over a transport.
//
// Wire format: POST / with Content-Type application/x-amz-json-1.0 and
// X-Amz-Target: AmazonSQS.<Action>; the body is the action's input object. Errors come back as
// non-2xx with {"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "..."} and, for
// compatibility with the older query protocol, an x-amzn-query-error header
// "AWS.SimpleQueueService.NonExistentQueue;Sender".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sqs/http.h"
#include "sqs/message.h"

namespace driftline::sqs {

inline constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";

// Where requests go: "http://127.0.0.1:4566" or "https://sqs.eu-west-1.amazonaws.com", and the
// region they are signed for.
struct Endpoint {
  std::string url;  // scheme://host[:port], no trailing slash
  std::string region;
};

// Validates and normalises (drops one trailing '/'). Errors: kInvalidArgument for a scheme other
// than http/https, a missing host, user info, a path/query, or an empty/odd region.
Result<Endpoint> MakeEndpoint(std::string_view url, std::string_view region);

// POST <endpoint>/ for `action` ("SendMessage") with `body` serialised compactly (UTF-8 as is),
// signed as "aws:amz:<region>:sqs".
HttpRequest BuildRequest(const Endpoint& endpoint, std::string_view action,
                         const nlohmann::json& body);

// ---- Errors -------------------------------------------------------------------------------

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

// 2xx: the body as JSON ({} when empty); otherwise ErrorFromResponse. A 2xx whose body is not a
// JSON object is kInternal (we cannot tell what the server did).
Result<nlohmann::json> ParseResponse(const HttpResponse& response);

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

// ---- Queues -------------------------------------------------------------------------------

struct CreateQueueRequest {
  std::string queue_name;  // [A-Za-z0-9_-]{1,80}, FIFO names end in ".fifo"
  // VisibilityTimeout, MaximumMessageSize, FifoQueue, ContentBasedDeduplication, ...
  std::map<std::string, std::string> attributes;

  // A FIFO queue: the name must end in ".fifo"; sets FifoQueue (and ContentBasedDeduplication).
  static CreateQueueRequest Fifo(std::string name, bool content_based_deduplication);
};

// Errors: kInvalidArgument for a bad name, or a ".fifo" name without FifoQueue=true or the
// reverse (SQS would reject both).
Result<nlohmann::json> EncodeCreateQueue(const CreateQueueRequest& request);
nlohmann::json EncodeGetQueueUrl(std::string_view queue_name);
// {"QueueUrl": "..."} from CreateQueue and GetQueueUrl.
Result<std::string> DecodeQueueUrl(const nlohmann::json& response);

// Queue attributes as SQS returns them: every value is a string.
struct QueueAttributes {
  std::map<std::string, std::string> values;

  // The attribute as an integer; nullopt when absent or not a number.
  std::optional<std::int64_t> Int(std::string_view name) const;
  std::optional<std::int64_t> maximum_message_size() const { return Int("MaximumMessageSize"); }
  std::optional<std::int64_t> visibility_timeout() const { return Int("VisibilityTimeout"); }
  std::optional<std::int64_t> approximate_number_of_messages() const {
    return Int("ApproximateNumberOfMessages");
  }
};

nlohmann::json EncodeGetQueueAttributes(std::string_view queue_url,
                                        const std::vector<std::string>& attribute_names);
Result<QueueAttributes> DecodeGetQueueAttributes(const nlohmann::json& response);

struct ListQueuesPage {
  std::vector<std::string> queue_urls;
  std::optional<std::string> next_token;  // set when more pages follow
};

// max_results 1..1000 (SQS only pages when it is given).
nlohmann::json EncodeListQueues(std::string_view queue_name_prefix,
                                const std::optional<std::string>& next_token, int max_results);
Result<ListQueuesPage> DecodeListQueues(const nlohmann::json& response);

// PurgeQueue and DeleteQueue take only the queue URL and answer {}.
nlohmann::json EncodeQueueUrlOnly(std::string_view queue_url);

// ---- Sending ------------------------------------------------------------------------------

struct SendMessageResult {
  std::string message_id;
  std::string md5_of_message_body;
  std::string md5_of_message_attributes;       // "" when the message had no attributes
  std::optional<std::string> sequence_number;  // FIFO queues only
};

// What SQS would reject in any message, checked before sending: an empty body, text that is not
// UTF-8 or has characters SQS refuses (control characters other than tab/CR/LF, U+FFFE/FFFF),
// DelaySeconds outside 0..900, more than 10 attributes, an attribute name SQS refuses, an
// attribute with no value or an unknown DataType.
// (Size limits are the batch splitter's concern: they depend on the queue.) kInvalidArgument.
Status CheckOutgoingMessage(const OutgoingMessage& message);

// Errors: as CheckOutgoingMessage.
Result<nlohmann::json> EncodeSendMessage(std::string_view queue_url,
                                         const OutgoingMessage& message);
Result<SendMessageResult> DecodeSendMessage(const nlohmann::json& response);

// The MD5s SQS returned against the message we sent: a mismatch means the message was
// corrupted on the way and is kInternal.
Status VerifySent(const OutgoingMessage& message, const SendMessageResult& result);

// One entry of a SendMessageBatch request; `message` is borrowed and must outlive the call.
struct SendBatchEntry {
  std::string id;  // [A-Za-z0-9_-]{1,80}, unique in the batch
  std::reference_wrapper<const OutgoingMessage> message;
};

struct SendBatchSuccess {
  std::string id;
  SendMessageResult result;
};

struct SendBatchResponse {
  std::vector<SendBatchSuccess> successful;
  std::vector<BatchEntryFailure> failed;
};

// Errors: kInvalidArgument for 0 or more than 10 entries, an invalid or repeated Id, or an entry
// EncodeSendMessage would reject.
Result<nlohmann::json> EncodeSendMessageBatch(std::string_view queue_url,
                                              const std::vector<SendBatchEntry>& entries);
Result<SendBatchResponse> DecodeSendMessageBatch(const nlohmann::json& response);

// ---- Receiving ----------------------------------------------------------------------------

struct ReceiveRequest {
  std::string queue_url;
  int max_messages = 10;                  // 1..10
  int wait_time_seconds = 0;              // 0..20; >0 is a long poll
  std::optional<int> visibility_timeout;  // 0..43200; the queue's default when unset
  std::vector<std::string> message_attribute_names{"All"};
  std::vector<std::string> system_attribute_names{
      "All"};  // SentTimestamp, ApproximateReceiveCount...
  std::optional<std::string> receive_request_attempt_id;  // FIFO retries
};

// Sends the system attribute names both as MessageSystemAttributeNames and as the older
// AttributeNames, which older servers (and ElasticMQ) read. Errors: kInvalidArgument for a
// value outside the ranges above.
Result<nlohmann::json> EncodeReceiveMessage(const ReceiveRequest& request);
// Decodes and verifies every message: MD5OfBody (and MD5OfMessageAttributes when present) must
// match, else kInternal; a BinaryValue that is not base64 is kInternal too.
Result<std::vector<ReceivedMessage>> DecodeReceiveMessage(const nlohmann::json& response);

// ---- Deleting and visibility ---------------------------------------------------------------

nlohmann::json EncodeDeleteMessage(std::string_view queue_url, std::string_view receipt_handle);

struct DeleteBatchEntry {
  std::string id;  // as for SendBatchEntry
  std::string receipt_handle;
};

struct DeleteBatchResponse {
  std::vector<std::string> successful;  // entry ids
  std::vector<BatchEntryFailure> failed;
};

// Errors: as EncodeSendMessageBatch for count and ids; an empty receipt handle.
Result<nlohmann::json> EncodeDeleteMessageBatch(std::string_view queue_url,
                                                const std::vector<DeleteBatchEntry>& entries);
Result<DeleteBatchResponse> DecodeDeleteMessageBatch(const nlohmann::json& response);

// Errors: kInvalidArgument for a timeout outside 0..43200 seconds.
Result<nlohmann::json> EncodeChangeMessageVisibility(std::string_view queue_url,
                                                     std::string_view receipt_handle,
                                                     int visibility_timeout_seconds);

}  // namespace driftline::sqs
