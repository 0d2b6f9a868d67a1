#include "sqs/protocol/decode.h"

#include <charconv>
#include <utility>

#include "common/base64.h"
#include "sqs/protocol/digest.h"
#include "sqs/protocol/json_fields.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;

Result<std::string> RequiredString(const json& object, std::string_view key,
                                   std::string_view what) {
  auto value = OptionalString(object, key);
  if (!value) {
    return tl::unexpected(MalformedResponse(what, "missing string \"" + std::string(key) + "\""));
  }
  return *value;
}

// An array member; absent or null is an empty array (SQS omits empty lists).
Result<const json*> OptionalArray(const json& object, std::string_view key, std::string_view what) {
  static const json kEmpty = json::array();
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return &kEmpty;
  if (!it->is_array()) {
    return tl::unexpected(MalformedResponse(what, "\"" + std::string(key) + "\" is not an array"));
  }
  return &*it;
}

Result<std::map<std::string, std::string>> StringMap(const json& object, std::string_view key,
                                                     std::string_view what) {
  std::map<std::string, std::string> out;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_object()) {
    return tl::unexpected(MalformedResponse(what, "\"" + std::string(key) + "\" is not an object"));
  }
  for (const auto& [name, value] : it->items()) {
    if (!value.is_string()) {
      return tl::unexpected(MalformedResponse(what, "attribute \"" + name + "\" is not a string"));
    }
    out.emplace(name, value.get<std::string>());
  }
  return out;
}

Result<SendMessageResult> DecodeSendResultFields(const json& object, std::string_view what) {
  SendMessageResult result;
  auto id = RequiredString(object, "MessageId", what);
  if (!id) return tl::unexpected(id.error());
  auto md5 = RequiredString(object, "MD5OfMessageBody", what);
  if (!md5) return tl::unexpected(md5.error());
  result.message_id = std::move(*id);
  result.md5_of_message_body = std::move(*md5);
  result.md5_of_message_attributes = OptionalString(object, "MD5OfMessageAttributes").value_or("");
  result.sequence_number = OptionalString(object, "SequenceNumber");
  return result;
}

// A batch response: each "Successful" entry through `decode(entry, id)`, and "Failed".
template <typename Success, typename DecodeSuccess>
Result<std::pair<std::vector<Success>, std::vector<BatchEntryFailure>>> DecodeBatchResponse(
    const json& response, std::string_view what, DecodeSuccess decode) {
  std::pair<std::vector<Success>, std::vector<BatchEntryFailure>> out;
  for (const char* list : {"Successful", "Failed"}) {
    auto entries = OptionalArray(response, list, what);
    if (!entries) return tl::unexpected(entries.error());
    for (const json& entry : **entries) {
      if (!entry.is_object())
        return tl::unexpected(
            MalformedResponse(what, std::string(list) + " entry is not an object"));
      auto id = RequiredString(entry, "Id", what);
      if (!id) return tl::unexpected(id.error());
      if (list == std::string_view("Failed")) {
        auto fault = entry.find("SenderFault");
        out.second.push_back({std::move(*id),
                              fault != entry.end() && fault->is_boolean() && fault->get<bool>(),
                              OptionalString(entry, "Code").value_or(""),
                              OptionalString(entry, "Message").value_or("")});
        continue;
      }
      Result<Success> success = decode(entry, std::move(*id));
      if (!success) return tl::unexpected(success.error());
      out.first.push_back(std::move(*success));
    }
  }
  return out;
}

Result<ReceivedMessage> DecodeReceivedMessage(const json& entry) {
  constexpr std::string_view kWhat = "ReceiveMessage";
  if (!entry.is_object())
    return tl::unexpected(MalformedResponse(kWhat, "message is not an object"));
  ReceivedMessage message;
  for (auto [field, key] : {std::pair{&message.message_id, "MessageId"},
                            std::pair{&message.receipt_handle, "ReceiptHandle"},
                            std::pair{&message.md5_of_body, "MD5OfBody"}}) {
    auto value = RequiredString(entry, key, kWhat);
    if (!value) return tl::unexpected(value.error());
    *field = std::move(*value);
  }
  // An empty body is impossible on SQS, but the field is the message: require it.
  auto body = RequiredString(entry, "Body", kWhat);
  if (!body) return tl::unexpected(body.error());
  message.body = std::move(*body);
  auto attributes = StringMap(entry, "Attributes", kWhat);
  if (!attributes) return tl::unexpected(attributes.error());
  message.attributes = std::move(*attributes);

  if (auto it = entry.find("MessageAttributes"); it != entry.end() && !it->is_null()) {
    if (!it->is_object()) {
      return tl::unexpected(MalformedResponse(kWhat, "MessageAttributes is not an object"));
    }
    for (const auto& [name, value] : it->items()) {
      MessageAttributeValue attribute;
      auto type = value.is_object() ? OptionalString(value, "DataType") : std::nullopt;
      if (!type) {
        return tl::unexpected(
            MalformedResponse(kWhat, "attribute \"" + name + "\" has no DataType"));
      }
      attribute.data_type = std::move(*type);
      if (attribute.is_binary()) {
        auto decoded = Base64Decode(OptionalString(value, "BinaryValue").value_or(""));
        if (!decoded) {
          return tl::unexpected(
              MalformedResponse(kWhat, "attribute \"" + name + "\": " + decoded.error().message()));
        }
        attribute.binary_value = std::move(*decoded);
      } else {
        attribute.string_value = OptionalString(value, "StringValue").value_or("");
      }
      message.message_attributes.emplace(name, std::move(attribute));
    }
  }

  // The checksums prove the message is the one that was sent; a mismatch is corruption.
  const std::string body_md5 = Md5Hex(message.body);
  if (body_md5 != message.md5_of_body) {
    return tl::unexpected(
        ChecksumMismatch(message.message_id, "MD5OfBody", message.md5_of_body, body_md5));
  }
  if (auto expected = OptionalString(entry, "MD5OfMessageAttributes")) {
    const std::string actual = Md5OfMessageAttributes(message.message_attributes);
    if (actual != *expected) {
      return tl::unexpected(
          ChecksumMismatch(message.message_id, "MD5OfMessageAttributes", *expected, actual));
    }
  }
  return message;
}

}  // namespace

