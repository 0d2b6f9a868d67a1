// HttpStub with a raw socket client: canned responses one per connection, in order, with every
// request kept; a responder that quotes the request back; a free port nobody listens on.
#include "testkit/http_stub.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testkit/ports.h"
#include "testkit/unique_fd.h"

namespace driftline::testkit {
namespace {

// Sends `request` to 127.0.0.1:port and reads the whole response (the stub closes after it).
std::string Exchange(int port, const std::string& request) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "";
  ::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd.get(), buf, sizeof buf, 0)) > 0;)
    response.append(buf, static_cast<std::size_t>(n));
  return response;
}

const std::string kPost =
    "POST /q HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonSQS.SendMessage\r\n"
    "Content-Length: 5\r\n\r\nhello";

TEST(HttpStubTest, ServesCannedResponsesInOrderAndKeepsEachRequest) {
  HttpStub stub({HttpStub::Response(500, "first"), HttpStub::Response(200, "second")});
  const std::string first = Exchange(stub.port(), kPost);
  const std::string second = Exchange(stub.port(), kPost);
  EXPECT_EQ(first.rfind("HTTP/1.1 500 Error\r\n", 0), 0u) << first;
  EXPECT_NE(first.find("\r\n\r\nfirst"), std::string::npos);
  EXPECT_EQ(second.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << second;
  const auto requests = stub.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].request_line, "POST /q HTTP/1.1");
  EXPECT_EQ(requests[0].Header("x-amz-target"), "AmazonSQS.SendMessage");
  EXPECT_EQ(requests[0].body, "hello");
  EXPECT_EQ(requests[1].raw, kPost);
}

TEST(HttpStubTest, AQuotingRejectionAnswersEveryRequestWithItself) {
  HttpStub stub(HttpStub::QuotingRejection(403, "com.amazonaws.sqs#InvalidClientTokenId"));
  for (int i = 0; i < 3; ++i) {
    const std::string response = Exchange(stub.port(), kPost);
    EXPECT_EQ(response.rfind("HTTP/1.1 403 Refused\r\n", 0), 0u) << response;
    EXPECT_NE(response.find("InvalidClientTokenId"), std::string::npos);
    EXPECT_NE(response.find("X-Amz-Target: AmazonSQS.SendMessage\\r\\n"), std::string::npos)
        << response;
  }
  EXPECT_EQ(stub.requests().size(), 3u);
}

TEST(HttpStubTest, AFreePortRefusesConnections) {
  const int port = FreeLoopbackPort();
  ASSERT_GT(port, 0);
  EXPECT_EQ(Exchange(port, kPost), "");
  EXPECT_EQ(HttpGetStatus(port, "/healthz"), -1);
}

}  // namespace
}  // namespace driftline::testkit
