// order-service configuration: the lab provider's environment variables (same names, same
// defaults) plus this service's own knobs. Command-line flags override the environment.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "bridge/input_check.h"
#include "common/env.h"
#include "common/settings.h"
#include "common/status.h"
#include "kafka/config.h"
#include "order/order.h"
#include "order/retry_policy.h"
#include "sqs/credentials.h"

namespace driftline::bridge {

struct BridgeConfig {
  // Kafka
  std::string kafka_bootstrap = "127.0.0.1:9092";        // KAFKA_BOOTSTRAP_SERVERS
  std::string main_topic = "place-order-topic";          // KAFKA_TOPIC
  std::string retry_topic = "place-order-retry-topic";   // RETRY_TOPIC
  std::string dlq_topic = "place-order-dlq-topic";       // DLQ_TOPIC
  std::string main_group = "kafka-to-sqs-bridge-group";  // KAFKA_MAIN_GROUP_ID
  std::string retry_group = "retry-consumer-group";      // KAFKA_RETRY_GROUP_ID
  kafka::Properties kafka_properties;  // KAFKA_PROPERTIES_FILE, then KAFKA_PROPERTY_<NAME>

  // SQS
  std::string sqs_endpoint = "http://127.0.0.1:4566";  // SQS_ENDPOINT
  std::string sqs_queue_url =
      "http://127.0.0.1:4566/000000000000/place-order-queue";  // SQS_QUEUE_URL
  std::string aws_region = "us-east-1";                        // AWS_REGION / AWS_DEFAULT_REGION
  // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN; when unset, the local stack's
  // test/test (ElasticMQ and LocalStack accept any), with a warning. Secrets: never logged.
  sqs::Credentials aws_credentials = sqs::LocalStackCredentials();
  bool aws_credentials_from_env = false;
  // AWS_CA_BUNDLE (the AWS SDK's and CLI's variable): a PEM file of the CAs an https
  // SQS_ENDPOINT must chain to, instead of the system's. Empty: the system's.
  std::string aws_ca_bundle;

  // Behaviour
  order::RetryPolicy retry_policy;     // MAX_RETRIES (3)
  order::FaultInjection faults;        // ENABLE_TEST_FAILURE_SCENARIOS + id lists
  bool retry_consumer_enabled = true;  // RETRY_CONSUMER_ENABLED (the drift switch)

  // Input held to a contract. ORDER_CONTRACT: the path of an AsyncAPI 3.0 contract; empty: only
  // what the transform needs is checked (the lab's rules). The check itself is built from that
  // file outside the bridge (bridge/contract_input, by order-service's main()) and shared by
  // the pipelines; null: no check. Validate() refuses a path without its check.
  std::string contract_path;
  std::shared_ptr<const InputCheck> input_check;

  // Throughput and bounds
  std::size_t sqs_batch_size = 10;                    // SQS_BATCH_SIZE (1..10)
  std::size_t sqs_max_in_flight_batches = 8;          // SQS_MAX_IN_FLIGHT_BATCHES
  std::chrono::milliseconds sqs_batch_linger{5};      // SQS_BATCH_LINGER_MS
  std::size_t max_in_flight_messages = 2000;          // MAX_IN_FLIGHT_MESSAGES, per pipeline
  std::size_t retry_max_held_per_partition = 1000;    // RETRY_MAX_HELD_PER_PARTITION
  std::chrono::milliseconds shutdown_timeout{15000};  // SHUTDOWN_TIMEOUT_MS

  // Operations
  std::string metrics_address = "127.0.0.1:9400";  // METRICS_ADDRESS ("" disables)
  std::string log_level = "info";                  // LOG_LEVEL
  std::string log_format = "text";                 // LOG_FORMAT (text | json)

  // One line per setting, secrets redacted, for the start-up log.
  std::string Describe() const;
};

// Every setting of the service: its variable, its flag (order-service's command line), and for
// integers the range both sources are held to. The AWS_* credentials, KAFKA_PROPERTY_<NAME> and
// the test-id lists are variables only and not in the table's flags.
std::span<const Setting> BridgeSettings();

// Reads every variable named above: the only place the service reads its environment; what
// it returns is complete. order-service passes an OverlayEnvironment holding its flags, so a
// flag is parsed and checked exactly like its variable. Errors (kInvalidArgument) name the
// variable and its flag, the value (unless it is a secret) and, for an integer, the range; an
// AWS_CA_BUNDLE that cannot be read or holds no certificate is one too (sqs::CheckCaBundle).
Result<BridgeConfig> LoadBridgeConfig(const Environment& env);

// Checks a configuration built in code as LoadBridgeConfig() checks the environment: every
// integer against BridgeSettings()' range, and the combinations (distinct topics and groups, a
// bootstrap server, a queue URL, an input check when ORDER_CONTRACT is set).
Status Validate(const BridgeConfig& config);

// The start-up warning for a METRICS_ADDRESS whose host is not a loopback address (0.0.0.0, an
// interface address, a name): /healthz and /metrics are then reachable from other machines,
// which the operator must have meant. Empty when the listener is loopback-only or disabled.
std::string MetricsExposureWarning(const BridgeConfig& config);

}  // namespace driftline::bridge
