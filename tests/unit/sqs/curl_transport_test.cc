#include "sqs/curl_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "sqs/curl_client.h"
#include "sqs/protocol/encode.h"
#include "sqs/protocol/endpoint.h"
#include "sqs/protocol/errors.h"
#include "testkit/http_stub.h"
#include "testkit/ports.h"
#include "testkit/temp_dir.h"
#include "testkit/tls_front.h"

namespace driftline::sqs {
namespace {

using testkit::HttpStub;

// AWS's documented example credentials (SigV4 test suite), never real ones.
constexpr char kKeyId[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kSessionToken[] = "FQoGZXIvYXdzEXAMPLETOKEN+/==";
constexpr char kAmzDate[] = "20150830T123600Z";
constexpr char kBody[] =
    R"({"MessageBody":"Bestellung für Zoë — 東京 ✓","QueueUrl":"https://sqs.us-east-1.amazonaws.com/000000000000/place-order-queue"})";

// The same request signed by botocore 1.44.8 (botocore.auth.SigV4Auth, service "sqs", region
// us-east-1, time pinned to 2015-08-30T12:36:00Z by patching botocore.auth.get_current_datetime)
// for POST http://sqs.us-east-1.amazonaws.com/ with Content-Type application/x-amz-json-1.0,
// X-Amz-Target AmazonSQS.SendMessage and kBody as UTF-8:
//   SigV4Auth(Credentials('AKIDEXAMPLE', '<kSecret>'[, '<kSessionToken>']), 'sqs',
//             'us-east-1').add_auth(AWSRequest(method='POST', url=..., data=body, headers=...))
constexpr char kBotocoreSignature[] =
    "f49c046cd5b0878ff5940a4646f1d7cc87c21487d79e16b0c36cd7b789b603da";
constexpr char kBotocoreSignatureWithToken[] =
    "c3dd569d813f2e90ec1a238463bd093e6baded524c9c50ff14033bff9f02f782";

// ---- SigV4 by hand, straight from AWS's description of the algorithm ---------------------

std::string Hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xF];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

struct SignedHeader {
  std::string name;  // lower case
  std::string value;
};

// `headers` sorted by name. Returns the full Authorization header value.
std::string HandAuthorization(const std::vector<SignedHeader>& headers, std::string_view body,
                              std::string_view amz_date, std::string_view secret) {
  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& header : headers) {
    canonical_headers += header.name + ":" + header.value + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + header.name;
  }
  const std::string canonical_request =
      "POST\n/\n\n" + canonical_headers + "\n" + signed_headers + "\n" + Sha256Hex(body);
  const std::string date(amz_date.substr(0, 8));
  const std::string scope = date + "/us-east-1/sqs/aws4_request";
  const std::string string_to_sign = "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + scope +
                                     "\n" + Sha256Hex(canonical_request);
  std::string key = HmacSha256("AWS4" + std::string(secret), date);
  key = HmacSha256(key, "us-east-1");
  key = HmacSha256(key, "sqs");
  key = HmacSha256(key, "aws4_request");
  const std::string signature = HmacSha256(key, string_to_sign);
  return "AWS4-HMAC-SHA256 Credential=" + std::string(kKeyId) + "/" + scope +
         ", SignedHeaders=" + signed_headers + ", Signature=" +
         Hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
}

std::string SignatureOf(const std::string& authorization) {
  auto pos = authorization.find("Signature=");
  return pos == std::string::npos ? std::string() : authorization.substr(pos + 10);
}

// ---- helpers ----------------------------------------------------------------------------------

std::unique_ptr<CurlTransport> MakeTransport(CurlTransportOptions options = {}) {
  if (options.credentials.access_key_id.empty()) {
    options.credentials = Credentials{kKeyId, kSecret, std::nullopt};
  }
  auto transport = CurlTransport::Create(std::move(options));
  EXPECT_TRUE(transport.has_value());
  return std::move(*transport);
}

// The SendMessage request of the botocore constants, built by the real protocol code.
HttpRequest SendMessageRequest(std::string_view endpoint_url) {
  Endpoint endpoint = MakeEndpoint(endpoint_url, "us-east-1").value();
  OutgoingMessage message;
  message.body = "Bestellung für Zoë — 東京 ✓";
  auto body = EncodeSendMessage(
      "https://sqs.us-east-1.amazonaws.com/000000000000/place-order-queue", message);
  return BuildRequest(endpoint, "SendMessage", body.value());
}

// A socket that accepts TCP connections (kernel backlog) but never answers.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd_, 4);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// ---- SigV4 known answers ----------------------------------------------------------------------

TEST(SigV4Test, MatchesTheAwsAlgorithmAndBotocore) {
  HttpStub server({HttpStub::Response(200, "{}")});
  CurlTransportOptions options;
  // Sign for sqs.us-east-1.amazonaws.com (port 80, so no port in Host) but connect to the test.
  options.connect_to = {"sqs.us-east-1.amazonaws.com:80:127.0.0.1:" +
                        std::to_string(server.port())};
  auto transport = MakeTransport(options);
  HttpRequest request = SendMessageRequest("http://sqs.us-east-1.amazonaws.com");
  ASSERT_EQ(request.body, kBody);
  request.headers.emplace_back("X-Amz-Date", kAmzDate);  // libcurl 7.88 signs with this date

  auto response = transport->Send(request);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& sent = requests[0];
  EXPECT_EQ(sent.request_line, "POST / HTTP/1.1");
  EXPECT_EQ(sent.Header("Host"), "sqs.us-east-1.amazonaws.com");
  EXPECT_EQ(sent.body, kBody);

  const std::string hand = HandAuthorization({{"content-type", "application/x-amz-json-1.0"},
                                              {"host", "sqs.us-east-1.amazonaws.com"},
                                              {"x-amz-date", kAmzDate},
                                              {"x-amz-target", "AmazonSQS.SendMessage"}},
                                             kBody, kAmzDate, kSecret);
  EXPECT_EQ(sent.Header("Authorization"), hand);
  EXPECT_EQ(SignatureOf(hand), kBotocoreSignature);
}

TEST(SigV4Test, SessionTokenIsSentAndSigned) {
  HttpStub server({HttpStub::Response(200, "{}")});
  CurlTransportOptions options;
  options.credentials = Credentials{kKeyId, kSecret, kSessionToken};
  options.connect_to = {"sqs.us-east-1.amazonaws.com:80:127.0.0.1:" +
                        std::to_string(server.port())};
  auto transport = MakeTransport(options);
  HttpRequest request = SendMessageRequest("http://sqs.us-east-1.amazonaws.com");
  request.headers.emplace_back("X-Amz-Date", kAmzDate);

  ASSERT_TRUE(transport->Send(request).has_value());
  const auto sent = server.requests().at(0);
  EXPECT_EQ(sent.Header("X-Amz-Security-Token"), kSessionToken);
  const std::string hand = HandAuthorization({{"content-type", "application/x-amz-json-1.0"},
                                              {"host", "sqs.us-east-1.amazonaws.com"},
                                              {"x-amz-date", kAmzDate},
                                              {"x-amz-security-token", kSessionToken},
                                              {"x-amz-target", "AmazonSQS.SendMessage"}},
                                             kBody, kAmzDate, kSecret);
  EXPECT_EQ(sent.Header("Authorization"), hand);
  EXPECT_EQ(SignatureOf(hand), kBotocoreSignatureWithToken);
}

TEST(SigV4Test, HostWithPortAndCurlsOwnDateAreSignedAsAwsSpecifies) {
  // The production shape: endpoint with a port, no caller-supplied date.
  HttpStub server({HttpStub::Response(200, "{}")});
  auto transport = MakeTransport();
  HttpRequest request = SendMessageRequest(server.base_url());
  ASSERT_TRUE(transport->Send(request).has_value());
  const auto sent = server.requests().at(0);

  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(sent.Header("Host"), host);
  const auto dates = sent.HeaderValues("X-Amz-Date");
  ASSERT_EQ(dates.size(), 1u);
  const std::string hand = HandAuthorization({{"content-type", "application/x-amz-json-1.0"},
                                              {"host", host},
                                              {"x-amz-date", dates[0]},
                                              {"x-amz-target", "AmazonSQS.SendMessage"}},
                                             kBody, dates[0], kSecret);
  EXPECT_EQ(sent.Header("Authorization"), hand);
  // What platform-notes warns about: no Expect and no empty header is ever sent.
  EXPECT_TRUE(sent.HeaderValues("Expect").empty());
  for (const auto& [name, value] : sent.headers)
    EXPECT_FALSE(value.empty()) << name;
  EXPECT_EQ(sent.Header("Content-Length"), std::to_string(sizeof kBody - 1));
}

// ---- responses and failures -------------------------------------------------------------------

TEST(CurlTransportTest, CapturesStatusHeadersAndBody) {
  HttpStub server({HttpStub::Response(
      400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"})",
      {{"x-amzn-RequestId", "req-42"},
       {"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}})});
  auto transport = MakeTransport();
  auto response = transport->Send(SendMessageRequest(server.base_url()));
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->Header("x-amzn-requestid"), "req-42");
  EXPECT_EQ(response->Header("X-Amzn-RequestId"), "req-42");
  EXPECT_EQ(response->Header("x-amzn-query-error"),
            "AWS.SimpleQueueService.NonExistentQueue;Sender");
  EXPECT_EQ(ErrorFromResponse(*response).code(), Code::kNotFound);
}

TEST(CurlTransportTest, ConnectionRefusedIsUnavailable) {
  auto transport = MakeTransport();
  HttpRequest request =
      SendMessageRequest("http://127.0.0.1:" + std::to_string(testkit::FreeLoopbackPort()));
  auto response = transport->Send(request);
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code(), Code::kUnavailable);
  EXPECT_TRUE(response.error().retryable());
  EXPECT_NE(response.error().message().find(request.url), std::string::npos);
}

TEST(CurlTransportTest, NoAnswerWithinTheTimeoutIsDeadlineExceeded) {
  SilentListener listener;
  CurlTransportOptions options;
  options.request_timeout = std::chrono::milliseconds(300);
  auto transport = MakeTransport(options);
  auto response =
      transport->Send(SendMessageRequest("http://127.0.0.1:" + std::to_string(listener.port())));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code(), Code::kDeadlineExceeded);
}

TEST(CurlTransportTest, OversizedResponseIsInternal) {
  HttpStub server({HttpStub::Response(200, std::string(4096, ' '))});
  CurlTransportOptions options;
  options.max_response_bytes = 1024;
  auto response = MakeTransport(options)->Send(SendMessageRequest(server.base_url()));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code(), Code::kInternal);
  server.requests();
}

TEST(CurlTransportTest, RejectsBadRequestsWithoutSending) {
  auto transport = MakeTransport();
  HttpRequest request = SendMessageRequest("http://127.0.0.1:1");
  request.headers.emplace_back("Expect", "");
  EXPECT_EQ(transport->Send(request).error().code(), Code::kInvalidArgument);
  request = SendMessageRequest("http://127.0.0.1:1");
  request.headers.emplace_back("X-Evil", "a\r\nInjected: 1");
  EXPECT_EQ(transport->Send(request).error().code(), Code::kInvalidArgument);
  request = SendMessageRequest("http://127.0.0.1:1");
  request.method = "GET";
  EXPECT_EQ(transport->Send(request).error().code(), Code::kInvalidArgument);
  request = SendMessageRequest("http://127.0.0.1:1");
  request.url = "file:///etc/passwd";
  EXPECT_EQ(transport->Send(request).error().code(), Code::kInvalidArgument);
}

TEST(CurlTransportTest, CreateNeedsCredentials) {
  auto transport = CurlTransport::Create(CurlTransportOptions{});
  ASSERT_FALSE(transport.has_value());
  EXPECT_EQ(transport.error().code(), Code::kInvalidArgument);
}

TEST(CurlTransportTest, SeveralThreadsSendAtOnce) {
  constexpr std::size_t kThreads = 4;
  constexpr int kPerThread = 5;
  std::vector<std::string> responses(kThreads * kPerThread,
                                     HttpStub::Response(200, R"({"ok":true})"));
  HttpStub server(responses);
  CurlTransportOptions options;
  options.max_idle_handles = 2;  // fewer than threads: extra handles are made and dropped
  auto transport = MakeTransport(options);
  std::vector<std::thread> threads;
  std::vector<int> ok(kThreads, 0);
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto response = transport->Send(SendMessageRequest(server.base_url()));
        if (response && response->status == 200 && response->body == R"({"ok":true})") ++ok[t];
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (std::size_t t = 0; t < kThreads; ++t)
    EXPECT_EQ(ok[t], kPerThread) << "thread " << t;
  EXPECT_EQ(server.requests().size(), kThreads * kPerThread);
}

// Accepts one connection and answers it at once in plain HTTP, whatever arrives.
class PlainHttpAnswerer {
 public:
  PlainHttpAnswerer() : thread_([this] { Serve(); }) {}
  ~PlainHttpAnswerer() {
    ::shutdown(listener_.fd(), SHUT_RDWR);
    thread_.join();
  }
  int port() const { return listener_.port(); }

 private:
  void Serve() {
    const int fd = ::accept(listener_.fd(), nullptr, nullptr);
    if (fd < 0) return;
    constexpr char kReply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    static_cast<void>(::write(fd, kReply, sizeof kReply - 1));
    ::close(fd);
  }
  SilentListener listener_;
  std::thread thread_;
};

TEST(CurlTransportTest, AFailedTlsHandshakeIsInfrastructure) {
  // An https:// endpoint that answers in plain HTTP (a proxy or port mix-up): the handshake fails.
  PlainHttpAnswerer server;
  auto response = MakeTransport()->Send(
      SendMessageRequest("https://127.0.0.1:" + std::to_string(server.port())));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().scope(), FailureScope::kInfrastructure) << response.error().ToString();
  EXPECT_EQ(response.error().cause(), cause::kTls) << response.error().ToString();
  EXPECT_FALSE(response.error().maybe_applied());
}

// AWS_CA_BUNDLE: with the test CA as the bundle, a certificate it signed is trusted and a
// self-signed one for the same address is refused as TLS (the request never left); without
// the bundle the system's store trusts neither.
TEST(CurlTransportTest, CaBundleTrustsItsCaOnly) {
  auto dir = testkit::TempDir::Create("curl-ca-bundle");
  ASSERT_TRUE(dir) << dir.error().ToString();
  auto certs = testkit::MakeTestCertificates((*dir)->path());
  ASSERT_TRUE(certs) << certs.error().ToString();
  HttpStub server([](const testkit::CapturedRequest&) {
    return HttpStub::Response(200, R"({"MessageId":"m-1"})");
  });
  auto good =
      testkit::TlsFront::Start(certs->good_cert, certs->good_key, "127.0.0.1", server.port());
  auto bad = testkit::TlsFront::Start(certs->bad_cert, certs->bad_key, "127.0.0.1", server.port());
  ASSERT_TRUE(good && bad);
  const std::string good_url = "https://127.0.0.1:" + std::to_string((*good)->port());
  const std::string bad_url = "https://127.0.0.1:" + std::to_string((*bad)->port());

  CurlTransportOptions options;
  options.ca_bundle = certs->ca_cert;
  auto trusting = MakeTransport(options);
  auto ok = trusting->Send(SendMessageRequest(good_url));
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, R"({"MessageId":"m-1"})");

