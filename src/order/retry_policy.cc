#include "order/retry_policy.h"

#include <algorithm>

namespace driftline::order {

std::chrono::milliseconds RetryPolicy::DelayFor(int retry_count) const {
  const int exponent = std::clamp(retry_count, 0, std::max(0, max_doublings));
  // 2^exponent with exponent <= max_doublings; the cap keeps it far from overflow.
  const auto scaled = initial_delay * (std::int64_t{1} << std::min(exponent, 30));
  return std::min<std::chrono::milliseconds>(scaled, max_delay);
}

std::chrono::milliseconds RetryPolicy::LargestDelay() const {
  // DelayFor grows with n, and Decide() retries only n < max_retries.
  return max_retries > 0 ? DelayFor(max_retries - 1) : std::chrono::milliseconds(0);
}

RetryDecision Decide(int retry_count, const RetryPolicy& policy) {
  if (retry_count >= policy.max_retries) return {RetryDecision::Kind::kDeadLetter, {}};
  return {RetryDecision::Kind::kRetry, policy.DelayFor(retry_count)};
}

}  // namespace driftline::order
