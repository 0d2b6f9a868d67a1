#include "sqs/protocol/decode.h"

#include <rapidjson/document.h>

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

// ---- The hot path's responses, read with RapidJSON ------------------------------------------

using RValue = rapidjson::Value;

// The member `key` of a RapidJSON object; the last one when the name repeats, as nlohmann (the
// other decoders) keeps it. nullptr when absent.
const RValue* MemberOf(const RValue& object, std::string_view key) {
  const RValue* found = nullptr;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == key) {
      found = &it->value;
    }
  }
  return found;
}

// As OptionalString (json_fields.h): nullopt when absent, null or not a string.
std::optional<std::string> StringOf(const RValue& object, std::string_view key) {
  const RValue* value = MemberOf(object, key);
  if (value == nullptr || !value->IsString()) return std::nullopt;
  return std::string(value->GetString(), value->GetStringLength());
}

Result<std::string> RequiredStringOf(const RValue& object, std::string_view key,
                                     std::string_view what) {
  auto value = StringOf(object, key);
  if (!value) {
    return tl::unexpected(MalformedResponse(what, "missing string \"" + std::string(key) + "\""));
  }
  return std::move(*value);
}

// A 2xx response's body as a JSON object, checked as ParseResponse checks it, handed to
// `decode`. The document is parsed iteratively: a hostile server's nesting cannot exhaust the
// stack.
template <typename T, typename Decode>
Result<T> WithResponseObject(const HttpResponse& response, Decode decode) {
  if (response.status < 200 || response.status > 299) {
    return tl::unexpected(ErrorFromResponse(response));
  }
  rapidjson::Document document;
  if (response.body.empty()) {
    document.SetObject();
  } else {
    document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(
        response.body.data(), response.body.size());
    if (document.HasParseError() || !document.IsObject()) {
      return tl::unexpected(NotAJsonObjectResponse(response));
    }
  }
  return decode(static_cast<const RValue&>(document));
}

Result<SendMessageResult> DecodeSendResultFields(const RValue& object, std::string_view what) {
  SendMessageResult result;
  auto id = RequiredStringOf(object, "MessageId", what);
  if (!id) return tl::unexpected(id.error());
  auto md5 = RequiredStringOf(object, "MD5OfMessageBody", what);
  if (!md5) return tl::unexpected(md5.error());
  result.message_id = std::move(*id);
  result.md5_of_message_body = std::move(*md5);
  result.md5_of_message_attributes = StringOf(object, "MD5OfMessageAttributes").value_or("");
  result.sequence_number = StringOf(object, "SequenceNumber");
  return result;
}

// A batch response: each "Successful" entry through `decode(entry, id)`, and "Failed"; an
// absent or null list is empty (SQS omits empty lists).
template <typename Success, typename DecodeSuccess>
Result<std::pair<std::vector<Success>, std::vector<BatchEntryFailure>>> DecodeBatchResponse(
    const HttpResponse& response, std::string_view what, DecodeSuccess decode) {
  using Decoded = std::pair<std::vector<Success>, std::vector<BatchEntryFailure>>;
  return WithResponseObject<Decoded>(response, [&](const RValue& object) -> Result<Decoded> {
    Decoded out;
    for (std::string_view list : {std::string_view("Successful"), std::string_view("Failed")}) {
      const RValue* entries = MemberOf(object, list);
      if (entries == nullptr || entries->IsNull()) continue;
      if (!entries->IsArray()) {
        return tl::unexpected(
            MalformedResponse(what, "\"" + std::string(list) + "\" is not an array"));
      }
      for (const RValue& entry : entries->GetArray()) {
        if (!entry.IsObject()) {
          return tl::unexpected(
              MalformedResponse(what, std::string(list) + " entry is not an object"));
        }
        auto id = RequiredStringOf(entry, "Id", what);
        if (!id) return tl::unexpected(id.error());
        if (list == "Failed") {
          const RValue* fault = MemberOf(entry, "SenderFault");
          out.second.push_back(
              {std::move(*id), fault != nullptr && fault->IsBool() && fault->GetBool(),
               StringOf(entry, "Code").value_or(""), StringOf(entry, "Message").value_or("")});
          continue;
        }
        Result<Success> success = decode(entry, std::move(*id));
        if (!success) return tl::unexpected(success.error());
        out.first.push_back(std::move(*success));
      }
    }
    return out;
  });
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

Result<SendMessageResult> DecodeSendMessage(const HttpResponse& response) {
  return WithResponseObject<SendMessageResult>(
      response, [](const RValue& object) { return DecodeSendResultFields(object, "SendMessage"); });
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

Result<SendBatchResponse> DecodeSendMessageBatch(const HttpResponse& response) {
  constexpr std::string_view kWhat = "SendMessageBatch";
  auto decoded = DecodeBatchResponse<SendBatchSuccess>(
      response, kWhat, [&](const RValue& entry, std::string id) -> Result<SendBatchSuccess> {
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

Result<DeleteBatchResponse> DecodeDeleteMessageBatch(const HttpResponse& response) {
  auto decoded = DecodeBatchResponse<std::string>(
      response, "DeleteMessageBatch",
      [](const RValue&, std::string id) -> Result<std::string> { return id; });
  if (!decoded) return tl::unexpected(decoded.error());
  return DeleteBatchResponse{std::move(decoded->first), std::move(decoded->second)};
}

}  // namespace driftline::sqs
