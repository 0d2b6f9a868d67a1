// Test helpers for the SQS client. A tiny HTTP/1.1 server on 127.0.0.1 for unit tests: it answers
// each connection with the next canned response and keeps the exact request libcurl sent, so a test
// can inspect the bytes on the wire (headers, signature, body) without any external server.
#pragma once

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace driftline::sqs::testing {

struct CapturedRequest {
  std::string request_line;                                  // "POST / HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> headers;  // as sent, in order
  std::string body;

  // Every value of the header (name compared case-insensitively), in order.
  std::vector<std::string> HeaderValues(const std::string& name) const;
  // The first value, "" when absent.
  std::string Header(const std::string& name) const;
};

// One request as it arrived on the connected socket `fd`: the header block and as much body as
// its Content-Length announces, waiting at most 10 s for each read; what arrived so far when
// the client stops sending ("" when it sent nothing).
std::string ReadRawRequest(int fd);

// A port on 127.0.0.1 that nothing listens on right now (bound to port 0, then released): a
// target for "connection refused", or a free port for a server the test starts.
int UnusedLoopbackPort();

class LoopbackHttpServer {
 public:
  // Listens on an ephemeral port; serves one connection per entry of `responses` (raw HTTP
  // response bytes; "Connection: close" is advisable), then stops.
  explicit LoopbackHttpServer(std::vector<std::string> responses);
  ~LoopbackHttpServer();  // joins the server thread (it gives up after a few seconds)
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The requests received so far; call after the client returned.
  std::vector<CapturedRequest> requests();

  // "HTTP/1.1 <status>\r\n<headers>Content-Length..Connection: close\r\n\r\n<body>"
  static std::string Response(int status, const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  void Serve(std::vector<std::string> responses);

  int listen_fd_ = -1;
  int port_ = 0;
  std::promise<std::vector<CapturedRequest>> done_;
  std::future<std::vector<CapturedRequest>> result_;
  std::thread thread_;
};

}  // namespace driftline::sqs::testing
