#include "sqs/curl_transport.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "common/strings.h"

namespace driftline::sqs {
namespace {

// libcurl wants curl_global_init before any other call, once, from one thread.
Status InitCurlOnce() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    return Fail(Code::kInternal,
                std::string("curl_global_init failed: ") + curl_easy_strerror(result));
  }
  return Ok();
}

// Sets options in order and remembers the first failure, so a run of setopt calls needs one
// check at the end.
class OptionSetter {
 public:
  explicit OptionSetter(CURL* curl) : curl_(curl) {}
  template <typename T>
  void Set(CURLoption option, T value) {
    if (first_error_ == CURLE_OK) first_error_ = curl_easy_setopt(curl_, option, value);
  }
  CURLcode first_error() const { return first_error_; }

 private:
  CURL* curl_;
  CURLcode first_error_ = CURLE_OK;
};

struct BodySink {
  std::string body;
  std::size_t limit = 0;
  bool overflowed = false;
};

std::size_t WriteBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const std::size_t n = size * count;
  if (sink->body.size() + n > sink->limit) {
    sink->overflowed = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  sink->body.append(data, n);
  return n;
}

std::size_t WriteHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  const std::size_t n = size * count;
  const std::string_view line(data, n);
  if (line.substr(0, 5) == "HTTP/") {
    headers->clear();  // a new response begins (after "100 Continue" the real one follows)
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;  // blank line ends the block
  std::string name = Lower(line.substr(0, colon));
  std::string value(Trim(line.substr(colon + 1)));
  auto [it, inserted] = headers->emplace(std::move(name), value);
  if (!inserted) it->second += ", " + value;
  return n;
}

Status CheckHeader(std::string_view name, std::string_view value) {
  auto has_line_break = [](std::string_view s) {
    return s.find_first_of("\r\n") != std::string_view::npos;
  };
  if (name.empty() || name.find(':') != std::string_view::npos || has_line_break(name)) {
    return Fail(Code::kInvalidArgument, "invalid HTTP header name \"" + std::string(name) + "\"");
  }
  // An empty header entry ("Name:") removes a header in libcurl and breaks 7.88's signing.
  if (value.empty() || has_line_break(value)) {
    return Fail(Code::kInvalidArgument,
                "HTTP header " + std::string(name) + " has an empty or multi-line value");
  }
  return Ok();
}

Status AppendHeader(CurlSlistPtr& list, std::string_view name, std::string_view value) {
  if (auto checked = CheckHeader(name, value); !checked) return checked;
  const std::string line = std::string(name) + ": " + std::string(value);
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (head == nullptr) return Fail(Code::kInternal, "out of memory building HTTP headers");
  // The first append creates the list; later ones return the same head.
  if (!list) list.reset(head);
  return Ok();
}

}  // namespace

namespace {

// A certificate, cipher or pinning refused: the endpoint is wrong until someone fixes it.
bool IsCertificateError(CURLcode code) {
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string LibraryVersion() {
  return curl_version_info(CURLVERSION_NOW)->version;
}

Code CodeForCurlError(CURLcode code) {
  if (IsCertificateError(code)) return Code::kFailedPrecondition;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Code::kDeadlineExceeded;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
    case CURLE_PROXY:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_AGAIN:
      return Code::kUnavailable;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_LOGIN_DENIED:
      return Code::kInvalidArgument;
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_NOT_BUILT_IN:
    case CURLE_FAILED_INIT:
    case CURLE_WRITE_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      return Code::kInternal;
    default:
      // Anything else happened on the wire: assume the next attempt may get through.
      return Code::kUnavailable;
  }
}

TransportFailure TransportFailureForCurlError(CURLcode code) {
  if (IsCertificateError(code)) return TransportFailure::kTls;
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return TransportFailure::kUnreachable;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return TransportFailure::kTls;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure::kTimeout;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_WEIRD_SERVER_REPLY:
      return TransportFailure::kConnectionLost;
    default:
      return TransportFailure::kOther;
  }
}

Error ErrorFromCurl(CURLcode code, std::string_view detail, const HttpRequest& request) {
  std::string message = request.method + " " + request.url + ": " + curl_easy_strerror(code);
  if (!detail.empty()) message += " (" + std::string(detail) + ")";
  return ClassifyTransportFailure(Error(CodeForCurlError(code), std::move(message)),
                                  TransportFailureForCurlError(code));
}

Status CheckCaBundle(const std::string& path) {
  auto unreadable = [&](const std::string& reason) {
    return Fail(Code::kInvalidArgument, path + ": cannot be read (" + reason + ")");
  };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return unreadable("no such file");
  if (!std::filesystem::is_regular_file(path, ec)) return unreadable("not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return unreadable(std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return Fail(Code::kInvalidArgument, path + ": holds no PEM certificate");
  }
  return Ok();
}

Result<std::unique_ptr<CurlTransport>> CurlTransport::Create(CurlTransportOptions options) {
  if (options.credentials.access_key_id.empty() || options.credentials.secret_access_key.empty()) {
    return Fail(Code::kInvalidArgument, "SQS transport needs an access key id and a secret");
  }
  if (!options.ca_bundle.empty()) {
    if (Status s = CheckCaBundle(options.ca_bundle); !s) {
      return tl::unexpected(std::move(s.error()).With("CA bundle"));
    }
  }
  if (auto init = InitCurlOnce(); !init) return tl::unexpected(init.error());
  CurlSlistPtr connect_to;
  for (const auto& entry : options.connect_to) {
    curl_slist* head = curl_slist_append(connect_to.get(), entry.c_str());
    if (head == nullptr) return Fail(Code::kInternal, "out of memory building connect_to");
    if (!connect_to) connect_to.reset(head);
  }
  return std::unique_ptr<CurlTransport>(
      new CurlTransport(std::move(options), std::move(connect_to)));
}

