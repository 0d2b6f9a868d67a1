// contract-test never prints a credential, neither on the console nor in junit.xml, ctrf.json
// or report.html. It runs with distinctive AWS and SASL secrets in its environment and debug
// logging, in runs that fail: no service answering on the real stack, an SQS endpoint that
// refuses every request and quotes it back, an SQS endpoint that does not answer.
#include "testkit/secrets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "testkit/child_process.h"
#include "testkit/http_stub.h"
#include "testkit/ports.h"
#include "testkit/stack_env.h"

namespace driftline::contract_tests {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

using testkit::ExpectNoSecret;
using testkit::kTestAccessKeyId;
using testkit::kTestSaslPassword;
using testkit::kTestSecretKey;
using testkit::kTestSessionToken;
using testkit::ReadFile;

class ContractTestSecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // contract-test reads these from its environment, which it inherits from this process.
    ::setenv("AWS_ACCESS_KEY_ID", kTestAccessKeyId, 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", kTestSecretKey, 1);
    ::setenv("AWS_SESSION_TOKEN", kTestSessionToken, 1);
    ::setenv("CONTRACT_KAFKA_PROPERTY_SASL_USERNAME", "driftline", 1);
    ::setenv("CONTRACT_KAFKA_PROPERTY_SASL_PASSWORD", kTestSaslPassword, 1);
  }
  void TearDown() override {
    for (const char* name :
         {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
          "CONTRACT_KAFKA_PROPERTY_SASL_USERNAME", "CONTRACT_KAFKA_PROPERTY_SASL_PASSWORD"})
      ::unsetenv(name);
  }

  // One example of the project's contract, with short waits: nothing will answer it.
  testkit::CapturedRun Run(const std::string& sqs_host, const fs::path& report_dir) {
    const std::string source = DRIFTLINE_SOURCE_DIR;
    fs::remove_all(report_dir);
    return testkit::RunCaptured({DRIFTLINE_CONTRACT_TEST_BIN,
                                 "--contract",
                                 source + "/contracts/order-service.yaml",
                                 "--examples",
                                 source + "/contracts/order-service_examples",
                                 "--filter",
                                 "Standard order",
                                 "--kafka",
                                 testkit::KafkaBootstrap(),
                                 "--sqs",
                                 sqs_host,
                                 "--reply-timeout",
                                 "2",
                                 "--settle",
                                 "0.5",
                                 "--report-dir",
                                 report_dir.string(),
                                 "--log-level",
                                 "debug",
                                 "--verbose"},
                                milliseconds(120000));
  }
};

TEST_F(ContractTestSecretsTest, AFailedRunOnTheStackLeaksNothingInOutputOrReports) {
  const fs::path reports = fs::path(DRIFTLINE_TEST_OUTPUT_DIR) / "no-service";
  const testkit::CapturedRun run = Run(testkit::SqsEndpoint() + "/000000000000", reports);
  EXPECT_EQ(run.exit_code, 1) << run.output;  // nothing answered: the test failed
  ExpectNoSecret(run.output, "console output");
  for (const char* name : {"junit.xml", "ctrf.json", "report.html"}) {
    ASSERT_TRUE(fs::exists(reports / name)) << name << "\n" << run.output;
    const std::string report = ReadFile(reports / name);
    EXPECT_THAT(report, HasSubstr("Standard order")) << name;  // the run is in it
    ExpectNoSecret(report, name);
  }
}

TEST_F(ContractTestSecretsTest, AnSqsEndpointQuotingTheRequestBackLeaksNothing) {
  testkit::HttpStub sqs(testkit::HttpStub::QuotingRejection());
  const fs::path reports = fs::path(DRIFTLINE_TEST_OUTPUT_DIR) / "rejected";
  const testkit::CapturedRun run = Run(sqs.base_url() + "/000000000000", reports);
  EXPECT_NE(run.exit_code, 0) << run.output;
  // The credentials were in play: the server saw the signed request it quoted back.
  ASSERT_FALSE(sqs.requests().empty()) << run.output;
  EXPECT_THAT(sqs.requests().front().raw, HasSubstr(kTestAccessKeyId));
  EXPECT_THAT(run.output, HasSubstr("The request was refused")) << run.output;
  ExpectNoSecret(run.output, "console output");
  for (const char* name : {"junit.xml", "ctrf.json", "report.html"}) {
    if (fs::exists(reports / name)) ExpectNoSecret(ReadFile(reports / name), name);
  }
}

TEST_F(ContractTestSecretsTest, AnUnreachableSqsEndpointLeaksNothing) {
  const fs::path reports = fs::path(DRIFTLINE_TEST_OUTPUT_DIR) / "unreachable";
  const testkit::CapturedRun run = Run(
      "http://127.0.0.1:" + std::to_string(testkit::FreeLoopbackPort()) + "/000000000000", reports);
  EXPECT_NE(run.exit_code, 0) << run.output;
  ExpectNoSecret(run.output, "console output");
  for (const char* name : {"junit.xml", "ctrf.json", "report.html"}) {
    if (fs::exists(reports / name)) ExpectNoSecret(ReadFile(reports / name), name);
  }
}

}  // namespace
}  // namespace driftline::contract_tests
