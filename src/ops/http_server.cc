#include "ops/http_server.h"

#include <civetweb.h>

#include <cstring>
#include <mutex>

namespace driftline::ops {
namespace {

std::once_flag g_init;

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

void Write(mg_connection* conn, const HttpReply& reply) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
            reply.status, ReasonPhrase(reply.status), reply.content_type.c_str(),
            reply.body.size());
  mg_write(conn, reply.body.data(), reply.body.size());
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  // 127.0.0.0/8, written as four decimal octets.
  if (host.substr(0, 4) != "127.") return false;
  int dots = 0;
  int digits = 0;
  int octet = 0;
  for (const char c : host) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
      octet = 0;
    } else if (c >= '0' && c <= '9' && digits < 3) {
      octet = octet * 10 + (c - '0');
      ++digits;
      if (octet > 255) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

void HttpServer::ContextDeleter::operator()(mg_context* ctx) const {
  mg_stop(ctx);
}

int HttpServer::Dispatch(mg_connection* conn, void* self_ptr) {
  auto* self = static_cast<HttpServer*>(self_ptr);
  const mg_request_info* info = mg_get_request_info(conn);
  if (std::strcmp(info->request_method, "GET") != 0 &&
      std::strcmp(info->request_method, "HEAD") != 0) {
    Write(conn, {405, "text/plain; charset=utf-8", "only GET\n"});
    return 405;
  }
  auto it = self->routes_.find(info->local_uri != nullptr ? info->local_uri : "");
  if (it == self->routes_.end()) {
    Write(conn, {404, "text/plain; charset=utf-8", "not found\n"});
    return 404;
  }
  const HttpReply reply = it->second();
  Write(conn, reply);
  return reply.status;
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& address,
                                                      std::map<std::string, HttpHandler> routes) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return Fail(Code::kInvalidArgument,
                "metrics address '" + address + "' is not host:port (e.g. 127.0.0.1:9400)");
  }
  std::call_once(g_init, [] { mg_init_library(0); });

  std::unique_ptr<HttpServer> server(new HttpServer());
  server->routes_ = std::move(routes);
  const std::string ports = address;
  const char* options[] = {"listening_ports",    ports.c_str(), "num_threads", "2",
                           "request_timeout_ms", "5000",        nullptr};
  mg_callbacks callbacks{};
  char errtxt[256] = {0};
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.configuration_options = options;
  mg_error_data err{};
  err.text = errtxt;
  err.text_buffer_size = sizeof errtxt;
  mg_context* ctx = mg_start2(&init, &err);
  if (ctx == nullptr) {
    return Fail(Code::kUnavailable, "cannot listen on " + address + ": " +
                                        (errtxt[0] != '\0' ? errtxt : "address in use?"));
  }
  server->ctx_.reset(ctx);
  mg_set_request_handler(ctx, "/", &HttpServer::Dispatch, server.get());

  mg_server_port bound[4];
  const int n = mg_get_server_ports(ctx, 4, bound);
  server->host_ = address.substr(0, colon);
  server->port_ = n > 0 ? bound[0].port : 0;
  return server;
}

HttpServer::~HttpServer() = default;

}  // namespace driftline::ops
