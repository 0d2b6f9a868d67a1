#include "bridge/config.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <utility>

#include "common/strings.h"
#include "ops/http_server.h"
#include "sqs/curl_transport.h"

namespace driftline::bridge {
namespace {

std::set<std::string> IdList(const Environment& env, const char* name, const char* fallback) {
  // An explicit variable (even empty) replaces the default list.
  const auto raw = env.Get(name);
  const std::string value = raw ? *raw : std::string(fallback);
  std::set<std::string> out;
  std::stringstream in(value);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (const std::string_view id = Trim(item); !id.empty()) out.emplace(id);
  }
  return out;
}

// The table: one row per setting. Ranges are what the service can work with: a bound of 0
// would never consume (MAX_IN_FLIGHT_MESSAGES) or never send (SQS_BATCH_SIZE); a negative
// MAX_RETRIES would dead-letter every retryable order at once.
constexpr Setting kSettings[] = {
    {"KAFKA_BOOTSTRAP_SERVERS", "--kafka", "Kafka bootstrap servers", {}, {}, "127.0.0.1:9092"},
    {"KAFKA_TOPIC", "--topic", "Input topic", {}, {}, "place-order-topic"},
    {"RETRY_TOPIC", "--retry-topic", "Retry topic", {}, {}, "place-order-retry-topic"},
    {"DLQ_TOPIC", "--dlq-topic", "Dead-letter topic", {}, {}, "place-order-dlq-topic"},
    {"KAFKA_MAIN_GROUP_ID",
     "--main-group",
     "Main consumer group",
     {},
     {},
     "kafka-to-sqs-bridge-group"},
    {"KAFKA_RETRY_GROUP_ID",
     "--retry-group",
     "Retry consumer group",
     {},
     {},
     "retry-consumer-group"},
    {"KAFKA_PROPERTIES_FILE", "--kafka-properties",
     "librdkafka properties file (name=value lines); a KAFKA_PROPERTY_ variable sets one "
     "property and wins over the file (KAFKA_PROPERTY_SECURITY_PROTOCOL=SSL: "
     "security.protocol=SSL)"},
    {"SQS_ENDPOINT", "--sqs-endpoint", "SQS endpoint URL", {}, {}, "http://127.0.0.1:4566"},
    {"SQS_QUEUE_URL",
     "--queue-url",
     "SQS queue URL",
     {},
     {},
     "http://127.0.0.1:4566/000000000000/place-order-queue"},
    {"AWS_REGION",
     "",
     "Region requests are signed for (AWS_DEFAULT_REGION when unset)",
     {},
     {},
     "us-east-1"},
    {"AWS_ACCESS_KEY_ID", "",
     "SQS credentials, with AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; unset: the local "
     "stack's test/test, with a warning"},
    {"AWS_CA_BUNDLE", "--ca-bundle",
     "PEM file of the CAs an https SQS endpoint must chain to (default: the system's)"},
    {"MAX_RETRIES", "--max-retries", "Retries before dead-lettering", IntRange{0, 1000}, {}, "3"},
    {"ENABLE_TEST_FAILURE_SCENARIOS", "--test-failures", "Enable the test-only fault injection ids",
     std::nullopt, "true", "false"},
    {"FAIL_ONCE_ORDER_IDS",
     "",
     "Test fault injection: order ids whose first attempt fails (comma-separated)",
     {},
     {},
     "ORD-RETRY-90001"},
    {"ALWAYS_FAIL_ORDER_IDS",
     "",
     "Test fault injection: order ids whose every attempt fails, retryably (comma-separated)",
     {},
     {},
     "ORD-DLQ-90001"},
    {"DIRECT_DLQ_ORDER_IDS",
     "",
     "Test fault injection: order ids dead-lettered on the first attempt (comma-separated)",
     {},
     {},
     "ORD-RECEIVE-DLQ-90001"},
    {"RETRY_CONSUMER_ENABLED", "--no-retry-consumer",
     "Do not run the retry pipeline (reproduces the lab's drift)", std::nullopt, "false", "true"},
    {"ORDER_CONTRACT", "--contract",
     "AsyncAPI 3.0 contract: dead-letter (schema-violation) every order of the input topic that "
     "conforms to none of its receive operation's messages; unset: the lab's checks only"},
    {"SQS_BATCH_SIZE",
     "--batch-size",
     "Entries per SendMessageBatch (an SQS batch holds at most 10)",
     IntRange{1, 10},
     {},
     "10"},
    {"SQS_MAX_IN_FLIGHT_BATCHES",
     "--batches-in-flight",
     "Concurrent SendMessageBatch requests",
     IntRange{1, 64},
     {},
     "8"},
    {"SQS_BATCH_LINGER_MS",
     "--linger-ms",
     "Wait for a fuller batch, ms",
     IntRange{0, 1000},
     {},
     "5"},
    {"MAX_IN_FLIGHT_MESSAGES",
     "--max-in-flight",
     "Unfinished records per pipeline before input pauses",
     IntRange{1, 1'000'000},
     {},
     "2000"},
    {"RETRY_MAX_HELD_PER_PARTITION",
     "--max-held-per-partition",
     "Retry records parked per partition before it is paused",
     IntRange{1, 1'000'000},
     {},
     "1000"},
    {"SHUTDOWN_TIMEOUT_MS",
     "--shutdown-timeout-ms",
     "How long a shutdown waits for records in flight, ms (0: not at all)",
     IntRange{0, 3'600'000},
     {},
     "15000"},
    {"METRICS_ADDRESS",
     "--metrics-address",
     "host:port for /healthz and /metrics, empty disables",
     {},
     {},
     "127.0.0.1:9400"},
    {"LOG_LEVEL", "--log-level", "trace|debug|info|warn|error", {}, {}, "info"},
    {"LOG_FORMAT", "--log-format", "text|json", {}, {}, "text"},
};

const Setting& SettingOf(std::string_view variable) {
  const Setting* s = FindSetting(kSettings, variable);
  if (s == nullptr) std::abort();  // a name below that is not in the table: a bug
  return *s;
}

Result<std::int64_t> Int(const Environment& env, std::string_view variable, std::int64_t fallback) {
  return SettingInt(env, SettingOf(variable), fallback);
}

// A std::size_t field as the table's (signed) integer: values past INT64_MAX stay out of range.
std::int64_t AsInt(std::size_t v) {
  return static_cast<std::int64_t>(
      std::min<std::size_t>(v, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())));
}

}  // namespace

