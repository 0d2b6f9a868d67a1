#include "kafka/client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <climits>

#include "kafka/error.h"

namespace driftline::kafka::internal {
namespace {

void OnLog(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  // syslog levels: 0..2 emergency/alert/critical, 3 error, 4 warning, 5..6 notice/info, 7 debug.
  const auto spd_level = level <= 2   ? spdlog::level::critical
                         : level == 3 ? spdlog::level::err
                         : level == 4 ? spdlog::level::warn
                         : level <= 6 ? spdlog::level::info
                                      : spdlog::level::debug;
  spdlog::log(spd_level, "kafka {} {}: {}", rd_kafka_name(rk), facility, text);
}

void OnError(rd_kafka_t* rk, int err, const char* reason, void*) {
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    const auto fatal = FatalErrorOf(rk);
    spdlog::error("kafka {}: {}", rd_kafka_name(rk), fatal ? fatal->message() : reason);
    return;
  }
  spdlog::warn("kafka {}: {} ({})", rd_kafka_name(rk), reason, rd_kafka_err2name(code));
}

}  // namespace

int TimeoutMs(std::chrono::milliseconds timeout) {
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 0, INT_MAX));
}

void RouteLogsAndErrors(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, OnLog);
  rd_kafka_conf_set_error_cb(conf, OnError);
}

Result<KafkaHandle> NewClient(rd_kafka_type_t type, ConfHandle conf) {
  std::array<char, 512> errstr{};
  KafkaHandle rk(rd_kafka_new(type, conf.get(), errstr.data(), errstr.size()));
  if (!rk) {
    return Fail(Code::kInvalidArgument, std::string("kafka client: ") + errstr.data());
  }
  static_cast<void>(conf.release());  // rd_kafka_new() took the conf
  return rk;
}

Result<std::int32_t> PartitionCount(rd_kafka_t* rk, const std::string& topic,
                                    std::chrono::milliseconds timeout) {
  const std::string what = "metadata for topic " + topic;
  TopicHandle rkt(rd_kafka_topic_new(rk, topic.c_str(), nullptr));
  if (!rkt) {
    return tl::unexpected(FromKafka(rd_kafka_last_error(), what));
  }
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt.get(), &raw, TimeoutMs(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return tl::unexpected(FromKafka(err, what));
  }
  const MetadataHandle metadata(raw);
  if (metadata->topic_cnt != 1) {
    return Fail(Code::kNotFound, what + ": not in the broker's answer");
  }
  const rd_kafka_metadata_topic_t& t = metadata->topics[0];
  if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return tl::unexpected(FromKafka(t.err, what));
  }
  return static_cast<std::int32_t>(t.partition_cnt);
}

Result<std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>>> Watermarks(
    rd_kafka_t* rk, const std::string& topic, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto remaining = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now());
  };
  auto count = PartitionCount(rk, topic, timeout);
  if (!count) {
    return tl::unexpected(std::move(count.error()));
  }
  std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> marks;
  for (std::int32_t p = 0; p < *count; ++p) {
    std::int64_t low = 0;
    std::int64_t high = 0;
    const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        rk, topic.c_str(), p, &low, &high,
        TimeoutMs(std::max(remaining(), std::chrono::milliseconds(1))));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return tl::unexpected(
          FromKafka(err, "watermarks of " + topic + "[" + std::to_string(p) + "]"));
    }
    marks[p] = {low, high};
  }
  return marks;
}

Result<std::map<std::int32_t, std::int64_t>> HighWatermarks(rd_kafka_t* rk,
                                                            const std::string& topic,
                                                            std::chrono::milliseconds timeout) {
  auto marks = Watermarks(rk, topic, timeout);
  if (!marks) {
    return tl::unexpected(std::move(marks.error()));
  }
  std::map<std::int32_t, std::int64_t> ends;
  for (const auto& [partition, low_high] : *marks) {
    ends[partition] = low_high.second;
  }
  return ends;
}

}  // namespace driftline::kafka::internal
