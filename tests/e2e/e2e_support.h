// What the end-to-end tests share: where things are, the lab's count table, and contract-test run
// against the local stack with its reports in the test's output folder.
#pragma once

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "testkit/child_process.h"
#include "testkit/stack_env.h"

namespace driftline::e2e_support {

inline const std::filesystem::path kRepo = DRIFTLINE_SOURCE_DIR;
inline const std::filesystem::path kLab = kRepo / "../shared/reference/kafka-sqs-retry-dlq";
inline const std::filesystem::path kOutput = DRIFTLINE_TEST_OUTPUT_DIR;

// The message-count table contract-test prints for the lab's six scenarios, all passed.
inline constexpr const char* kLabTable =
    "+-------------------------+-------------------------+----------+\n"
    "| Topic                   | No of messages received            |\n"
    "+-------------------------+-------------------------+----------+\n"
    "|                         | Actual                  | Expected |\n"
    "+-------------------------+-------------------------+----------+\n"
    "| place-order-topic       | 6                       | 6        |\n"
    "| place-order-queue       | 4                       | 4        |\n"
    "| place-order-dlq-topic   | 2                       | 2        |\n"
    "| place-order-retry-topic | 2                       | 2        |\n"
    "+-------------------------+-------------------------+----------+\n";

// The local stack's SQS endpoint with the account path ("http://127.0.0.1:4566/000000000000").
inline std::string SqsAccountUrl() {
  return testkit::SqsEndpoint() + "/000000000000";
}

// contract-test `args` against the local stack, reports under kOutput/`name`, bounded at 180 s;
// prints what it said, its exit code and `note` (where the other side's log is).
inline testkit::CapturedRun RunContractTest(const std::string& name,
                                            const std::vector<std::string>& args,
                                            const std::string& note) {
  std::vector<std::string> argv = {DRIFTLINE_CONTRACT_TEST_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--kafka", testkit::KafkaBootstrap(), "--sqs", SqsAccountUrl(),
                           "--report-dir", (kOutput / name).string()});
  testkit::CapturedRun r = testkit::RunCaptured(argv, std::chrono::milliseconds(180000));
  std::cout << r.output << "\n(contract-test exit " << r.exit_code << ", " << r.wall.count()
            << " ms; " << note << ")\n";
  return r;
}

}  // namespace driftline::e2e_support