Result<json> ParseResponse(const HttpResponse& response) {
  if (response.status < 200 || response.status > 299) {
    return tl::unexpected(ErrorFromResponse(response));
  }
  if (response.body.empty()) return json::object();
  json body = json::parse(response.body, nullptr, false);
  if (!body.is_object()) return tl::unexpected(NotAJsonObjectResponse(response));
  return body;
}

Result<std::string> DecodeQueueUrl(const json& response) {
  return RequiredString(response, "QueueUrl", "QueueUrl");
}

std::optional<std::int64_t> QueueAttributes::Int(std::string_view name) const {
  auto it = values.find(std::string(name));
  if (it == values.end()) return std::nullopt;
  std::int64_t value = 0;
  const char* first = it->second.data();
  const char* last = first + it->second.size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr != last || first == last) return std::nullopt;
  return value;
}

Result<QueueAttributes> DecodeGetQueueAttributes(const json& response) {
  auto values = StringMap(response, "Attributes", "GetQueueAttributes");
  if (!values) return tl::unexpected(values.error());
  return QueueAttributes{std::move(*values)};
}

Result<ListQueuesPage> DecodeListQueues(const json& response) {
  constexpr std::string_view kWhat = "ListQueues";
  auto urls = OptionalArray(response, "QueueUrls", kWhat);
  if (!urls) return tl::unexpected(urls.error());
  ListQueuesPage page;
  for (const json& url : **urls) {
    if (!url.is_string())
      return tl::unexpected(MalformedResponse(kWhat, "a queue URL is not a string"));
    page.queue_urls.push_back(url.get<std::string>());
  }
  page.next_token = OptionalString(response, "NextToken");
  if (page.next_token && page.next_token->empty()) page.next_token.reset();
  return page;
}

Result<SendMessageResult> DecodeSendMessage(const json& response) {
  return DecodeSendResultFields(response, "SendMessage");
}

Status VerifySent(const OutgoingMessage& message, const SendMessageResult& result) {
  const std::string body_md5 = Md5Hex(message.body);
  if (result.md5_of_message_body != body_md5) {
    return tl::unexpected(ChecksumMismatch(result.message_id, "MD5OfMessageBody",
                                           result.md5_of_message_body, body_md5));
  }
  // SQS omits the field when there are no attributes; check it whenever it is there.
  if (!result.md5_of_message_attributes.empty() || !message.attributes.empty()) {
    const std::string attributes_md5 = Md5OfMessageAttributes(message.attributes);
    if (result.md5_of_message_attributes != attributes_md5) {
      return tl::unexpected(ChecksumMismatch(result.message_id, "MD5OfMessageAttributes",
                                             result.md5_of_message_attributes, attributes_md5));
    }
  }
  return Ok();
}

Result<SendBatchResponse> DecodeSendMessageBatch(const json& response) {
  constexpr std::string_view kWhat = "SendMessageBatch";
  auto decoded = DecodeBatchResponse<SendBatchSuccess>(
      response, kWhat, [&](const json& entry, std::string id) -> Result<SendBatchSuccess> {
        auto result = DecodeSendResultFields(entry, kWhat);
        if (!result) return tl::unexpected(result.error());
        return SendBatchSuccess{std::move(id), std::move(*result)};
      });
  if (!decoded) return tl::unexpected(decoded.error());
  return SendBatchResponse{std::move(decoded->first), std::move(decoded->second)};
}

Result<std::vector<ReceivedMessage>> DecodeReceiveMessage(const json& response) {
  auto messages = OptionalArray(response, "Messages", "ReceiveMessage");
  if (!messages) return tl::unexpected(messages.error());
  std::vector<ReceivedMessage> out;
  out.reserve((*messages)->size());
  for (const json& entry : **messages) {
    auto message = DecodeReceivedMessage(entry);
    if (!message) return tl::unexpected(message.error());
    out.push_back(std::move(*message));
  }
  return out;
}

Result<DeleteBatchResponse> DecodeDeleteMessageBatch(const json& response) {
  auto decoded = DecodeBatchResponse<std::string>(
      response, "DeleteMessageBatch",
      [](const json&, std::string id) -> Result<std::string> { return id; });
  if (!decoded) return tl::unexpected(decoded.error());
  return DeleteBatchResponse{std::move(decoded->first), std::move(decoded->second)};
}

}  // namespace driftline::sqs