  auto refused = trusting->Send(SendMessageRequest(bad_url));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().scope(), FailureScope::kInfrastructure) << refused.error().ToString();
  EXPECT_EQ(refused.error().cause(), cause::kTls) << refused.error().ToString();
  EXPECT_FALSE(refused.error().maybe_applied());

  auto system_store = MakeTransport()->Send(SendMessageRequest(good_url));
  ASSERT_FALSE(system_store.has_value());
  EXPECT_EQ(system_store.error().cause(), cause::kTls) << system_store.error().ToString();

  EXPECT_EQ(server.requests().size(), 1u) << "only the trusted front passed a request on";
  EXPECT_EQ((*good)->handshakes(), 1u);
  EXPECT_EQ((*bad)->handshakes(), 0u);
  EXPECT_GE((*bad)->failed_handshakes(), 1u);
}

TEST(CurlTransportTest, CreateRefusesAnUnusableCaBundle) {
  auto dir = testkit::TempDir::Create("curl-ca-bundle");
  ASSERT_TRUE(dir) << dir.error().ToString();
  const std::string not_pem = (*dir)->File("not.pem");
  std::ofstream(not_pem) << "not a certificate\n";
  for (const std::string& path : {(*dir)->File("missing.pem"), (*dir)->path(), not_pem}) {
    CurlTransportOptions options;
    options.credentials = Credentials{kKeyId, kSecret, std::nullopt};
    options.ca_bundle = path;
    auto transport = CurlTransport::Create(options);
    ASSERT_FALSE(transport.has_value()) << path;
    EXPECT_EQ(transport.error().code(), Code::kInvalidArgument);
    EXPECT_NE(transport.error().ToString().find(path), std::string::npos)
        << transport.error().ToString();
  }
}