std::span<const Setting> BridgeSettings() {
  return kSettings;
}

Result<BridgeConfig> LoadBridgeConfig(const Environment& env) {
  BridgeConfig c;
  c.kafka_bootstrap = EnvString(env, "KAFKA_BOOTSTRAP_SERVERS", c.kafka_bootstrap);
  c.main_topic = EnvString(env, "KAFKA_TOPIC", c.main_topic);
  c.retry_topic = EnvString(env, "RETRY_TOPIC", c.retry_topic);
  c.dlq_topic = EnvString(env, "DLQ_TOPIC", c.dlq_topic);
  c.main_group = EnvString(env, "KAFKA_MAIN_GROUP_ID", c.main_group);
  c.retry_group = EnvString(env, "KAFKA_RETRY_GROUP_ID", c.retry_group);

  if (auto file = env.Get("KAFKA_PROPERTIES_FILE"); file && !file->empty()) {
    auto loaded = kafka::Properties::LoadFile(*file);
    if (!loaded) return tl::unexpected(std::move(loaded.error()).With("KAFKA_PROPERTIES_FILE"));
    c.kafka_properties = std::move(*loaded);
  }
  for (const auto& [k, v] : PropertiesFromEnv(env, "KAFKA_PROPERTY_"))
    c.kafka_properties.Set(k, v);

  c.sqs_endpoint = EnvString(env, "SQS_ENDPOINT", c.sqs_endpoint);
  c.sqs_queue_url = EnvString(env, "SQS_QUEUE_URL", c.sqs_queue_url);
  c.aws_region = EnvString(env, "AWS_REGION", EnvString(env, "AWS_DEFAULT_REGION", c.aws_region));
  auto credentials = sqs::CredentialsFromEnv(env, sqs::WhenMissing::kUseLocalStackDefaults);
  if (!credentials) return tl::unexpected(std::move(credentials.error()).With("SQS settings"));
  c.aws_credentials = std::move(*credentials);
  c.aws_credentials_from_env = env.Get("AWS_ACCESS_KEY_ID").has_value();
  c.aws_ca_bundle = EnvString(env, "AWS_CA_BUNDLE", "");
  if (!c.aws_ca_bundle.empty()) {
    if (Status s = sqs::CheckCaBundle(c.aws_ca_bundle); !s) {
      // The path is in the check's message: "<path>: cannot be read (no such file)".
      return Fail(Code::kInvalidArgument,
                  SettingName(SettingOf("AWS_CA_BUNDLE")) + " = " + s.error().message());
    }
  }

  auto max_retries = Int(env, "MAX_RETRIES", c.retry_policy.max_retries);
  if (!max_retries) return tl::unexpected(max_retries.error());
  c.retry_policy.max_retries = static_cast<int>(*max_retries);

  auto faults = EnvBool(env, "ENABLE_TEST_FAILURE_SCENARIOS", false);
  if (!faults) return tl::unexpected(faults.error());
  c.faults.enabled = *faults;
  c.faults.fail_once = IdList(env, "FAIL_ONCE_ORDER_IDS", "ORD-RETRY-90001");
  c.faults.always_fail = IdList(env, "ALWAYS_FAIL_ORDER_IDS", "ORD-DLQ-90001");
  c.faults.direct_dlq = IdList(env, "DIRECT_DLQ_ORDER_IDS", "ORD-RECEIVE-DLQ-90001");

  auto retry_on = EnvBool(env, "RETRY_CONSUMER_ENABLED", true);
  if (!retry_on) return tl::unexpected(retry_on.error());
  c.retry_consumer_enabled = *retry_on;
  c.contract_path = EnvString(env, "ORDER_CONTRACT", "");

  auto batch = Int(env, "SQS_BATCH_SIZE", AsInt(c.sqs_batch_size));
  auto batches = Int(env, "SQS_MAX_IN_FLIGHT_BATCHES", AsInt(c.sqs_max_in_flight_batches));
  auto in_flight = Int(env, "MAX_IN_FLIGHT_MESSAGES", AsInt(c.max_in_flight_messages));
  auto held = Int(env, "RETRY_MAX_HELD_PER_PARTITION", AsInt(c.retry_max_held_per_partition));
  auto shutdown = Int(env, "SHUTDOWN_TIMEOUT_MS", c.shutdown_timeout.count());
  auto linger = Int(env, "SQS_BATCH_LINGER_MS", c.sqs_batch_linger.count());
  for (const auto* r : {&batch, &batches, &in_flight, &held, &shutdown, &linger}) {
    if (!*r) return tl::unexpected(r->error());
  }
  // In range, hence positive where a size is expected.
  c.sqs_batch_size = static_cast<std::size_t>(*batch);
  c.sqs_max_in_flight_batches = static_cast<std::size_t>(*batches);
  c.max_in_flight_messages = static_cast<std::size_t>(*in_flight);
  c.retry_max_held_per_partition = static_cast<std::size_t>(*held);
  c.shutdown_timeout = std::chrono::milliseconds(*shutdown);
  c.sqs_batch_linger = std::chrono::milliseconds(*linger);

  if (auto addr = env.Get("METRICS_ADDRESS")) c.metrics_address = *addr;
  c.log_level = EnvString(env, "LOG_LEVEL", c.log_level);
  c.log_format = EnvString(env, "LOG_FORMAT", c.log_format);
  return c;
}

