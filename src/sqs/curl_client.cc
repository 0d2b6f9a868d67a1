#include "sqs/curl_client.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "sqs/curl_transport.h"
#include "sqs/protocol/batch.h"
#include "sqs/protocol/decode.h"
#include "sqs/protocol/encode.h"
#include "sqs/protocol/errors.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;

std::string Frame(std::string_view action, std::string_view subject) {
  return std::string(action) + " " + std::string(subject);
}

std::string EntryFrame(std::string_view action, std::string_view queue_url, std::size_t index) {
  return Frame(action, queue_url) + " entry " + std::to_string(index);
}

template <typename T>
Result<T> WithFrame(Result<T> result, const std::string& frame) {
  if (!result) result.error().With(frame);
  return result;
}

// A hand-built body as compact JSON text; the encoders have rejected text that is not UTF-8,
// `replace` only keeps a bad one from throwing here.
std::string JsonText(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

Status ToStatus(const Result<json>& result) {
  if (!result) return tl::unexpected(result.error());
  return Ok();
}

// The outcome of each entry of one batch call, indexed like the caller's input, filled request
// by request. Every error gets the frame "<action> <queue> entry <index>".
template <typename T>
class BatchOutcomes {
 public:
  BatchOutcomes(std::size_t size, std::string_view action, std::string_view queue_url)
      : slots_(size), action_(action), queue_url_(queue_url) {}

  void Set(std::size_t index, Result<T> outcome) {
    if (!outcome) {
      outcome = tl::unexpected(ClassifyUnclassified(std::move(outcome.error())));
      outcome.error().With(EntryFrame(action_, queue_url_, index));
    }
    slots_[index] = std::move(outcome);
  }
  void Fail(std::size_t index, Error error) { Set(index, tl::unexpected(std::move(error))); }

  // Every entry of one request shares the request's failure (pinned on a message only when
  // the request carried it alone).
  void FailAll(const std::map<std::string, std::size_t>& index_of_id, const Error& error) {
    for (const auto& [id, index] : index_of_id)
      Fail(index, RequestFailureForEntry(error, index_of_id.size()));
  }

  // A decoded batch response: per-entry failures, then any entry the server left out.
  void Apply(const std::vector<BatchEntryFailure>& failed,
             const std::map<std::string, std::size_t>& index_of_id) {
    for (const auto& failure : failed) {
      if (auto it = index_of_id.find(failure.id); it != index_of_id.end())
        Fail(it->second, ErrorFromBatchFailure(failure));
    }
    for (const auto& [id, index] : index_of_id) {
      if (!slots_[index]) Fail(index, MissingEntryResult());
    }
  }

  BatchResults<T> Collect() && {
    BatchResults<T> out;
    out.entries.reserve(slots_.size());
    for (auto& slot : slots_) {
      out.entries.push_back(slot ? std::move(*slot)
                                 : Result<T>(tl::unexpected(ClassifyUnclassified(Error(
                                       Code::kInternal, "batch entry was never sent (bug)")))));
    }
    return out;
  }

 private:
  std::vector<std::optional<Result<T>>> slots_;
  std::string action_;
  std::string queue_url_;
};

}  // namespace

Result<SqsClientConfig> SqsClientConfigFromEnv(const Environment& env, WhenMissing when_missing) {
  auto credentials = CredentialsFromEnv(env, when_missing);
  if (!credentials) return tl::unexpected(credentials.error());
  auto region = RegionFromEnv(env, when_missing);
  if (!region) return tl::unexpected(region.error());
  SqsClientConfig config;
  config.credentials = std::move(*credentials);
  config.region = std::move(*region);
  config.endpoint_url = EnvString(
      env, "AWS_ENDPOINT_URL_SQS",
      EnvString(env, "AWS_ENDPOINT_URL", "https://sqs." + config.region + ".amazonaws.com"));
  config.ca_bundle = EnvString(env, "AWS_CA_BUNDLE", "");
  return config;
}

