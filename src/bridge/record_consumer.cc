#include "bridge/record_consumer.h"

namespace driftline::bridge {
namespace {

class KafkaRecordConsumer final : public RecordConsumer, public kafka::RebalanceListener {
 public:
  explicit KafkaRecordConsumer(AssignmentListener& listener) : listener_(listener) {}
  // Closes the consumer first: its last revocation still reaches the listener through us.
  ~KafkaRecordConsumer() override { consumer_.reset(); }

  Status Init(const kafka::Properties& props, const std::string& group) {
    auto consumer = kafka::Consumer::Create(props, group, this);
    if (!consumer) return tl::unexpected(std::move(consumer.error()));
    consumer_ = std::move(*consumer);
    return Ok();
  }

  Status Subscribe(const std::vector<std::string>& topics) override {
    return consumer_->Subscribe(topics);
  }
  Result<std::optional<kafka::Message>> Poll(std::chrono::milliseconds timeout) override {
    return consumer_->Poll(timeout);
  }
  Status StoreOffset(const std::string& topic, std::int32_t partition,
                     std::int64_t next_offset) override {
    return consumer_->StoreOffset(topic, partition, next_offset);
  }
  Status Commit() override { return consumer_->Commit(); }
  Status Pause(const std::vector<kafka::TopicPartition>& partitions) override {
    return consumer_->Pause(partitions);
  }
  Status Resume(const std::vector<kafka::TopicPartition>& partitions) override {
    return consumer_->Resume(partitions);
  }
  std::optional<std::int64_t> Lag() const override { return consumer_->Lag(); }
  bool StartOffsetsResolved() const override { return consumer_->StartOffsetsResolved(); }
  Status Close() override { return consumer_->Close(); }

  void OnAssigned(kafka::Consumer&, const std::vector<kafka::TopicPartition>& partitions) override {
    listener_.OnAssigned(partitions);
  }
  void OnRevoked(kafka::Consumer&, const std::vector<kafka::TopicPartition>& partitions,
                 bool lost) override {
    listener_.OnRevoked(partitions, lost);
  }

 private:
  AssignmentListener& listener_;
  std::unique_ptr<kafka::Consumer> consumer_;
};

}  // namespace

ConsumerFactory KafkaConsumerFactory() {
  return [](const kafka::Properties& props, const std::string& group,
            AssignmentListener& listener) -> Result<std::unique_ptr<RecordConsumer>> {
    auto consumer = std::make_unique<KafkaRecordConsumer>(listener);
    if (Status s = consumer->Init(props, group); !s) return tl::unexpected(std::move(s.error()));
    return std::unique_ptr<RecordConsumer>(std::move(consumer));
  };
}

}  // namespace driftline::bridge
