#include "loopback_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace driftline::sqs::testing {
namespace {

constexpr int kIoTimeoutMs = 10000;  // a hung client fails the test instead of hanging it

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool WaitReadable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, kIoTimeoutMs) == 1;
}

}  // namespace

std::string ReadRawRequest(int fd) {
  std::string data;
  std::size_t header_end = std::string::npos;
  std::size_t content_length = 0;
  char buffer[65536];
  while (true) {
    if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) break;
    if (!WaitReadable(fd)) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    data.append(buffer, static_cast<std::size_t>(n));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const std::string head = Lower(data.substr(0, header_end));
        if (auto pos = head.find("\r\ncontent-length:"); pos != std::string::npos) {
          content_length = std::strtoul(head.c_str() + pos + 17, nullptr, 10);
        }
      }
    }
  }
  return data;
}

namespace {

CapturedRequest ReadRequest(int fd) {
  const std::string data = ReadRawRequest(fd);
  const std::size_t header_end = data.find("\r\n\r\n");
  CapturedRequest request;
  if (header_end == std::string::npos) return request;
  const std::string head = data.substr(0, header_end);
  std::size_t line_start = 0;
  bool first = true;
  while (line_start <= head.size()) {
    std::size_t line_end = head.find("\r\n", line_start);
    if (line_end == std::string::npos) line_end = head.size();
    const std::string line = head.substr(line_start, line_end - line_start);
    if (first) {
      request.request_line = line;
      first = false;
    } else if (auto colon = line.find(':'); colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      request.headers.emplace_back(line.substr(0, colon), value);
    }
    line_start = line_end + 2;
  }
  request.body = data.substr(header_end + 4);
  return request;
}

}  // namespace

int UnusedLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot bind 127.0.0.1:0");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::vector<std::string> CapturedRequest::HeaderValues(const std::string& name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (Lower(key) == Lower(name)) values.push_back(value);
  }
  return values;
}

std::string CapturedRequest::Header(const std::string& name) const {
  auto values = HeaderValues(name);
  return values.empty() ? std::string() : values.front();
}

LoopbackHttpServer::LoopbackHttpServer(std::vector<std::string> responses) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 8) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("bind/listen on 127.0.0.1:0 failed");
  }
  socklen_t length = sizeof address;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  result_ = done_.get_future();
  thread_ = std::thread([this, r = std::move(responses)]() mutable { Serve(std::move(r)); });
}

LoopbackHttpServer::~LoopbackHttpServer() {
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void LoopbackHttpServer::Serve(std::vector<std::string> responses) {
  std::vector<CapturedRequest> captured;
  for (const auto& response : responses) {
    if (!WaitReadable(listen_fd_)) break;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) break;
    captured.push_back(ReadRequest(fd));
    std::size_t sent = 0;
    while (sent < response.size()) {
      const ssize_t n = ::send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    // Wait for the client to close, so it has read the whole response.
    char sink[256];
    while (WaitReadable(fd) && ::recv(fd, sink, sizeof sink, 0) > 0) {
    }
    ::close(fd);
  }
  done_.set_value(std::move(captured));
}

std::vector<CapturedRequest> LoopbackHttpServer::requests() {
  if (thread_.joinable()) thread_.join();
  return result_.get();
}

std::string LoopbackHttpServer::Response(
    int status, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out =
      "HTTP/1.1 " + std::to_string(status) + (status < 300 ? " OK" : " Error") + "\r\n";
  for (const auto& [name, value] : headers)
    out += name + ": " + value + "\r\n";
  out +=
      "Content-Type: application/x-amz-json-1.0\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  return out;
}

}  // namespace driftline::sqs::testing
