// SqsSender on a FIFO queue: per MessageGroupId, SQS accepts messages in the order they were
// submitted, with several batches in flight and failed entries resent. The fake records
// accepted entries in acceptance order, which is the order a FIFO queue delivers them in.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "bridge/sqs_sender.h"
#include "fake_sqs_client.h"
#include "testkit/eventually.h"

namespace driftline::bridge {
namespace {

using std::chrono::milliseconds;
using testing::FakeSqsClient;
using testkit::Eventually;

constexpr milliseconds kLimit(20000);

// Completions in the order they arrived.
class CompletionLog {
 public:
  std::function<void(SendCompletion)> For(std::string body) {
    return [this, body](SendCompletion c) {
      std::lock_guard lock(mu_);
      log_.emplace_back(body, c.permanent_error.has_value());
    };
  }
  std::vector<std::pair<std::string, bool>> log() const {
    std::lock_guard lock(mu_);
    return log_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, bool>> log_;  // body, refused for good
};

// Opens the client's gates when a test ends, even on a failed assertion, so that the sender
// (declared before it) can join its threads.
class OpenGatesOnExit {
 public:
  explicit OpenGatesOnExit(FakeSqsClient& client) : client_(client) {}
  ~OpenGatesOnExit() { client_.OpenAll(); }
  OpenGatesOnExit(const OpenGatesOnExit&) = delete;
  OpenGatesOnExit& operator=(const OpenGatesOnExit&) = delete;

