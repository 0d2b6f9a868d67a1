#include "common/status.h"

#include <gtest/gtest.h>

namespace driftline {
namespace {

TEST(CodeTest, RetryableCodesAreExactlyTheTransientOnes) {
  EXPECT_TRUE(IsRetryableCode(Code::kUnavailable));
  EXPECT_TRUE(IsRetryableCode(Code::kResourceExhausted));
  EXPECT_TRUE(IsRetryableCode(Code::kDeadlineExceeded));
  EXPECT_TRUE(IsRetryableCode(Code::kAborted));
  EXPECT_FALSE(IsRetryableCode(Code::kInvalidArgument));
  EXPECT_FALSE(IsRetryableCode(Code::kNotFound));
  EXPECT_FALSE(IsRetryableCode(Code::kUnauthenticated));
  EXPECT_FALSE(IsRetryableCode(Code::kPermissionDenied));
  EXPECT_FALSE(IsRetryableCode(Code::kInternal));
}

TEST(ErrorTest, TraceListsContextOutermostFirst) {
  Error e(Code::kUnavailable, "connection refused");
  e.With("POST http://127.0.0.1:4566/").With("sending batch of 10");
  EXPECT_EQ(e.ToString(), "UNAVAILABLE: connection refused");
  EXPECT_EQ(e.Trace(),
            "while sending batch of 10\nwhile POST http://127.0.0.1:4566/\n"
            "UNAVAILABLE: connection refused");
  EXPECT_TRUE(e.retryable());
}

TEST(ResultTest, CarriesValueOrError) {
  Result<int> ok = 3;
  Result<int> bad = Fail(Code::kNotFound, "no such queue");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 3);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), Code::kNotFound);
  EXPECT_FALSE(bad.error().retryable());
}

}  // namespace
}  // namespace driftline
