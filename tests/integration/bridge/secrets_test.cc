// order-service never prints a credential. The binary runs with debug logging (text and JSON)
// and distinctive AWS and SASL secrets, in conditions that make it log errors: an SQS endpoint
// that rejects every request and quotes the request back (as AWS's InvalidClientTokenId and
// SignatureDoesNotMatch errors do), Kafka refusing the SASL handshake, SQS unreachable.
// Everything it wrote, and every dead letter it produced, must be free of the secrets.
#include "testkit/secrets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness.h"
#include "testkit/http_stub.h"
#include "testkit/ports.h"

namespace driftline::bridge::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

using testkit::ExpectNoSecret;
using testkit::kTestAccessKeyId;
using testkit::kTestSaslPassword;
using testkit::kTestSecretKey;
using testkit::kTestSessionToken;
using testkit::ReadFile;

class SecretsTest : public BridgeIntegrationTest,
                    public ::testing::WithParamInterface<const char*> {
 protected:
  const char* format() const { return GetParam(); }
  std::string Log(const std::string& name) const {
    return std::string(DRIFTLINE_TEST_LOG_DIR) + "/" + main_topic_ + "-secrets-" + name + "-" +
           format() + ".log";
  }
  // ServiceEnv() with debug logging in format() and every credential set.
  std::vector<std::string> EnvWithSecrets(std::vector<std::string> extra) const {
    std::vector<std::string> env = ServiceEnv();
    env.insert(env.end(), {"LOG_LEVEL=debug", std::string("LOG_FORMAT=") + format(),
                           std::string("AWS_ACCESS_KEY_ID=") + kTestAccessKeyId,
                           std::string("AWS_SECRET_ACCESS_KEY=") + kTestSecretKey,
                           std::string("AWS_SESSION_TOKEN=") + kTestSessionToken,
                           std::string("KAFKA_PROPERTY_SASL_USERNAME=driftline"),
                           std::string("KAFKA_PROPERTY_SASL_PASSWORD=") + kTestSaslPassword});
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
  }
};

TEST_P(SecretsTest, SqsRejectingAndQuotingTheRequestLeaksNothing) {
  SetUpTopology(1);
  Produce({Order(StandardOrder("SECRETS-1"), "secrets-1")});
  // The queue answers the service's probe, so it consumes; every send is refused, quoting the
  // request back.
  testkit::HttpStub sqs(
      [reject = testkit::HttpStub::QuotingRejection()](const testkit::CapturedRequest& request) {
        if (request.Header("X-Amz-Target") == "AmazonSQS.GetQueueAttributes") {
          return testkit::HttpStub::Response(200, "{}");
        }
        return reject(request);
      });
  const std::string log = Log("rejected");
  {
    // A refused credential is the infrastructure's failure: the order stays in flight until
    // the stop, which need not wait long for it.
    auto service = StartProcess(
        EnvWithSecrets({"SQS_ENDPOINT=" + sqs.base_url(),
                        "SQS_QUEUE_URL=" + sqs.base_url() + "/000000000000/" + queue_name_,
                        "SHUTDOWN_TIMEOUT_MS=500"}),
        log);
    ASSERT_TRUE(service);
    // The order reached the (rejecting) queue and the refusal made it into the log.
    const bool sent = Eventually(
        [&] {
          for (const testkit::CapturedRequest& r : sqs.requests()) {
            if (r.raw.find("AmazonSQS.SendMessage") != std::string::npos &&
                ReadFile(log).find("The request was refused") != std::string::npos)
              return true;
          }
          return false;
        },
        seconds(60));
    ASSERT_TRUE(sent) << "no rejected send in " << log;
    EXPECT_EQ(service->Terminate(), 0);
  }
  // The secrets were really in play: the token went out with every request, and the server's
  // quote of it reached the log scrubbed.
  ASSERT_FALSE(sqs.requests().empty());
  EXPECT_THAT(sqs.requests().front().raw, HasSubstr(kTestSessionToken));
  EXPECT_THAT(sqs.requests().front().raw, HasSubstr(kTestAccessKeyId));
  const std::string text = ReadFile(log);
  EXPECT_THAT(text, HasSubstr("[REDACTED]"));
  ExpectNoSecret(text, log);
  // Refused credentials are not the order's fault: no dead letter (were there one, it would
  // carry the failure reason and must be as clean as the log).
  EXPECT_EQ(EndOffsetSum(dlq_topic_), 0);
  std::string dead_letters;
  if (EndOffsetSum(dlq_topic_) > 0) {
    for (const kafka::Message& m : ReadTopic(dlq_topic_, 1)) {
      dead_letters += m.payload;
      for (const kafka::Header& h : m.headers)
        dead_letters += h.key + "=" + h.value.value_or("") + "\n";
    }
  }
  ExpectNoSecret(dead_letters, "dead letters on " + dlq_topic_);
}

TEST_P(SecretsTest, KafkaRefusingSaslAndSqsUnreachableLeakNothing) {
  SetUpTopology(1);
  const std::string log = Log("unreachable");
  const std::string nowhere = "http://127.0.0.1:" + std::to_string(testkit::FreeLoopbackPort());
  {
    // The stack's broker speaks PLAINTEXT: the SASL handshake fails on every connection.
    auto service = StartProcess(
        EnvWithSecrets({"KAFKA_PROPERTY_SECURITY_PROTOCOL=SASL_PLAINTEXT",
                        "KAFKA_PROPERTY_SASL_MECHANISM=PLAIN", "SQS_ENDPOINT=" + nowhere,
                        "SQS_QUEUE_URL=" + nowhere + "/000000000000/" + queue_name_}),
        log);
    ASSERT_TRUE(service);
    const bool logged = Eventually(
        [&] {
          const std::string text = ReadFile(log);
          return text.find("does not answer") != std::string::npos &&
                 text.find("kafka ") != std::string::npos;
        },
        seconds(60));
    ASSERT_TRUE(logged) << "no SQS and Kafka errors in " << log;
    service->Terminate();  // its exit code is not the point here
  }
  ExpectNoSecret(ReadFile(log), log);
}

INSTANTIATE_TEST_SUITE_P(LogFormats, SecretsTest, ::testing::Values("text", "json"));

}  // namespace
}  // namespace driftline::bridge::testing
