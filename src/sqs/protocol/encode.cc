#include "sqs/protocol/encode.h"

#include <algorithm>

#include "common/base64.h"
#include "sqs/protocol/validation.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;

// The fields of SendMessage that also make up a SendMessageBatch entry.
Result<json> EncodeMessageFields(const OutgoingMessage& message) {
  if (auto checked = CheckOutgoingMessage(message); !checked) {
    return tl::unexpected(checked.error());
  }
  json out = {{"MessageBody", message.body}};
  if (message.delay_seconds) out["DelaySeconds"] = *message.delay_seconds;
  if (!message.attributes.empty()) {
    json attributes = json::object();
    for (const auto& [name, value] : message.attributes) {
      json entry = {{"DataType", value.data_type}};
      if (value.is_binary()) {
        entry["BinaryValue"] = Base64Encode(value.binary_value);
      } else {
        entry["StringValue"] = value.string_value;
      }
      attributes[name] = std::move(entry);
    }
    out["MessageAttributes"] = std::move(attributes);
  }
  if (message.message_group_id) out["MessageGroupId"] = *message.message_group_id;
  if (message.message_deduplication_id) {
    out["MessageDeduplicationId"] = *message.message_deduplication_id;
  }
  return out;
}

// CheckBatchEntryIds over any entry type with an `id` member.
template <typename Entry>
Status CheckBatchEntries(const std::vector<Entry>& entries) {
  std::vector<std::string_view> ids;
  ids.reserve(entries.size());
  for (const auto& entry : entries)
    ids.push_back(entry.id);
  return CheckBatchEntryIds(ids);
}

}  // namespace

CreateQueueRequest CreateQueueRequest::Fifo(std::string name, bool content_based_deduplication) {
  CreateQueueRequest request{std::move(name), {{"FifoQueue", "true"}}};
  if (content_based_deduplication) request.attributes["ContentBasedDeduplication"] = "true";
  return request;
}

Result<json> EncodeCreateQueue(const CreateQueueRequest& request) {
  auto fifo = request.attributes.find("FifoQueue");
  const bool fifo_attribute = fifo != request.attributes.end() && fifo->second == "true";
  if (auto checked = CheckQueueName(request.queue_name, fifo_attribute); !checked) {
    return tl::unexpected(checked.error());
  }
  json body = {{"QueueName", request.queue_name}};
  if (!request.attributes.empty()) body["Attributes"] = request.attributes;
  return body;
}

json EncodeGetQueueUrl(std::string_view queue_name) {
  return {{"QueueName", queue_name}};
}

json EncodeGetQueueAttributes(std::string_view queue_url,
                              const std::vector<std::string>& attribute_names) {
  return {{"QueueUrl", queue_url}, {"AttributeNames", attribute_names}};
}

json EncodeListQueues(std::string_view queue_name_prefix,
                      const std::optional<std::string>& next_token, int max_results) {
  json body = {{"MaxResults", std::clamp(max_results, 1, 1000)}};
  if (!queue_name_prefix.empty()) body["QueueNamePrefix"] = queue_name_prefix;
  if (next_token) body["NextToken"] = *next_token;
  return body;
}

json EncodeQueueUrlOnly(std::string_view queue_url) {
  return {{"QueueUrl", queue_url}};
}

Result<json> EncodeSendMessage(std::string_view queue_url, const OutgoingMessage& message) {
  auto body = EncodeMessageFields(message);
  if (!body) return body;
  (*body)["QueueUrl"] = queue_url;
  return body;
}

Result<json> EncodeSendMessageBatch(std::string_view queue_url,
                                    const std::vector<SendBatchEntry>& entries) {
  if (auto checked = CheckBatchEntries(entries); !checked) return tl::unexpected(checked.error());
  json encoded = json::array();
  for (const auto& entry : entries) {
    auto fields = EncodeMessageFields(entry.message.get());
    if (!fields) return tl::unexpected(std::move(fields.error()).With("batch entry " + entry.id));
    (*fields)["Id"] = entry.id;
    encoded.push_back(std::move(*fields));
  }
  return json{{"QueueUrl", queue_url}, {"Entries", std::move(encoded)}};
}

Result<json> EncodeReceiveMessage(const ReceiveRequest& request) {
  for (auto checked :
       {CheckRange("MaxNumberOfMessages", request.max_messages, 1, 10),
        CheckRange("WaitTimeSeconds", request.wait_time_seconds, 0, 20),
        CheckRange("VisibilityTimeout", request.visibility_timeout.value_or(0), 0, 43200)}) {
    if (!checked) return tl::unexpected(checked.error());
  }
  json body = {{"QueueUrl", request.queue_url},
               {"MaxNumberOfMessages", request.max_messages},
               {"WaitTimeSeconds", request.wait_time_seconds}};
  if (request.visibility_timeout) body["VisibilityTimeout"] = *request.visibility_timeout;
  if (!request.message_attribute_names.empty()) {
    body["MessageAttributeNames"] = request.message_attribute_names;
  }
  if (!request.system_attribute_names.empty()) {
    body["MessageSystemAttributeNames"] = request.system_attribute_names;
    body["AttributeNames"] = request.system_attribute_names;
  }
  if (request.receive_request_attempt_id) {
    body["ReceiveRequestAttemptId"] = *request.receive_request_attempt_id;
  }
  return body;
}

json EncodeDeleteMessage(std::string_view queue_url, std::string_view receipt_handle) {
  return {{"QueueUrl", queue_url}, {"ReceiptHandle", receipt_handle}};
}

Result<json> EncodeDeleteMessageBatch(std::string_view queue_url,
                                      const std::vector<DeleteBatchEntry>& entries) {
  if (auto checked = CheckBatchEntries(entries); !checked) return tl::unexpected(checked.error());
  json encoded = json::array();
  for (const auto& entry : entries) {
    if (auto checked = CheckReceiptHandle(entry.receipt_handle); !checked) {
      return tl::unexpected(std::move(checked.error()).With("batch entry " + entry.id));
    }
    encoded.push_back({{"Id", entry.id}, {"ReceiptHandle", entry.receipt_handle}});
  }
  return json{{"QueueUrl", queue_url}, {"Entries", std::move(encoded)}};
}

Result<json> EncodeChangeMessageVisibility(std::string_view queue_url,
                                           std::string_view receipt_handle,
                                           int visibility_timeout_seconds) {
  if (auto checked = CheckRange("VisibilityTimeout", visibility_timeout_seconds, 0, 43200);
      !checked) {
    return tl::unexpected(checked.error());
  }
  return json{{"QueueUrl", queue_url},
              {"ReceiptHandle", receipt_handle},
              {"VisibilityTimeout", visibility_timeout_seconds}};
}

}  // namespace driftline::sqs
