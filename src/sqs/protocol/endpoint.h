// Where SQS requests go and the HTTP envelope around them. The wire format is AWS JSON 1.0:
// POST / with Content-Type application/x-amz-json-1.0 and X-Amz-Target: AmazonSQS.<Action>; the
// body is the action's input object (encode.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sqs/protocol/http_message.h"

namespace driftline::sqs {

inline constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";

// Where requests go: "http://127.0.0.1:4566" or "https://sqs.eu-west-1.amazonaws.com", and the
// region they are signed for.
struct Endpoint {
  std::string url;  // scheme://host[:port], no trailing slash
  std::string region;
};

// Validates and normalises (drops one trailing '/'). Errors: kInvalidArgument for a scheme other
// than http/https, a missing host, user info, a path/query, or an empty/odd region.
Result<Endpoint> MakeEndpoint(std::string_view url, std::string_view region);

// POST <endpoint>/ for `action` ("SendMessage") with `body` serialised compactly (UTF-8 as is),
// signed as "aws:amz:<region>:sqs".
HttpRequest BuildRequest(const Endpoint& endpoint, std::string_view action,
                         const nlohmann::json& body);
// The same with the body already JSON text (the encoders of the sending actions write it so).
HttpRequest BuildRequest(const Endpoint& endpoint, std::string_view action, std::string body);

}  // namespace driftline::sqs
