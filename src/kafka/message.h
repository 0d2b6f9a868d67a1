// Kafka records as plain values.
//
// A Message is an owning copy of everything a consumed record carries, so no rd_kafka_message_t
// (and no pointer into librdkafka's buffers) ever leaves this module. Keys, payloads and header
// values are bytes held in std::string: binary-safe, NULs included.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "kafka/handles.h"

namespace driftline::kafka {

struct Header {
  std::string key;
  // nullopt is a null value (distinct from an empty one).
  std::optional<std::string> value;

  bool operator==(const Header&) const = default;
};

// Record headers in wire order. Kafka allows a key to repeat; Find() returns the last one,
// which is the value that counts when a header is "set" again by a later hop.
class Headers {
 public:
  Headers() = default;
  Headers(std::initializer_list<Header> headers) : items_(headers) {}

  void Add(std::string key, std::optional<std::string> value) {
    items_.push_back({std::move(key), std::move(value)});
  }
  // The last header named `key`, or nullptr when there is none. The pointer is valid until
  // the Headers is changed or destroyed.
  const Header* Find(std::string_view key) const;

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const Header& operator[](std::size_t i) const { return items_[i]; }
  std::vector<Header>::const_iterator begin() const { return items_.begin(); }
  std::vector<Header>::const_iterator end() const { return items_.end(); }

  bool operator==(const Headers&) const = default;

 private:
  std::vector<Header> items_;
};

enum class TimestampType { kNotAvailable, kCreateTime, kLogAppendTime };

// A consumed record.
struct Message {
  std::string topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::optional<std::string> key;  // nullopt: the record has no key
  std::string payload;             // a null payload reads as ""
  Headers headers;
  std::int64_t timestamp_ms = -1;  // -1 with kNotAvailable
  TimestampType timestamp_type = TimestampType::kNotAvailable;
};

// A record to produce.
struct OutgoingMessage {
  std::string topic;
  std::optional<std::int32_t> partition;  // nullopt: the partitioner picks (by key hash)
  std::optional<std::string> key;
  std::string payload;
  Headers headers;
  // The record's CreateTime, ms since the epoch; nullopt: librdkafka stamps it when Send()
  // queues it. On a topic with message.timestamp.type=LogAppendTime the broker replaces it.
  std::optional<std::int64_t> timestamp_ms = std::nullopt;
};

// --- Conversions, for this module's clients and tests. ---

// Copies a successfully consumed record (message.err must be NO_ERROR). Reads the headers
// with rd_kafka_message_headers(), which parses them on first use; never fails: a record whose
// headers cannot be parsed yields no headers.
Message CopyMessage(const rd_kafka_message_t& message);

// A new header list for producing (the caller owns it until librdkafka accepts the record).
HeadersHandle ToKafkaHeaders(const Headers& headers);

}  // namespace driftline::kafka
