// TLS for tests of an https client against a plain-HTTP server (ElasticMQ, an HttpStub): a
// loopback front that terminates TLS with a given certificate and pumps the plaintext to an
// upstream port, and the certificates to give it, made at test time with the `openssl` command
// line — one the client's CA bundle trusts and one it must refuse.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"
#include "testkit/connection_threads.h"
#include "testkit/unique_fd.h"

namespace driftline::testkit {

// PEM files, all for the server name IP:127.0.0.1 (subjectAltName), valid from now for 2 days.
struct TestCertificates {
  std::string ca_cert;    // the test CA: what a client's CA bundle holds
  std::string good_cert;  // signed by the test CA: trusted
  std::string good_key;
  std::string bad_cert;  // self-signed, same name: a client trusting the test CA refuses it
  std::string bad_key;
};

// Writes the test CA, the good and the bad certificate with their keys (P-256) into `dir`, an
// existing directory the caller owns, running `openssl` (found on PATH) with its output in
// dir/openssl.log. Errors: kUnavailable when openssl cannot be found, run, or fails.
Result<TestCertificates> MakeTestCertificates(const std::string& dir);

class TlsFront {
 public:
  // Listens on 127.0.0.1 on a free port; each connection is TLS with `cert_file`/`key_file`
  // (PEM), its plaintext pumped both ways to upstream_host:upstream_port (an IPv4 address).
  // Errors: kInvalidArgument when the certificate or key cannot be loaded or do not match, or
  // the host is not an IPv4 address; kUnavailable when no loopback port can be listened on.
  static Result<std::unique_ptr<TlsFront>> Start(const std::string& cert_file,
                                                 const std::string& key_file,
                                                 const std::string& upstream_host,
                                                 int upstream_port);
  // Stops accepting, ends every connection (within ~100 ms, or the 5 s I/O bound of one caught
  // in a handshake) and joins every thread.
  ~TlsFront();
  TlsFront(const TlsFront&) = delete;
  TlsFront& operator=(const TlsFront&) = delete;

  int port() const { return port_; }
  // Handshakes completed, and refused or abandoned (a client that does not trust the
  // certificate ends its handshake with an alert).
  std::uint64_t handshakes() const { return handshakes_; }
  std::uint64_t failed_handshakes() const { return failed_handshakes_; }

 private:
  struct Context;  // the OpenSSL server context
  TlsFront(std::unique_ptr<Context> context, UniqueFd listener, int port, sockaddr_in upstream);
  void AcceptLoop();
  void Serve(UniqueFd client);

  std::unique_ptr<Context> context_;
  UniqueFd listener_;
  const int port_;
  const sockaddr_in upstream_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> handshakes_{0};
  std::atomic<std::uint64_t> failed_handshakes_{0};
  std::thread acceptor_;
  ConnectionThreads connections_;  // joined by the destructor
};

}  // namespace driftline::testkit
