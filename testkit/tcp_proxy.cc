#include "testkit/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "testkit/http_stub.h"

namespace driftline::testkit {
namespace {

// Closing with SO_LINGER {1, 0} sends a RST, like a dead endpoint, instead of a clean FIN.
void Reset(UniqueFd& fd) {
  linger l{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  fd.Reset();
}

bool SendAllBytes(int fd, const std::string& bytes) {
  for (std::size_t off = 0; off < bytes.size();) {
    const ssize_t w = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (w <= 0) return false;
    off += static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<TcpProxy>> TcpProxy::Start(std::string upstream_host, int upstream_port) {
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM, 0));
  if (!listener.valid()) return Fail(Code::kUnavailable, std::string("socket: ") + strerror(errno));
  int one = 1;
  ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener.get(), 64) != 0) {
    return Fail(Code::kUnavailable,
                std::string("proxy: cannot listen on loopback: ") + strerror(errno));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return std::unique_ptr<TcpProxy>(new TcpProxy(std::move(upstream_host), upstream_port,
                                                std::move(listener), ntohs(addr.sin_port)));
}

TcpProxy::TcpProxy(std::string upstream_host, int upstream_port, UniqueFd listener, int port)
    : host_(std::move(upstream_host)),
      upstream_port_(upstream_port),
      listener_(std::move(listener)),
      port_(port) {
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  ::shutdown(listener_.get(), SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  pumps_.JoinAll();
}

void TcpProxy::SetDown(bool down) {
  down_ = down;
  if (down) ++generation_;
}

void TcpProxy::SetUpstreamPort(int port) {
  upstream_port_ = port;
  ++generation_;
}

void TcpProxy::SetGarbage(bool on) {
  garbage_ = on;
  ++generation_;
}

void TcpProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listener_.get(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    UniqueFd client(::accept(listener_.get(), nullptr, nullptr));
    if (!client.valid()) continue;
    // The generation first, then down_: SetDown() sets down_ before it moves the generation on,
    // so a connection either sees down_ or carries a generation its pump will find stale.
    const std::uint64_t generation = generation_;
    const bool garbage = garbage_;
    if (down_) {
      Reset(client);
      continue;
    }
    pumps_.Start([this, c = std::move(client), generation, garbage]() mutable {
      Pump(std::move(c), generation, garbage);
    });
  }
}

void TcpProxy::Pump(UniqueFd client, std::uint64_t generation, bool garbage) {
  UniqueFd upstream(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(upstream_port_.load()));
  ::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
  if (!upstream.valid() ||
      ::connect(upstream.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Reset(client);
    return;
  }
  if (garbage) {
    AnswerGarbage(std::move(client), std::move(upstream));
    return;
  }
  char buf[65536];
  pollfd fds[2] = {{client.get(), POLLIN, 0}, {upstream.get(), POLLIN, 0}};
  bool closed = false;
  while (!closed && !stop_ && generation_ == generation) {
    if (::poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2 && !closed; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        closed = true;
        break;
      }
      const int to = fds[1 - i].fd;
      for (ssize_t off = 0; off < n;) {
        const ssize_t w = ::send(to, buf + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
        if (w <= 0) {
          closed = true;
          break;
        }
        off += w;
      }
    }
  }
  Reset(client);
}

void TcpProxy::AnswerGarbage(UniqueFd client, UniqueFd upstream) {
  const std::string request = ReadRawRequest(client.get());
  // An HTTP response is framed like a request (header block, Content-Length body): waiting for
  // all of it means the server has applied the request before the client hears anything.
  if (request.empty() || !SendAllBytes(upstream.get(), request) ||
      ReadRawRequest(upstream.get()).empty()) {
    Reset(client);
    return;
  }
  const std::string page = kGarbagePage;
  const std::string reply =
      "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
      std::to_string(page.size()) + "\r\nConnection: close\r\n\r\n" + page;
  if (!SendAllBytes(client.get(), reply)) {
    Reset(client);
    return;
  }
  ++garbage_replies_;
  // A clean close (FIN): the client has the whole reply, as from a server that said "close".
  ::shutdown(client.get(), SHUT_WR);
  pollfd p{client.get(), POLLIN, 0};
  char sink[256];
  while (!stop_ && ::poll(&p, 1, 1000) == 1 && ::recv(client.get(), sink, sizeof sink, 0) > 0) {
  }
}

}  // namespace driftline::testkit
