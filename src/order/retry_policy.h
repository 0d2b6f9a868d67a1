// When to try a failed order again, and when to give up: the lab's exponential backoff.
#pragma once

#include <chrono>

namespace driftline::order {

struct RetryPolicy {
  int max_retries = 3;                            // MAX_RETRIES
  std::chrono::milliseconds initial_delay{1000};  // delay before retry 0
  int max_doublings = 5;                          // the exponent stops growing here
  std::chrono::milliseconds max_delay{30000};     // and the delay never exceeds this

  // min(initial · 2^min(n, max_doublings), max_delay); n < 0 is treated as 0.
  std::chrono::milliseconds DelayFor(int retry_count) const;
  // The longest delay Decide() can ask for: DelayFor(max_retries - 1) (0 when nothing is
  // retried). No retry is ever due later than this after it is read.
  std::chrono::milliseconds LargestDelay() const;
};

// What the retry pipeline does with an envelope carrying retryCount = n.
struct RetryDecision {
  enum class Kind {
    kDeadLetter,  // n >= max_retries: dead-letter with totalRetries = n
    kRetry,       // wait `delay` after the envelope's last attempt, then transform again
  };
  Kind kind;
  std::chrono::milliseconds delay{0};
};

RetryDecision Decide(int retry_count, const RetryPolicy& policy);

}  // namespace driftline::order