 private:
  FakeSqsClient& client_;
};

SqsSenderOptions FifoOptions() {
  SqsSenderOptions o;
  o.queue_url = "http://127.0.0.1:1/000000000000/q.fifo";
  o.max_in_flight_batches = 4;
  o.backoff_initial = milliseconds(1);
  o.backoff_max = milliseconds(5);
  return o;
}

// Bodies are "<group>-<n>".
std::string GroupOf(const std::string& body) {
  return body.substr(0, body.find('-'));
}

SendJob GroupJob(const std::string& body, CompletionLog& log) {
  sqs::OutgoingMessage m;
  m.body = body;
  m.message_group_id = GroupOf(body);
  m.message_deduplication_id = "dedup-" + body;
  return SendJob{std::move(m), log.For(body)};
}

std::map<std::string, std::vector<std::string>> ByGroup(const std::vector<std::string>& bodies) {
  std::map<std::string, std::vector<std::string>> out;
  for (const std::string& b : bodies)
    out[GroupOf(b)].push_back(b);
  return out;
}

TEST(SqsSenderFifoTest, AMessageWaitsForAnEarlierOneOfItsGroupInFlightWhileOtherGroupsPass) {
  FakeSqsClient client;
  client.Gate("a-0");
  CompletionLog log;
  SqsSenderOptions o = FifoOptions();
  o.batch_size = 2;
  o.linger = milliseconds(0);
  SqsSender sender(client, o, nullptr);
  OpenGatesOnExit open_gates(client);
  sender.Submit(GroupJob("a-0", log));
  ASSERT_TRUE(Eventually([&] { return client.Waiting() == 1; }, kLimit));
  for (const char* b : {"b-0", "a-1", "b-1", "a-2", "c-0"})
    sender.Submit(GroupJob(b, log));
  // b and c complete on the other three sender threads; a-1 and a-2 stay queued.
  ASSERT_TRUE(Eventually([&] { return sender.Pending() == 3; }, kLimit))
      << "pending: " << sender.Pending();
  EXPECT_EQ(ByGroup(client.Sent()), (std::map<std::string, std::vector<std::string>>{
                                        {"b", {"b-0", "b-1"}}, {"c", {"c-0"}}}));
  client.OpenAll();
  ASSERT_TRUE(Eventually([&] { return sender.Pending() == 0; }, kLimit));
  EXPECT_EQ(ByGroup(client.Sent())["a"], (std::vector<std::string>{"a-0", "a-1", "a-2"}));
  EXPECT_EQ(sender.Stop(milliseconds(1000)), 0u);
}

TEST(SqsSenderFifoTest, InterleavedGroupsWithResentEntriesAreAcceptedInSubmissionOrder) {
  FakeSqsClient client;
  constexpr int kGroups = 8;
  constexpr int kPerGroup = 40;
  std::vector<std::string> submitted;
  for (int i = 0; i < kPerGroup; ++i) {
    for (int g = 0; g < kGroups; ++g)
      submitted.push_back("g" + std::to_string(g) + "-" + std::to_string(i));
  }
  // Every fifth message fails transiently 1–3 times before it is accepted, and some whole
  // requests fail: entries after a failed one in its batch would otherwise overtake it.
  for (std::size_t i = 0; i < submitted.size(); i += 5)
    client.FlakyEntry(submitted[i], 1 + static_cast<int>(i % 3));
  client.FailRequests(3, Code::kUnavailable);
  CompletionLog log;
  SqsSender sender(client, FifoOptions(), nullptr);
  for (const std::string& b : submitted)
    sender.Submit(GroupJob(b, log));
  ASSERT_TRUE(Eventually([&] { return sender.Pending() == 0; }, kLimit))
      << "pending: " << sender.Pending();
  EXPECT_EQ(sender.Stop(milliseconds(1000)), 0u);
  const std::vector<std::string> sent = client.Sent();
  EXPECT_EQ(sent.size(), submitted.size()) << "each accepted exactly once";
  EXPECT_EQ(ByGroup(sent), ByGroup(submitted));
  EXPECT_EQ(log.log().size(), submitted.size());
}

TEST(SqsSenderFifoTest, AGroupStuckOnResendsHoldsOnlyItsOwnMessages) {
  FakeSqsClient client;
  client.FailEntry("a-0", Code::kUnavailable);  // retryable, every time
  CompletionLog log;
  SqsSender sender(client, FifoOptions(), nullptr);
  sender.Submit(GroupJob("a-0", log));
  sender.Submit(GroupJob("a-1", log));
  std::vector<std::string> others;
  for (int i = 0; i < 30; ++i) {
    for (const char* g : {"b", "c"}) {
      others.push_back(std::string(g) + "-" + std::to_string(i));
      sender.Submit(GroupJob(others.back(), log));
    }
  }
  ASSERT_TRUE(Eventually([&] { return sender.Pending() == 2; }, kLimit))
      << "pending: " << sender.Pending();
  EXPECT_EQ(ByGroup(client.Sent()), ByGroup(others)) << "a-1 must not overtake a-0";
  EXPECT_EQ(sender.Stop(milliseconds(0)), 2u) << "a-0 and a-1 are left without a completion";
  for (const auto& [body, refused] : log.log())
    EXPECT_NE(GroupOf(body), "a") << body;
}

TEST(SqsSenderFifoTest, AMessageRefusedForGoodReleasesItsGroup) {
  FakeSqsClient client;
  // Refused for good: a failure of the message's own content.
  client.FailEntry("a-0", sqs::ErrorFromBatchFailure({"0", true, "InvalidMessageContents", ""}));
  CompletionLog log;
  SqsSender sender(client, FifoOptions(), nullptr);
  sender.Submit(GroupJob("a-0", log));
  sender.Submit(GroupJob("a-1", log));
  ASSERT_TRUE(Eventually([&] { return sender.Pending() == 0; }, kLimit));
  EXPECT_EQ(log.log(), (std::vector<std::pair<std::string, bool>>{{"a-0", true}, {"a-1", false}}))
      << "a-1 is sent only after a-0 has its completion";
  EXPECT_EQ(client.Sent(), (std::vector<std::string>{"a-1"}));
}

TEST(SqsSenderFifoTest, MessagesWithoutAGroupAreNeverHeld) {
  FakeSqsClient client;
  client.Gate("x-0");
  CompletionLog log;
  SqsSenderOptions o = FifoOptions();
  o.queue_url = "http://127.0.0.1:1/000000000000/q";
  o.linger = milliseconds(0);
  SqsSender sender(client, o, nullptr);
  OpenGatesOnExit open_gates(client);
  sqs::OutgoingMessage first;
  first.body = "x-0";
  sender.Submit({first, log.For("x-0")});
  ASSERT_TRUE(Eventually([&] { return client.Waiting() == 1; }, kLimit));
  for (int i = 1; i <= 20; ++i) {
    sqs::OutgoingMessage m;
    m.body = "x-" + std::to_string(i);
    sender.Submit({m, log.For(m.body)});
  }
  ASSERT_TRUE(Eventually([&] { return sender.Pending() == 1; }, kLimit))
      << "pending: " << sender.Pending();
  EXPECT_EQ(client.Sent().size(), 20u);
  client.OpenAll();
  ASSERT_TRUE(Eventually([&] { return sender.Pending() == 0; }, kLimit));
  EXPECT_EQ(sender.Stop(milliseconds(1000)), 0u);
}

}  // namespace
}  // namespace driftline::bridge
