#include "common/status.h"

namespace driftline {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kUnavailable:
      return "UNAVAILABLE";
    case Code::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case Code::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case Code::kAborted:
      return "ABORTED";
    case Code::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case Code::kNotFound:
      return "NOT_FOUND";
    case Code::kAlreadyExists:
      return "ALREADY_EXISTS";
    case Code::kPermissionDenied:
      return "PERMISSION_DENIED";
    case Code::kUnauthenticated:
      return "UNAUTHENTICATED";
    case Code::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case Code::kUnimplemented:
      return "UNIMPLEMENTED";
    case Code::kInternal:
      return "INTERNAL";
  }
  return "UNKNOWN";
}

std::string_view FailureScopeName(FailureScope scope) {
  switch (scope) {
    case FailureScope::kUnclassified:
      return "unclassified";
    case FailureScope::kMessage:
      return "message";
    case FailureScope::kInfrastructure:
      return "infrastructure";
  }
  return "unclassified";
}

bool IsRetryableCode(Code code) {
  switch (code) {
    case Code::kUnavailable:
    case Code::kResourceExhausted:
    case Code::kDeadlineExceeded:
    case Code::kAborted:
      return true;
    default:
      return false;
  }
}

std::string Error::ToString() const {
  std::string out(CodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

std::string Error::Trace() const {
  std::string out;
  for (auto it = context_.rbegin(); it != context_.rend(); ++it) {
    out += "while ";
    out += *it;
    out += '\n';
  }
  out += ToString();
  return out;
}

}  // namespace driftline