Result<std::unique_ptr<CurlSqsClient>> CurlSqsClient::Create(const SqsClientConfig& config) {
  auto endpoint = MakeEndpoint(config.endpoint_url, config.region);
  if (!endpoint) return tl::unexpected(endpoint.error());
  CurlTransportOptions options;
  options.credentials = config.credentials;
  options.connect_timeout = config.connect_timeout;
  options.request_timeout = config.request_timeout;
  options.max_idle_handles = config.max_idle_connections;
  options.ca_bundle = config.ca_bundle;
  auto transport = CurlTransport::Create(std::move(options));
  if (!transport) return tl::unexpected(transport.error());
  return std::make_unique<CurlSqsClient>(std::move(*transport), std::move(*endpoint),
                                         config.batch_limits);
}

CurlSqsClient::CurlSqsClient(std::unique_ptr<HttpTransport> transport, Endpoint endpoint,
                             BatchLimits batch_limits)
    : transport_(std::move(transport)),
      endpoint_(std::move(endpoint)),
      batch_limits_(batch_limits) {}

Result<HttpResponse> CurlSqsClient::Exchange(std::string_view action, std::string body,
                                             std::string_view subject,
                                             std::chrono::seconds timeout_extension) {
  HttpRequest request = BuildRequest(endpoint_, action, std::move(body));
  request.timeout_extension = timeout_extension;
  auto response = transport_->Send(request);
  if (!response) {
    return tl::unexpected(
        ClassifyUnclassified(std::move(response.error())).With(Frame(action, subject)));
  }
  return response;
}

Result<json> CurlSqsClient::Call(std::string_view action, const json& body,
                                 std::string_view subject, std::chrono::seconds timeout_extension) {
  auto response = Exchange(action, JsonText(body), subject, timeout_extension);
  if (!response) return tl::unexpected(response.error());
  return WithFrame(ParseResponse(*response), Frame(action, subject));
}

BatchLimits CurlSqsClient::LimitsFor(std::string_view queue_url) const {
  BatchLimits limits = batch_limits_;
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = max_message_size_.find(queue_url); it != max_message_size_.end()) {
    limits.max_message_bytes = it->second;
  }
  return limits;
}

Result<std::string> CurlSqsClient::CreateQueue(const CreateQueueRequest& request) {
  constexpr std::string_view kAction = "CreateQueue";
  auto body = EncodeCreateQueue(request);
  if (!body)
    return WithFrame(Result<std::string>(tl::unexpected(body.error())),
                     Frame(kAction, request.queue_name));
  auto response = Call(kAction, *body, request.queue_name);
  if (!response) return tl::unexpected(response.error());
  return WithFrame(DecodeQueueUrl(*response), Frame(kAction, request.queue_name));
}

Result<std::string> CurlSqsClient::GetQueueUrl(std::string_view queue_name) {
  constexpr std::string_view kAction = "GetQueueUrl";
  auto response = Call(kAction, EncodeGetQueueUrl(queue_name), queue_name);
  if (!response) return tl::unexpected(response.error());
  return WithFrame(DecodeQueueUrl(*response), Frame(kAction, queue_name));
}

Result<QueueAttributes> CurlSqsClient::GetQueueAttributes(
    std::string_view queue_url, const std::vector<std::string>& attribute_names) {
  constexpr std::string_view kAction = "GetQueueAttributes";
  auto response = Call(kAction, EncodeGetQueueAttributes(queue_url, attribute_names), queue_url);
  if (!response) return tl::unexpected(response.error());
  auto attributes = WithFrame(DecodeGetQueueAttributes(*response), Frame(kAction, queue_url));
  if (attributes) {
    if (auto size = attributes->maximum_message_size(); size && *size > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      max_message_size_[std::string(queue_url)] = static_cast<std::size_t>(*size);
    }
  }
  return attributes;
}

