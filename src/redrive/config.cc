#include "redrive/config.h"

#include <cstdlib>

namespace driftline::redrive {
namespace {

constexpr Setting kSettings[] = {
    {"KAFKA_BOOTSTRAP_SERVERS", "--kafka", "Kafka bootstrap servers", {}, {}, "127.0.0.1:9092"},
    {"KAFKA_TOPIC",
     "--topic",
     "Where redriven orders go (order-service's input topic)",
     {},
     {},
     "place-order-topic"},
    {"DLQ_TOPIC", "--dlq-topic", "The dead-letter topic to read", {}, {}, "place-order-dlq-topic"},
    {"REDRIVE_GROUP_ID",
     "--group",
     "This tool's consumer group: a run starts where the last run of the group committed",
     {},
     {},
     "dlq-redrive"},
    {"REDRIVE_MAX_REDRIVES",
     "--max-redrives",
     "Refuse a dead letter whose order was redriven this many times already",
     IntRange{1, 1000},
     {},
     "3"},
    {"REDRIVE_TIMEOUT_MS",
     "--timeout-ms",
     "Stop a run that has not finished after this long, ms",
     IntRange{1000, 86'400'000},
     {},
     "120000"},
    {"KAFKA_PROPERTIES_FILE", "--kafka-properties",
     "librdkafka properties file (name=value lines); a KAFKA_PROPERTY_ variable sets one "
     "property and wins over the file (KAFKA_PROPERTY_SECURITY_PROTOCOL=SSL: "
     "security.protocol=SSL)"},
    {"LOG_LEVEL", "--log-level", "trace|debug|info|warn|error", {}, {}, "warn"},
};

const Setting& SettingOf(std::string_view variable) {
  const Setting* s = FindSetting(kSettings, variable);
  if (s == nullptr) std::abort();  // a name below that is not in the table: a bug
  return *s;
}

Result<std::optional<std::int64_t>> TimeFlag(const char* flag, const std::string& text) {
  if (text.empty()) return std::optional<std::int64_t>();
  auto ms = ParseUtcMillis(text);
  if (!ms) {
    return Fail(Code::kInvalidArgument,
                std::string(flag) + " '" + text +
                    "' is not a UTC time: 2026-01-19T10:00:00Z (fractional seconds allowed) "
                    "or 2026-01-19, year 1970..9999");
  }
  return ms;
}

}  // namespace

std::span<const Setting> RedriveSettings() {
  return kSettings;
}

Result<RedriveOptions> LoadRedriveOptions(const Environment& env) {
  RedriveOptions o;
  const std::string bootstrap = EnvString(env, "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
  if (auto file = env.Get("KAFKA_PROPERTIES_FILE"); file && !file->empty()) {
    auto loaded = kafka::Properties::LoadFile(*file);
    if (!loaded) return tl::unexpected(std::move(loaded.error()).With("KAFKA_PROPERTIES_FILE"));
    o.kafka = std::move(*loaded);
  }
  if (!o.kafka.Contains("bootstrap.servers")) o.kafka.Set("bootstrap.servers", bootstrap);
  for (const auto& [name, value] : PropertiesFromEnv(env, "KAFKA_PROPERTY_")) {
    o.kafka.Set(name, value);
  }
  o.plan.main_topic = EnvString(env, "KAFKA_TOPIC", o.plan.main_topic);
  o.dlq_topic = EnvString(env, "DLQ_TOPIC", o.dlq_topic);
  o.group = EnvString(env, "REDRIVE_GROUP_ID", o.group);
  auto max = SettingInt(env, SettingOf("REDRIVE_MAX_REDRIVES"), o.plan.max_redrives);
  if (!max) return tl::unexpected(max.error());
  o.plan.max_redrives = static_cast<int>(*max);
  auto timeout = SettingInt(env, SettingOf("REDRIVE_TIMEOUT_MS"), o.timeout.count());
  if (!timeout) return tl::unexpected(timeout.error());
  o.timeout = std::chrono::milliseconds(*timeout);
  if (o.plan.main_topic == o.dlq_topic) {
    return Fail(Code::kInvalidArgument,
                "KAFKA_TOPIC (--topic) and DLQ_TOPIC (--dlq-topic) are both '" + o.dlq_topic +
                    "': a redrive would feed the dead-letter topic to itself");
  }
  return o;
}

Result<Filter> MakeFilter(const FilterFlags& flags) {
  Filter f;
  f.reason_contains = flags.reason;
  f.error_kinds = {flags.error_kinds.begin(), flags.error_kinds.end()};
  f.failure_reasons = {flags.failure_reasons.begin(), flags.failure_reasons.end()};
  f.correlation_ids = {flags.correlation_ids.begin(), flags.correlation_ids.end()};
  f.order_ids = {flags.order_ids.begin(), flags.order_ids.end()};
  auto since = TimeFlag("--since", flags.since);
  if (!since) return tl::unexpected(since.error());
  auto until = TimeFlag("--until", flags.until);
  if (!until) return tl::unexpected(until.error());
  f.since_ms = *since;
  f.until_ms = *until;
  if (f.since_ms && f.until_ms && *f.since_ms >= *f.until_ms) {
    return Fail(Code::kInvalidArgument,
                "--since " + flags.since + " is not before --until " + flags.until);
  }
  return f;
}

}  // namespace driftline::redrive
