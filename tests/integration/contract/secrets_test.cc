// contract-test never prints a credential, neither on the console nor in junit.xml, ctrf.json
// or report.html. It runs with distinctive AWS and SASL secrets in its environment and debug
// logging, in runs that fail: no service answering on the real stack, an SQS endpoint that
// refuses every request and quotes it back, an SQS endpoint that does not answer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "loopback_http_server.h"
#include "processes.h"
#include "support/rejecting_http_server.h"
#include "support/stack_env.h"

namespace driftline::contract_tests {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kAccessKeyId = "AKIADLCONTRACTKEY815";
constexpr const char* kSecretKey = "dlContractSecretKey/NeverPrinted+0123456789ab";
constexpr const char* kSessionToken = "dlContractSessionToken/NeverPrinted+IQoJb3JpZ2lu";
constexpr const char* kSaslPassword = "dlContractSaslPassword-NeverPrinted-77";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ContractTestSecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // contract-test reads these from its environment, which it inherits from this process.
    ::setenv("AWS_ACCESS_KEY_ID", kAccessKeyId, 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", kSecretKey, 1);
    ::setenv("AWS_SESSION_TOKEN", kSessionToken, 1);
    ::setenv("CONTRACT_KAFKA_PROPERTY_SASL_USERNAME", "driftline", 1);
    ::setenv("CONTRACT_KAFKA_PROPERTY_SASL_PASSWORD", kSaslPassword, 1);
  }
  void TearDown() override {
    for (const char* name :
         {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
          "CONTRACT_KAFKA_PROPERTY_SASL_USERNAME", "CONTRACT_KAFKA_PROPERTY_SASL_PASSWORD"})
      ::unsetenv(name);
  }

  // One example of the project's contract, with short waits: nothing will answer it.
  RunResult Run(const std::string& sqs_host, const fs::path& report_dir) {
    const std::string source = DRIFTLINE_SOURCE_DIR;
    fs::remove_all(report_dir);
    return RunCaptured({DRIFTLINE_CONTRACT_TEST_BIN,
                        "--contract",
                        source + "/contracts/order-service.yaml",
                        "--examples",
                        source + "/contracts/order-service_examples",
                        "--filter",
                        "Standard order",
                        "--kafka",
                        driftline::testing::KafkaBootstrap(),
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

  // The access key id is checked too: nothing prints it today, and the SQS client scrubs it
  // from server errors, so printing it would be a deliberate change.
  static void ExpectNoSecret(const std::string& text, const std::string& where) {
    EXPECT_THAT(text, Not(HasSubstr(kSecretKey))) << where;
    EXPECT_THAT(text, Not(HasSubstr(kSessionToken))) << where;
    EXPECT_THAT(text, Not(HasSubstr(kSaslPassword))) << where;
    EXPECT_THAT(text, Not(HasSubstr(kAccessKeyId))) << where;
  }
};

TEST_F(ContractTestSecretsTest, AFailedRunOnTheStackLeaksNothingInOutputOrReports) {
  const fs::path reports = fs::path(DRIFTLINE_TEST_OUTPUT_DIR) / "no-service";
  const RunResult run = Run(driftline::testing::SqsEndpoint() + "/000000000000", reports);
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
  driftline::testing::RejectingHttpServer sqs;
  const fs::path reports = fs::path(DRIFTLINE_TEST_OUTPUT_DIR) / "rejected";
  const RunResult run = Run(sqs.base_url() + "/000000000000", reports);
  EXPECT_NE(run.exit_code, 0) << run.output;
  // The credentials were in play: the server saw the signed request it quoted back.
  ASSERT_FALSE(sqs.requests().empty()) << run.output;
  EXPECT_THAT(sqs.requests().front(), HasSubstr(kAccessKeyId));
  EXPECT_THAT(run.output, HasSubstr("The request was refused")) << run.output;
  ExpectNoSecret(run.output, "console output");
  for (const char* name : {"junit.xml", "ctrf.json", "report.html"}) {
    if (fs::exists(reports / name)) ExpectNoSecret(ReadFile(reports / name), name);
  }
}

TEST_F(ContractTestSecretsTest, AnUnreachableSqsEndpointLeaksNothing) {
  const fs::path reports = fs::path(DRIFTLINE_TEST_OUTPUT_DIR) / "unreachable";
  const RunResult run = Run(
      "http://127.0.0.1:" + std::to_string(sqs::testing::UnusedLoopbackPort()) + "/000000000000",
      reports);
  EXPECT_NE(run.exit_code, 0) << run.output;
  ExpectNoSecret(run.output, "console output");
  for (const char* name : {"junit.xml", "ctrf.json", "report.html"}) {
    if (fs::exists(reports / name)) ExpectNoSecret(ReadFile(reports / name), name);
  }
}

}  // namespace
}  // namespace driftline::contract_tests
