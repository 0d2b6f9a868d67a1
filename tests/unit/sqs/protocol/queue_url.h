// The queue URL the protocol tests encode and decode against (the local stack's queue).
#pragma once

namespace driftline::sqs::test_data {

inline constexpr char kQueueUrl[] = "http://127.0.0.1:4566/000000000000/place-order-queue";

}  // namespace driftline::sqs::test_data
