// The queue URL the protocol tests encode and decode against (the local stack's queue), and the
// 200 response the decoders that read HTTP responses are given.
#pragma once

#include <string>
#include <utility>

#include "sqs/protocol/http_message.h"

namespace driftline::sqs::test_data {

inline constexpr char kQueueUrl[] = "http://127.0.0.1:4566/000000000000/place-order-queue";

// HTTP 200 with `body`.
inline HttpResponse Ok200(std::string body) {
  return HttpResponse{200, {}, std::move(body)};
}

}  // namespace driftline::sqs::test_data
