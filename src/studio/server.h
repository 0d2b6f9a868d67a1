// Studio's HTTP server: the page (embedded assets) and the JSON API over one root, one run
// history and at most one run at a time. The routes, their bodies and status codes are listed in
// src/studio/README.md ("HTTP API").
//
// Security, for a server that runs tests against real brokers from a browser tab:
//   - it binds 127.0.0.1 unless told otherwise;
//   - the Host header must be 127.0.0.1:<port>, localhost:<port> or [::1]:<port> (a page of
//     another site that rebinds its name to 127.0.0.1 is refused: 403);
//   - every POST must be Content-Type application/json (415 otherwise: no form or text/plain
//     request from another origin gets in without a CORS preflight, which is never granted) and,
//     when it carries Origin, come from http://127.0.0.1:<port> or http://localhost:<port> (403);
//   - every path the page sends is confined to the root (studio/root.h): 403 outside;
//   - the page is served with Content-Security-Policy default-src 'self' (no inline script) and
//     every response with X-Content-Type-Options: nosniff.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "contract/run/runner.h"
#include "studio/history.h"
#include "studio/root.h"
#include "studio/session.h"

namespace driftline::studio {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 9000;  // 0: any free port (Server::port() says which)
  // Timing, matching, jobs of every run; `parallel` comes from each run request.
  contract::RunnerOptions runner;
  // Makes each run's transports (required).
  TransportFactory transports;
  // How often a waiting event stream gets a ": keep-alive" comment line.
  std::chrono::milliseconds keep_alive{15000};
  // Connections served at once: event streams each hold one while open.
  std::size_t threads = 16;
};

class Server {
 public:
  // Binds host:port (nothing is served before Serve()) and marks the runs a dead process left
  // "running" as interrupted. Takes ownership of `history`; `clock` is borrowed and must outlive
  // the Server. Errors: kUnavailable "cannot listen on <host>:<port>: <reason>"; the History's.
  static Result<std::unique_ptr<Server>> Bind(Root root, std::unique_ptr<History> history,
                                              ServerOptions options, Clock& clock);

  // Stops serving, cancels a running run and waits for its thread.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;
  // "http://127.0.0.1:9000/"
  std::string Url() const;
  const Root& root() const;
  // The history file, absolute.
  std::filesystem::path HistoryFile() const;

  // Serves on the calling thread until Stop(). Errors: kUnavailable when accepting fails.
  Status Serve();
  // Cancels a running run, ends every event stream and makes Serve() return. Thread-safe,
  // idempotent; may come before Serve() (which then returns at once).
  void Stop();

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace driftline::studio
