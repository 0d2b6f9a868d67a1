// TcpProxy against loopback echo servers: bytes pass both ways while up; while down, new
// connections are reset and carried ones cut; up again, it forwards again. Moved to another
// upstream, carried connections are cut and new ones reach it. In garbage mode an HTTP request
// reaches the server and the client gets a 200 that is not what the server said.
#include "testkit/tcp_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "testkit/http_stub.h"

namespace driftline::testkit {
namespace {

// Echoes every byte on every connection, after `prefix`, until destroyed.
class EchoServer {
 public:
  explicit EchoServer(std::string prefix = "") : prefix_(std::move(prefix)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 16);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~EchoServer() {
    stop_ = true;
    thread_.join();
    for (auto& t : pumps_)
      t.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) != 1) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      pumps_.emplace_back([this, c] {
        char buf[256];
        while (!stop_) {
          pollfd q{c, POLLIN, 0};
          if (::poll(&q, 1, 50) != 1) continue;
          const ssize_t n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          const std::string reply = prefix_ + std::string(buf, static_cast<std::size_t>(n));
          ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
        }
        ::close(c);
      });
    }
  }
  const std::string prefix_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> pumps_;
};

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `text` and reads `expect` bytes back (the same number by default; waiting at most 5 s);
// "" when the connection is cut or nothing comes.
std::string RoundTrip(int fd, const std::string& text, std::size_t expect = 0) {
  if (expect == 0) expect = text.size();
  if (::send(fd, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size())) {
    return "";
  }
  std::string got;
  char buf[256];
  while (got.size() < expect) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return "";
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return "";
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

TEST(TcpProxyTest, ForwardsWhileUpAndCutsWhileDown) {
  EchoServer echo;
  auto proxy = TcpProxy::Start("127.0.0.1", echo.port());
  ASSERT_TRUE(proxy) << proxy.error().ToString();

  const int carried = Connect((*proxy)->port());
  ASSERT_GE(carried, 0);
  EXPECT_EQ(RoundTrip(carried, "order-1"), "order-1");

  (*proxy)->SetDown(true);
  EXPECT_TRUE((*proxy)->down());
  EXPECT_EQ(RoundTrip(carried, "order-2"), "") << "a carried connection is cut";
  ::close(carried);
  const int during = Connect((*proxy)->port());
  EXPECT_EQ(during < 0 ? "" : RoundTrip(during, "order-3"), "") << "new connections are reset";
  if (during >= 0) ::close(during);

  (*proxy)->SetDown(false);
  const int after = Connect((*proxy)->port());
  ASSERT_GE(after, 0);
  EXPECT_EQ(RoundTrip(after, "order-4"), "order-4");
  ::close(after);
}

TEST(TcpProxyTest, AnotherUpstreamCutsCarriedConnectionsAndTakesNewOnes) {
  EchoServer first("1:");
  EchoServer second("2:");
  auto proxy = TcpProxy::Start("127.0.0.1", first.port());
  ASSERT_TRUE(proxy) << proxy.error().ToString();
  const int carried = Connect((*proxy)->port());
  ASSERT_GE(carried, 0);
  EXPECT_EQ(RoundTrip(carried, "a", 3), "1:a");

  (*proxy)->SetUpstreamPort(second.port());
  EXPECT_EQ((*proxy)->upstream_port(), second.port());
  EXPECT_EQ(RoundTrip(carried, "b", 3), "") << "a carried connection is cut";
  ::close(carried);
  const int moved = Connect((*proxy)->port());
  ASSERT_GE(moved, 0);
  EXPECT_EQ(RoundTrip(moved, "c", 3), "2:c");
  ::close(moved);
}

// Reads until the peer closes (5 s at most).
std::string ReadToClose(int fd) {
  std::string got;
  char buf[1024];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

TEST(TcpProxyTest, GarbageModeAppliesTheRequestAndAnswersAPageNotTheServersReply) {
  HttpStub server([](const CapturedRequest& r) { return HttpStub::Response(200, "{}" + r.body); });
  auto proxy = TcpProxy::Start("127.0.0.1", server.port());
  ASSERT_TRUE(proxy) << proxy.error().ToString();
  const std::string request =
      "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 7\r\n\r\norder-1";

  (*proxy)->SetGarbage(true);
  EXPECT_TRUE((*proxy)->garbage());
  const int garbage = Connect((*proxy)->port());
  ASSERT_GE(garbage, 0);
  ASSERT_EQ(::send(garbage, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  const std::string reply = ReadToClose(garbage);
  ::close(garbage);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("Connection: close\r\n"), std::string::npos) << reply;
  EXPECT_EQ(reply.substr(reply.find("\r\n\r\n") + 4), TcpProxy::kGarbagePage);
  ASSERT_EQ(server.requests().size(), 1u) << "the request reached the server";
  EXPECT_EQ(server.requests()[0].body, "order-1");
  EXPECT_EQ((*proxy)->garbage_replies(), 1u);

  (*proxy)->SetGarbage(false);
  const int plain = Connect((*proxy)->port());
  ASSERT_GE(plain, 0);
  const std::string real = HttpStub::Response(200, "{}order-1");
  EXPECT_EQ(RoundTrip(plain, request, real.size()), real);
  ::close(plain);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ((*proxy)->garbage_replies(), 1u);
}

}  // namespace
}  // namespace driftline::testkit
