// Internal to src/kafka: what Producer, Consumer and Admin share — creating a handle, routing
// librdkafka's logs and errors to spdlog, and metadata/offset queries on any handle.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "kafka/handles.h"

namespace driftline::kafka::internal {

// librdkafka's timeouts are int milliseconds; clamps to [0, INT_MAX].
int TimeoutMs(std::chrono::milliseconds timeout);

// Sends librdkafka's log lines to spdlog ("kafka <client> <facility>: <text>") and logs its
// generic client errors (broker down, ...) as warnings — informational, librdkafka recovers
// from them by itself — or, for a fatal error, as an error with librdkafka's explanation.
void RouteLogsAndErrors(rd_kafka_conf_t* conf);

// rd_kafka_new(); takes `conf` on success (released), leaves it to the handle's destructor on
// failure. kInvalidArgument with librdkafka's errstr (bad combination of properties).
Result<KafkaHandle> NewClient(rd_kafka_type_t type, ConfHandle conf);

// The topic's partition count from a metadata request. kNotFound for an unknown topic,
// kDeadlineExceeded/kUnavailable when no broker answers in time.
Result<std::int32_t> PartitionCount(rd_kafka_t* rk, const std::string& topic,
                                    std::chrono::milliseconds timeout);

// partition → {low, high} watermarks (the first offset still stored, the offset the next record
// will get) for every partition; `timeout` bounds the whole query. Errors as PartitionCount().
Result<std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>>> Watermarks(
    rd_kafka_t* rk, const std::string& topic, std::chrono::milliseconds timeout);

// Watermarks()' high ones only.
Result<std::map<std::int32_t, std::int64_t>> HighWatermarks(rd_kafka_t* rk,
                                                            const std::string& topic,
                                                            std::chrono::milliseconds timeout);

}  // namespace driftline::kafka::internal
