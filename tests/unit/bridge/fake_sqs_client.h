// An in-memory SqsClient for the bridge's unit tests: records what was sent and fails on
// command (whole requests, or single entries by body).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sqs/client.h"

namespace driftline::bridge::testing {

class FakeSqsClient final : public sqs::SqsClient {
 public:
  // Fail the next `n` whole requests with `code` (unclassified: the sender takes it for the
  // infrastructure's, as it must) or with `error` as the real client classifies it.
  void FailRequests(int n, Code code) { FailRequests(n, Error(code, "injected request failure")); }
  void FailRequests(int n, Error error) {
    std::lock_guard lock(mu_);
    fail_requests_ = n;
    fail_error_ = std::move(error);
  }
  // Entries whose body equals one of these fail with `code` (unclassified) or `error`, every
  // time.
  void FailEntry(std::string body, Code code) {
    FailEntry(std::move(body), Error(code, "injected entry failure"));
  }
  void FailEntry(std::string body, Error error) {
    std::lock_guard lock(mu_);
    failing_entries_.insert_or_assign(std::move(body), std::move(error));
  }
  // GetQueueAttributes (the service's probe) fails with `error` until called with nullopt.
  void FailProbe(std::optional<Error> error) {
    std::lock_guard lock(mu_);
    probe_error_ = std::move(error);
  }
  int Probes() const {
    std::lock_guard lock(mu_);
    return probes_;
  }
  // Entries whose body equals this fail transiently `n` times, then succeed.
  void FlakyEntry(std::string body, int n) {
    std::lock_guard lock(mu_);
    flaky_[std::move(body)] = n;
  }
  // Requests with an entry whose body contains `needle` wait until Open(needle): completions
  // then arrive in the order the test opens the gates.
  void Gate(std::string needle) {
    std::lock_guard lock(mu_);
    gates_.insert(std::move(needle));
  }
  void Open(const std::string& needle) {
    {
      std::lock_guard lock(mu_);
      gates_.erase(needle);
    }
    changed_.notify_all();
  }
  void OpenAll() {
    {
      std::lock_guard lock(mu_);
      gates_.clear();
    }
    changed_.notify_all();
  }
  // Requests waiting at a gate now.
  int Waiting() const {
    std::lock_guard lock(mu_);
    return waiting_;
  }
  // True once an entry whose body contains `needle` was accepted.
  bool WasSent(const std::string& needle) const {
    std::lock_guard lock(mu_);
    for (const auto& body : sent_) {
      if (body.find(needle) != std::string::npos) return true;
    }
    return false;
  }
  std::vector<std::string> Sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  int Requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  // Waits (bounded: a safety net, not a timing) until `n` requests were answered.
  bool WaitForRequests(int n, std::chrono::milliseconds bound = std::chrono::seconds(30)) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, bound, [&] { return requests_ >= n; });
  }
  std::size_t LargestBatch() const {
    std::lock_guard lock(mu_);
    return largest_batch_;
  }

  sqs::BatchResults<sqs::SendMessageResult> SendMessageBatch(
      std::string_view, const std::vector<sqs::OutgoingMessage>& messages) override {
    std::unique_lock lock(mu_);
    auto gated = [&] {
      for (const auto& m : messages) {
        for (const auto& g : gates_) {
          if (m.body.find(g) != std::string::npos) return true;
        }
      }
      return false;
    };
    if (gated()) {
      ++waiting_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return !gated(); });
      --waiting_;
    }
    ++requests_;
    changed_.notify_all();
    largest_batch_ = std::max(largest_batch_, messages.size());
    sqs::BatchResults<sqs::SendMessageResult> out;
    if (fail_requests_ > 0) {
      --fail_requests_;
      for (std::size_t i = 0; i < messages.size(); ++i) {
        out.entries.push_back(tl::unexpected(fail_error_));
      }
      return out;
    }
    for (const auto& m : messages) {
      if (auto it = failing_entries_.find(m.body); it != failing_entries_.end()) {
        out.entries.push_back(tl::unexpected(it->second));
        continue;
      }
      if (auto it = flaky_.find(m.body); it != flaky_.end() && it->second > 0) {
        --it->second;
        out.entries.push_back(tl::unexpected(Error(Code::kUnavailable, "injected flake")));
        continue;
      }
      sent_.push_back(m.body);
      sqs::SendMessageResult r;
      r.message_id = "id-" + std::to_string(sent_.size());
      out.entries.push_back(std::move(r));
    }
    return out;
  }

  Result<std::string> CreateQueue(const sqs::CreateQueueRequest&) override { return Unimpl(); }
  Result<std::string> GetQueueUrl(std::string_view) override { return Unimpl(); }
  Result<sqs::QueueAttributes> GetQueueAttributes(std::string_view,
                                                  const std::vector<std::string>&) override {
    std::lock_guard lock(mu_);
    ++probes_;
    if (probe_error_) return tl::unexpected(*probe_error_);
    return sqs::QueueAttributes{};
  }
  Result<std::vector<std::string>> ListQueues(std::string_view) override { return Unimpl(); }
  Result<sqs::SendMessageResult> SendMessage(std::string_view,
                                             const sqs::OutgoingMessage&) override {
    return Unimpl();
  }
  Result<std::vector<sqs::ReceivedMessage>> ReceiveMessage(const sqs::ReceiveRequest&) override {
    return Unimpl();
  }
  Status DeleteMessage(std::string_view, std::string_view) override { return Unimpl(); }
  sqs::BatchResults<void> DeleteMessageBatch(std::string_view,
                                             const std::vector<std::string>&) override {
    return {};
  }
  Status ChangeMessageVisibility(std::string_view, std::string_view, int) override {
    return Unimpl();
  }
  Status PurgeQueue(std::string_view) override { return Unimpl(); }
  Status DeleteQueue(std::string_view) override { return Unimpl(); }

 private:
  static tl::unexpected<Error> Unimpl() { return Fail(Code::kUnimplemented, "fake"); }

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::set<std::string> gates_;
  int waiting_ = 0;
  int fail_requests_ = 0;
  Error fail_error_{Code::kUnavailable, "injected request failure"};
  std::map<std::string, Error> failing_entries_;
  std::optional<Error> probe_error_;
  int probes_ = 0;
  std::map<std::string, int> flaky_;
  std::vector<std::string> sent_;
  int requests_ = 0;
  std::size_t largest_batch_ = 0;
};

}  // namespace driftline::bridge::testing
