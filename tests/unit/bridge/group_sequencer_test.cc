#include "bridge/group_sequencer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace driftline::bridge {
namespace {

using Sequencer = GroupSequencer<std::string>;
using Items = std::vector<std::string>;

TEST(GroupSequencerTest, ItemsWithoutAGroupAreNeverHeld) {
  Sequencer s;
  s.Push(std::nullopt, "x0");
  s.Push(std::nullopt, "x1");
  s.Push(std::nullopt, "x2");
  EXPECT_EQ(s.ready(), 3u);
  EXPECT_EQ(s.held(), 0u);
  EXPECT_EQ(s.Take(10), (Items{"x0", "x1", "x2"}));
  EXPECT_FALSE(s.Release(std::nullopt));
  EXPECT_TRUE(s.empty());
}

TEST(GroupSequencerTest, ALaterItemOfAGroupWaitsUntilTheEarlierOneIsReleased) {
  Sequencer s;
  s.Push("a", "a0");
  s.Push("b", "b0");
  s.Push("a", "a1");
  s.Push("c", "c0");
  EXPECT_EQ(s.ready(), 3u);
  EXPECT_EQ(s.held(), 1u);
  EXPECT_EQ(s.Take(10), (Items{"a0", "b0", "c0"})) << "other groups pass the held a1";
  EXPECT_TRUE(s.Take(10).empty()) << "a1 is held while a0 is unfinished";
  EXPECT_FALSE(s.empty());
  EXPECT_FALSE(s.Release("b")) << "nothing of b was waiting";
  EXPECT_TRUE(s.Release("a"));
  EXPECT_EQ(s.Take(10), (Items{"a1"}));
  EXPECT_FALSE(s.Release("a"));
  EXPECT_TRUE(s.empty());
  s.Push("a", "a2");
  EXPECT_EQ(s.ready(), 1u) << "a has nothing unfinished any more";
}

TEST(GroupSequencerTest, AtMostOneItemOfAGroupPerTakeAndNeverMoreThanAsked) {
  Sequencer s;
  for (const char* item : {"a0", "a1", "a2"})
    s.Push("a", item);
  s.Push("b", "b0");
  s.Push(std::nullopt, "x0");
  EXPECT_EQ(s.Take(1), (Items{"a0"}));
  EXPECT_EQ(s.Take(5), (Items{"b0", "x0"}));
  EXPECT_TRUE(s.Release("a"));
  EXPECT_EQ(s.Take(5), (Items{"a1"}));
}

TEST(GroupSequencerTest, AReleasedItemGoesAheadOfItemsSubmittedAfterIt) {
  Sequencer s;
  s.Push("a", "a0");
  s.Push("a", "a1");
  s.Push("b", "b0");
  EXPECT_EQ(s.Take(1), (Items{"a0"}));
  s.Push("c", "c0");
  EXPECT_TRUE(s.Release("a"));
  EXPECT_EQ(s.Take(10), (Items{"a1", "b0", "c0"}));
}

// Many interleaved groups, batches of random sizes handed out and finished in random order
// (several in flight at once): each group comes out in the order it went in, and never two
// unfinished items of one group at a time.
TEST(GroupSequencerTest, RandomBatchesKeepEveryGroupInOrder) {
  std::mt19937 rng(20261201);
  Sequencer s;
  std::map<std::string, Items> pushed;
  std::map<std::string, Items> taken;
  std::vector<std::string> in_flight;  // groups handed out, not yet released
  int next = 0;
  auto group_of = [](const std::string& item) { return item.substr(0, item.find('-')); };
  for (int step = 0; step < 5000; ++step) {
    switch (rng() % 3) {
      case 0: {
        const std::string g = "g" + std::to_string(rng() % 7);
        const std::string item = g + "-" + std::to_string(next++);
        pushed[g].push_back(item);
        s.Push(g, item);
        break;
      }
      case 1: {
        for (const std::string& item : s.Take(1 + rng() % 10)) {
          const std::string g = group_of(item);
          ASSERT_EQ(std::count(in_flight.begin(), in_flight.end(), g), 0) << item;
          in_flight.push_back(g);
          taken[g].push_back(item);
        }
        break;
      }
      default:
        if (!in_flight.empty()) {
          const std::size_t i = rng() % in_flight.size();
          s.Release(in_flight[i]);
          in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(i));
        }
    }
  }
  // Finish everything.
  while (!s.empty() || !in_flight.empty()) {
    for (const std::string& item : s.Take(10)) {
      in_flight.push_back(group_of(item));
      taken[group_of(item)].push_back(item);
    }
    ASSERT_FALSE(in_flight.empty()) << "items held with nothing in flight";
    s.Release(in_flight.front());
    in_flight.erase(in_flight.begin());
  }
  EXPECT_EQ(taken, pushed);
}

}  // namespace
}  // namespace driftline::bridge
