#include "bridge/config.h"

#include <sstream>

#include "common/strings.h"
#include "ops/http_server.h"

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

Result<std::size_t> Count(const Environment& env, const char* name, std::size_t fallback) {
  auto v = EnvInt(env, name, static_cast<std::int64_t>(fallback));
  if (!v) return tl::unexpected(v.error());
  if (*v <= 0) {
    return Fail(Code::kInvalidArgument,
                std::string(name) + " must be positive, got " + std::to_string(*v));
  }
  return static_cast<std::size_t>(*v);
}

}  // namespace

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

  auto max_retries = EnvInt(env, "MAX_RETRIES", c.retry_policy.max_retries);
  if (!max_retries) return tl::unexpected(max_retries.error());
  if (*max_retries < 0 || *max_retries > 1000) {
    return Fail(Code::kInvalidArgument,
                "MAX_RETRIES must be between 0 and 1000, got " + std::to_string(*max_retries));
  }
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

  auto batch = Count(env, "SQS_BATCH_SIZE", c.sqs_batch_size);
  auto batches = Count(env, "SQS_MAX_IN_FLIGHT_BATCHES", c.sqs_max_in_flight_batches);
  auto in_flight = Count(env, "MAX_IN_FLIGHT_MESSAGES", c.max_in_flight_messages);
  auto held = Count(env, "RETRY_MAX_HELD_PER_PARTITION", c.retry_max_held_per_partition);
  auto shutdown =
      Count(env, "SHUTDOWN_TIMEOUT_MS", static_cast<std::size_t>(c.shutdown_timeout.count()));
  auto linger = EnvInt(env, "SQS_BATCH_LINGER_MS", c.sqs_batch_linger.count());
  for (const auto* r : {&batch, &batches, &in_flight, &held, &shutdown}) {
    if (!*r) return tl::unexpected(r->error());
  }
  if (!linger) return tl::unexpected(linger.error());
  c.sqs_batch_size = *batch;
  c.sqs_max_in_flight_batches = *batches;
  c.max_in_flight_messages = *in_flight;
  c.retry_max_held_per_partition = *held;
  c.shutdown_timeout = std::chrono::milliseconds(*shutdown);
  c.sqs_batch_linger = std::chrono::milliseconds(*linger);

  if (auto addr = env.Get("METRICS_ADDRESS")) c.metrics_address = *addr;
  c.log_level = EnvString(env, "LOG_LEVEL", c.log_level);
  c.log_format = EnvString(env, "LOG_FORMAT", c.log_format);
  return c;
}

Status Validate(const BridgeConfig& c) {
  if (c.sqs_batch_size < 1 || c.sqs_batch_size > 10) {
    return Fail(Code::kInvalidArgument,
                "SQS_BATCH_SIZE must be 1..10 (an SQS batch holds at most "
                "10 messages), got " +
                    std::to_string(c.sqs_batch_size));
  }
  if (c.sqs_batch_linger.count() < 0 || c.sqs_batch_linger.count() > 1000) {
    return Fail(Code::kInvalidArgument, "SQS_BATCH_LINGER_MS must be 0..1000");
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
    << " credentials=" << (aws_credentials_from_env ? "environment" : "local-test-defaults")
    << " max_retries=" << retry_policy.max_retries
    << " retry_consumer=" << (retry_consumer_enabled ? "on" : "OFF")
    << " test_faults=" << (faults.enabled ? "on" : "off");
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
