// Everything a run needs, loaded and checked before anything is sent: the config, the
// contracts, the examples, one TestPlan per example; in strict mode every example validated
// against the contract; and where the servers are. Observed messages are always checked against
// the whole schema unless the run is lenient.
//
// Every error here is a configuration or contract error (the runner exits with 2): malformed
// files (file:line), dangling/cyclic `$ref`s, examples that fit no operation, and in strict mode
// invalid examples (each problem naming the example file and the JSON pointer).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/settings.h"
#include "common/status.h"
#include "contract/check/check.h"
#include "contract/run/plan.h"
#include "contract/run/test_case.h"
#include "contract/spec/config.h"
#include "contract/spec/example.h"
#include "contract/spec/model.h"

namespace driftline::contract {

struct SuiteOptions {
  std::optional<std::filesystem::path> config;      // specmatic.yaml
  std::vector<std::filesystem::path> contracts;     // --contract (instead of the config's)
  std::vector<std::filesystem::path> example_dirs;  // --examples (instead of the config's)
  std::optional<bool> strict;        // --strict: validate the examples first (else the config's)
  bool lenient = false;              // --lenient: relax the checks of observed messages too
  std::vector<std::string> filters;  // run only examples whose name contains one
  // No example to run is not an error (the caller adds generated tests, and checks).
  bool allow_no_examples = false;
};

// One contract with its examples and plans.
struct SpecSuite {
  std::unique_ptr<Contract> contract;
  std::unique_ptr<SchemaCatalog> schemas;
  std::vector<std::unique_ptr<Example>> examples;
  std::vector<TestPlan> plans;
};

struct Suite {
  std::optional<SuiteConfig> config;
  std::vector<std::unique_ptr<SpecSuite>> specs;
  // Every example validated against the contract before anything is sent (settings.strictMode,
  // --strict).
  bool strict = false;
  // Observed messages checked without `required` and `additionalProperties: false` (--lenient);
  // otherwise they are checked against the whole schema, whatever the source of the run.
  bool lenient = false;
  std::vector<std::string> warnings;

  std::vector<TestCase> Cases() const;
  // "order-service-sqs-kafka.yaml (Order Service Kafka-SQS API 1.0.0)"
  std::string Title() const;
};

Result<Suite> LoadSuite(const SuiteOptions& options);

// Where the servers are. Precedence: command line, then the environment (CONTRACT_KAFKA,
// CONTRACT_SQS, CONTRACT_SQS_REGION), then the config's runOptions servers, then the contract's
// servers. SQS credentials: the config's adminCredentials, else AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY / AWS_REGION, else the local stack's test/test in us-east-1. The CA
// bundle of an https SQS endpoint: AWS_CA_BUNDLE, else the system's store.
struct Endpoints {
  std::string kafka_bootstrap;  // "" when no channel needs Kafka
  std::string sqs_host;         // "http://127.0.0.1:4566/000000000000"
  std::string sqs_region = "us-east-1";
  std::string sqs_access_key_id = "test";
  std::string sqs_secret_access_key = "test";
  std::string sqs_ca_bundle;  // AWS_CA_BUNDLE; "" for the system's store
  std::string kafka_source;   // where each came from, for the start-up line
  std::string sqs_source;
};

struct EndpointOverrides {
  std::string kafka;  // --kafka
  std::string sqs;    // --sqs
};

Endpoints ResolveEndpoints(const Suite& suite, const EndpointOverrides& overrides,
                           const Environment& env);

// contract-test's settings read from the environment, with the flag that wins over each where
// there is one: the endpoints and credentials above, and Studio's history folder. It builds
// `--kafka`/`--sqs`'s help, the help's footer, `--settings-markdown` (the README's table, the
// man page's ENVIRONMENT section). A test holds ResolveEndpoints to it.
std::span<const Setting> ContractTestSettings();

}  // namespace driftline::contract