Status Validate(const BridgeConfig& c) {
  const std::pair<std::string_view, std::int64_t> integers[] = {
      {"MAX_RETRIES", c.retry_policy.max_retries},
      {"SQS_BATCH_SIZE", AsInt(c.sqs_batch_size)},
      {"SQS_MAX_IN_FLIGHT_BATCHES", AsInt(c.sqs_max_in_flight_batches)},
      {"SQS_BATCH_LINGER_MS", c.sqs_batch_linger.count()},
      {"MAX_IN_FLIGHT_MESSAGES", AsInt(c.max_in_flight_messages)},
      {"RETRY_MAX_HELD_PER_PARTITION", AsInt(c.retry_max_held_per_partition)},
      {"SHUTDOWN_TIMEOUT_MS", c.shutdown_timeout.count()},
  };
  for (const auto& [variable, value] : integers) {
    if (Status s = CheckRange(SettingOf(variable), value); !s) return s;
  }
  if (c.main_topic == c.retry_topic || c.main_topic == c.dlq_topic ||
      c.retry_topic == c.dlq_topic) {
    return Fail(Code::kInvalidArgument, "KAFKA_TOPIC, RETRY_TOPIC and DLQ_TOPIC must differ");
  }
  if (c.main_group == c.retry_group) {
    return Fail(Code::kInvalidArgument, "KAFKA_MAIN_GROUP_ID and KAFKA_RETRY_GROUP_ID must differ");
  }
  if (c.kafka_bootstrap.empty() && !c.kafka_properties.Contains("bootstrap.servers")) {
    return Fail(Code::kInvalidArgument, "KAFKA_BOOTSTRAP_SERVERS is empty");
  }
  if (c.sqs_queue_url.empty()) return Fail(Code::kInvalidArgument, "SQS_QUEUE_URL is empty");
  if (!c.contract_path.empty() && c.input_check == nullptr) {
    return Fail(Code::kInvalidArgument, SettingName(SettingOf("ORDER_CONTRACT")) + " = " +
                                            c.contract_path +
                                            ": the input check was not built from the contract");
  }
  return Ok();
}

