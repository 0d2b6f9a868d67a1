#include "bridge/sqs_sender.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>

#include "fake_sqs_client.h"

namespace driftline::bridge {
namespace {

using std::chrono::milliseconds;
using testing::FakeSqsClient;

// Collects completions and waits (bounded) for a number of them.
class Completions {
 public:
  std::function<void(SendCompletion)> For(std::string body) {
    return [this, body](SendCompletion c) {
      std::lock_guard lock(mu_);
      got_[body].push_back(std::move(c));
      cv_.notify_all();
    };
  }
  bool WaitFor(std::size_t n, milliseconds limit = milliseconds(10000)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return Total() >= n; });
  }
  std::map<std::string, std::vector<SendCompletion>> got() {
    std::lock_guard lock(mu_);
    return got_;
  }

 private:
  std::size_t Total() const {
    std::size_t n = 0;
    for (const auto& [k, v] : got_)
      n += v.size();
    return n;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<SendCompletion>> got_;
};

SqsSenderOptions Options() {
  SqsSenderOptions o;
  o.queue_url = "http://127.0.0.1:1/000000000000/q";
  o.backoff_initial = milliseconds(1);
  o.backoff_max = milliseconds(5);
  return o;
}

sqs::OutgoingMessage Body(const std::string& b) {
  sqs::OutgoingMessage m;
  m.body = b;
  return m;
}

TEST(SqsSenderTest, EveryMessageCompletesOnceAndBatchesHoldAtMostTen) {
  FakeSqsClient client;
  Completions done;
  SqsSender sender(client, Options(), nullptr);
  for (int i = 0; i < 95; ++i) {
    const std::string b = "m" + std::to_string(i);
    sender.Submit({Body(b), done.For(b)});
  }
  ASSERT_TRUE(done.WaitFor(95));
  EXPECT_EQ(sender.Stop(milliseconds(1000)), 0u);
  const auto got = done.got();
  ASSERT_EQ(got.size(), 95u);
  for (const auto& [body, completions] : got) {
    ASSERT_EQ(completions.size(), 1u) << body;
    EXPECT_FALSE(completions[0].permanent_error) << body;
  }
  EXPECT_EQ(client.Sent().size(), 95u);
  EXPECT_LE(client.LargestBatch(), 10u);
  EXPECT_GE(client.Requests(), 10);
}

TEST(SqsSenderTest, OutageIsRetriedUntilItPassesAndNothingIsDropped) {
  FakeSqsClient client;
  client.FailRequests(6, Code::kUnavailable);
  Completions done;
  SqsSender sender(client, Options(), nullptr);
  for (int i = 0; i < 20; ++i) {
    const std::string b = "o" + std::to_string(i);
    sender.Submit({Body(b), done.For(b)});
  }
  ASSERT_TRUE(done.WaitFor(20));
  for (const auto& [body, completions] : done.got()) {
    ASSERT_EQ(completions.size(), 1u);
    EXPECT_FALSE(completions[0].permanent_error) << "an outage must not reject " << body;
  }
  EXPECT_EQ(client.Sent().size(), 20u);
  EXPECT_TRUE(sender.Healthy()) << "healthy again after a success";
}

TEST(SqsSenderTest, PartialBatchFailuresArePerEntry) {
  FakeSqsClient client;
  client.FailEntry("too-big", Code::kInvalidArgument);
  client.FlakyEntry("flaky", 2);
  Completions done;
  SqsSender sender(client, Options(), nullptr);
  for (const std::string b : {"a", "too-big", "flaky", "b"})
    sender.Submit({Body(b), done.For(b)});
  ASSERT_TRUE(done.WaitFor(4));
  auto got = done.got();
  ASSERT_TRUE(got["too-big"][0].permanent_error);
  EXPECT_EQ(got["too-big"][0].permanent_error->code(), Code::kInvalidArgument);
  EXPECT_FALSE(got["flaky"][0].permanent_error) << "transient entry failures are resent";
  EXPECT_FALSE(got["a"][0].permanent_error);
  EXPECT_FALSE(got["b"][0].permanent_error);
  EXPECT_EQ(client.Sent().size(), 3u);
}

TEST(SqsSenderTest, UnhealthyDuringAnOutageAndStopLeavesUnsentWithoutCompletion) {
  FakeSqsClient client;
  client.FailRequests(1'000'000, Code::kUnavailable);
  Completions done;
  SqsSender sender(client, Options(), nullptr);
  sender.Submit({Body("x"), done.For("x")});
  // Wait (bounded) until the first failure has been seen.
  for (int i = 0; i < 1000 && sender.Healthy(); ++i)
    std::this_thread::sleep_for(milliseconds(2));
  EXPECT_FALSE(sender.Healthy());
  EXPECT_EQ(sender.Stop(milliseconds(20)), 1u);
  EXPECT_TRUE(done.got().empty()) << "no completion: the offset stays uncommitted";
}

}  // namespace
}  // namespace driftline::bridge
