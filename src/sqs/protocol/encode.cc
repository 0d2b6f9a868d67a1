#include "sqs/protocol/encode.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <optional>

#include "common/base64.h"
#include "sqs/protocol/validation.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void Key(JsonWriter& out, std::string_view name) {
  out.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
}

void String(JsonWriter& out, std::string_view text) {
  out.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void Member(JsonWriter& out, std::string_view name, std::string_view text) {
  Key(out, name);
  String(out, text);
}

std::string TextOf(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

// The members of SendMessage that also make up a SendMessageBatch entry, in name order, with
// `id` (a batch entry's "Id") and `queue_url` (SendMessage's "QueueUrl") where they sort; the
// caller opens and closes the object. Errors: as CheckOutgoingMessage.
Status WriteMessageMembers(JsonWriter& out, const OutgoingMessage& message,
                           std::optional<std::string_view> id,
                           std::optional<std::string_view> queue_url) {
  if (auto checked = CheckOutgoingMessage(message); !checked) return checked;
  if (message.delay_seconds) {
    Key(out, "DelaySeconds");
    out.Int(*message.delay_seconds);
  }
  if (id) Member(out, "Id", *id);
  if (!message.attributes.empty()) {
    Key(out, "MessageAttributes");
    out.StartObject();
    for (const auto& [name, value] : message.attributes) {
      Key(out, name);
      out.StartObject();
      if (value.is_binary()) {
        Member(out, "BinaryValue", Base64Encode(value.binary_value));
        Member(out, "DataType", value.data_type);
      } else {
        Member(out, "DataType", value.data_type);
        Member(out, "StringValue", value.string_value);
      }
      out.EndObject();
    }
    out.EndObject();
  }
  Member(out, "MessageBody", message.body);
  if (message.message_deduplication_id) {
    Member(out, "MessageDeduplicationId", *message.message_deduplication_id);
  }
  if (message.message_group_id) Member(out, "MessageGroupId", *message.message_group_id);
  if (queue_url) Member(out, "QueueUrl", *queue_url);
  return Ok();
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

Result<std::string> EncodeSendMessage(std::string_view queue_url, const OutgoingMessage& message) {
  rapidjson::StringBuffer buffer;
  JsonWriter out(buffer);
  out.StartObject();
  if (auto written = WriteMessageMembers(out, message, std::nullopt, queue_url); !written) {
    return tl::unexpected(std::move(written.error()));
  }
  out.EndObject();
  return TextOf(buffer);
}

Result<std::string> EncodeSendMessageBatch(std::string_view queue_url,
                                           const std::vector<SendBatchEntry>& entries) {
  if (auto checked = CheckBatchEntries(entries); !checked) return tl::unexpected(checked.error());
  rapidjson::StringBuffer buffer;
  JsonWriter out(buffer);
  out.StartObject();
  Key(out, "Entries");
  out.StartArray();
  for (const auto& entry : entries) {
    out.StartObject();
    if (auto written = WriteMessageMembers(out, entry.message.get(), entry.id, std::nullopt);
        !written) {
      return tl::unexpected(std::move(written.error()).With("batch entry " + entry.id));
    }
    out.EndObject();
  }
  out.EndArray();
  Member(out, "QueueUrl", queue_url);
  out.EndObject();
  return TextOf(buffer);
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
