// Keeps the messages of one SQS MessageGroupId in the order they were submitted while several
// batches are in flight and failed entries are resent.
//
// A FIFO queue delivers a group in the order SQS *accepted* its messages. The sender has several
// SendMessageBatch requests in flight and resends a failed entry on its own, so two messages of a
// group handed out together could be accepted in either order (or the later one first, while the
// earlier one waits for its resend). The rule kept here: an item is handed out only when no
// earlier item of its group is unfinished — still queued, in a request, or waiting to be resent.
// Items of other groups pass a held one; items without a group (standard queues) are never held.
//
// Pure bookkeeping, not thread-safe: the owner (SqsSender) calls it under its own mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace driftline::bridge {

template <typename T>
class GroupSequencer {
 public:
  using Group = std::optional<std::string>;  // nullopt: no group, never held

  // Queues `item` behind every item queued before it; it is held while an earlier item of
  // `group` is unfinished.
  void Push(Group group, T item) {
    const std::uint64_t seq = next_seq_++;
    if (!group) {
      ready_.emplace(seq, Entry{std::nullopt, std::move(item)});
      return;
    }
    auto [it, first] = later_.try_emplace(*group);
    if (first) {
      ready_.emplace(seq, Entry{std::move(group), std::move(item)});
    } else {
      it->second.push_back(Later{seq, std::move(item)});
      ++held_;
    }
  }

  // Hands out up to `max` items that may be sent now, oldest first, at most one per group. The
  // group of each is unfinished until Release(group).
  std::vector<T> Take(std::size_t max) {
    std::vector<T> out;
    while (out.size() < max && !ready_.empty()) {
      auto first = ready_.begin();
      out.push_back(std::move(first->second.item));
      ready_.erase(first);
    }
    return out;
  }

  // The item of `group` handed out by Take is finished (SQS accepted it, or refused it for
  // good): the next item of the group becomes ready, ahead of items submitted after it. Returns
  // whether one did. Only call it once per item handed out; nullopt is a no-op.
  bool Release(const Group& group) {
    if (!group) return false;
    auto it = later_.find(*group);
    if (it == later_.end()) return false;
    if (it->second.empty()) {
      later_.erase(it);
      return false;
    }
    Later next = std::move(it->second.front());
    it->second.pop_front();
    --held_;
    ready_.emplace(next.seq, Entry{group, std::move(next.item)});
    return true;
  }

  // Items Take would hand out now.
  std::size_t ready() const { return ready_.size(); }
  // Items held behind an unfinished item of their group.
  std::size_t held() const { return held_; }
  bool empty() const { return ready_.empty() && held_ == 0; }

 private:
  struct Entry {
    Group group;
    T item;
  };
  struct Later {
    std::uint64_t seq;  // submission order, so a released item goes ahead of younger ones
    T item;
  };

  std::uint64_t next_seq_ = 0;
  std::map<std::uint64_t, Entry> ready_;  // by submission order
  // A group is a key while one of its items is ready or handed out; the value holds the
  // group's later items in submission order.
  std::unordered_map<std::string, std::deque<Later>> later_;
  std::size_t held_ = 0;
};

}  // namespace driftline::bridge
