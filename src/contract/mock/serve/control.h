// The mock provider's HTTP control API, on the loopback only:
//   GET  /_mock/health        200 {"status":"ready","inputs":[...]}; 503 while starting or
//                             draining ({"status":"starting"|"draining"|"stopped"})
//   GET  /_mock/verify        per channel and per example: received, emitted, dropped, ...
//   POST /_mock/reset         every counter and the log back to zero
//   POST /_mock/expectations  one more example (the body: an example file's JSON) → 201
//   GET  /_mock/log?limit=N   the last N exchanges (100 by default), oldest first
// Every body is JSON; errors are {"error": "..."} with 400 (bad request), 403 (a Host header
// that is not the loopback: DNS rebinding), 404, 405 or 413.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "contract/mock/serve/provider.h"

namespace driftline::contract::mock {

struct ControlOptions {
  std::string host = "127.0.0.1";
  int port = 9001;  // 0: any free port
  int threads = 4;
};

class ControlServer {
 public:
  // Listens at once (Serve() then answers). `provider` is borrowed and must outlive the server.
  // Errors (kUnavailable): the address cannot be bound (in use, not local), naming it.
  static Result<std::unique_ptr<ControlServer>> Bind(MockProvider& provider,
                                                     ControlOptions options);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  int port() const;
  // "http://127.0.0.1:9001"
  std::string Url() const;
  // Answers requests until Stop(); on its own thread.
  void Start();
  // Stops answering and joins the thread. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit ControlServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace driftline::contract::mock