TEST(CurlErrorMappingTest, EveryTransportFailureIsInfrastructure) {
  EXPECT_EQ(TransportFailureForCurlError(CURLE_COULDNT_CONNECT), TransportFailure::kUnreachable);
  EXPECT_EQ(TransportFailureForCurlError(CURLE_COULDNT_RESOLVE_HOST),
            TransportFailure::kUnreachable);
  EXPECT_EQ(TransportFailureForCurlError(CURLE_PEER_FAILED_VERIFICATION), TransportFailure::kTls);
  EXPECT_EQ(TransportFailureForCurlError(CURLE_SSL_CONNECT_ERROR), TransportFailure::kTls);
  EXPECT_EQ(TransportFailureForCurlError(CURLE_SSL_CACERT_BADFILE), TransportFailure::kTls);
  EXPECT_EQ(TransportFailureForCurlError(CURLE_OPERATION_TIMEDOUT), TransportFailure::kTimeout);
  EXPECT_EQ(TransportFailureForCurlError(CURLE_RECV_ERROR), TransportFailure::kConnectionLost);
  EXPECT_EQ(TransportFailureForCurlError(CURLE_GOT_NOTHING), TransportFailure::kConnectionLost);
  EXPECT_EQ(TransportFailureForCurlError(CURLE_URL_MALFORMAT), TransportFailure::kOther);
  HttpRequest request;
  request.url = "https://sqs.example/";
  Error certificate = ErrorFromCurl(CURLE_PEER_FAILED_VERIFICATION, "self-signed", request);
  EXPECT_EQ(certificate.scope(), FailureScope::kInfrastructure);
  EXPECT_EQ(certificate.cause(), "tls");
  Error timeout = ErrorFromCurl(CURLE_OPERATION_TIMEDOUT, "", request);
  EXPECT_EQ(timeout.cause(), "timeout");
  EXPECT_TRUE(timeout.maybe_applied()) << "the request may have been served";
}

