// Watching and publishing SQS queues for the contract runner.
//
// A watched queue is long-polled by one thread (all message attributes and system attributes,
// a visibility timeout of `visibility_seconds`). What happens to a received message depends on
// the runner's verdict (Disposition):
//   kMatched  deleted: it belonged to a running test (those of one receive in one request);
//   kForeign  made visible again at once (visibility 0) the first time it is seen, so whoever
//             owns it gets it; when it comes back again it is left hidden for the visibility
//             timeout instead of being received in a tight loop;
//   kStale    left alone (it was sent before the test watched; it reappears after the timeout).
// Nothing but a matched message is ever deleted.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "contract/transport/transport.h"
#include "sqs/client.h"
#include "sqs/curl_client.h"

namespace driftline::contract {

struct SqsTransportConfig {
  sqs::SqsClientConfig client;
  // Queue URLs are "<queue_base>/<address>"; with an empty base they come from GetQueueUrl.
  std::string queue_base;
  int wait_seconds = 1;  // long-poll wait per receive (short, so Stop() is quick)
  int visibility_seconds = 30;
};

// "http://localstack:4566/000000000000" -> endpoint "http://localstack:4566" and base
// "http://localstack:4566/000000000000"; "http://h:4566" -> the endpoint and an empty base.
// kInvalidArgument when it is not an http(s) URL.
Result<std::pair<std::string, std::string>> SplitSqsHost(std::string_view host);

class SqsTransport final : public ChannelTransport {
 public:
  static Result<std::unique_ptr<SqsTransport>> Create(const SqsTransportConfig& config,
                                                      Clock& clock);
  // For tests: any SqsClient.
  SqsTransport(std::unique_ptr<sqs::SqsClient> client, SqsTransportConfig config, Clock& clock);
  ~SqsTransport() override;

  Status Watch(const Channel& channel, DeliverFn deliver) override;
  // Checks that the queue exists (and learns its URL when there is no queue base).
  Status PrepareToPublish(const Channel& channel) override;
  Result<PublishReceipt> Publish(const Channel& channel, const OutgoingExample& message) override;
  std::vector<Result<PublishReceipt>> PublishBatch(
      const Channel& channel, const std::vector<OutgoingExample>& messages) override;
  void Stop() override;
  std::string Describe() const override { return "sqs " + config_.client.endpoint_url; }

 private:
  struct Watcher {
    const Channel* channel = nullptr;
    std::string queue_url;
    DeliverFn deliver;
    std::thread thread;
  };

  Result<std::string> QueueUrl(const Channel& channel);
  void PollLoop(Watcher* watcher);

  std::unique_ptr<sqs::SqsClient> client_;
  SqsTransportConfig config_;
  Clock& clock_;
  std::atomic<bool> stop_{false};
  std::mutex watchers_mu_;
  std::vector<std::unique_ptr<Watcher>> watchers_;  // guarded by watchers_mu_
  std::mutex mu_;
  std::set<std::string> released_;  // guarded by mu_: message ids made visible once already
  std::map<std::string, std::string> queue_urls_;  // guarded by mu_: address -> GetQueueUrl's
};

}  // namespace driftline::contract
