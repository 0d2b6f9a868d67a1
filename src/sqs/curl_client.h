// SqsClient over an HttpTransport, speaking the AWS JSON 1.0 protocol (protocol/). Create()
// wires it to libcurl; tests hand the constructor a fake transport.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/env.h"
#include "sqs/client.h"
#include "sqs/credentials.h"
#include "sqs/http.h"
#include "sqs/protocol/endpoint.h"
#include "sqs/protocol/validation.h"

namespace driftline::sqs {

struct SqsClientConfig {
  std::string endpoint_url;  // "http://127.0.0.1:4566", "https://sqs.eu-west-1.amazonaws.com"
  std::string region;
  Credentials credentials;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};  // a long poll adds its wait on top
  std::size_t max_idle_connections = 8;
  // PEM file of the CAs an https endpoint must chain to, instead of the system's (AWS_CA_BUNDLE;
  // CurlTransportOptions::ca_bundle). Empty: the system's.
  std::string ca_bundle;
  // max_message_bytes is replaced per queue by its MaximumMessageSize once GetQueueAttributes
  // has seen it.
  BatchLimits batch_limits;
};

// Credentials and region as CredentialsFromEnv/RegionFromEnv read them; the endpoint from
// AWS_ENDPOINT_URL_SQS, then AWS_ENDPOINT_URL, else https://sqs.<region>.amazonaws.com; the CA
// bundle from AWS_CA_BUNDLE (checked when the client is created).
// Errors: kInvalidArgument naming the missing variables.
Result<SqsClientConfig> SqsClientConfigFromEnv(const Environment& env,
                                               WhenMissing when_missing = WhenMissing::kFail);

class CurlSqsClient final : public SqsClient {
 public:
  // The real client, over CurlTransport. Errors: kInvalidArgument for a bad endpoint, region,
  // empty credentials or a CA bundle that cannot be used (CheckCaBundle).
  static Result<std::unique_ptr<CurlSqsClient>> Create(const SqsClientConfig& config);

  CurlSqsClient(std::unique_ptr<HttpTransport> transport, Endpoint endpoint,
                BatchLimits batch_limits = {});

  Result<std::string> CreateQueue(const CreateQueueRequest& request) override;
  Result<std::string> GetQueueUrl(std::string_view queue_name) override;
  Result<QueueAttributes> GetQueueAttributes(
      std::string_view queue_url, const std::vector<std::string>& attribute_names) override;
  Result<std::vector<std::string>> ListQueues(std::string_view queue_name_prefix) override;
  Result<SendMessageResult> SendMessage(std::string_view queue_url,
                                        const OutgoingMessage& message) override;
  BatchResults<SendMessageResult> SendMessageBatch(
      std::string_view queue_url, const std::vector<OutgoingMessage>& messages) override;
  Result<std::vector<ReceivedMessage>> ReceiveMessage(const ReceiveRequest& request) override;
  Status DeleteMessage(std::string_view queue_url, std::string_view receipt_handle) override;
  BatchResults<void> DeleteMessageBatch(std::string_view queue_url,
                                        const std::vector<std::string>& receipt_handles) override;
  Status ChangeMessageVisibility(std::string_view queue_url, std::string_view receipt_handle,
                                 int visibility_timeout_seconds) override;
  Status PurgeQueue(std::string_view queue_url) override;
  Status DeleteQueue(std::string_view queue_url) override;

  // The limits SendMessage/SendMessageBatch apply to this queue.
  BatchLimits LimitsFor(std::string_view queue_url) const;

 private:
  // Builds, sends and parses one action. Errors carry the frame "<action> <subject>".
  Result<nlohmann::json> Call(std::string_view action, const nlohmann::json& body,
                              std::string_view subject,
                              std::chrono::seconds timeout_extension = std::chrono::seconds(0));
  // Sends one action whose body is already JSON text and returns the response as the server
  // gave it, 2xx or not (the hot path's decoders read it). Errors (no response at all) carry
  // the frame "<action> <subject>".
  Result<HttpResponse> Exchange(std::string_view action, std::string body, std::string_view subject,
                                std::chrono::seconds timeout_extension = std::chrono::seconds(0));

  const std::unique_ptr<HttpTransport> transport_;
  const Endpoint endpoint_;
  const BatchLimits batch_limits_;

  mutable std::mutex mu_;
  // Queue URL -> MaximumMessageSize, learned from GetQueueAttributes.
  std::map<std::string, std::size_t, std::less<>> max_message_size_;  // guarded by mu_
};

}  // namespace driftline::sqs
