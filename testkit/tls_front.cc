#include "testkit/tls_front.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "testkit/child_process.h"
#include "testkit/ports.h"

namespace driftline::testkit {
namespace {

using std::chrono::seconds;

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// The oldest error OpenSSL queued on this thread, and the queue cleared.
std::string OpenSslError() {
  char text[256] = "unknown error";
  if (const unsigned long e = ERR_get_error(); e != 0) ERR_error_string_n(e, text, sizeof text);
  ERR_clear_error();
  return text;
}

bool SendAllTo(int fd, const char* data, std::size_t size) {
  for (std::size_t off = 0; off < size;) {
    const ssize_t w = ::send(fd, data + off, size - off, MSG_NOSIGNAL);
    if (w <= 0) return false;
    off += static_cast<std::size_t>(w);
  }
  return true;
}

// `name` on PATH, "" when it is not there.
std::string OnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

// The extensions of each certificate: a CA that may sign, and a server certificate for
// 127.0.0.1 (the bad one lacks the authority key id, having no other authority than itself).
constexpr char kOpenSslConfig[] = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = driftline test
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[good]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[bad]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
subjectKeyIdentifier = hash
)";

}  // namespace

Result<TestCertificates> MakeTestCertificates(const std::string& dir) {
  const std::string openssl = OnPath("openssl");
  if (openssl.empty()) {
    return Fail(Code::kUnavailable, "openssl is not on PATH (Debian package openssl)");
  }
  const std::string config = dir + "/openssl.cnf";
  const std::string log = dir + "/openssl.log";
  if (!(std::ofstream(config) << kOpenSslConfig)) {
    return Fail(Code::kUnavailable, "cannot write " + config);
  }
  TestCertificates c{dir + "/ca.pem", dir + "/good.pem", dir + "/good.key", dir + "/bad.pem",
                     dir + "/bad.key"};
  const std::string ca_key = dir + "/ca.key";
  const std::string csr = dir + "/good.csr";
  const std::vector<std::string> key = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                        "-nodes"};
  auto with_key = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin() + 2, key.begin(), key.end());
    return argv;
  };
  const std::vector<std::vector<std::string>> steps = {
      with_key({openssl, "req", "-x509", "-config", config, "-extensions", "ca", "-keyout", ca_key,
                "-out", c.ca_cert, "-days", "2", "-subj", "/CN=driftline test CA"}),
      with_key({openssl, "req", "-new", "-config", config, "-keyout", c.good_key, "-out", csr,
                "-subj", "/CN=127.0.0.1"}),
      {openssl, "x509", "-req", "-in", csr, "-CA", c.ca_cert, "-CAkey", ca_key, "-set_serial", "2",
       "-days", "2", "-extfile", config, "-extensions", "good", "-out", c.good_cert},
      with_key({openssl, "req", "-x509", "-config", config, "-extensions", "bad", "-keyout",
                c.bad_key, "-out", c.bad_cert, "-days", "2", "-subj", "/CN=127.0.0.1"}),
  };
  for (const auto& argv : steps) {
    auto code = RunToCompletion(argv, {}, log, seconds(60));
    if (!code) return tl::unexpected(code.error());
    if (*code != 0) {
      return Fail(Code::kUnavailable,
                  "openssl " + argv[1] + " exited " + std::to_string(*code) + "; see " + log);
    }
  }
  return c;
}

struct TlsFront::Context {
  explicit Context(SSL_CTX* c) : ctx(c) {}
  ~Context() { SSL_CTX_free(ctx); }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  SSL_CTX* const ctx;  // owned
};

Result<std::unique_ptr<TlsFront>> TlsFront::Start(const std::string& cert_file,
                                                  const std::string& key_file,
                                                  const std::string& upstream_host,
                                                  int upstream_port) {
  sockaddr_in upstream = LoopbackAddress(upstream_port);
  if (::inet_pton(AF_INET, upstream_host.c_str(), &upstream.sin_addr) != 1) {
    return Fail(Code::kInvalidArgument,
                "TLS front: '" + upstream_host + "' is not an IPv4 address");
  }
  auto context = std::make_unique<Context>(SSL_CTX_new(TLS_server_method()));
  SSL_CTX* ctx = context->ctx;
  if (ctx == nullptr) return Fail(Code::kInternal, "SSL_CTX_new: " + OpenSslError());
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return Fail(Code::kInvalidArgument,
                "TLS front: cannot use " + cert_file + " with " + key_file + ": " + OpenSslError());
  }
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM, 0));
  int one = 1;
  ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = LoopbackAddress(0);
  socklen_t len = sizeof addr;
  if (!listener.valid() ||
      ::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener.get(), 64) != 0 ||
      ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Fail(Code::kUnavailable,
                std::string("TLS front: cannot listen on loopback: ") + std::strerror(errno));
  }
  return std::unique_ptr<TlsFront>(
      new TlsFront(std::move(context), std::move(listener), ntohs(addr.sin_port), upstream));
}

TlsFront::TlsFront(std::unique_ptr<Context> context, UniqueFd listener, int port,
                   sockaddr_in upstream)
    : context_(std::move(context)),
      listener_(std::move(listener)),
      port_(port),
      upstream_(upstream) {
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TlsFront::~TlsFront() {
  stop_ = true;
  ::shutdown(listener_.get(), SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  connections_.JoinAll();
}

void TlsFront::AcceptLoop() {
  while (!stop_) {
    pollfd p{listener_.get(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    UniqueFd client(::accept(listener_.get(), nullptr, nullptr));
    if (!client.valid()) continue;
    connections_.Start([this, c = std::move(client)]() mutable { Serve(std::move(c)); });
  }
}

void TlsFront::Serve(UniqueFd client) {
  // OpenSSL writes with write(2): a peer gone away must be EPIPE here, not a SIGPIPE that ends
  // the test program.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  // Bounds a handshake or record that never completes.
  timeval tv{5, 0};
  ::setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(client.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

  std::unique_ptr<SSL, SslFree> ssl(SSL_new(context_->ctx));
  if (!ssl || SSL_set_fd(ssl.get(), client.get()) != 1 || SSL_accept(ssl.get()) != 1) {
    ++failed_handshakes_;
    ERR_clear_error();
    return;
  }
  ++handshakes_;
  UniqueFd upstream(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr = upstream_;
  if (!upstream.valid() ||
      ::connect(upstream.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return;  // the client sees the connection closed
  }
  char buf[16384];
  bool open = true;
  while (open && !stop_) {
    pollfd fds[2] = {{client.get(), POLLIN, 0}, {upstream.get(), POLLIN, 0}};
    // Bytes OpenSSL already decrypted are not on the socket: read them before polling.
    const bool buffered = SSL_pending(ssl.get()) > 0;
    if (!buffered && ::poll(fds, 2, 100) <= 0) continue;
    if (buffered || (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const int n = SSL_read(ssl.get(), buf, sizeof buf);
      if (n > 0) {
        open = SendAllTo(upstream.get(), buf, static_cast<std::size_t>(n));
      } else {
        const int e = SSL_get_error(ssl.get(), n);
        open = e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
      }
    }
    if (open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t n = ::read(upstream.get(), buf, sizeof buf);
      open = n > 0 && SSL_write(ssl.get(), buf, static_cast<int>(n)) > 0;
    }
  }
  SSL_shutdown(ssl.get());  // close_notify, best effort
  ERR_clear_error();
}

}  // namespace driftline::testkit
