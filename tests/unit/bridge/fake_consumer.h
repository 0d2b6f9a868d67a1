// A scripted RecordConsumer for the bridge's unit tests: the test queues assignments,
// revocations and records; the pipeline's thread takes them in Poll(), in that order, and the
// listener runs there as it would inside kafka::Consumer::Poll(). Everything the pipeline does
// to the consumer (stores, commits, close) is logged in order, so tests assert orderings and
// never sleep.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "bridge/record_consumer.h"

namespace driftline::bridge::testing {

using kafka::TopicPartition;

// One group's script and log, shared by the test and the consumer it is given to.
class FakeGroup {
 public:
  struct Assign {
    std::vector<TopicPartition> partitions;
    bool resolved = true;
  };
  struct Revoke {
    std::vector<TopicPartition> partitions;
    bool lost = false;
  };
  struct Stored {
    TopicPartition partition;
    std::int64_t next_offset;
  };

  void Push(std::variant<Assign, Revoke, kafka::Message> event) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
    changed_.notify_all();
  }
  void PushRecord(const std::string& topic, std::int32_t partition, std::int64_t offset,
                  std::string payload) {
    kafka::Message m;
    m.topic = topic;
    m.partition = partition;
    m.offset = offset;
    m.payload = std::move(payload);
    Push(std::move(m));
  }

  // Runs on the pipeline's thread at every StoreOffset, before it is logged.
  void OnStore(std::function<void(const Stored&)> hook) {
    std::lock_guard lock(mu_);
    on_store_ = std::move(hook);
  }

  // Waits (bounded: a safety net, not a timing) until `done()` holds under the lock.
  bool WaitUntil(const std::function<bool()>& done,
                 std::chrono::milliseconds bound = std::chrono::seconds(30)) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, bound, done);
  }
  // Until every queued event was taken and the pipeline has come back to Poll() after the
  // last one: whatever it did with them (routing, parking, the listener) is done.
  bool WaitIdle() {
    std::unique_lock lock(mu_);
    const int target = taken_;
    return changed_.wait_for(lock, std::chrono::seconds(30), [&] {
      return events_.empty() && taken_ >= target && polls_after_take_ > 0;
    });
  }
  // Until the loop has started `n` more polls: one full loop iteration (completions drained,
  // due retries released) ran entirely after this call for n >= 2.
  bool WaitPolls(int n) {
    std::unique_lock lock(mu_);
    const int target = polls_ + n;
    return changed_.wait_for(lock, std::chrono::seconds(30), [&] { return polls_ >= target; });
  }

  // For WaitUntil() predicates, which run under the lock (and are re-checked at every poll).
  const std::vector<Stored>& stores() const { return stores_; }
  bool logged(const std::string& line) const {
    return std::find(log_.begin(), log_.end(), line) != log_.end();
  }

  std::vector<Stored> Stores() const {
    std::lock_guard lock(mu_);
    return stores_;
  }
  std::vector<std::int64_t> StoresOf(const TopicPartition& p) const {
    std::lock_guard lock(mu_);
    std::vector<std::int64_t> out;
    for (const auto& s : stores_) {
      if (s.partition == p) out.push_back(s.next_offset);
    }
    return out;
  }
  // "store t[p]=n", "commit", "revoke-begin", "revoke-end", "close", in order.
  std::vector<std::string> Log() const {
    std::lock_guard lock(mu_);
    return log_;
  }
  int Polls() const {
    std::lock_guard lock(mu_);
    return polls_;
  }
  bool Closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }
  bool Created() const {
    std::lock_guard lock(mu_);
    return created_;
  }
  // True once the consumer subscribed (joined the group).
  bool Subscribed() const {
    std::lock_guard lock(mu_);
    return subscribed_;
  }

 private:
  friend class FakeConsumer;
  friend class FakeKafka;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::variant<Assign, Revoke, kafka::Message>> events_;
  std::set<TopicPartition> assigned_;
  bool resolved_ = true;
  std::vector<Stored> stores_;
  std::vector<std::string> log_;
  std::function<void(const Stored&)> on_store_;
  int polls_ = 0;
  int taken_ = 0;
  int polls_after_take_ = 0;
  bool closed_ = false;
  bool created_ = false;
  bool subscribed_ = false;
};

class FakeConsumer final : public RecordConsumer {
 public:
  FakeConsumer(FakeGroup& group, AssignmentListener& listener)
      : group_(group), listener_(listener) {}
  ~FakeConsumer() override { static_cast<void>(Close()); }

