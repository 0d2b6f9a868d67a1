// An in-memory SqsClient for the bridge's unit tests: records what was sent and fails on
// command (whole requests, or single entries by body).
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "sqs/client.h"

namespace driftline::bridge::testing {

class FakeSqsClient final : public sqs::SqsClient {
 public:
  // Fail the next `n` whole requests with `code` (retryable codes model an outage).
  void FailRequests(int n, Code code) {
    std::lock_guard lock(mu_);
    fail_requests_ = n;
    fail_code_ = code;
  }
  // Entries whose body equals one of these fail with `code`, every time.
  void FailEntry(std::string body, Code code) {
    std::lock_guard lock(mu_);
    failing_entries_[std::move(body)] = code;
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
    largest_batch_ = std::max(largest_batch_, messages.size());
    sqs::BatchResults<sqs::SendMessageResult> out;
    if (fail_requests_ > 0) {
      --fail_requests_;
      for (std::size_t i = 0; i < messages.size(); ++i) {
        out.entries.push_back(tl::unexpected(Error(fail_code_, "injected request failure")));
      }
      return out;
    }
    for (const auto& m : messages) {
      if (auto it = failing_entries_.find(m.body); it != failing_entries_.end()) {
        out.entries.push_back(tl::unexpected(Error(it->second, "injected entry failure")));
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
  Code fail_code_ = Code::kUnavailable;
  std::map<std::string, Code> failing_entries_;
  std::map<std::string, int> flaky_;
  std::vector<std::string> sent_;
  int requests_ = 0;
  std::size_t largest_batch_ = 0;
};

}  // namespace driftline::bridge::testing
