// The HTTP seam: a request as the SQS protocol builds it, the response as a server returned it,
// and the one interface that sends one for the other. The client logic only ever talks to
// HttpTransport, so unit tests swap in a fake; CurlTransport (curl_transport.h) is the real one.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace driftline::sqs {

// Holds no credentials (the transport adds the signature), so it is safe to print.
struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // never an empty value
  std::string body;
  // libcurl's CURLOPT_AWS_SIGV4 spec, "aws:amz:<region>:<service>"; empty sends it unsigned.
  std::string aws_sigv4;
  // Added to the transport's total timeout: a long poll waits this long on purpose.
  std::chrono::seconds timeout_extension{0};
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; repeated headers joined ", "
  std::string body;

  // The header's value, "" when absent. `name` in any case.
  std::string Header(std::string_view name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends the request and returns whatever status the server answered with; only a failure to
  // get an answer at all is an Error: kUnavailable (connect/DNS/reset), kDeadlineExceeded
  // (timeout), kInvalidArgument (unusable URL or header), kInternal (client-side fault).
  // Thread-safe: several threads may send at once.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace driftline::sqs
