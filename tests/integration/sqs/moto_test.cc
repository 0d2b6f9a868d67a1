// Signature checks against moto, a second SQS implementation that, unlike ElasticMQ, verifies
// SigV4 once IAM authentication is on. The test starts moto_server itself on a free loopback
// port (install it with stack/setup-moto.sh), creates an IAM user with an sqs:* policy while
// authentication is still off, switches authentication on (POST /moto-api/reset-auth "0", the
// runtime form of INITIAL_NO_AUTH_ACTION_COUNT=0) and stops moto at the end.
#include "testkit/moto.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "sqs/curl_client.h"
#include "sqs/curl_transport.h"

namespace driftline::sqs {
namespace {

class MotoSignatureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server =
        testkit::MotoServer::Start((std::filesystem::temp_directory_path() /
                                    ("driftline-moto-" + std::to_string(::getpid()) + ".log"))
                                       .string());
    if (!server) {
      setup_error_ = server.error().ToString();
      return;
    }
    server_ = std::move(*server);
    auto credentials = server_->CreateUser("driftline");
    if (!credentials) {
      setup_error_ = "IAM set-up on moto failed: " + credentials.error().ToString();
      return;
    }
    credentials_ = *credentials;
    if (Status s = server_->EnableAuth(); !s) setup_error_ = s.error().ToString();
  }

  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  std::unique_ptr<CurlSqsClient> Client(const Credentials& credentials) {
    SqsClientConfig config;
    config.endpoint_url = server_->url();
    config.region = "us-east-1";
    config.credentials = credentials;
    config.request_timeout = std::chrono::seconds(10);
    return CurlSqsClient::Create(config).value();
  }

  static std::unique_ptr<testkit::MotoServer> server_;
  static std::string setup_error_;
  static Credentials credentials_;
};

std::unique_ptr<testkit::MotoServer> MotoSignatureTest::server_;
std::string MotoSignatureTest::setup_error_;
Credentials MotoSignatureTest::credentials_;

TEST_F(MotoSignatureTest, SignedRequestsAreAcceptedAndRoundTrip) {
  ASSERT_FALSE(credentials_.access_key_id.empty());
  auto client = Client(credentials_);
  auto url = client->CreateQueue({"driftline-signed", {}});
  ASSERT_TRUE(url.has_value()) << url.error().Trace();

  OutgoingMessage message;
  message.body = "Bestellung für Zoë — 東京 ✓";
  message.attributes = {{"CorrelationId", MessageAttributeValue::String("corr-1")},
                        {"Amount", MessageAttributeValue::Number("42.50")},
                        {"Blob", MessageAttributeValue::Binary(std::string("\x00\xff", 2))}};
  auto sent = client->SendMessage(*url, message);
  ASSERT_TRUE(sent.has_value()) << sent.error().Trace();  // moto's MD5s match ours

  std::vector<OutgoingMessage> batch(12);
  for (std::size_t i = 0; i < batch.size(); ++i)
    batch[i].body = "batch-" + std::to_string(i);
  EXPECT_TRUE(client->SendMessageBatch(*url, batch).all_ok());

  ReceiveRequest request;
  request.queue_url = *url;
  request.wait_time_seconds = 1;
  auto received = client->ReceiveMessage(request);
  ASSERT_TRUE(received.has_value()) << received.error().Trace();
  ASSERT_FALSE(received->empty());
  EXPECT_EQ(received->at(0).body, message.body);
  EXPECT_EQ(received->at(0).message_attributes, message.attributes);
  EXPECT_TRUE(client->DeleteQueue(*url).has_value());
}

TEST_F(MotoSignatureTest, WrongSecretIsUnauthenticated) {
  Credentials wrong = credentials_;
  wrong.secret_access_key = "not-the-secret-not-the-secret";
  auto urls = Client(wrong)->ListQueues("");
  ASSERT_FALSE(urls.has_value());
  EXPECT_EQ(urls.error().code(), Code::kUnauthenticated) << urls.error().Trace();
  EXPECT_FALSE(urls.error().retryable());
  EXPECT_EQ(urls.error().Trace().find(wrong.secret_access_key), std::string::npos);
  EXPECT_EQ(urls.error().Trace().find(wrong.access_key_id), std::string::npos);
  std::cout << "[ info ] moto on a wrong secret: " << urls.error().ToString() << "\n";
}

TEST_F(MotoSignatureTest, UnknownAccessKeyIsUnauthenticated) {
  auto urls =
      Client({"AKIAUNKNOWNUNKNOWN00", "whatever-secret-value", std::nullopt})->ListQueues("");
  ASSERT_FALSE(urls.has_value());
  EXPECT_EQ(urls.error().code(), Code::kUnauthenticated) << urls.error().Trace();
  std::cout << "[ info ] moto on an unknown key: " << urls.error().ToString() << "\n";
}

}  // namespace
}  // namespace driftline::sqs
