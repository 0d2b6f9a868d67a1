// What a pipeline needs from its Kafka consumer: the seam between Pipeline and kafka::Consumer.
//
// The service builds the real one (KafkaConsumerFactory: a kafka::Consumer in a balanced
// group); unit tests hand Pipeline a factory of scripted consumers and drive assignments,
// records and revocations without a broker.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "kafka/config.h"
#include "kafka/consumer.h"
#include "kafka/message.h"

namespace driftline::bridge {

// Told about the group's rebalances, on the polling thread, from inside Poll() or Close().
class AssignmentListener {
 public:
  virtual ~AssignmentListener() = default;
  // `partitions` joined the assignment; their start offsets are resolved if
  // StartOffsetsResolved() says so.
  virtual void OnAssigned(const std::vector<kafka::TopicPartition>& partitions) = 0;
  // `partitions` are about to leave; still assigned unless `lost` (another member has them).
  virtual void OnRevoked(const std::vector<kafka::TopicPartition>& partitions, bool lost) = 0;
};

// The calls of kafka::Consumer a pipeline makes, with the same meaning (kafka/consumer.h).
class RecordConsumer {
 public:
  virtual ~RecordConsumer() = default;
  virtual Status Subscribe(const std::vector<std::string>& topics) = 0;
  virtual Result<std::optional<kafka::Message>> Poll(std::chrono::milliseconds timeout) = 0;
  virtual Status StoreOffset(const std::string& topic, std::int32_t partition,
                             std::int64_t next_offset) = 0;
  virtual Status Commit() = 0;  // synchronous
  virtual Status Pause(const std::vector<kafka::TopicPartition>& partitions) = 0;
  virtual Status Resume(const std::vector<kafka::TopicPartition>& partitions) = 0;
  virtual std::optional<std::int64_t> Lag() const = 0;
  // Every assigned partition's start offset is known: a record produced now will be consumed.
  virtual bool StartOffsetsResolved() const = 0;
  virtual Status Close() = 0;
};

// Makes the consumer of group `group` with `props` (complete: bootstrap servers and every
// librdkafka property); `listener` is borrowed and outlives the consumer.
using ConsumerFactory = std::function<Result<std::unique_ptr<RecordConsumer>>(
    const kafka::Properties& props, const std::string& group, AssignmentListener& listener)>;

// The real one: kafka::Consumer.
ConsumerFactory KafkaConsumerFactory();

}  // namespace driftline::bridge
