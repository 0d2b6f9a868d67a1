// The parts of an AsyncAPI 3.0 document the runner needs, with every `$ref` resolved.
//
// Objects refer to each other by raw pointer; all of them are owned by the Contract (heap
// allocated, so the pointers stay valid when the Contract is moved).
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace driftline::contract {

enum class Protocol { kKafka, kSqs, kOther };

// "kafka", "sqs", or the protocol text for others.
std::string_view ProtocolName(Protocol p);
Protocol ProtocolFromName(std::string_view name);

struct Server {
  std::string id;
  std::string host;
  std::string protocol_name;
  Protocol protocol = Protocol::kOther;
};

// Where a message carries its correlation id: `$message.header#/CorrelationId` or
// `$message.payload#/order/id`.
struct CorrelationIdLocation {
  enum class Source { kHeader, kPayload };
  Source source = Source::kHeader;
  std::string pointer;     // "/CorrelationId"
  std::string expression;  // as written

  bool operator==(const CorrelationIdLocation&) const = default;
};

// Parses a runtime expression. nullopt when it is not `$message.header#/...` or
// `$message.payload#/...`.
std::optional<CorrelationIdLocation> ParseCorrelationIdLocation(std::string_view expression);

struct Message {
  std::string key;    // "file#/components/messages/X": identity across references
  std::string name;   // `name`, else the component or channel key
  std::string title;  // may be empty
  std::string content_type;
  nlohmann::json payload_schema;                 // inlined; null: anything goes
  std::optional<nlohmann::json> headers_schema;  // inlined
  std::optional<CorrelationIdLocation> correlation_id;
  std::string where;  // file:line of the definition
};

struct Channel {
  std::string id;
  std::string address;
  std::vector<const Server*> servers;  // the channel's, else every server of the document
  Protocol protocol = Protocol::kOther;
  std::vector<const Message*> messages;
  std::string where;

  // "topic 'place-order-topic'" / "queue 'place-order-queue'"
  std::string Describe() const;
};

// The delay before retry k (k = 0 for the first retry) and the policy's other figures.
struct RetryStrategy {
  enum class Type { kFixed, kLinear, kExponential };
  Type type = Type::kExponential;
  double initial_delay_seconds = 1;
  double multiplier = 2;         // exponential
  double increment_seconds = 0;  // linear
  double max_delay_seconds = 0;  // 0: no cap

  std::chrono::milliseconds DelayBefore(int retry) const;
  // Sum of DelayBefore(0 .. retries-1): 1+2+4 s for the lab's policy and 3 retries.
  std::chrono::milliseconds Total(int retries) const;
};

// "fixed", "linear", "exponential"
std::string_view RetryStrategyTypeName(RetryStrategy::Type type);

struct RetryPath {
  const Channel* channel = nullptr;
  std::vector<const Message*> messages;
  int max_attempts = 0;
  RetryStrategy strategy;
  std::string source;  // "x-specmatic-retry" or "retry"
};

struct DeadLetterPath {
  const Channel* channel = nullptr;
  std::vector<const Message*> messages;
  std::chrono::milliseconds wait_time{0};
  std::string source;  // "x-specmatic-dlq" or "deadLetter"
};

struct Reply {
  const Channel* channel = nullptr;
  std::vector<const Message*> messages;
};

struct Operation {
  enum class Action { kSend, kReceive };
  std::string id;
  Action action = Action::kReceive;
  const Channel* channel = nullptr;
  std::vector<const Message*> messages;  // the channel's when the operation lists none
  std::optional<Reply> reply;
  std::optional<RetryPath> retry;
  std::optional<DeadLetterPath> dead_letter;
  std::string where;

  // The channels the service writes to: reply, retry, dead letter (those declared).
  std::vector<const Channel*> OutputChannels() const;
};

struct Contract {
  std::string path;
  std::string asyncapi_version;
  std::string title;
  std::string version;
  std::vector<std::unique_ptr<Server>> servers;
  std::vector<std::unique_ptr<Message>> messages;
  std::vector<std::unique_ptr<Channel>> channels;
  std::vector<std::unique_ptr<Operation>> operations;

  const Channel* ChannelByAddress(std::string_view address) const;
  const Server* ServerFor(Protocol protocol) const;
};

}  // namespace driftline::contract
