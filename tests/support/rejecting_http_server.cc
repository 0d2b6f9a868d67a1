#include "support/rejecting_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

#include "loopback_http_server.h"

namespace driftline::testing {
namespace {

// `text` as the inside of a JSON string literal.
std::string JsonEscaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

void SendAll(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace

RejectingHttpServer::RejectingHttpServer(int status, std::string error_type)
    : status_(status), error_type_(std::move(error_type)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

RejectingHttpServer::~RejectingHttpServer() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

std::vector<std::string> RejectingHttpServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void RejectingHttpServer::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) != 1) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    Answer(fd);
    ::close(fd);
  }
}

void RejectingHttpServer::Answer(int fd) {
  const std::string request = sqs::testing::ReadRawRequest(fd);
  if (request.empty()) return;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
  }
  const std::string body = "{\"__type\":\"" + error_type_ +
                           "\",\"message\":\"The request was refused. It was:\\n" +
                           JsonEscaped(request) + "\"}";
  SendAll(fd, "HTTP/1.1 " + std::to_string(status_) +
                  " Refused\r\nContent-Type: application/x-amz-json-1.0\r\n"
                  "x-amzn-RequestId: rejected\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
}

}  // namespace driftline::testing