Result<std::vector<std::string>> CurlSqsClient::ListQueues(std::string_view queue_name_prefix) {
  constexpr std::string_view kAction = "ListQueues";
  constexpr int kPageSize = 1000;
  std::vector<std::string> urls;
  std::optional<std::string> next_token;
  std::set<std::string> seen_tokens;  // a server repeating a token must not loop us forever
  do {
    auto response = Call(kAction, EncodeListQueues(queue_name_prefix, next_token, kPageSize),
                         queue_name_prefix.empty() ? std::string_view("(all)") : queue_name_prefix);
    if (!response) return tl::unexpected(response.error());
    auto page = WithFrame(DecodeListQueues(*response), Frame(kAction, queue_name_prefix));
    if (!page) return tl::unexpected(page.error());
    urls.insert(urls.end(), page->queue_urls.begin(), page->queue_urls.end());
    next_token = page->next_token;
  } while (next_token && seen_tokens.insert(*next_token).second);
  return urls;
}

Result<SendMessageResult> CurlSqsClient::SendMessage(std::string_view queue_url,
                                                     const OutgoingMessage& message) {
  constexpr std::string_view kAction = "SendMessage";
  const BatchLimits limits = LimitsFor(queue_url);
  if (auto checked = CheckMessageSize(message, limits, /*in_batch=*/false); !checked) {
    return tl::unexpected(std::move(checked.error()).With(Frame(kAction, queue_url)));
  }
  auto body = EncodeSendMessage(queue_url, message);
  if (!body) return tl::unexpected(std::move(body.error()).With(Frame(kAction, queue_url)));
  auto response = Exchange(kAction, std::move(*body), queue_url);
  if (!response) return tl::unexpected(response.error());
  auto result = WithFrame(DecodeSendMessage(*response), Frame(kAction, queue_url));
  if (!result) return result;
  if (auto verified = VerifySent(message, *result); !verified) {
    return tl::unexpected(std::move(verified.error()).With(Frame(kAction, queue_url)));
  }
  return result;
}

BatchResults<SendMessageResult> CurlSqsClient::SendMessageBatch(
    std::string_view queue_url, const std::vector<OutgoingMessage>& messages) {
  constexpr std::string_view kAction = "SendMessageBatch";
  BatchOutcomes<SendMessageResult> outcomes(messages.size(), kAction, queue_url);
  BatchPlan plan = SplitIntoBatches(messages, LimitsFor(queue_url));
  for (auto& [index, error] : plan.rejected)
    outcomes.Fail(index, std::move(error));

  for (const auto& batch : plan.batches) {
    // Ids are the entries' positions in `messages`: valid, unique, and mapped straight back.
    std::vector<SendBatchEntry> entries;
    std::map<std::string, std::size_t> index_of_id;
    for (std::size_t index : batch) {
      entries.push_back({std::to_string(index), std::cref(messages[index])});
      index_of_id.emplace(entries.back().id, index);
    }
    auto body = EncodeSendMessageBatch(queue_url, entries);
    if (!body) {
      outcomes.FailAll(index_of_id, body.error());
      continue;
    }
    auto response = Exchange(kAction, std::move(*body), queue_url);
    auto decoded = response
                       ? WithFrame(DecodeSendMessageBatch(*response), Frame(kAction, queue_url))
                       : Result<SendBatchResponse>(tl::unexpected(response.error()));
    if (!decoded && decoded.error().code() == Code::kInvalidArgument) {
      // Refused as a whole, so nothing was enqueued; one bad entry can do that (ElasticMQ
      // rejects a whole batch for one oversized message). Sending the entries one by one
      // confines the failure to the entries that caused it, and each verdict — the message's
      // content or not (its scope) — comes from a request that carried that message alone,
      // worded as SendMessage words it (a batch of one too).
      for (std::size_t index : batch)
        outcomes.Set(index, SendMessage(queue_url, messages[index]));
      continue;
    }
    if (!decoded) {
      outcomes.FailAll(index_of_id, decoded.error());
      continue;
    }
    for (auto& success : decoded->successful) {
      auto it = index_of_id.find(success.id);
      if (it == index_of_id.end()) continue;  // not an id we sent; cannot happen with a sane server
      const std::size_t index = it->second;
      if (auto verified = VerifySent(messages[index], success.result); !verified) {
        outcomes.Fail(index, verified.error());
      } else {
        outcomes.Set(index, std::move(success.result));
      }
    }
    outcomes.Apply(decoded->failed, index_of_id);
  }
  return std::move(outcomes).Collect();
}

