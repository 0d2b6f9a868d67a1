// The SQS operations the bridge and the contract runner need, as an interface so the services
// above it are unit-tested with a fake. CurlSqsClient (curl_client.h) is the real one.
//
// Every failure is an Error whose Code says what to do (common/status.h): kUnavailable,
// kDeadlineExceeded, kResourceExhausted are worth retrying unchanged; kInvalidArgument,
// kNotFound, kUnauthenticated, kPermissionDenied are not; kInternal means a checksum did not
// match or the server answered nonsense. Each Error is also classified (scope, cause,
// maybe_applied; the decisions are in sqs/protocol/errors.h): FailureScope::kMessage only when
// SQS refused a message's own content, kInfrastructure for everything else. Each Error's
// context names the action and the queue. All methods are thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sqs/protocol/decode.h"
#include "sqs/protocol/encode.h"
#include "sqs/protocol/message.h"

namespace driftline::sqs {

// One result per input entry, in input order: nothing is ever dropped.
template <typename T>
struct BatchResults {
  std::vector<Result<T>> entries;

  std::size_t failed_count() const {
    std::size_t n = 0;
    for (const auto& entry : entries) {
      if (!entry.has_value()) ++n;
    }
    return n;
  }
  bool all_ok() const { return failed_count() == 0; }
};

class SqsClient {
 public:
  virtual ~SqsClient() = default;

  // The new (or, with identical attributes, existing) queue's URL.
  virtual Result<std::string> CreateQueue(const CreateQueueRequest& request) = 0;
  // kNotFound when no queue has that name.
  virtual Result<std::string> GetQueueUrl(std::string_view queue_name) = 0;
  // The named attributes ("All" for every one). A MaximumMessageSize in the answer is
  // remembered and used to split later SendMessageBatch calls to that queue.
  virtual Result<QueueAttributes> GetQueueAttributes(
      std::string_view queue_url, const std::vector<std::string>& attribute_names = {"All"}) = 0;
  // Every queue URL whose name starts with the prefix (all pages). A cheap readiness probe.
  virtual Result<std::vector<std::string>> ListQueues(std::string_view queue_name_prefix = "") = 0;

  // Errors besides the usual: kInvalidArgument for a message over the size limit (not sent);
  // kInternal when the MD5 SQS returned does not match what was sent.
  virtual Result<SendMessageResult> SendMessage(std::string_view queue_url,
                                                const OutgoingMessage& message) = 0;
  // Any number of messages: split into requests of at most 10 entries and the queue's byte
  // limit, sent one request after another. entries[i] is messages[i]'s outcome: its
  // SendMessageResult, or the Error for that entry alone (an oversized message, a per-entry
  // failure SQS reported, or the failure of the whole request it was in: scoped kMessage only
  // if that request carried this message alone). A request refused as a whole as invalid
  // (kInvalidArgument) is resent entry by entry, so one bad message never fails the good ones
  // next to it and each verdict comes from a request that carried that message alone.
  virtual BatchResults<SendMessageResult> SendMessageBatch(
      std::string_view queue_url, const std::vector<OutgoingMessage>& messages) = 0;

  // Up to request.max_messages messages (possibly none), each checked against its MD5s.
  virtual Result<std::vector<ReceivedMessage>> ReceiveMessage(const ReceiveRequest& request) = 0;

  virtual Status DeleteMessage(std::string_view queue_url, std::string_view receipt_handle) = 0;
  // Any number of receipt handles, in requests of 10; entries[i] is receipt_handles[i]'s outcome.
  virtual BatchResults<void> DeleteMessageBatch(
      std::string_view queue_url, const std::vector<std::string>& receipt_handles) = 0;
  virtual Status ChangeMessageVisibility(std::string_view queue_url,
                                         std::string_view receipt_handle,
                                         int visibility_timeout_seconds) = 0;

  // Deletes every message (SQS allows one purge a minute per queue).
  virtual Status PurgeQueue(std::string_view queue_url) = 0;
  virtual Status DeleteQueue(std::string_view queue_url) = 0;
};

}  // namespace driftline::sqs