std::string MetricsExposureWarning(const BridgeConfig& config) {
  const std::string& address = config.metrics_address;
  if (address.empty() || ops::IsLoopbackHost(address.substr(0, address.rfind(':')))) return "";
  return "METRICS_ADDRESS=" + address +
         " is not a loopback address: /healthz and /metrics are reachable from other machines "
         "(the default is 127.0.0.1:9400)";
}

std::string BridgeConfig::Describe() const {
  std::ostringstream o;
  auto ids = [](const std::set<std::string>& s) {
    std::string out;
    for (const auto& id : s)
      out += (out.empty() ? "" : ",") + id;
    return out;
  };
  o << "kafka=" << kafka_bootstrap << " topics=" << main_topic << "," << retry_topic << ","
    << dlq_topic << " groups=" << main_group << "," << retry_group << " kafka_properties={"
    << kafka_properties.Redacted() << "}"
    << " sqs_endpoint=" << sqs_endpoint << " queue=" << sqs_queue_url << " region=" << aws_region
    << " ca_bundle=" << (aws_ca_bundle.empty() ? "system" : aws_ca_bundle)
    << " credentials=" << (aws_credentials_from_env ? "environment" : "local-test-defaults")
    << " max_retries=" << retry_policy.max_retries
    << " retry_consumer=" << (retry_consumer_enabled ? "on" : "OFF")
    << " test_faults=" << (faults.enabled ? "on" : "off")
    << " contract=" << (contract_path.empty() ? "off" : contract_path);
  if (faults.enabled) {
    o << " fail_once=[" << ids(faults.fail_once) << "] always_fail=[" << ids(faults.always_fail)
      << "] direct_dlq=[" << ids(faults.direct_dlq) << "]";
  }
  o << " batch=" << sqs_batch_size << " batches_in_flight=" << sqs_max_in_flight_batches
    << " linger_ms=" << sqs_batch_linger.count() << " max_in_flight=" << max_in_flight_messages
    << " metrics=" << (metrics_address.empty() ? "off" : metrics_address);
  return o.str();
}

}  // namespace driftline::bridge
