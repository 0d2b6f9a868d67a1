// The HTTP seam: the one interface that sends a request (as the SQS protocol builds it) for the
// response a server returned. The client logic only ever talks to HttpTransport, so unit tests
// swap in a fake; CurlTransport (curl_transport.h) is the real one.
#pragma once

#include "common/status.h"
#include "sqs/protocol/http_message.h"

namespace driftline::sqs {

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
