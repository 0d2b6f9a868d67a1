// TcpProxy against a loopback echo server: bytes pass both ways while up; while down, new
// connections are reset and carried ones cut; up again, it forwards again.
#include "testkit/tcp_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace driftline::testkit {
namespace {

// Echoes every byte on every connection until destroyed.
class EchoServer {
 public:
  EchoServer() {
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
          ::send(c, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL);
        }
        ::close(c);
      });
    }
  }
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

// Sends `text` and reads the same number of bytes back (waiting at most 5 s); "" when the
// connection is cut or nothing comes.
std::string RoundTrip(int fd, const std::string& text) {
  if (::send(fd, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size())) {
    return "";
  }
  std::string got;
  char buf[256];
  while (got.size() < text.size()) {
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

}  // namespace
}  // namespace driftline::testkit
