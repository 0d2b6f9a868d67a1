// Failures as values.
//
// An Error carries a Code that tells the caller what to do next (the idea of absl::Status):
// retry the same call later, or stop because retrying cannot help until something is fixed.
// The order pipeline routes on exactly that distinction: a retryable error keeps the message
// where it is and tries again; a permanent one dead-letters it; a fatal one stops the process.
//
// Where the layer that raised it can tell, an Error also says whose failure it is (its scope)
// and why, in a short stable word (its cause): a sender of messages routes on the scope, since
// only a message's own failure may take it out of the flow.
//
// Result<T> is tl::expected<T, Error>: either a value or the Error that prevented it.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

namespace driftline {

enum class Code {
  kOk = 0,
  // Retryable: the same request may succeed later without any change.
  kUnavailable,        // endpoint down, connection refused/reset, 5xx, broker not available
  kResourceExhausted,  // throttled, queue full, request rate exceeded
  kDeadlineExceeded,   // timed out
  kAborted,            // concurrency conflict (e.g. rebalance in progress)
  // Permanent: the request itself is wrong and will fail again unchanged.
  kInvalidArgument,  // malformed input, validation error, message too large
  kNotFound,         // unknown queue/topic
  kAlreadyExists,
  kPermissionDenied,    // authorised identity may not do this
  kUnauthenticated,     // bad or missing credentials / signature
  kFailedPrecondition,  // the system is not in a state that allows the operation
  kUnimplemented,
  // Fatal: a bug or an unrecoverable client state; the process should stop.
  kInternal,
};

// "UNAVAILABLE", "INVALID_ARGUMENT", ...
std::string_view CodeName(Code code);

// True for codes where repeating the same call later can succeed.
bool IsRetryableCode(Code code);

// Whose failure an operation on one message is.
enum class FailureScope {
  // The layer that raised the error did not say; a caller treats it as kInfrastructure.
  kUnclassified,
  // The message's own content is refused (invalid characters, too long, a bad attribute): the
  // same message fails again, other messages do not. The only scope that may dead-letter it.
  kMessage,
  // The destination, the endpoint, credentials, TLS, the network or the server: every message
  // fails alike until that is fixed, so the message waits and is sent again.
  kInfrastructure,
};

// "unclassified", "message", "infrastructure".
std::string_view FailureScopeName(FailureScope scope);

class Error {
 public:
  Error(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool retryable() const { return IsRetryableCode(code_); }

  FailureScope scope() const { return scope_; }
  // A short stable word for what failed, for metric labels and health reports
  // ("QueueDoesNotExist", "tls", "checksum-mismatch"); empty while unclassified.
  const std::string& cause() const { return cause_; }
  // True when the operation may have taken effect although it reports a failure (a timeout
  // after the request went out, a reply that could not be read): doing it again may duplicate.
  bool maybe_applied() const { return maybe_applied_; }

  // Sets scope, cause and maybe_applied, replacing any earlier classification.
  Error& Classify(FailureScope scope, std::string cause, bool maybe_applied = false) & {
    scope_ = scope;
    cause_ = std::move(cause);
    maybe_applied_ = maybe_applied;
    return *this;
  }
  Error&& Classify(FailureScope scope, std::string cause, bool maybe_applied = false) && {
    return std::move(Classify(scope, std::move(cause), maybe_applied));
  }

  // Context frames, innermost first: where the error was raised and what the caller was
  // doing ("SendMessageBatch place-order-queue", "transform order ORD-1", ...).
  const std::vector<std::string>& context() const { return context_; }

  // Adds an outer frame and returns *this, so callers can write
  //   return tl::unexpected(std::move(err).With("sending batch"));
  Error& With(std::string frame) & {
    context_.push_back(std::move(frame));
    return *this;
  }
  Error&& With(std::string frame) && {
    context_.push_back(std::move(frame));
    return std::move(*this);
  }

  // "UNAVAILABLE: connection refused"
  std::string ToString() const;
  // The context chain, outermost first, one frame a line, then the error itself.
  std::string Trace() const;

 private:
  Code code_;
  std::string message_;
  std::vector<std::string> context_;
  FailureScope scope_ = FailureScope::kUnclassified;
  std::string cause_;
  bool maybe_applied_ = false;
};

template <typename T>
using Result = tl::expected<T, Error>;

// Result<void> for operations that only succeed or fail.
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> Fail(Code code, std::string message) {
  return tl::unexpected<Error>(Error(code, std::move(message)));
}

inline Status Ok() {
  return {};
}

}  // namespace driftline
