// An HttpTransport for client tests: records every request and answers through a handler.
#pragma once

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sqs/http.h"

namespace driftline::sqs::testing {

class FakeTransport final : public HttpTransport {
 public:
  // Called with the request's action ("SendMessageBatch") and parsed JSON body.
  using Handler = std::function<Result<HttpResponse>(
      const std::string& action, const nlohmann::json& body, const HttpRequest& request)>;

  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    std::string action;
    for (const auto& [name, value] : request.headers) {
      if (name == "X-Amz-Target") action = value.substr(value.find('.') + 1);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
    }
    return handler_(action, nlohmann::json::parse(request.body), request);
  }

  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

  static HttpResponse Json(long status, const nlohmann::json& body) {
    return HttpResponse{status, {{"x-amzn-requestid", "fake-request"}}, body.dump()};
  }

 private:
  Handler handler_;
  mutable std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

}  // namespace driftline::sqs::testing
