// order-service: consumes orders from Kafka, transforms them, sends them to SQS, and routes
// failures through the retry topic to the dead-letter topic. Configuration comes from the lab's
// environment variables; flags override them (see --help).
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>

#include "bridge/config.h"
#include "bridge/service.h"
#include "common/log.h"

namespace {

constexpr int kExitConfig = 2;
constexpr int kExitFailure = 1;

}  // namespace

int main(int argc, char** argv) {
  using driftline::bridge::BridgeConfig;
  auto loaded = driftline::bridge::LoadBridgeConfig(driftline::Environment::Process());
  if (!loaded) {
    std::fprintf(stderr, "order-service: %s\n", loaded.error().message().c_str());
    return kExitConfig;
  }
  BridgeConfig config = std::move(*loaded);

  CLI::App app{
      "order-service: Kafka -> SQS order bridge with a retry topic and a dead-letter topic.\n"
      "Every flag has an environment variable (the lab's names); flags win."};
  app.add_option("--kafka", config.kafka_bootstrap,
                 "Kafka bootstrap servers [KAFKA_BOOTSTRAP_SERVERS]");
  app.add_option("--topic", config.main_topic, "Input topic [KAFKA_TOPIC]");
  app.add_option("--retry-topic", config.retry_topic, "Retry topic [RETRY_TOPIC]");
  app.add_option("--dlq-topic", config.dlq_topic, "Dead-letter topic [DLQ_TOPIC]");
  app.add_option("--main-group", config.main_group, "Main consumer group [KAFKA_MAIN_GROUP_ID]");
  app.add_option("--retry-group", config.retry_group,
                 "Retry consumer group [KAFKA_RETRY_GROUP_ID]");
  app.add_option("--sqs-endpoint", config.sqs_endpoint, "SQS endpoint URL [SQS_ENDPOINT]");
  app.add_option("--queue-url", config.sqs_queue_url, "SQS queue URL [SQS_QUEUE_URL]");
  app.add_option("--max-retries", config.retry_policy.max_retries,
                 "Retries before dead-lettering [MAX_RETRIES]");
  bool no_retry = false;
  app.add_flag("--no-retry-consumer", no_retry,
               "Do not run the retry pipeline (reproduces the lab's drift) "
               "[RETRY_CONSUMER_ENABLED=false]");
  app.add_flag("--test-failures", config.faults.enabled,
               "Enable the test-only fault injection ids [ENABLE_TEST_FAILURE_SCENARIOS]");
  std::string kafka_properties_file;
  app.add_option("--kafka-properties", kafka_properties_file,
                 "librdkafka properties file (name=value lines) [KAFKA_PROPERTIES_FILE]; "
                 "KAFKA_PROPERTY_<NAME> variables set single properties");
  app.add_option("--batch-size", config.sqs_batch_size,
                 "Entries per SendMessageBatch, 1..10 [SQS_BATCH_SIZE]");
  app.add_option("--batches-in-flight", config.sqs_max_in_flight_batches,
                 "Concurrent SendMessageBatch requests [SQS_MAX_IN_FLIGHT_BATCHES]");
  std::int64_t linger_ms = config.sqs_batch_linger.count();
  app.add_option("--linger-ms", linger_ms, "Wait for a fuller batch, ms [SQS_BATCH_LINGER_MS]");
  app.add_option("--max-in-flight", config.max_in_flight_messages,
                 "Unfinished records per pipeline before input pauses [MAX_IN_FLIGHT_MESSAGES]");
  app.add_option("--metrics-address", config.metrics_address,
                 "host:port for /healthz and /metrics, empty disables [METRICS_ADDRESS]");
  app.add_option("--log-level", config.log_level, "trace|debug|info|warn|error [LOG_LEVEL]");
  app.add_option("--log-format", config.log_format, "text|json [LOG_FORMAT]");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (no_retry) config.retry_consumer_enabled = false;
  config.sqs_batch_linger = std::chrono::milliseconds(linger_ms);
  if (!kafka_properties_file.empty()) {
    auto props = driftline::kafka::Properties::LoadFile(kafka_properties_file);
    if (!props) {
      std::fprintf(stderr, "order-service: %s\n", props.error().message().c_str());
      return kExitConfig;
    }
    config.kafka_properties.Merge(*props);
  }

  if (auto s = driftline::InitLogging(config.log_level, config.log_format); !s) {
    std::fprintf(stderr, "order-service: %s\n", s.error().message().c_str());
    return kExitConfig;
  }

  // Signals are taken by this thread with sigtimedwait; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  spdlog::info("order-service starting: {}", config.Describe());
  auto service = driftline::bridge::OrderService::Create(config, driftline::Clock::System());
  if (!service) {
    spdlog::error("order-service: {}", service.error().Trace());
    return kExitConfig;
  }
  (*service)->Start();
  if ((*service)->ops_port() > 0) {
    const std::string host = config.metrics_address.substr(0, config.metrics_address.rfind(':'));
    spdlog::info("health and metrics on http://{}:{}/healthz and /metrics", host,
                 (*service)->ops_port());
  }

  int exit_code = 0;
  for (;;) {
    timespec tick{1, 0};
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
      break;
    }
    if ((*service)->Failed()) {
      spdlog::critical("a pipeline failed; shutting down");
      exit_code = kExitFailure;
      break;
    }
  }
  (*service)->Stop();
  return exit_code;
}