TEST(CurlErrorMappingTest, NetworkFailuresAreRetryable) {
  EXPECT_EQ(CodeForCurlError(CURLE_COULDNT_CONNECT), Code::kUnavailable);
  EXPECT_EQ(CodeForCurlError(CURLE_COULDNT_RESOLVE_HOST), Code::kUnavailable);
  EXPECT_EQ(CodeForCurlError(CURLE_RECV_ERROR), Code::kUnavailable);  // connection reset
  EXPECT_EQ(CodeForCurlError(CURLE_SEND_ERROR), Code::kUnavailable);
  EXPECT_EQ(CodeForCurlError(CURLE_GOT_NOTHING), Code::kUnavailable);
  EXPECT_EQ(CodeForCurlError(CURLE_SSL_CONNECT_ERROR), Code::kUnavailable);
  EXPECT_EQ(CodeForCurlError(CURLE_OPERATION_TIMEDOUT), Code::kDeadlineExceeded);
  EXPECT_EQ(CodeForCurlError(CURLE_URL_MALFORMAT), Code::kInvalidArgument);
  EXPECT_EQ(CodeForCurlError(CURLE_UNSUPPORTED_PROTOCOL), Code::kInvalidArgument);
  EXPECT_EQ(CodeForCurlError(CURLE_PEER_FAILED_VERIFICATION), Code::kFailedPrecondition);
  EXPECT_EQ(CodeForCurlError(CURLE_OUT_OF_MEMORY), Code::kInternal);
  HttpRequest request;
  request.url = "http://127.0.0.1:9/";
  Error error = ErrorFromCurl(CURLE_COULDNT_CONNECT, "Failed to connect", request);
  EXPECT_EQ(error.message(),
            "POST http://127.0.0.1:9/: Couldn't connect to server (Failed to connect)");
}

