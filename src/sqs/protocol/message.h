// SQS messages as this project sees them: what we send, and what a receive returns.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace driftline::sqs {

// A message attribute. DataType is "String", "Number" or "Binary", optionally with a custom
// suffix ("Number.int", "Binary.gzip"); a Binary* value lives in binary_value as raw bytes (the
// client base64-encodes it on the wire), every other value in string_value.
struct MessageAttributeValue {
  std::string data_type;
  std::string string_value;
  std::string binary_value;

  static MessageAttributeValue String(std::string value) {
    return {"String", std::move(value), {}};
  }
  static MessageAttributeValue Number(std::string value) {
    return {"Number", std::move(value), {}};
  }
  static MessageAttributeValue Binary(std::string bytes) {
    return {"Binary", {}, std::move(bytes)};
  }

  bool is_binary() const { return data_type.rfind("Binary", 0) == 0; }
  bool operator==(const MessageAttributeValue&) const = default;
};

using MessageAttributes = std::map<std::string, MessageAttributeValue>;

// One message to send (SendMessage, or one entry of SendMessageBatch).
struct OutgoingMessage {
  std::string body;
  MessageAttributes attributes;
  std::optional<int> delay_seconds;  // 0..900; not allowed per message on FIFO queues
  // FIFO queues only: ordering group (required there) and deduplication id (required unless
  // the queue has ContentBasedDeduplication).
  std::optional<std::string> message_group_id;
  std::optional<std::string> message_deduplication_id;
};

// The bytes SQS counts against MaximumMessageSize: the body plus, for every attribute, its
// name, its data type and its value (raw bytes for Binary, not the base64 text).
std::size_t MessagePayloadSize(const OutgoingMessage& message);

// A message returned by ReceiveMessage. Its body and attributes have been checked against the
// MD5s SQS sent with them.
struct ReceivedMessage {
  std::string message_id;
  std::string receipt_handle;  // what DeleteMessage / ChangeMessageVisibility need
  std::string body;
  std::string md5_of_body;
  // System attributes: SentTimestamp, ApproximateReceiveCount, MessageGroupId, ...
  std::map<std::string, std::string> attributes;
  MessageAttributes message_attributes;
};

}  // namespace driftline::sqs
