// Signature checks against moto, a second SQS implementation that, unlike ElasticMQ, verifies
// SigV4 once IAM authentication is on. The test starts moto_server itself on a free loopback
// port (install it with stack/setup-moto.sh), creates an IAM user with an sqs:* policy while
// authentication is still off, switches authentication on (POST /moto-api/reset-auth "0", the
// runtime form of INITIAL_NO_AUTH_ACTION_COUNT=0) and stops moto at the end.
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
#include "testkit/child_process.h"
#include "testkit/ports.h"

namespace driftline::sqs {
namespace {

std::string MotoServerPath() {
  if (const char* path = std::getenv("MOTO_SERVER"); path != nullptr && *path != '\0') return path;
  if (const char* dir = std::getenv("STACK_DIR"); dir != nullptr && *dir != '\0') {
    return std::string(dir) + "/venv/moto/bin/moto_server";
  }
  return DRIFTLINE_DEFAULT_MOTO_SERVER;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::string XmlElement(const std::string& xml, const std::string& tag) {
  const auto open = xml.find("<" + tag + ">");
  const auto close = xml.find("</" + tag + ">");
  if (open == std::string::npos || close == std::string::npos) return {};
  const auto start = open + tag.size() + 2;
  return xml.substr(start, close - start);
}

// moto_server as a child process of the test, stopped (SIGTERM, then SIGKILL) by the destructor.
class MotoServer {
 public:
  MotoServer() : port_(testkit::FreeLoopbackPort()) {
    log_path_ = std::filesystem::temp_directory_path() /
                ("driftline-moto-" + std::to_string(::getpid()) + ".log");
    const std::string server = MotoServerPath();
    if (::access(server.c_str(), X_OK) != 0) {
      error_ = server + " not found: run stack/setup-moto.sh";
      return;
    }
    std::error_code ignored;
    std::filesystem::remove(log_path_, ignored);
    auto child = testkit::ChildProcess::Spawn(
        {server, "-H", "127.0.0.1", "-p", std::to_string(port_)}, {}, log_path_.string());
    if (!child) {
      error_ = child.error().ToString();
      return;
    }
    process_ = std::move(*child);
  }

  ~MotoServer() {
    if (process_) Stop();
    std::error_code ignored;
    std::filesystem::remove(log_path_, ignored);
  }

  const std::string& error() const { return error_; }
  // SIGTERM, and SIGKILL if it has not exited within 5 s.
  void Stop() { (void)process_->Terminate(std::chrono::seconds(5)); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string Log() const {
    std::ifstream in(log_path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // True once the process has ended (it is reaped here, so its pid is never signalled again).
  bool Exited() { return !process_ || !process_->Running(); }

 private:
  int port_;
  std::unique_ptr<testkit::ChildProcess> process_;
  std::filesystem::path log_path_;
  std::string error_;
};

class MotoSignatureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new MotoServer();
    if (!server_->error().empty()) {
      setup_error_ = server_->error();
      return;
    }
    // Any credentials sign the set-up requests: authentication is still off.
    CurlTransportOptions options;
    options.credentials = {"AKIASETUPSETUPSETUP", "setup", std::nullopt};
    options.request_timeout = std::chrono::seconds(10);
    auto transport = CurlTransport::Create(options).value();
    // Wait for the server to answer (it takes a second or two to start).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool up = false;
    while (!up && std::chrono::steady_clock::now() < deadline && !server_->Exited()) {
      auto r = Iam(*transport, "Action=ListUsers&Version=2010-05-08");
      up = r.has_value() && r->status == 200;
      if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (!up) {
      setup_error_ = "moto_server did not come up; its log:\n" + server_->Log();
      return;
    }
    const std::string policy =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]})";
    auto user = Iam(*transport, "Action=CreateUser&UserName=driftline&Version=2010-05-08");
    auto key = Iam(*transport, "Action=CreateAccessKey&UserName=driftline&Version=2010-05-08");
    auto attached = Iam(
        *transport, "Action=PutUserPolicy&UserName=driftline&PolicyName=sqs-all&PolicyDocument=" +
                        UrlEncode(policy) + "&Version=2010-05-08");
    if (!user || user->status != 200 || !key || key->status != 200 || !attached ||
        attached->status != 200) {
      setup_error_ = "IAM set-up on moto failed";
      return;
    }
    credentials_ = Credentials{XmlElement(key->body, "AccessKeyId"),
                               XmlElement(key->body, "SecretAccessKey"), std::nullopt};
    HttpRequest reset;
    reset.url = server_->url() + "/moto-api/reset-auth";
    reset.headers = {{"Content-Type", "text/plain"}};
    reset.body = "0";
    auto enabled = transport->Send(reset);
    if (!enabled || enabled->status != 200) setup_error_ = "enabling moto's IAM checks failed";
  }

  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static Result<HttpResponse> Iam(CurlTransport& transport, const std::string& body) {
    HttpRequest request;
    request.url = server_->url() + "/";
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = body;
    request.aws_sigv4 = "aws:amz:us-east-1:iam";
    return transport.Send(request);
  }

  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  std::unique_ptr<CurlSqsClient> Client(const Credentials& credentials) {
    SqsClientConfig config;
    config.endpoint_url = server_->url();
    config.region = "us-east-1";
    config.credentials = credentials;
    config.request_timeout = std::chrono::seconds(10);
    return CurlSqsClient::Create(config).value();
  }

  static MotoServer* server_;
  static std::string setup_error_;
  static Credentials credentials_;
};

MotoServer* MotoSignatureTest::server_ = nullptr;
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
