// A loopback TCP proxy that can play an outage of the server behind it: while down, every new
// connection is reset at once and the connections it was carrying are cut, which is what a
// client sees when the endpoint dies. Used to take SQS away from a running order-service.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
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

 private:
  TcpProxy(std::string upstream_host, int upstream_port, UniqueFd listener, int port);
  void AcceptLoop();
  void Pump(UniqueFd client);

  const std::string host_;
  const int upstream_port_;
  UniqueFd listener_;
  const int port_;
  std::atomic<bool> down_{false};
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> generation_{0};  // bumped on SetDown(true): older pumps quit
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> pumps_;  // GUARDED_BY(mu_); joined by the destructor
};

}  // namespace driftline::testkit
