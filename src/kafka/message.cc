#include "kafka/message.h"

namespace driftline::kafka {

const Header* Headers::Find(std::string_view key) const {
  for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
    if (it->key == key) {
      return &*it;
    }
  }
  return nullptr;
}

Message CopyMessage(const rd_kafka_message_t& message) {
  Message out;
  out.topic = rd_kafka_topic_name(message.rkt);
  out.partition = message.partition;
  out.offset = message.offset;
  if (message.key != nullptr) {
    out.key.emplace(static_cast<const char*>(message.key), message.key_len);
  }
  if (message.payload != nullptr) {
    out.payload.assign(static_cast<const char*>(message.payload), message.len);
  }

  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  out.timestamp_ms = rd_kafka_message_timestamp(&message, &type);
  switch (type) {
    case RD_KAFKA_TIMESTAMP_CREATE_TIME:
      out.timestamp_type = TimestampType::kCreateTime;
      break;
    case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME:
      out.timestamp_type = TimestampType::kLogAppendTime;
      break;
    case RD_KAFKA_TIMESTAMP_NOT_AVAILABLE:
      out.timestamp_type = TimestampType::kNotAvailable;
      break;
  }

  // rd_kafka_message_headers() takes a non-const message: it parses and caches the headers
  // inside the message on first use. The record itself is not changed.
  rd_kafka_headers_t* headers = nullptr;  // borrowed: owned by the message
  if (rd_kafka_message_headers(const_cast<rd_kafka_message_t*>(&message), &headers) ==
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      if (value == nullptr) {
        out.headers.Add(name, std::nullopt);
      } else {
        out.headers.Add(name, std::string(static_cast<const char*>(value), size));
      }
    }
  }
  return out;
}

HeadersHandle ToKafkaHeaders(const Headers& headers) {
  HeadersHandle out(rd_kafka_headers_new(headers.size()));
  for (const Header& header : headers) {
    // Only fails for a read-only list; this one is new.
    rd_kafka_header_add(out.get(), header.key.data(), static_cast<ssize_t>(header.key.size()),
                        header.value ? header.value->data() : nullptr,
                        header.value ? static_cast<ssize_t>(header.value->size()) : 0);
  }
  return out;
}

}  // namespace driftline::kafka
