// Where the integration tests find the real local stack, and unique names so tests that run
// at the same time (or after an aborted run) never share a topic or queue.
#pragma once

#include <string>
#include <string_view>

namespace driftline::testkit {

// KAFKA_BOOTSTRAP_SERVERS, default 127.0.0.1:9092 (the stack's listener).
std::string KafkaBootstrap();
// SQS_ENDPOINT, default http://127.0.0.1:4566 (ElasticMQ).
std::string SqsEndpoint();
// "<prefix>-<pid>-<random hex>": valid as a Kafka topic and an SQS queue name.
std::string UniqueName(std::string_view prefix);

}  // namespace driftline::testkit