// ---- credentials never leak -------------------------------------------------------------------

TEST(CredentialLeakTest, NoErrorEverContainsCredentials) {
  const Credentials credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN"};
  std::vector<Error> errors;

  // Configuration errors.
  MapEnvironment half(
      std::map<std::string, std::string>{{"AWS_ACCESS_KEY_ID", credentials.access_key_id}});
  errors.push_back(CredentialsFromEnv(half).error());
  MapEnvironment other_half({{"AWS_SECRET_ACCESS_KEY", credentials.secret_access_key},
                             {"AWS_SESSION_TOKEN", *credentials.session_token}});
  errors.push_back(CredentialsFromEnv(other_half, WhenMissing::kUseLocalStackDefaults).error());
  errors.push_back(
      RegionFromEnv(MapEnvironment(std::map<std::string, std::string>{{"AWS_ACCESS_KEY_ID", "x"}}))
          .error());

  // A server that echoes everything back in its errors (as SignatureDoesNotMatch partly does).
  const std::string echo =
      R"({"__type":"com.amazonaws.sqs#SignatureDoesNotMatch","message":"key )" +
      credentials.access_key_id + " secret " + credentials.secret_access_key + " token " +
      *credentials.session_token + R"("})";
  HttpStub server(
      {HttpStub::Response(403, echo, {{"x-amzn-query-error", credentials.secret_access_key}}),
       HttpStub::Response(403, echo)});
  SqsClientConfig config;
  config.endpoint_url = server.base_url();
  config.region = "us-east-1";
  config.credentials = credentials;
  config.request_timeout = std::chrono::milliseconds(300);
  auto client = CurlSqsClient::Create(config).value();
  OutgoingMessage message;
  message.body = "hello";
  errors.push_back(client->SendMessage(server.base_url() + "/000000000000/q", message).error());
  auto batch = client->SendMessageBatch(server.base_url() + "/000000000000/q", {message});
  errors.push_back(batch.entries.at(0).error());
  server.requests();

  // Transport failures.
  config.endpoint_url = "http://127.0.0.1:" + std::to_string(testkit::FreeLoopbackPort());
  client = CurlSqsClient::Create(config).value();
  errors.push_back(client->GetQueueUrl("q").error());
  SilentListener silent;
  config.endpoint_url = "http://127.0.0.1:" + std::to_string(silent.port());
  client = CurlSqsClient::Create(config).value();
  errors.push_back(client->PurgeQueue("http://x/000000000000/q").error());

  for (const Error& error : errors) {
    for (const std::string& text : {error.ToString(), error.Trace()}) {
      SCOPED_TRACE(text);
      EXPECT_EQ(text.find(credentials.secret_access_key), std::string::npos);
      EXPECT_EQ(text.find(credentials.access_key_id), std::string::npos);
      EXPECT_EQ(text.find(*credentials.session_token), std::string::npos);
    }
  }
  EXPECT_EQ(errors[3].code(), Code::kUnauthenticated);
  EXPECT_NE(errors[3].message().find("[REDACTED]"), std::string::npos);
}

}  // namespace
}  // namespace driftline::sqs