CurlTransport::CurlTransport(CurlTransportOptions options, CurlSlistPtr connect_to)
    : options_(std::move(options)), connect_to_(std::move(connect_to)) {}

CurlTransport::~CurlTransport() = default;

std::unique_ptr<CurlTransport::PooledHandle> CurlTransport::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  auto handle = std::make_unique<PooledHandle>();
  handle->curl.reset(curl_easy_init());
  if (!handle->curl) return nullptr;
  return handle;
}

void CurlTransport::Release(std::unique_ptr<PooledHandle> handle) {
  // Forget this request's options (pointers into its buffers) but keep the live connection.
  curl_easy_reset(handle->curl.get());
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < options_.max_idle_handles) idle_.push_back(std::move(handle));
  // else: `handle` goes out of scope here and closes its connection.
}

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  if (request.method != "POST") {
    return Fail(Code::kInvalidArgument, "only POST is supported, not " + request.method);
  }
  CurlSlistPtr headers;
  for (const auto& [name, value] : request.headers) {
    if (auto appended = AppendHeader(headers, name, value); !appended) {
      return tl::unexpected(appended.error());
    }
  }
  if (const auto& token = options_.credentials.session_token; token && !token->empty()) {
    if (auto appended = AppendHeader(headers, "X-Amz-Security-Token", *token); !appended) {
      return Fail(Code::kInvalidArgument, "the session token is not a valid header value");
    }
  }

  // Returns the handle to the pool on every path out of this function.
  struct Lease {
    CurlTransport* owner;
    std::unique_ptr<PooledHandle> handle;
    ~Lease() {
      if (handle) owner->Release(std::move(handle));
    }
  } lease{this, Acquire()};
  if (!lease.handle) return Fail(Code::kInternal, "curl_easy_init failed");
  CURL* curl = lease.handle->curl.get();
  lease.handle->error[0] = '\0';

  BodySink sink;
  sink.limit = options_.max_response_bytes;
  HttpResponse response;
  const auto total_timeout =
      options_.request_timeout +
      std::chrono::duration_cast<std::chrono::milliseconds>(request.timeout_extension);

  OptionSetter set(curl);
  set.Set(CURLOPT_URL, request.url.c_str());
  set.Set(CURLOPT_PROTOCOLS_STR, "http,https");
  set.Set(CURLOPT_NOSIGNAL, 1L);  // several threads; timeouts must not use signals
  set.Set(CURLOPT_POST, 1L);
  // Not copied: `request` outlives curl_easy_perform below.
  set.Set(CURLOPT_POSTFIELDS, request.body.data());
  set.Set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  set.Set(CURLOPT_HTTPHEADER, headers.get());
  if (connect_to_) set.Set(CURLOPT_CONNECT_TO, connect_to_.get());
  if (!options_.ca_bundle.empty()) set.Set(CURLOPT_CAINFO, options_.ca_bundle.c_str());
  if (!request.aws_sigv4.empty()) {
    set.Set(CURLOPT_AWS_SIGV4, request.aws_sigv4.c_str());
    set.Set(CURLOPT_USERNAME, options_.credentials.access_key_id.c_str());
    set.Set(CURLOPT_PASSWORD, options_.credentials.secret_access_key.c_str());
  }
  set.Set(CURLOPT_USERAGENT, options_.user_agent.c_str());
  set.Set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  set.Set(CURLOPT_TIMEOUT_MS, static_cast<long>(total_timeout.count()));
  set.Set(CURLOPT_TCP_KEEPALIVE, 1L);
  set.Set(CURLOPT_FOLLOWLOCATION, 0L);
  set.Set(CURLOPT_WRITEFUNCTION, &WriteBody);
  set.Set(CURLOPT_WRITEDATA, static_cast<void*>(&sink));
  set.Set(CURLOPT_HEADERFUNCTION, &WriteHeader);
  set.Set(CURLOPT_HEADERDATA, static_cast<void*>(&response.headers));
  set.Set(CURLOPT_ERRORBUFFER, lease.handle->error.data());
  if (set.first_error() != CURLE_OK) {
    return tl::unexpected(ErrorFromCurl(set.first_error(), "setting options", request));
  }

  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    if (sink.overflowed) {
      return tl::unexpected(
          Error(Code::kInternal, request.method + " " + request.url + ": response larger than " +
                                     std::to_string(options_.max_response_bytes) + " bytes")
              .Classify(FailureScope::kInfrastructure, std::string(cause::kUnreadableResponse),
                        true));
    }
    return tl::unexpected(ErrorFromCurl(rc, lease.handle->error.data(), request));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(sink.body);
  if (response.status < 200 || response.status > 299) {
    // An error body may quote the request back (e.g. a signature mismatch); scrub it here, the
    // only place that knows the credentials.
    response.body = RedactCredentials(std::move(response.body), options_.credentials);
    for (auto& [name, value] : response.headers) {
      value = RedactCredentials(std::move(value), options_.credentials);
    }
  }
  return response;
}

}  // namespace driftline::sqs
