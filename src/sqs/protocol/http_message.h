// An HTTP request as the SQS protocol builds it and the response as a server returned it: plain
// data, so building and reading them is unit-tested without a network. Sending one is the
// transport's job (sqs/http.h).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

}  // namespace driftline::sqs
