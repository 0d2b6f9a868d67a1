// A configurable HTTP/1.1 server on 127.0.0.1 for tests: it answers each connection (one
// request each) with a canned response, or with whatever a responder makes of the request, and
// keeps every request exactly as it arrived, so a test can inspect the bytes on the wire
// (headers, signature, body) without any external server.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "testkit/unique_fd.h"

namespace driftline::testkit {

struct CapturedRequest {
  std::string raw;                                           // the request's bytes as received
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

class HttpStub {
 public:
  // Raw HTTP response bytes for a request.
  using Responder = std::function<std::string(const CapturedRequest&)>;

  // Serves one connection per entry of `responses` (raw HTTP response bytes; "Connection:
  // close" is advisable), in order, then accepts no more.
  explicit HttpStub(std::vector<std::string> responses);
  // Answers every connection, any number of them, with `respond(request)`.
  explicit HttpStub(Responder respond);
  // Stops accepting and joins the server thread. Throws std::runtime_error from the
  // constructors when no loopback port can be listened on.
  ~HttpStub();
  HttpStub(const HttpStub&) = delete;
  HttpStub& operator=(const HttpStub&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The requests received so far, in order (each is kept before it is answered).
  std::vector<CapturedRequest> requests() const;

  // "HTTP/1.1 <status>\r\n<headers>Content-Type..Content-Length..Connection: close\r\n\r\n<body>"
  static std::string Response(int status, const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Rejects every request with `status` and an SQS JSON-protocol error of type `error_type` whose
  // message quotes the request back (headers and body), the way AWS's SignatureDoesNotMatch /
  // InvalidClientTokenId errors do: for checking that a client never prints what it sent.
  static Responder QuotingRejection(
      int status = 403, std::string error_type = "com.amazonaws.sqs#InvalidClientTokenId");

 private:
  HttpStub(std::vector<std::string> responses, Responder respond);
  void Serve();

  std::vector<std::string> responses_;  // canned, one per connection (when no responder)
  Responder respond_;
  UniqueFd listener_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<CapturedRequest> requests_;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace driftline::testkit