Result<std::vector<ReceivedMessage>> CurlSqsClient::ReceiveMessage(const ReceiveRequest& request) {
  constexpr std::string_view kAction = "ReceiveMessage";
  auto body = EncodeReceiveMessage(request);
  if (!body) {
    return tl::unexpected(std::move(body.error()).With(Frame(kAction, request.queue_url)));
  }
  auto response =
      Call(kAction, *body, request.queue_url, std::chrono::seconds(request.wait_time_seconds));
  if (!response) return tl::unexpected(response.error());
  return WithFrame(DecodeReceiveMessage(*response), Frame(kAction, request.queue_url));
}

Status CurlSqsClient::DeleteMessage(std::string_view queue_url, std::string_view receipt_handle) {
  return ToStatus(Call("DeleteMessage", EncodeDeleteMessage(queue_url, receipt_handle), queue_url));
}

BatchResults<void> CurlSqsClient::DeleteMessageBatch(
    std::string_view queue_url, const std::vector<std::string>& receipt_handles) {
  constexpr std::string_view kAction = "DeleteMessageBatch";
  BatchOutcomes<void> outcomes(receipt_handles.size(), kAction, queue_url);
  for (std::size_t first = 0; first < receipt_handles.size(); first += kMaxBatchEntries) {
    const std::size_t last = std::min(first + kMaxBatchEntries, receipt_handles.size());
    std::vector<DeleteBatchEntry> entries;
    std::map<std::string, std::size_t> index_of_id;
    for (std::size_t index = first; index < last; ++index) {
      if (auto checked = CheckReceiptHandle(receipt_handles[index]); !checked) {
        outcomes.Fail(index, checked.error());
        continue;
      }
      entries.push_back({std::to_string(index), receipt_handles[index]});
      index_of_id.emplace(entries.back().id, index);
    }
    if (entries.empty()) continue;
    auto body = EncodeDeleteMessageBatch(queue_url, entries);
    if (!body) {
      outcomes.FailAll(index_of_id, body.error());
      continue;
    }
    auto response = Exchange(kAction, JsonText(*body), queue_url);
    auto decoded = response
                       ? WithFrame(DecodeDeleteMessageBatch(*response), Frame(kAction, queue_url))
                       : Result<DeleteBatchResponse>(tl::unexpected(response.error()));
    if (!decoded) {
      outcomes.FailAll(index_of_id, decoded.error());
      continue;
    }
    for (const auto& id : decoded->successful) {
      if (auto it = index_of_id.find(id); it != index_of_id.end()) outcomes.Set(it->second, Ok());
    }
    outcomes.Apply(decoded->failed, index_of_id);
  }
  return std::move(outcomes).Collect();
}

Status CurlSqsClient::ChangeMessageVisibility(std::string_view queue_url,
                                              std::string_view receipt_handle,
                                              int visibility_timeout_seconds) {
  constexpr std::string_view kAction = "ChangeMessageVisibility";
  auto body = EncodeChangeMessageVisibility(queue_url, receipt_handle, visibility_timeout_seconds);
  if (!body) return tl::unexpected(std::move(body.error()).With(Frame(kAction, queue_url)));
  return ToStatus(Call(kAction, *body, queue_url));
}

Status CurlSqsClient::PurgeQueue(std::string_view queue_url) {
  return ToStatus(Call("PurgeQueue", EncodeQueueUrlOnly(queue_url), queue_url));
}

Status CurlSqsClient::DeleteQueue(std::string_view queue_url) {
  return ToStatus(Call("DeleteQueue", EncodeQueueUrlOnly(queue_url), queue_url));
}

}  // namespace driftline::sqs