  Status Subscribe(const std::vector<std::string>&) override {
    std::lock_guard lock(group_.mu_);
    group_.subscribed_ = true;
    group_.changed_.notify_all();
    return Ok();
  }

  Result<std::optional<kafka::Message>> Poll(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(group_.mu_);
    ++group_.polls_;
    ++group_.polls_after_take_;
    group_.changed_.notify_all();
    if (!group_.changed_.wait_for(lock, timeout, [&] { return !group_.events_.empty(); })) {
      return std::nullopt;
    }
    auto event = std::move(group_.events_.front());
    group_.events_.pop_front();
    ++group_.taken_;
    group_.polls_after_take_ = 0;
    if (auto* m = std::get_if<kafka::Message>(&event)) return std::move(*m);
    if (auto* a = std::get_if<FakeGroup::Assign>(&event)) {
      group_.assigned_.insert(a->partitions.begin(), a->partitions.end());
      group_.resolved_ = a->resolved;
      lock.unlock();
      listener_.OnAssigned(a->partitions);
      return std::nullopt;
    }
    auto& r = std::get<FakeGroup::Revoke>(event);
    group_.log_.push_back("revoke-begin");
    group_.changed_.notify_all();
    lock.unlock();
    listener_.OnRevoked(r.partitions, r.lost);
    lock.lock();
    for (const auto& p : r.partitions)
      group_.assigned_.erase(p);
    group_.log_.push_back("revoke-end");
    group_.changed_.notify_all();
    return std::nullopt;
  }

  Status StoreOffset(const std::string& topic, std::int32_t partition,
                     std::int64_t next_offset) override {
    std::function<void(const FakeGroup::Stored&)> hook;
    const FakeGroup::Stored stored{{topic, partition}, next_offset};
    {
      std::lock_guard lock(group_.mu_);
      if (!group_.assigned_.contains(stored.partition)) {
        return Fail(Code::kFailedPrecondition, "partition not assigned");
      }
      hook = group_.on_store_;
    }
    if (hook) hook(stored);
    std::lock_guard lock(group_.mu_);
    group_.stores_.push_back(stored);
    group_.log_.push_back("store " + topic + "[" + std::to_string(partition) +
                          "]=" + std::to_string(next_offset));
    group_.changed_.notify_all();
    return Ok();
  }
  Status Commit() override {
    std::lock_guard lock(group_.mu_);
    group_.log_.push_back("commit");
    group_.changed_.notify_all();
    return Ok();
  }
  Status Pause(const std::vector<TopicPartition>&) override { return Ok(); }
  Status Resume(const std::vector<TopicPartition>&) override { return Ok(); }
  std::optional<std::int64_t> Lag() const override { return std::nullopt; }
  bool StartOffsetsResolved() const override {
    std::lock_guard lock(group_.mu_);
    return group_.resolved_;
  }
  Status Close() override {
    std::vector<TopicPartition> last;
    {
      std::lock_guard lock(group_.mu_);
      if (group_.closed_) return Ok();
      group_.closed_ = true;
      last.assign(group_.assigned_.begin(), group_.assigned_.end());
    }
    // As kafka::Consumer::Close(): the last assignment is revoked first.
    if (!last.empty()) listener_.OnRevoked(last, false);
    std::lock_guard lock(group_.mu_);
    group_.assigned_.clear();
    group_.log_.push_back("close");
    group_.changed_.notify_all();
    return Ok();
  }

 private:
  FakeGroup& group_;
  AssignmentListener& listener_;
};

// A ConsumerFactory over FakeGroups, one per group id, created on first use.
class FakeKafka {
 public:
  FakeGroup& Group(const std::string& id) {
    std::lock_guard lock(mu_);
    auto& g = groups_[id];
    if (!g) g = std::make_unique<FakeGroup>();
    return *g;
  }
  ConsumerFactory Factory() {
    return [this](const kafka::Properties&, const std::string& group,
                  AssignmentListener& listener) -> Result<std::unique_ptr<RecordConsumer>> {
      FakeGroup& g = Group(group);
      {
        std::lock_guard lock(g.mu_);
        g.created_ = true;
      }
      return std::unique_ptr<RecordConsumer>(std::make_unique<FakeConsumer>(g, listener));
    };
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<FakeGroup>> groups_;
};

}  // namespace driftline::bridge::testing
