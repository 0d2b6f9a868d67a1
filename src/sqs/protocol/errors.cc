#include "sqs/protocol/errors.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "sqs/protocol/json_fields.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;

// How much of a body that is not what we expected goes into an error message.
constexpr std::size_t kMaxQuotedBody = 200;

std::string QuoteBody(const std::string& body) {
  std::string quoted = body.substr(0, kMaxQuotedBody);
  if (body.size() > kMaxQuotedBody) quoted += "...";
  return quoted;
}

// "SQS <code>[ (<alias>)][: <detail>] [<where>]": how every AWS error reads, whether a whole
// response or one batch entry reported it.
std::string AwsErrorText(std::string_view code, std::string_view alias, std::string_view detail,
                         std::string_view where) {
  std::string text = "SQS ";
  text += code.empty() ? std::string_view("error") : code;
  if (!alias.empty() && alias != code) text += " (" + std::string(alias) + ")";
  if (!detail.empty()) text += ": " + std::string(detail);
  text += " [" + std::string(where) + "]";
  return text;
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
  if (text.starts_with("<![CDATA[") && text.ends_with("]]>")) {
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
    AwsErrorCode{"BatchEntryTooLong", Code::kInvalidArgument},
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

// The AWS codes that blame a message's content, and only them (canonical spellings). Every one
// maps to kInvalidArgument in kAwsErrorCodes.
constexpr std::array<std::string_view, 6> kMessageContentErrors = {
    "InvalidMessageContents",  // characters SQS does not accept
    "MessageTooLong",          // over the queue's MaximumMessageSize
    "BatchEntryTooLong",       // the same, as some servers word it for one batch entry
    "InvalidParameterValue",   // a message attribute, DelaySeconds, the body
    "InvalidAttributeName",    // a message attribute's name
    "InvalidAttributeValue",   // a message attribute's value
};

constexpr std::string_view kQueryPrefix = "AWS.SimpleQueueService.";

std::string HttpStatusCause(long status) {
  return "http-" + std::to_string(status);
}

}  // namespace

std::string_view StripErrorTypePrefix(std::string_view type) {
  auto hash = type.rfind('#');
  return hash == std::string_view::npos ? type : type.substr(hash + 1);
}

std::optional<Code> CodeForAwsError(std::string_view aws_code) {
  if (aws_code.empty()) return std::nullopt;
  for (const auto& entry : kAwsErrorCodes) {
    if (entry.name == aws_code) return entry.code;
  }
  if (aws_code.starts_with("AccessDenied")) return Code::kPermissionDenied;
  return std::nullopt;
}

std::optional<std::string_view> CanonicalAwsError(std::string_view aws_code) {
  if (aws_code.starts_with("AccessDenied")) return "AccessDenied";
  for (const auto& entry : kAwsErrorCodes) {
    if (entry.name != aws_code) continue;
    std::string_view name = entry.name;
    if (name.starts_with(kQueryPrefix)) name.remove_prefix(kQueryPrefix.size());
    if (name == "NonExistentQueue") return "QueueDoesNotExist";
    return name;
  }
  return std::nullopt;
}

bool IsMessageContentError(std::string_view canonical_aws_code) {
  return std::find(kMessageContentErrors.begin(), kMessageContentErrors.end(),
                   canonical_aws_code) != kMessageContentErrors.end();
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
  std::optional<std::string_view> known = CanonicalAwsError(type);
  if (!known) known = CanonicalAwsError(query_code);
  // An unknown AWS error on a 5xx is still the server's fault: retry.
  if (!code || response.status >= 500) {
    if (!code || !IsRetryableCode(*code)) code = CodeForHttpStatus(response.status);
  }

  std::string detail = aws_message;
  if (detail.empty() && !body_understood) detail = QuoteBody(response.body);
  std::string where = "HTTP " + std::to_string(response.status);
  if (auto id = response.Header("x-amzn-requestid"); !id.empty()) where += ", request id " + id;
  const bool server_error = response.status >= 500;
  const FailureScope scope = known && IsMessageContentError(*known) && !server_error
                                 ? FailureScope::kMessage
                                 : FailureScope::kInfrastructure;
  return Error(*code, AwsErrorText(!type.empty() ? type : query_code,
                                   !type.empty() ? query_code : "", detail, where))
      .Classify(scope, known ? std::string(*known) : HttpStatusCause(response.status),
                server_error);
}

Error ErrorFromBatchFailure(const BatchEntryFailure& failure) {
  std::optional<Code> mapped = CodeForAwsError(failure.code);
  Code code;
  if (failure.sender_fault) {
    code = mapped && !IsRetryableCode(*mapped) ? *mapped : Code::kInvalidArgument;
  } else {
    code = mapped && IsRetryableCode(*mapped) ? *mapped : Code::kUnavailable;
  }
  // Without a known code, SenderFault is all SQS says: the sender's fault for this entry alone
  // is its content; the server's is the infrastructure's.
  const std::optional<std::string_view> known = CanonicalAwsError(failure.code);
  FailureScope scope = FailureScope::kInfrastructure;
  std::string cause(failure.sender_fault ? cause::kSenderFault : cause::kServerFault);
  if (known) cause = std::string(*known);
  if (failure.sender_fault && (!known || IsMessageContentError(*known))) {
    scope = FailureScope::kMessage;
  }
  return Error(code, AwsErrorText(failure.code, "", failure.message,
                                  "batch entry " + failure.id +
                                      (failure.sender_fault ? ", sender fault" : ", server fault")))
      .Classify(scope, std::move(cause));
}

Error RequestFailureForEntry(Error error, std::size_t entries_in_request) {
  if (error.scope() == FailureScope::kMessage && entries_in_request > 1) {
    std::string cause = error.cause();
    error.Classify(FailureScope::kInfrastructure, std::move(cause), error.maybe_applied());
  }
  return error;
}

Error ClassifyTransportFailure(Error error, TransportFailure kind) {
  switch (kind) {
    case TransportFailure::kUnreachable:
      return std::move(error).Classify(FailureScope::kInfrastructure,
                                       std::string(cause::kUnreachable), false);
    case TransportFailure::kTls:
      return std::move(error).Classify(FailureScope::kInfrastructure, std::string(cause::kTls),
                                       false);
    case TransportFailure::kTimeout:
      return std::move(error).Classify(FailureScope::kInfrastructure, std::string(cause::kTimeout),
                                       true);
    case TransportFailure::kConnectionLost:
      return std::move(error).Classify(FailureScope::kInfrastructure,
                                       std::string(cause::kConnectionLost), true);
    case TransportFailure::kOther:
      break;
  }
  return std::move(error).Classify(FailureScope::kInfrastructure, std::string(cause::kTransport),
                                   true);
}

Error ClassifyUnclassified(Error error) {
  if (error.scope() != FailureScope::kUnclassified) return error;
  std::string cause;
  for (char c : CodeName(error.code()))
    cause += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return std::move(error).Classify(FailureScope::kInfrastructure, std::move(cause));
}

Error MessageTooLarge(std::size_t size, std::size_t limit, SizeLimit which) {
  const std::string_view what = which == SizeLimit::kQueueMaximumMessageSize
                                    ? "the queue's MaximumMessageSize"
                                    : "the batch payload limit";
  return Error(Code::kInvalidArgument, "message of " + std::to_string(size) + " bytes exceeds " +
                                           std::string(what) + " of " + std::to_string(limit))
      .Classify(FailureScope::kMessage, std::string(cause::kMessageTooLarge));
}

Error ChecksumMismatch(std::string_view message_id, std::string_view field,
                       std::string_view reported, std::string_view computed) {
  return Error(Code::kInternal,
               "message " + std::string(message_id) + ": " + std::string(field) + " \"" +
                   std::string(reported) + "\" from SQS does not match the MD5 \"" +
                   std::string(computed) + "\" computed here (corrupted on the way)")
      .Classify(FailureScope::kInfrastructure, std::string(cause::kChecksumMismatch), true);
}

Error MalformedResponse(std::string_view action, std::string_view detail) {
  return Error(Code::kInternal,
               "malformed " + std::string(action) + " response: " + std::string(detail))
      .Classify(FailureScope::kInfrastructure, std::string(cause::kMalformedResponse), true);
}

Error NotAJsonObjectResponse(const HttpResponse& response) {
  return Error(Code::kInternal, "HTTP " + std::to_string(response.status) +
                                    " response is not a JSON object (is the endpoint SQS?): " +
                                    QuoteBody(response.body))
      .Classify(FailureScope::kInfrastructure, std::string(cause::kUnreadableResponse), true);
}

Error MissingEntryResult() {
  return Error(Code::kInternal, "SQS returned neither success nor failure for this entry")
      .Classify(FailureScope::kInfrastructure, std::string(cause::kMissingEntryResult), true);
}

}  // namespace driftline::sqs
