// An HTTP server on 127.0.0.1 that rejects every request and quotes it back, the way AWS's
// SignatureDoesNotMatch / InvalidClientTokenId errors quote the request they refused. For tests
// that check what a client does with an error body holding its own request headers (tokens,
// access key ids): it must never print them.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace driftline::testing {

class RejectingHttpServer {
 public:
  // Listens on an ephemeral loopback port and answers every request, on any number of
  // connections, with `status` and an SQS JSON-protocol error of type `error_type` whose message
  // holds the request's headers and body.
  explicit RejectingHttpServer(int status = 403,
                               std::string error_type = "com.amazonaws.sqs#InvalidClientTokenId");
  ~RejectingHttpServer();  // stops accepting and joins the server thread
  RejectingHttpServer(const RejectingHttpServer&) = delete;
  RejectingHttpServer& operator=(const RejectingHttpServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Every request answered so far (request line, headers, body), in order.
  std::vector<std::string> requests() const;

 private:
  void Serve();
  void Answer(int fd);

  int status_;
  std::string error_type_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<std::string> requests_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace driftline::testing
