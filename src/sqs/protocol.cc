#include "sqs/protocol.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "common/base64.h"
#include "sqs/batch.h"
#include "sqs/digest.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxQuotedBody = 200;
constexpr std::size_t kMaxMessageAttributes = 10;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Error Malformed(std::string_view what, std::string_view detail) {
  return Error(Code::kInternal,
               "malformed " + std::string(what) + " response: " + std::string(detail));
}

// The string member `key` of `object`; nullopt when absent, null or not a string.
std::optional<std::string> OptionalString(const json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Result<std::string> RequiredString(const json& object, std::string_view key,
                                   std::string_view what) {
  auto value = OptionalString(object, key);
  if (!value) {
    return tl::unexpected(Malformed(what, "missing string \"" + std::string(key) + "\""));
  }
  return *value;
}

// An array member; absent or null is an empty array (SQS omits empty lists).
Result<const json*> OptionalArray(const json& object, std::string_view key, std::string_view what) {
  static const json kEmpty = json::array();
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return &kEmpty;
  if (!it->is_array()) {
    return tl::unexpected(Malformed(what, "\"" + std::string(key) + "\" is not an array"));
  }
  return &*it;
}

Result<std::map<std::string, std::string>> StringMap(const json& object, std::string_view key,
                                                     std::string_view what) {
  std::map<std::string, std::string> out;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_object()) {
    return tl::unexpected(Malformed(what, "\"" + std::string(key) + "\" is not an object"));
  }
  for (const auto& [name, value] : it->items()) {
    if (!value.is_string()) {
      return tl::unexpected(Malformed(what, "attribute \"" + name + "\" is not a string"));
    }
    out.emplace(name, value.get<std::string>());
  }
  return out;
}

Status CheckRange(std::string_view name, int value, int low, int high) {
  if (value < low || value > high) {
    return Fail(Code::kInvalidArgument, std::string(name) + " " + std::to_string(value) +
                                            " is outside " + std::to_string(low) + ".." +
                                            std::to_string(high));
  }
  return Ok();
}

// SQS accepts only these characters in bodies and attribute values (the XML 1.0 set):
// #x9 #xA #xD [#x20-#xD7FF] [#xE000-#xFFFD] [#x10000-#x10FFFF], encoded as valid UTF-8.
Status CheckMessageText(std::string_view text, std::string_view what) {
  auto bad = [&](std::size_t offset, std::string_view why) {
    return Fail(Code::kInvalidArgument, std::string(what) + " has " + std::string(why) +
                                            " at byte " + std::to_string(offset));
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t cp = 0;
    if (lead < 0x80) {
      length = 1;
      cp = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      cp = lead & 0x1Fu;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      cp = lead & 0x0Fu;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      cp = lead & 0x07u;
    } else {
      return bad(i, "invalid UTF-8");
    }
    if (i + length > text.size()) return bad(i, "truncated UTF-8");
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return bad(i, "invalid UTF-8");
      cp = (cp << 6) | (next & 0x3Fu);
    }
    constexpr std::array<char32_t, 5> kMinForLength = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[length]) return bad(i, "overlong UTF-8");
    const bool allowed = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!allowed) return bad(i, "a character SQS does not accept");
    i += length;
  }
  return Ok();
}

