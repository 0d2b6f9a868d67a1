// Where the lab's files and the project's contract are, from the source tree's root: the lab's
// reference files sit beside the clone (../shared/reference/kafka-sqs-retry-dlq/), unmodified.
#pragma once

#include <filesystem>

namespace driftline::testkit {

struct LabFiles {
  std::filesystem::path dir;               // the lab's folder (specmatic.yaml in it)
  std::filesystem::path contract;          // its AsyncAPI contract
  std::filesystem::path examples;          // its six examples
  std::filesystem::path project_contract;  // contracts/order-service.yaml
  std::filesystem::path project_examples;  // contracts/order-service_examples
};

inline LabFiles LabFilesFrom(const std::filesystem::path& source) {
  LabFiles f;
  f.dir = source / "../shared/reference/kafka-sqs-retry-dlq";
  f.contract = f.dir /
               ".specmatic/repos/labs-contracts/asyncapi/kafka-sqs-retry-dlq/"
               "order-service-sqs-kafka.yaml";
  f.examples = f.dir / "spec/order-service-sqs-kafka_examples";
  f.project_contract = source / "contracts/order-service.yaml";
  f.project_examples = source / "contracts/order-service_examples";
  return f;
}

}  // namespace driftline::testkit
