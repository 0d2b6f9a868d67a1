// How the runner reaches a channel: watch it (every message sent to it from now on is handed
// to a callback) and publish to it. One implementation per protocol: KafkaTransport,
// SqsTransport; tests use fakes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "contract/spec/model.h"
#include "contract/spec/observed_message.h"

namespace driftline::contract {

// What the runner made of a delivered message; tells the transport what to do with it.
enum class Disposition {
  kMatched,  // a running test's message: consumed (SQS: deleted)
  kForeign,  // someone else's (or no running test's): left for others (SQS: visible again)
  kStale,    // produced before the test started watching: ignored (SQS: left untouched)
};

// Runs on a transport thread for every message; must be quick and thread-safe.
using DeliverFn = std::function<Disposition(ObservedMessage&)>;

struct OutgoingExample {
  std::string payload;  // bytes as they travel (compact JSON)
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> key;
  // The Kafka record's CreateTime; unset: the moment of Publish(). SQS sets its own time.
  std::optional<Clock::WallTime> timestamp;
};

struct PublishReceipt {
  std::string coordinates;  // "place-order-topic/0@42", or the SQS message id
  // The message's own timestamp: the Kafka record's CreateTime (set by the transport), or the
  // time just before an SQS send.
  Clock::WallTime produced_at{};
};

class ChannelTransport {
 public:
  virtual ~ChannelTransport() = default;

  // Starts watching `channel` (borrowed; must outlive the transport). Returns once every
  // message sent to the channel from now on will reach `deliver`. Errors: the channel does not
  // exist, the server cannot be reached; the message names the channel and the server.
  // Thread-safe: the runner watches each channel from its own thread.
  virtual Status Watch(const Channel& channel, DeliverFn deliver) = 0;

  // Readies publishing to `channel` (e.g. fetches its metadata) so that the first Publish()
  // is not slower than the rest. Optional: Publish() works without it.
  virtual Status PrepareToPublish(const Channel& channel) {
    (void)channel;
    return Ok();
  }

  // Publishes and waits until the server has it. Errors name the channel.
  virtual Result<PublishReceipt> Publish(const Channel& channel,
                                         const OutgoingExample& message) = 0;

  // Publishes several messages to one channel and waits until the server has them all (or
  // refused them): result[i] is messages[i]'s outcome, each error naming the channel. Kafka
  // sends them all before waiting; SQS sends SendMessageBatch requests of 10. The default
  // calls Publish() for each in turn.
  virtual std::vector<Result<PublishReceipt>> PublishBatch(
      const Channel& channel, const std::vector<OutgoingExample>& messages);

  // Stops every watch and joins its thread. Idempotent; the destructor calls it. Safe to call
  // while another thread is in Watch().
  virtual void Stop() = 0;

  // "kafka 127.0.0.1:9092", for messages.
  virtual std::string Describe() const = 0;
};

// The observed form of a payload: parsed JSON when it is JSON, else the text as a JSON string.
void SetPayload(ObservedMessage& m, std::string raw);

}  // namespace driftline::contract
