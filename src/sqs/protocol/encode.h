// Each SQS action's input as the JSON body AWS JSON 1.0 expects (endpoint.h wraps it in a
// request). Encoders that take user data check it first (validation.h) and return
// kInvalidArgument for what SQS would refuse; the others cannot fail.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sqs/protocol/message.h"

namespace driftline::sqs {

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

nlohmann::json EncodeGetQueueAttributes(std::string_view queue_url,
                                        const std::vector<std::string>& attribute_names);

// max_results 1..1000 (SQS only pages when it is given).
nlohmann::json EncodeListQueues(std::string_view queue_name_prefix,
                                const std::optional<std::string>& next_token, int max_results);

// PurgeQueue and DeleteQueue take only the queue URL and answer {}.
nlohmann::json EncodeQueueUrlOnly(std::string_view queue_url);

// ---- Sending ------------------------------------------------------------------------------

// The two sending actions are the service's hot path: they are written straight to JSON text
// (RapidJSON's writer, members in name order as nlohmann would dump them) without building a
// document first.

// Errors: as CheckOutgoingMessage.
Result<std::string> EncodeSendMessage(std::string_view queue_url, const OutgoingMessage& message);

// One entry of a SendMessageBatch request; `message` is borrowed and must outlive the call.
struct SendBatchEntry {
  std::string id;  // [A-Za-z0-9_-]{1,80}, unique in the batch
  std::reference_wrapper<const OutgoingMessage> message;
};

// Errors: kInvalidArgument for 0 or more than 10 entries, an invalid or repeated Id, or an entry
// EncodeSendMessage would reject (with the frame "batch entry <id>").
Result<std::string> EncodeSendMessageBatch(std::string_view queue_url,
                                           const std::vector<SendBatchEntry>& entries);

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

// ---- Deleting and visibility ---------------------------------------------------------------

nlohmann::json EncodeDeleteMessage(std::string_view queue_url, std::string_view receipt_handle);

struct DeleteBatchEntry {
  std::string id;  // as for SendBatchEntry
  std::string receipt_handle;
};

// Errors: as EncodeSendMessageBatch for count and ids; an empty receipt handle (with the frame
// "batch entry <id>").
Result<nlohmann::json> EncodeDeleteMessageBatch(std::string_view queue_url,
                                                const std::vector<DeleteBatchEntry>& entries);

// Errors: kInvalidArgument for a timeout outside 0..43200 seconds.
Result<nlohmann::json> EncodeChangeMessageVisibility(std::string_view queue_url,
                                                     std::string_view receipt_handle,
                                                     int visibility_timeout_seconds);

}  // namespace driftline::sqs
