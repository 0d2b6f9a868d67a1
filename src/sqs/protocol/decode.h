// Each SQS action's output, read from the JSON a 2xx response carries. A response that does not
// have the documented shape is kInternal (we cannot tell what the server did); a message whose
// MD5 does not match is kInternal too (it was corrupted on the way).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sqs/protocol/errors.h"
#include "sqs/protocol/http_message.h"
#include "sqs/protocol/message.h"

namespace driftline::sqs {

// 2xx: the body as JSON ({} when empty); otherwise ErrorFromResponse. A 2xx whose body is not a
// JSON object is kInternal.
Result<nlohmann::json> ParseResponse(const HttpResponse& response);

// ---- Queues -------------------------------------------------------------------------------

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

Result<QueueAttributes> DecodeGetQueueAttributes(const nlohmann::json& response);

struct ListQueuesPage {
  std::vector<std::string> queue_urls;
  std::optional<std::string> next_token;  // set when more pages follow
};

Result<ListQueuesPage> DecodeListQueues(const nlohmann::json& response);

// ---- Sending ------------------------------------------------------------------------------

struct SendMessageResult {
  std::string message_id;
  std::string md5_of_message_body;
  std::string md5_of_message_attributes;       // "" when the message had no attributes
  std::optional<std::string> sequence_number;  // FIFO queues only
};

// The sending and deleting actions are the hot path: their decoders read the HTTP response
// itself with RapidJSON (no nlohmann document) and check it as ParseResponse does: a non-2xx
// is ErrorFromResponse, a 2xx body that is not a JSON object NotAJsonObjectResponse, and an
// empty body decodes as {}.
Result<SendMessageResult> DecodeSendMessage(const HttpResponse& response);

// The MD5s SQS returned against the message we sent: a mismatch means the message was
// corrupted on the way and is kInternal.
Status VerifySent(const OutgoingMessage& message, const SendMessageResult& result);

struct SendBatchSuccess {
  std::string id;
  SendMessageResult result;
};

struct SendBatchResponse {
  std::vector<SendBatchSuccess> successful;
  std::vector<BatchEntryFailure> failed;
};

Result<SendBatchResponse> DecodeSendMessageBatch(const HttpResponse& response);

// ---- Receiving ----------------------------------------------------------------------------

// Decodes and verifies every message: MD5OfBody (and MD5OfMessageAttributes when present) must
// match, else kInternal; a BinaryValue that is not base64 is kInternal too.
Result<std::vector<ReceivedMessage>> DecodeReceiveMessage(const nlohmann::json& response);

// ---- Deleting -----------------------------------------------------------------------------

struct DeleteBatchResponse {
  std::vector<std::string> successful;  // entry ids
  std::vector<BatchEntryFailure> failed;
};

Result<DeleteBatchResponse> DecodeDeleteMessageBatch(const HttpResponse& response);

}  // namespace driftline::sqs
