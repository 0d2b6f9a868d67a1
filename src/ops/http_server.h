// A small HTTP listener for operations endpoints (/healthz, /metrics), over civetweb.
// Binds to 127.0.0.1 by default: exposing it wider is an explicit choice of the operator.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

struct mg_context;
struct mg_connection;

namespace driftline::ops {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// True when `host` (the part of "host:port" before the last colon) only accepts connections
// from this machine: 127.0.0.0/8, "localhost", "::1" or "[::1]". "0.0.0.0", "[::]", any other
// address or name is reachable from elsewhere.
bool IsLoopbackHost(std::string_view host);

// Called on civetweb's worker threads: handlers must be thread-safe.
using HttpHandler = std::function<HttpReply()>;

class HttpServer {
 public:
  // `address` is "host:port" (port 0 picks a free port). GET requests to a path in `routes` get
  // its handler's reply; other paths 404; other methods 405.
  // Errors: kInvalidArgument for a malformed address, kUnavailable when the port is taken.
  static Result<std::unique_ptr<HttpServer>> Start(const std::string& address,
                                                   std::map<std::string, HttpHandler> routes);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  const std::string& host() const { return host_; }

 private:
  HttpServer() = default;
  static int Dispatch(::mg_connection* conn, void* self);

  struct ContextDeleter {
    void operator()(mg_context* ctx) const;
  };
  std::map<std::string, HttpHandler> routes_;
  std::unique_ptr<mg_context, ContextDeleter> ctx_;
  std::string host_;
  int port_ = 0;
};

}  // namespace driftline::ops
