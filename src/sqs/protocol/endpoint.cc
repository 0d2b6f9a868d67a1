#include "sqs/protocol/endpoint.h"

#include <algorithm>

namespace driftline::sqs {

Result<Endpoint> MakeEndpoint(std::string_view url, std::string_view region) {
  auto bad = [&](std::string_view why) {
    return Fail(Code::kInvalidArgument,
                "SQS endpoint \"" + std::string(url) + "\" " + std::string(why));
  };
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return bad("must start with http:// or https://");
  }
  if (rest.ends_with("/")) rest.remove_suffix(1);
  if (rest.empty() || rest.front() == ':') return bad("has no host");
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return bad("must be scheme://host[:port] without a path (queue URLs are passed per call)");
  }
  if (rest.find('@') != std::string_view::npos) {
    return bad("must not carry user info; credentials come from AWS_ACCESS_KEY_ID");
  }
  const bool region_ok = !region.empty() && std::all_of(region.begin(), region.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (!region_ok) {
    return Fail(Code::kInvalidArgument,
                "SQS region \"" + std::string(region) + "\" is not like us-east-1");
  }
  return Endpoint{std::string(url.substr(0, url.size() - (url.ends_with("/") ? 1 : 0))),
                  std::string(region)};
}

HttpRequest BuildRequest(const Endpoint& endpoint, std::string_view action, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint.url + "/";
  request.headers = {{"Content-Type", std::string(kJsonContentType)},
                     {"X-Amz-Target", "AmazonSQS." + std::string(action)}};
  request.body = std::move(body);
  request.aws_sigv4 = "aws:amz:" + endpoint.region + ":sqs";
  return request;
}

HttpRequest BuildRequest(const Endpoint& endpoint, std::string_view action,
                         const nlohmann::json& body) {
  // The encoders reject text that is not valid UTF-8 (CheckMessageText); `replace` only keeps
  // a hand-built body from throwing here.
  return BuildRequest(endpoint, action,
                      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace driftline::sqs
