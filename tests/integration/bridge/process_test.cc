// order-service as a process against the real stack: killed with SIGKILL mid-backlog and
// restarted, and three instances sharing six partitions with one of them killed. Nothing may be
// lost; duplicates (at-least-once) are counted and reported.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "harness.h"

namespace driftline::bridge::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class ProcessTest : public BridgeIntegrationTest {
 protected:
  std::string Log(const std::string& name) {
    return std::string(DRIFTLINE_TEST_LOG_DIR) + "/" + main_topic_ + "-" + name + ".log";
  }
  std::int64_t QueueDepth() { return std::max<std::int64_t>(0, topology_->QueueDepth()); }
  // Every order id in the queue, with how many times it arrived.
  std::map<std::string, int> Collect(std::size_t expected) {
    std::map<std::string, int> seen;
    for (const auto& m : DrainQueue(expected, seconds(120))) {
      ++seen[json::parse(m.body)["orderId"].get<std::string>()];
    }
    return seen;
  }
  void ExpectAllOnce(const std::map<std::string, int>& seen, int n, const char* what) {
    int missing = 0;
    int duplicates = 0;
    for (int i = 0; i < n; ++i) {
      auto it = seen.find("K-" + std::to_string(i));
      if (it == seen.end()) {
        ++missing;
      } else {
        duplicates += it->second - 1;
      }
    }
    EXPECT_EQ(missing, 0) << what << ": orders lost";
    std::printf("[ %s ] %d orders, %d missing, %d duplicates delivered\n", what, n, missing,
                duplicates);
    RecordProperty("duplicates", duplicates);
  }
};

TEST_F(ProcessTest, KillNineMidBacklogThenRestartLosesNothing) {
  SetUpTopology(1);
  constexpr int kOrders = 5000;
  std::vector<kafka::OutgoingMessage> backlog;
  for (int i = 0; i < kOrders; ++i) {
    backlog.push_back(Order(StandardOrder("K-" + std::to_string(i)), "k-" + std::to_string(i)));
  }
  Produce(backlog);

  std::mt19937 rng(std::random_device{}());
  const int kill_at = std::uniform_int_distribution<int>(500, 3000)(rng);
  {
    auto first = StartProcess(ServiceEnv(), Log("first"));
    ASSERT_TRUE(first);
    ASSERT_TRUE(Eventually([&] { return QueueDepth() >= kill_at; }, seconds(90)))
        << "the service made no progress; see " << Log("first");
    first->Kill();
  }
  std::printf("[ kill -9 ] killed after about %lld orders reached SQS; %lld offsets committed\n",
              static_cast<long long>(QueueDepth()),
              static_cast<long long>(CommittedSum(main_group_, main_topic_)));
  auto second = StartProcess(ServiceEnv(), Log("second"));
  ASSERT_TRUE(second);
  ASSERT_TRUE(
      Eventually([&] { return CommittedSum(main_group_, main_topic_) == kOrders; }, seconds(120)))
      << "committed " << CommittedSum(main_group_, main_topic_) << " of " << kOrders;
  EXPECT_EQ(second->Terminate(), 0) << "graceful stop exits 0";
  ExpectAllOnce(Collect(kOrders), kOrders, "kill -9 and restart");
  EXPECT_EQ(EndOffsetSum(dlq_topic_), 0);
  EXPECT_EQ(EndOffsetSum(retry_topic_), 0);
}

TEST_F(ProcessTest, ThreeInstancesOnSixPartitionsSurviveLosingOne) {
  SetUpTopology(6);
  constexpr int kOrders = 6000;
  std::vector<kafka::OutgoingMessage> backlog;
  for (int i = 0; i < kOrders; ++i) {
    backlog.push_back(
        Order(StandardOrder("K-" + std::to_string(i)), "k-" + std::to_string(i), i % 6));
  }
  auto a = StartProcess(ServiceEnv(), Log("a"));
  auto b = StartProcess(ServiceEnv(), Log("b"));
  auto c = StartProcess(ServiceEnv(), Log("c"));
  ASSERT_TRUE(a && b && c);
  Produce(backlog);
  ASSERT_TRUE(Eventually([&] { return QueueDepth() >= 1500; }, seconds(90)));
  b->Kill();  // its partitions move to a and c after the session timeout
  ASSERT_TRUE(
      Eventually([&] { return CommittedSum(main_group_, main_topic_) == kOrders; }, seconds(120)))
      << "committed " << CommittedSum(main_group_, main_topic_) << " of " << kOrders;
  EXPECT_EQ(a->Terminate(), 0);
  EXPECT_EQ(c->Terminate(), 0);
  ExpectAllOnce(Collect(kOrders), kOrders, "3 instances, one killed");
}

}  // namespace
}  // namespace driftline::bridge::testing
