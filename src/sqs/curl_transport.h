// HttpTransport over libcurl: signs with CURLOPT_AWS_SIGV4 and reuses connections.
//
// libcurl 7.88 facts this depends on (see docs/platform-notes.md): the body goes in with
// CURLOPT_POSTFIELDS + POSTFIELDSIZE (a read callback would be signed as an empty body), no
// header may be sent empty (e.g. "Expect:" is signed wrongly before 8.3), and the signature
// covers every header we add (content-type, x-amz-target, x-amz-security-token) plus host and
// x-amz-date. A caller-supplied X-Amz-Date header pins the signing time (tests use it).
#pragma once

#include <curl/curl.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sqs/credentials.h"
#include "sqs/http.h"
#include "sqs/protocol/errors.h"

namespace driftline::sqs {

// The libcurl this process runs with ("7.88.1"), as the library reports it.
std::string LibraryVersion();

// RAII for libcurl's C handles.
struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// The Error for a failed curl_easy_perform: kUnavailable for connect/DNS/reset/TLS transport
// failures, kDeadlineExceeded for timeouts, kInvalidArgument for an unusable URL,
// kFailedPrecondition for certificate problems, kInternal for client-side faults.
Code CodeForCurlError(CURLcode code);
// What a failed curl_easy_perform means for the request: never left (resolve, connect, TLS
// handshake or certificate), timed out, or lost on the way.
TransportFailure TransportFailureForCurlError(CURLcode code);
// "POST http://127.0.0.1:4566/: Couldn't connect to server (Failed to connect ... )", scoped
// kInfrastructure by ClassifyTransportFailure (sqs/protocol/errors.h).
Error ErrorFromCurl(CURLcode code, std::string_view detail, const HttpRequest& request);

struct CurlTransportOptions {
  Credentials credentials;
  std::chrono::milliseconds connect_timeout{5000};
  // Whole request, connect included; HttpRequest::timeout_extension is added per request.
  std::chrono::milliseconds request_timeout{30000};
  // Idle handles (each keeps its connection alive) kept for reuse; more threads than this may
  // still send at once, the extra handles are just not kept.
  std::size_t max_idle_handles = 8;
  // A larger response is cut off and reported as kInternal.
  std::size_t max_response_bytes = 16 * 1024 * 1024;
  // CURLOPT_CONNECT_TO entries "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT": sign for and send
  // Host: HOST while connecting elsewhere (proxies; tests pinning the signed host).
  std::vector<std::string> connect_to;
  std::string user_agent = "driftline-sqs/0.1";
  // A PEM file of the certificate authorities an https endpoint must chain to
  // (CURLOPT_CAINFO), in place of the system's store: AWS_CA_BUNDLE. Empty: the system's.
  std::string ca_bundle;
};

// Checks a CA bundle before any request needs it: kInvalidArgument "<path>: cannot be read
// (<reason>)" for a missing, unreadable or non-regular file, "<path>: holds no PEM certificate"
// for one without a "-----BEGIN CERTIFICATE-----" block. A bad bundle found only by the first
// request would fail every send as a TLS outage, forever, instead of stopping the start.
Status CheckCaBundle(const std::string& path);

class CurlTransport final : public HttpTransport {
 public:
  // Initialises libcurl once per process. Errors: kInvalidArgument when the credentials are
  // empty or the CA bundle fails CheckCaBundle(), kInternal when libcurl cannot be initialised.
  static Result<std::unique_ptr<CurlTransport>> Create(CurlTransportOptions options);

  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // Thread-safe. A non-2xx response is returned as a response; its body and header values have
  // the credentials redacted (a server may echo them in an error). Errors: see HttpTransport.
  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  // An easy handle with the error buffer libcurl writes into (stable address for its lifetime).
  struct PooledHandle {
    CurlEasyPtr curl;
    std::array<char, CURL_ERROR_SIZE> error{};
  };

  explicit CurlTransport(CurlTransportOptions options, CurlSlistPtr connect_to);

  std::unique_ptr<PooledHandle> Acquire();
  void Release(std::unique_ptr<PooledHandle> handle);

  const CurlTransportOptions options_;
  const CurlSlistPtr connect_to_;  // shared read-only by every request

  std::mutex mu_;
  std::vector<std::unique_ptr<PooledHandle>> idle_;  // guarded by mu_
};

}  // namespace driftline::sqs
