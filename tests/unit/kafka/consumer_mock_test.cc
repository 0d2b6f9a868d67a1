// Consumer (and Admin's offset queries) against librdkafka's in-process mock cluster.
// A mock group's first join takes 3 s (its fixed initial rebalance delay).
#include <gtest/gtest.h>

#include <set>

#include "kafka/admin.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "testkit/kafka_mock.h"

namespace driftline::kafka {
namespace {

using namespace std::chrono_literals;
using testing::CountByPartition;
using testing::DeliveryCollector;
using testing::MockCluster;
using testing::OffsetsOf;
using testing::PollUntil;
using testing::RecordingListener;

// Produces `count` records to each partition in `partitions` (explicitly partitioned) and waits
// for their reports; returns partition → end offset.
std::map<std::int32_t, std::int64_t> ProduceTo(const Properties& props, const std::string& topic,
                                               const std::vector<std::int32_t>& partitions,
                                               int count) {
  DeliveryCollector collector;
  auto producer = Producer::Create(props, collector.Handler());
  EXPECT_TRUE(producer.has_value());
  int sent = 0;
  for (std::int32_t p : partitions) {
    for (int i = 0; i < count; ++i, ++sent) {
      OutgoingMessage m;
      m.topic = topic;
      m.partition = p;
      m.key = "k" + std::to_string(sent);
      m.payload = std::string("v\0", 2) + std::to_string(sent);
      m.headers.Add("CorrelationId", "c" + std::to_string(sent));
      m.headers.Add("nothing", std::nullopt);
      EXPECT_TRUE((*producer)->Send(m, static_cast<std::uint64_t>(sent)).has_value());
    }
  }
  EXPECT_TRUE((*producer)->Flush(5s).has_value());
  std::map<std::int32_t, std::int64_t> ends;
  for (const auto& r : collector.Reports()) {
    EXPECT_FALSE(r.error.has_value());
    ends[r.partition] = std::max(ends[r.partition], r.offset + 1);
  }
  return ends;
}

TEST(ConsumerMockTest, CreateRequiresAGroupAndValidProperties) {
  auto no_group = Consumer::Create(Properties::Make("b:9092"), "");
  ASSERT_FALSE(no_group.has_value());
  EXPECT_EQ(no_group.error().code(), Code::kInvalidArgument);

  Properties bad = Properties::Make("b:9092");
  bad.Set("auto.offset.reset", "sideways");
  auto rejected = Consumer::Create(bad, "g");
  ASSERT_FALSE(rejected.has_value());
  EXPECT_NE(rejected.error().message().find("auto.offset.reset"), std::string::npos);
}

TEST(ConsumerMockTest, GroupConsumesStoresAndCommits) {
  MockCluster cluster(3);
  cluster.CreateTopic("orders", 3);
  cluster.CreateTopic("other", 1);
  const auto ends = ProduceTo(cluster.Props(), "orders", {0, 1, 2}, 10);

  RecordingListener listener;
  auto consumer = Consumer::Create(cluster.Props(), "bridge", &listener);
  ASSERT_TRUE(consumer.has_value()) << consumer.error().message();
  Consumer& c = **consumer;
  ASSERT_TRUE(c.Subscribe({"orders"}).has_value());

  std::vector<Message> received;
  ASSERT_TRUE(PollUntil(
      c, received, [](const auto& r) { return r.size() >= 30; }, 9s));
  EXPECT_EQ(listener.assigned.size(), 3u);
  std::set<std::string> keys;
  for (const Message& m : received) {
    ASSERT_TRUE(m.key.has_value());
    keys.insert(*m.key);
    const std::string n = m.key->substr(1);
    EXPECT_EQ(m.payload, std::string("v\0", 2) + n);
    ASSERT_NE(m.headers.Find("CorrelationId"), nullptr);
    EXPECT_EQ(m.headers.Find("CorrelationId")->value, "c" + n);
    ASSERT_NE(m.headers.Find("nothing"), nullptr);
    EXPECT_FALSE(m.headers.Find("nothing")->value.has_value());
    EXPECT_EQ(m.timestamp_type, TimestampType::kCreateTime);
    EXPECT_GT(m.timestamp_ms, 0);
    ASSERT_TRUE(c.StoreOffset(m).has_value());
  }
  EXPECT_EQ(keys.size(), 30u);  // no duplicates
  EXPECT_EQ(c.Lag(), 0);

  auto not_assigned = c.StoreOffset("other", 0, 1);
  ASSERT_FALSE(not_assigned.has_value());
  EXPECT_EQ(not_assigned.error().code(), Code::kFailedPrecondition)
      << not_assigned.error().message();

  ASSERT_TRUE(c.Commit().has_value());
  ASSERT_TRUE(c.Commit().has_value()) << "nothing new to commit is success";
  auto committed = c.Committed({{"orders", 0}, {"orders", 1}, {"orders", 2}}, 5s);
  ASSERT_TRUE(committed.has_value()) << committed.error().message();
  for (const auto& tpo : *committed) {
    EXPECT_EQ(tpo.offset, ends.at(tpo.partition)) << tpo.partition;
  }

  auto admin = Admin::Create(cluster.Props());
  ASSERT_TRUE(admin.has_value());
  auto end_offsets = (*admin)->EndOffsets("orders", 5s);
  ASSERT_TRUE(end_offsets.has_value()) << end_offsets.error().message();
  EXPECT_EQ(*end_offsets, ends);
  auto group_offsets = (*admin)->CommittedOffsets("bridge", "orders", 5s);
  ASSERT_TRUE(group_offsets.has_value()) << group_offsets.error().message();
  EXPECT_EQ(*group_offsets, ends);
  auto fresh_group = (*admin)->CommittedOffsets("nobody", "orders", 5s);
  ASSERT_TRUE(fresh_group.has_value()) << fresh_group.error().message();
  EXPECT_EQ(fresh_group->at(0), kOffsetInvalid);
  // (An unknown topic is kNotFound only against a real broker: the mock creates topics on
  // any metadata request; see tests/integration/kafka.)
  EXPECT_EQ((*admin)->PartitionCount("orders", 5s), 3);

  ASSERT_TRUE(c.Close().has_value());
  EXPECT_EQ(listener.revoked.size(), 3u);
  EXPECT_TRUE(c.Close().has_value()) << "Close is idempotent";
  auto polled = c.Poll(10ms);
  ASSERT_FALSE(polled.has_value());
  EXPECT_EQ(polled.error().code(), Code::kFailedPrecondition);
}

// Pausing partition 0 in OnAssigned: partitions 1 and 2 flow, 0 yields nothing until resumed,
// then exactly its records, in order, once. Run with an eager and the cooperative protocol.
class PauseResumeTest : public ::testing::TestWithParam<const char*> {};

TEST_P(PauseResumeTest, PausedPartitionYieldsNothingUntilResumed) {
  MockCluster cluster(1);  // one broker: all partitions share each fetch request
  cluster.CreateTopic("orders", 3);
  cluster.CreateTopic("other", 1);
  ProduceTo(cluster.Props(), "orders", {0, 1, 2}, 10);

  RecordingListener listener;
  listener.on_assigned = [](Consumer& consumer, const std::vector<TopicPartition>&) {
    EXPECT_TRUE(consumer.Pause({{"orders", 0}}).has_value());
  };
  Properties props = cluster.Props();
  props.Set("partition.assignment.strategy", GetParam());
  auto consumer = Consumer::Create(props, "pauser", &listener);
  ASSERT_TRUE(consumer.has_value());
  Consumer& c = **consumer;
  ASSERT_TRUE(c.Subscribe({"orders"}).has_value());

  std::vector<Message> received;
  ASSERT_TRUE(PollUntil(
      c, received,
      [](const auto& r) {
        const auto n = CountByPartition(r);
        return n.contains(1) && n.at(1) == 10 && n.contains(2) && n.at(2) == 10;
      },
      9s));
  EXPECT_EQ(c.Paused(), (std::set<TopicPartition>{{"orders", 0}}));

  // Records produced to partition 1 after partition 0's arrive, partition 0's do not: the
  // fetches that carried them did not include the paused partition.
  ProduceTo(cluster.Props(), "orders", {1}, 5);
  ASSERT_TRUE(PollUntil(
      c, received, [](const auto& r) { return CountByPartition(r).at(1) == 15; }, 5s));
  EXPECT_FALSE(CountByPartition(received).contains(0))
      << "rebalances: " << listener.assign_calls << " assigned, " << listener.revoked.size()
      << " partitions revoked";
  EXPECT_EQ(c.Lag(), 0) << "the paused partition was never fetched: no position, no share";

  // Resume skips partitions that are not paused; Pause refuses unassigned ones.
  ASSERT_TRUE(c.Resume({{"orders", 1}}).has_value());
  EXPECT_EQ(c.Paused().size(), 1u);
  auto unassigned = c.Pause({{"other", 0}});
  ASSERT_FALSE(unassigned.has_value());
  EXPECT_EQ(unassigned.error().code(), Code::kFailedPrecondition);

  ASSERT_TRUE(c.Resume({{"orders", 0}}).has_value());
  EXPECT_TRUE(c.Paused().empty());
  ASSERT_TRUE(PollUntil(
      c, received,
      [](const auto& r) {
        const auto n = CountByPartition(r);
        return n.contains(0) && n.at(0) >= 10;
      },
      5s));
  EXPECT_EQ(OffsetsOf(received, 0), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(received.size(), 35u);
}

INSTANTIATE_TEST_SUITE_P(Protocols, PauseResumeTest,
                         ::testing::Values("range", "cooperative-sticky"),
                         [](const ::testing::TestParamInfo<const char*>& param) {
                           return std::string(param.param) == "range" ? "Eager" : "Cooperative";
                         });

// With auto.offset.reset=latest and no committed offset, the start offset is the end of the
// partition as of the assignment, resolved before OnAssigned(): a record produced from inside
// OnAssigned() (the earliest moment anyone can know of the assignment) is consumed.
TEST(ConsumerMockTest, AtLatestARecordProducedWhenAssignedIsConsumed) {
  MockCluster cluster(1);
  cluster.CreateTopic("orders", 1);
  ProduceTo(cluster.Props(), "orders", {0}, 3);

  Properties props = cluster.Props();
  props.Set("auto.offset.reset", "latest");
  RecordingListener listener;
  bool resolved_when_assigned = false;
  listener.on_assigned = [&](Consumer& c, const std::vector<TopicPartition>&) {
    resolved_when_assigned = c.StartOffsetsResolved();
    ProduceTo(cluster.Props(), "orders", {0}, 1);
  };
  auto consumer = Consumer::Create(props, "fresh", &listener);
  ASSERT_TRUE(consumer.has_value());
  ASSERT_TRUE((*consumer)->Subscribe({"orders"}).has_value());
  std::vector<Message> received;
  ASSERT_TRUE(PollUntil(
      **consumer, received, [](const auto& r) { return !r.empty(); }, 15s));
  EXPECT_TRUE(resolved_when_assigned);
  EXPECT_EQ(received[0].offset, 3);

  // A committed offset wins over the reset policy (committed here by a manual assignment).
  auto seeder = Consumer::Create(props, "seeded");
  ASSERT_TRUE(seeder.has_value());
  ASSERT_TRUE((*seeder)->Assign({{"orders", 0, kOffsetBeginning}}).has_value());
  ASSERT_TRUE((*seeder)->StoreOffset("orders", 0, 2).has_value());
  ASSERT_TRUE((*seeder)->Commit().has_value());
  RecordingListener again;
  auto second = Consumer::Create(props, "seeded", &again);
  ASSERT_TRUE(second.has_value());
  ASSERT_TRUE((*second)->Subscribe({"orders"}).has_value());
  std::vector<Message> replay;
  ASSERT_TRUE(PollUntil(
      **second, replay, [](const auto& r) { return r.size() >= 2; }, 15s));
  EXPECT_EQ(replay[0].offset, 2);
  EXPECT_TRUE((*second)->StartOffsetsResolved());
}

TEST(ConsumerMockTest, AssignAtEndSeesOnlyRecordsProducedAfterwards) {
  MockCluster cluster(3);
  cluster.CreateTopic("events", 3);
  ProduceTo(cluster.Props(), "events", {0, 1, 2}, 5);

  auto consumer = Consumer::Create(cluster.Props(), "watcher");
  ASSERT_TRUE(consumer.has_value());
  Consumer& c = **consumer;
  auto assigned = c.AssignAtEnd("events", 5s);
  ASSERT_TRUE(assigned.has_value()) << assigned.error().message();
  EXPECT_EQ(*assigned, (std::vector<TopicPartitionOffset>{
                           {"events", 0, 5}, {"events", 1, 5}, {"events", 2, 5}}));
  auto assignment = c.Assignment();
  ASSERT_TRUE(assignment.has_value());
  EXPECT_EQ(assignment->size(), 3u);

  ProduceTo(cluster.Props(), "events", {0, 1, 2}, 2);
  std::vector<Message> received;
  ASSERT_TRUE(PollUntil(
      c, received, [](const auto& r) { return r.size() >= 6; }, 5s));
  for (const auto& m : received) {
    EXPECT_GE(m.offset, 5) << "partition " << m.partition;
  }
}

}  // namespace
}  // namespace driftline::kafka
