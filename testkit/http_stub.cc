#include "testkit/http_stub.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

#include "common/strings.h"

namespace driftline::testkit {
namespace {

constexpr int kIoTimeoutMs = 10000;  // a hung client fails the test instead of hanging it

bool WaitReadable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

CapturedRequest Parse(std::string data) {
  CapturedRequest request;
  const std::size_t header_end = data.find("\r\n\r\n");
  if (header_end != std::string::npos) {
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
  }
  request.raw = std::move(data);
  return request;
}

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

std::string ReadRawRequest(int fd) {
  std::string data;
  std::size_t header_end = std::string::npos;
  std::size_t content_length = 0;
  char buffer[65536];
  while (true) {
    if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) break;
    if (!WaitReadable(fd, kIoTimeoutMs)) break;
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

HttpStub::HttpStub(std::vector<std::string> responses) : HttpStub(std::move(responses), nullptr) {}

HttpStub::HttpStub(Responder respond) : HttpStub({}, std::move(respond)) {}

HttpStub::HttpStub(std::vector<std::string> responses, Responder respond)
    : responses_(std::move(responses)), respond_(std::move(respond)) {
  listener_ = UniqueFd(::socket(AF_INET, SOCK_STREAM, 0));
  if (!listener_.valid()) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_.get(), 16) != 0 ||
      ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

HttpStub::~HttpStub() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void HttpStub::Serve() {
  std::size_t served = 0;
  while (!stop_ && (respond_ || served < responses_.size())) {
    if (!WaitReadable(listener_.get(), 50)) continue;
    UniqueFd fd(::accept(listener_.get(), nullptr, nullptr));
    if (!fd.valid()) continue;
    CapturedRequest request = Parse(ReadRawRequest(fd.get()));
    if (respond_ && request.raw.empty()) continue;  // a probe that sent nothing
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
    }
    SendAll(fd.get(), respond_ ? respond_(request) : responses_[served]);
    ++served;
    ::shutdown(fd.get(), SHUT_WR);
    // Wait for the client to close, so it has read the whole response.
    char sink[256];
    while (WaitReadable(fd.get(), kIoTimeoutMs) && ::recv(fd.get(), sink, sizeof sink, 0) > 0) {
    }
  }
}

std::vector<CapturedRequest> HttpStub::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::string HttpStub::Response(int status, const std::string& body,
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

HttpStub::Responder HttpStub::QuotingRejection(int status, std::string error_type) {
  return [status, error_type = std::move(error_type)](const CapturedRequest& request) {
    const std::string body = "{\"__type\":\"" + error_type +
                             "\",\"message\":\"The request was refused. It was:\\n" +
                             JsonEscaped(request.raw) + "\"}";
    return "HTTP/1.1 " + std::to_string(status) +
           " Refused\r\nContent-Type: application/x-amz-json-1.0\r\n"
           "x-amzn-RequestId: rejected\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  };
}

}  // namespace driftline::testkit
