// Topic administration and offset queries (set-up, tests, the bench).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "kafka/config.h"
#include "kafka/handles.h"

namespace driftline::kafka {

struct NewTopic {
  std::string name;
  std::int32_t partitions = 1;
  std::int32_t replication_factor = -1;        // -1: the broker's default.replication.factor
  std::map<std::string, std::string> configs;  // topic configs, e.g. retention.ms
};

class Admin {
 public:
  // An admin client for `props` (bootstrap.servers, security settings). Sets
  // allow.auto.create.topics=false unless `props` says otherwise, so that a metadata query never
  // creates a topic. Errors: kInvalidArgument (a property librdkafka rejects).
  static Result<std::unique_ptr<Admin>> Create(const Properties& props);

  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  // Creates the topics and waits (up to `timeout`) until the controller has them. A topic that
  // already exists counts as created, whatever its partition count (check PartitionCount() if
  // that matters). Errors: kInvalidArgument for a malformed request (bad partition count,
  // replication factor, config), kDeadlineExceeded, kUnavailable; one Error for all topics
  // that failed, naming each ("create topics: a: ...; b: ..."), with the first one's code.
  Status CreateTopics(const std::vector<NewTopic>& topics, std::chrono::milliseconds timeout);

  // Deletes the topics; one that does not exist counts as deleted. Errors as CreateTopics().
  Status DeleteTopics(const std::vector<std::string>& topics, std::chrono::milliseconds timeout);

  // The topic's partition count. kNotFound for an unknown topic.
  Result<std::int32_t> PartitionCount(const std::string& topic, std::chrono::milliseconds timeout);

  // partition → high watermark (the offset the next record will get), for every partition.
  // kNotFound for an unknown topic; kDeadlineExceeded / kUnavailable when no broker answers.
  Result<std::map<std::int32_t, std::int64_t>> EndOffsets(const std::string& topic,
                                                          std::chrono::milliseconds timeout);

  // partition → {low, high} watermarks: the first offset still stored (retention deletes from the
  // front) and the offset the next record will get. Errors as EndOffsets().
  Result<std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>>> Watermarks(
      const std::string& topic, std::chrono::milliseconds timeout);

  // partition → the offset group `group` has committed for it, for every partition of `topic`
  // (-1001, kOffsetInvalid, where the group has committed nothing). Uses a short-lived consumer
  // handle in the group that does not join it. Errors as EndOffsets().
  Result<std::map<std::int32_t, std::int64_t>> CommittedOffsets(const std::string& group,
                                                                const std::string& topic,
                                                                std::chrono::milliseconds timeout);

 private:
  explicit Admin(Properties props) : props_(std::move(props)) {}

  Properties props_;
  KafkaHandle rk_;
};

}  // namespace driftline::kafka
