// A loopback TCP proxy that can play an outage of the server behind it: while down, every new
// connection is reset at once and the connections it was carrying are cut, which is what a
// client sees when the endpoint dies. Used to take SQS away from a running order-service. It can
// also move to another upstream port (behind it, a server with another certificate), and play an
// HTTP endpoint that applies each request but answers garbage (SetGarbage).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"
#include "testkit/connection_threads.h"
#include "testkit/unique_fd.h"

namespace driftline::testkit {

class TcpProxy {
 public:
  // Listens on 127.0.0.1 on a free port and forwards each connection to upstream_host:port
  // (an IPv4 address). Errors: kUnavailable when no loopback port can be bound.
  static Result<std::unique_ptr<TcpProxy>> Start(std::string upstream_host, int upstream_port);

  // Stops accepting, cuts every connection and joins every thread.
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  // Down: connections in progress are cut within ~100 ms and new ones are reset. Up: forwards
  // again. Callable from any thread.
  void SetDown(bool down);
  bool down() const { return down_; }

  // New connections go to upstream_host:`port`; connections in progress are cut within ~100 ms
  // (as by SetDown), so a client that reconnects reaches the new upstream. Any thread.
  void SetUpstreamPort(int port);
  int upstream_port() const { return upstream_port_; }

  // Garbage on: each new connection carries one HTTP/1.1 request (Content-Length framed), which
  // is forwarded to the upstream, whose whole response is awaited (so the server has applied
  // the request) and dropped; the client gets "HTTP/1.1 200 OK" with an HTML page for a body
  // and "Connection: close" — a captive portal or a misrouted load balancer. Switching it either
  // way cuts the connections in progress. Any thread.
  void SetGarbage(bool on);
  bool garbage() const { return garbage_; }
  // Requests the upstream answered and the client got garbage for.
  std::uint64_t garbage_replies() const { return garbage_replies_; }

  // The body of the garbage reply.
  static constexpr char kGarbagePage[] =
      "<html><head><title>Maintenance</title></head>"
      "<body><h1>We'll be back soon</h1></body></html>\n";

 private:
  TcpProxy(std::string upstream_host, int upstream_port, UniqueFd listener, int port);
  void AcceptLoop();
  // `generation` and `garbage` as they were when the connection was accepted: a SetDown() that
  // came between the accept and the pump's start still ends the connection.
  void Pump(UniqueFd client, std::uint64_t generation, bool garbage);
  // One request forwarded, its response swallowed, garbage answered (garbage mode).
  void AnswerGarbage(UniqueFd client, UniqueFd upstream);

  const std::string host_;
  std::atomic<int> upstream_port_;
  UniqueFd listener_;
  const int port_;
  std::atomic<bool> down_{false};
  std::atomic<bool> garbage_{false};
  std::atomic<bool> stop_{false};
  // Bumped by SetDown(true), SetUpstreamPort and SetGarbage: older pumps quit.
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> garbage_replies_{0};
  std::thread acceptor_;
  ConnectionThreads pumps_;  // joined by the destructor
};

}  // namespace driftline::testkit