// The text of the first <tag>...</tag> in `xml`, CDATA unwrapped and the five predefined
// entities decoded; nullopt when there is none. Enough for AWS error documents, nothing more.
std::optional<std::string> XmlElementText(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto start = xml.find(open);
  if (start == std::string_view::npos) return std::nullopt;
  const auto end = xml.find(close, start + open.size());
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view text = xml.substr(start + open.size(), end - start - open.size());
  if (StartsWith(text, "<![CDATA[") && EndsWith(text, "]]>")) {
    return std::string(text.substr(9, text.size() - 12));
  }
  std::string out;
  constexpr std::array<std::pair<std::string_view, char>, 5> kEntities = {
      {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}}};
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [entity, c] : kEntities) {
      if (text.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

bool IsValidAttributeName(std::string_view name) {
  if (name.empty() || name.size() > 256 || name.front() == '.' || name.back() == '.' ||
      name.find("..") != std::string_view::npos) {
    return false;
  }
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  if (StartsWith(lower, "aws.") || StartsWith(lower, "amazon.")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

bool IsValidQueueName(std::string_view name) {
  std::string_view stem = EndsWith(name, ".fifo") ? name.substr(0, name.size() - 5) : name;
  return !stem.empty() && name.size() <= 80 && IsValidBatchEntryId(stem);
}

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

// Entry count 1..10, ids valid and distinct, for any entry type with an `id` member.
template <typename Entry>
Status CheckBatchEntries(const std::vector<Entry>& entries) {
  if (entries.empty()) return Fail(Code::kInvalidArgument, "batch request has no entries");
  if (entries.size() > kMaxBatchEntries) {
    return Fail(Code::kInvalidArgument, "batch request has " + std::to_string(entries.size()) +
                                            " entries; SQS allows at most 10");
  }
  std::set<std::string_view> seen;
  for (const auto& entry : entries) {
    if (!IsValidBatchEntryId(entry.id)) {
      return Fail(Code::kInvalidArgument,
                  "batch entry id \"" + entry.id + "\" is not 1-80 of [A-Za-z0-9_-]");
    }
    if (!seen.insert(entry.id).second)
      return Fail(Code::kInvalidArgument, "batch entry id \"" + entry.id + "\" repeats");
  }
  return Ok();
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
        return tl::unexpected(Malformed(what, std::string(list) + " entry is not an object"));
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
  if (!entry.is_object()) return tl::unexpected(Malformed(kWhat, "message is not an object"));
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
      return tl::unexpected(Malformed(kWhat, "MessageAttributes is not an object"));
    }
    for (const auto& [name, value] : it->items()) {
      MessageAttributeValue attribute;
      auto type = value.is_object() ? OptionalString(value, "DataType") : std::nullopt;
      if (!type) {
        return tl::unexpected(Malformed(kWhat, "attribute \"" + name + "\" has no DataType"));
      }
      attribute.data_type = std::move(*type);
      if (attribute.is_binary()) {
        auto decoded = Base64Decode(OptionalString(value, "BinaryValue").value_or(""));
        if (!decoded) {
          return tl::unexpected(
              Malformed(kWhat, "attribute \"" + name + "\": " + decoded.error().message()));
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
    return Fail(Code::kInternal, "message " + message.message_id + ": MD5OfBody " +
                                     message.md5_of_body + " does not match the body's MD5 " +
                                     body_md5);
  }
  if (auto expected = OptionalString(entry, "MD5OfMessageAttributes")) {
    const std::string actual = Md5OfMessageAttributes(message.message_attributes);
    if (actual != *expected) {
      return Fail(Code::kInternal, "message " + message.message_id + ": MD5OfMessageAttributes " +
                                       *expected + " does not match the attributes' MD5 " + actual);
    }
  }
  return message;
}

struct AwsErrorCode {
  std::string_view name;
  Code code;
};

// Both spellings of each error: the JSON protocol's __type and the query protocol's code.
constexpr std::array kAwsErrorCodes = {
    AwsErrorCode{"QueueDoesNotExist", Code::kNotFound},
    AwsErrorCode{"AWS.SimpleQueueService.NonExistentQueue", Code::kNotFound},
    // Throttling: the same request succeeds after backing off.
    AwsErrorCode{"ThrottlingException", Code::kResourceExhausted},
    AwsErrorCode{"RequestThrottled", Code::kResourceExhausted},
    AwsErrorCode{"KmsThrottled", Code::kResourceExhausted},
    AwsErrorCode{"KMS.ThrottlingException", Code::kResourceExhausted},
    AwsErrorCode{"OverLimit", Code::kResourceExhausted},
    // The request is wrong and will fail again unchanged.
    AwsErrorCode{"InvalidParameterValue", Code::kInvalidArgument},
    AwsErrorCode{"InvalidParameterCombination", Code::kInvalidArgument},
    AwsErrorCode{"MissingParameter", Code::kInvalidArgument},
    AwsErrorCode{"ValidationError", Code::kInvalidArgument},
    AwsErrorCode{"ValidationException", Code::kInvalidArgument},
    AwsErrorCode{"SerializationException", Code::kInvalidArgument},
    AwsErrorCode{"MalformedQueryString", Code::kInvalidArgument},
    AwsErrorCode{"InvalidAttributeName", Code::kInvalidArgument},
    AwsErrorCode{"InvalidAttributeValue", Code::kInvalidArgument},
    AwsErrorCode{"BatchRequestTooLong", Code::kInvalidArgument},
    AwsErrorCode{"AWS.SimpleQueueService.BatchRequestTooLong", Code::kInvalidArgument},
    AwsErrorCode{"EmptyBatchRequest", Code::kInvalidArgument},
    AwsErrorCode{"AWS.SimpleQueueService.EmptyBatchRequest", Code::kInvalidArgument},
    AwsErrorCode{"TooManyEntriesInBatchRequest", Code::kInvalidArgument},
    AwsErrorCode{"AWS.SimpleQueueService.TooManyEntriesInBatchRequest", Code::kInvalidArgument},
    AwsErrorCode{"InvalidBatchEntryId", Code::kInvalidArgument},
    AwsErrorCode{"AWS.SimpleQueueService.InvalidBatchEntryId", Code::kInvalidArgument},
    AwsErrorCode{"BatchEntryIdsNotDistinct", Code::kInvalidArgument},
    AwsErrorCode{"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", Code::kInvalidArgument},
    AwsErrorCode{"InvalidMessageContents", Code::kInvalidArgument},
    AwsErrorCode{"UnsupportedOperation", Code::kInvalidArgument},
    AwsErrorCode{"AWS.SimpleQueueService.UnsupportedOperation", Code::kInvalidArgument},
    AwsErrorCode{"ReceiptHandleIsInvalid", Code::kInvalidArgument},
    AwsErrorCode{"InvalidIdFormat", Code::kInvalidArgument},
    AwsErrorCode{"InvalidAddress", Code::kInvalidArgument},
    AwsErrorCode{"MessageTooLong", Code::kInvalidArgument},
    // Who is asking is not established.
    AwsErrorCode{"InvalidClientTokenId", Code::kUnauthenticated},
    AwsErrorCode{"SignatureDoesNotMatch", Code::kUnauthenticated},
    AwsErrorCode{"IncompleteSignature", Code::kUnauthenticated},
    AwsErrorCode{"MissingAuthenticationToken", Code::kUnauthenticated},
    AwsErrorCode{"UnrecognizedClientException", Code::kUnauthenticated},
    AwsErrorCode{"InvalidSignatureException", Code::kUnauthenticated},
    AwsErrorCode{"ExpiredToken", Code::kUnauthenticated},
    AwsErrorCode{"RequestExpired", Code::kUnauthenticated},
    // Established, but not allowed (AccessDenied* is matched by prefix below).
    AwsErrorCode{"KmsAccessDenied", Code::kPermissionDenied},
    AwsErrorCode{"InvalidSecurity", Code::kPermissionDenied},
    AwsErrorCode{"OptInRequired", Code::kPermissionDenied},
    // The queue or its key is in a state that must change first.
    AwsErrorCode{"KmsDisabled", Code::kFailedPrecondition},
    AwsErrorCode{"KmsInvalidState", Code::kFailedPrecondition},
    AwsErrorCode{"KmsNotFound", Code::kFailedPrecondition},
    AwsErrorCode{"KmsOptInRequired", Code::kFailedPrecondition},
    AwsErrorCode{"KmsInvalidKeyUsage", Code::kFailedPrecondition},
    AwsErrorCode{"PurgeQueueInProgress", Code::kFailedPrecondition},
    AwsErrorCode{"AWS.SimpleQueueService.PurgeQueueInProgress", Code::kFailedPrecondition},
    AwsErrorCode{"MessageNotInflight", Code::kFailedPrecondition},
    AwsErrorCode{"AWS.SimpleQueueService.MessageNotInflight", Code::kFailedPrecondition},
    AwsErrorCode{"QueueAlreadyExists", Code::kAlreadyExists},
    AwsErrorCode{"QueueNameExists", Code::kAlreadyExists},
    // A name can be reused 60 s after its queue was deleted: retrying later works.
    AwsErrorCode{"QueueDeletedRecently", Code::kUnavailable},
    AwsErrorCode{"AWS.SimpleQueueService.QueueDeletedRecently", Code::kUnavailable},
    AwsErrorCode{"InternalError", Code::kUnavailable},
    AwsErrorCode{"InternalFailure", Code::kUnavailable},
    AwsErrorCode{"ServiceUnavailable", Code::kUnavailable},
    AwsErrorCode{"InvalidAction", Code::kUnimplemented},
    AwsErrorCode{"UnknownOperationException", Code::kUnimplemented},
};

}  // namespace

Status CheckOutgoingMessage(const OutgoingMessage& message) {
  if (message.body.empty()) return Fail(Code::kInvalidArgument, "message body is empty");
  if (auto text = CheckMessageText(message.body, "message body"); !text) return text;
  if (message.delay_seconds) {
    if (auto s = CheckRange("DelaySeconds", *message.delay_seconds, 0, 900); !s) return s;
  }
  if (message.attributes.size() > kMaxMessageAttributes) {
    return Fail(Code::kInvalidArgument, "message has " + std::to_string(message.attributes.size()) +
                                            " attributes; SQS allows at most " +
                                            std::to_string(kMaxMessageAttributes));
  }
  for (const auto& [name, value] : message.attributes) {
    if (!IsValidAttributeName(name)) {
      return Fail(Code::kInvalidArgument,
                  "message attribute name \"" + name +
                      "\" is not 1-256 of [A-Za-z0-9_.-] (no leading, trailing or double '.', "
                      "no AWS./Amazon. prefix)");
    }
    const bool known_type = StartsWith(value.data_type, "String") ||
                            StartsWith(value.data_type, "Number") || value.is_binary();
    if (!known_type) {
      return Fail(Code::kInvalidArgument, "message attribute \"" + name + "\" has DataType \"" +
                                              value.data_type +
                                              "\"; expected String, Number or Binary");
    }
    // SQS rejects an attribute without a value; an empty string is no value.
    const std::string& raw = value.is_binary() ? value.binary_value : value.string_value;
    if (raw.empty()) {
      return Fail(Code::kInvalidArgument, "message attribute \"" + name + "\" has no value");
    }
    if (!value.is_binary()) {
      if (auto text = CheckMessageText(raw, "message attribute \"" + name + "\""); !text) {
        return text;
      }
    }
  }
  return Ok();
}

Result<Endpoint> MakeEndpoint(std::string_view url, std::string_view region) {
  auto bad = [&](std::string_view why) {
    return Fail(Code::kInvalidArgument,
                "SQS endpoint \"" + std::string(url) + "\" " + std::string(why));
  };
  std::string_view rest;
  if (StartsWith(url, "http://")) {
    rest = url.substr(7);
  } else if (StartsWith(url, "https://")) {
    rest = url.substr(8);
  } else {
    return bad("must start with http:// or https://");
  }
  if (EndsWith(rest, "/")) rest.remove_suffix(1);
  if (rest.empty() || rest.front() == ':') return bad("has no host");
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return bad("must be scheme://host[:port] without a path (queue URLs are passed per call)");
  }
  if (rest.find('@') != std::string_view::npos) {
    return bad("must not carry user info; credentials come from AWS_ACCESS_KEY_ID");
  }
  const bool region_ok = !region.empty() && std::all_of(region.begin(), region.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (!region_ok) {
    return Fail(Code::kInvalidArgument,
                "SQS region \"" + std::string(region) + "\" is not like us-east-1");
  }
  return Endpoint{std::string(url.substr(0, url.size() - (EndsWith(url, "/") ? 1 : 0))),
                  std::string(region)};
}

HttpRequest BuildRequest(const Endpoint& endpoint, std::string_view action, const json& body) {
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint.url + "/";
  request.headers = {{"Content-Type", std::string(kJsonContentType)},
                     {"X-Amz-Target", "AmazonSQS." + std::string(action)}};
  // The encoders reject text that is not valid UTF-8 (CheckMessageText); `replace` only keeps
  // a hand-built body from throwing here.
  request.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  request.aws_sigv4 = "aws:amz:" + endpoint.region + ":sqs";
  return request;
}

std::string_view StripErrorTypePrefix(std::string_view type) {
  auto hash = type.rfind('#');
  return hash == std::string_view::npos ? type : type.substr(hash + 1);
}

std::optional<Code> CodeForAwsError(std::string_view aws_code) {
  if (aws_code.empty()) return std::nullopt;
  for (const auto& entry : kAwsErrorCodes) {
    if (entry.name == aws_code) return entry.code;
  }
  if (StartsWith(aws_code, "AccessDenied")) return Code::kPermissionDenied;
  return std::nullopt;
}

Code CodeForHttpStatus(long status) {
  switch (status) {
    case 400:
    case 413:
    case 414:
    case 431:
      return Code::kInvalidArgument;
    case 401:
      return Code::kUnauthenticated;
    case 403:
      return Code::kPermissionDenied;
    case 404:
      return Code::kNotFound;
    case 408:
    case 504:
      return Code::kDeadlineExceeded;
    case 429:
      return Code::kResourceExhausted;
    default:
      break;
  }
  if (status >= 500) return Code::kUnavailable;
  if (status >= 400) return Code::kFailedPrecondition;
  // 1xx/3xx: no redirect is ever followed, so the endpoint is not an SQS endpoint.
  return Code::kFailedPrecondition;
}

Error ErrorFromResponse(const HttpResponse& response) {
  std::string type;
  std::string aws_message;
  bool body_understood = false;
  if (auto body = json::parse(response.body, nullptr, false); body.is_object()) {
    body_understood = true;
    type = std::string(StripErrorTypePrefix(OptionalString(body, "__type").value_or("")));
    aws_message =
        OptionalString(body, "message").value_or(OptionalString(body, "Message").value_or(""));
  } else if (auto code = XmlElementText(response.body, "Code")) {
    // Query-protocol style <ErrorResponse><Error><Code>..</Code><Message>..</Message>, which
    // some front ends (and moto's IAM checks) answer even to JSON requests.
    body_understood = true;
    type = std::move(*code);
    aws_message = XmlElementText(response.body, "Message").value_or("");
  }
  // "AWS.SimpleQueueService.NonExistentQueue;Sender" (ElasticMQ sends the __type here instead).
  const std::string query_error = response.Header("x-amzn-query-error");
  const std::string query_code(StripErrorTypePrefix(query_error.substr(0, query_error.find(';'))));

  std::optional<Code> code = CodeForAwsError(type);
  if (!code) code = CodeForAwsError(query_code);
  // An unknown AWS error on a 5xx is still the server's fault: retry.
  if (!code || response.status >= 500) {
    if (!code || !IsRetryableCode(*code)) code = CodeForHttpStatus(response.status);
  }

  std::string message = "SQS ";
  message += !type.empty() ? type : !query_code.empty() ? query_code : "error";
  if (!type.empty() && !query_code.empty() && query_code != type)
    message += " (" + query_code + ")";
  if (!aws_message.empty()) {
    message += ": " + aws_message;
  } else if (!body_understood && !response.body.empty()) {
    message += ": " + response.body.substr(0, kMaxQuotedBody);
    if (response.body.size() > kMaxQuotedBody) message += "...";
  }
  message += " [HTTP " + std::to_string(response.status);
  if (auto id = response.Header("x-amzn-requestid"); !id.empty()) message += ", request id " + id;
  message += "]";
  return Error(*code, std::move(message));
}

Result<json> ParseResponse(const HttpResponse& response) {
  if (response.status < 200 || response.status > 299) {
    return tl::unexpected(ErrorFromResponse(response));
  }
  if (response.body.empty()) return json::object();
  json body = json::parse(response.body, nullptr, false);
  if (!body.is_object()) {
    std::string quoted = response.body.substr(0, kMaxQuotedBody);
    return Fail(Code::kInternal,
                "HTTP " + std::to_string(response.status) +
                    " response is not a JSON object (is the endpoint SQS?): " + quoted);
  }
  return body;
}

Error ErrorFromBatchFailure(const BatchEntryFailure& failure) {
  std::optional<Code> mapped = CodeForAwsError(failure.code);
  Code code;
  if (failure.sender_fault) {
    code = mapped && !IsRetryableCode(*mapped) ? *mapped : Code::kInvalidArgument;
  } else {
    code = mapped && IsRetryableCode(*mapped) ? *mapped : Code::kUnavailable;
  }
  std::string message = "SQS " + (failure.code.empty() ? std::string("error") : failure.code);
  if (!failure.message.empty()) message += ": " + failure.message;
  message += failure.sender_fault ? " [batch entry " + failure.id + ", sender fault]"
                                  : " [batch entry " + failure.id + ", server fault]";
  return Error(code, std::move(message));
}

CreateQueueRequest CreateQueueRequest::Fifo(std::string name, bool content_based_deduplication) {
  CreateQueueRequest request{std::move(name), {{"FifoQueue", "true"}}};
  if (content_based_deduplication) request.attributes["ContentBasedDeduplication"] = "true";
  return request;
}

Result<json> EncodeCreateQueue(const CreateQueueRequest& request) {
  if (!IsValidQueueName(request.queue_name)) {
    return Fail(Code::kInvalidArgument, "queue name \"" + request.queue_name +
                                            "\" is not 1-80 of [A-Za-z0-9_-] (+ \".fifo\")");
  }
  auto fifo = request.attributes.find("FifoQueue");
  const bool fifo_attribute = fifo != request.attributes.end() && fifo->second == "true";
  if (fifo_attribute != EndsWith(request.queue_name, ".fifo")) {
    return Fail(Code::kInvalidArgument,
                "queue \"" + request.queue_name +
                    "\": a FIFO queue needs both a name ending in \".fifo\" and FifoQueue=true");
  }
  json body = {{"QueueName", request.queue_name}};
  if (!request.attributes.empty()) body["Attributes"] = request.attributes;
  return body;
}

json EncodeGetQueueUrl(std::string_view queue_name) {
  return {{"QueueName", queue_name}};
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

json EncodeGetQueueAttributes(std::string_view queue_url,
                              const std::vector<std::string>& attribute_names) {
  return {{"QueueUrl", queue_url}, {"AttributeNames", attribute_names}};
}

Result<QueueAttributes> DecodeGetQueueAttributes(const json& response) {
  auto values = StringMap(response, "Attributes", "GetQueueAttributes");
  if (!values) return tl::unexpected(values.error());
  return QueueAttributes{std::move(*values)};
}

json EncodeListQueues(std::string_view queue_name_prefix,
                      const std::optional<std::string>& next_token, int max_results) {
  json body = {{"MaxResults", std::clamp(max_results, 1, 1000)}};
  if (!queue_name_prefix.empty()) body["QueueNamePrefix"] = queue_name_prefix;
  if (next_token) body["NextToken"] = *next_token;
  return body;
}

Result<ListQueuesPage> DecodeListQueues(const json& response) {
  constexpr std::string_view kWhat = "ListQueues";
  auto urls = OptionalArray(response, "QueueUrls", kWhat);
  if (!urls) return tl::unexpected(urls.error());
  ListQueuesPage page;
  for (const json& url : **urls) {
    if (!url.is_string()) return tl::unexpected(Malformed(kWhat, "a queue URL is not a string"));
    page.queue_urls.push_back(url.get<std::string>());
  }
  page.next_token = OptionalString(response, "NextToken");
  if (page.next_token && page.next_token->empty()) page.next_token.reset();
  return page;
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

Result<SendMessageResult> DecodeSendMessage(const json& response) {
  return DecodeSendResultFields(response, "SendMessage");
}

Status VerifySent(const OutgoingMessage& message, const SendMessageResult& result) {
  const std::string body_md5 = Md5Hex(message.body);
  if (result.md5_of_message_body != body_md5) {
    return Fail(Code::kInternal, "message " + result.message_id + ": SQS reported MD5 " +
                                     result.md5_of_message_body + " for a body whose MD5 is " +
                                     body_md5 + " (corrupted on the way)");
  }
  // SQS omits the field when there are no attributes; check it whenever it is there.
  if (!result.md5_of_message_attributes.empty() || !message.attributes.empty()) {
    const std::string attributes_md5 = Md5OfMessageAttributes(message.attributes);
    if (result.md5_of_message_attributes != attributes_md5) {
      return Fail(Code::kInternal,
                  "message " + result.message_id + ": SQS reported attributes MD5 \"" +
                      result.md5_of_message_attributes + "\" for attributes whose MD5 is \"" +
                      attributes_md5 + "\" (corrupted on the way)");
    }
  }
  return Ok();
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

json EncodeDeleteMessage(std::string_view queue_url, std::string_view receipt_handle) {
  return {{"QueueUrl", queue_url}, {"ReceiptHandle", receipt_handle}};
}

Result<json> EncodeDeleteMessageBatch(std::string_view queue_url,
                                      const std::vector<DeleteBatchEntry>& entries) {
  if (auto checked = CheckBatchEntries(entries); !checked) return tl::unexpected(checked.error());
  json encoded = json::array();
  for (const auto& entry : entries) {
    if (entry.receipt_handle.empty()) {
      return Fail(Code::kInvalidArgument, "batch entry " + entry.id + " has no receipt handle");
    }
    encoded.push_back({{"Id", entry.id}, {"ReceiptHandle", entry.receipt_handle}});
  }
  return json{{"QueueUrl", queue_url}, {"Entries", std::move(encoded)}};
}

Result<DeleteBatchResponse> DecodeDeleteMessageBatch(const json& response) {
  auto decoded = DecodeBatchResponse<std::string>(
      response, "DeleteMessageBatch",
      [](const json&, std::string id) -> Result<std::string> { return id; });
  if (!decoded) return tl::unexpected(decoded.error());
  return DeleteBatchResponse{std::move(decoded->first), std::move(decoded->second)};
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
