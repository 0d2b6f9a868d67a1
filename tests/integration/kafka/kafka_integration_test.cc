// src/kafka against the real local broker (KafkaBootstrap(), started by `make stack-up`).
// Every test creates its own topics and deletes them at the end. An unreachable broker fails
// the set-up (no skipping).
#include <gtest/gtest.h>

#include <set>

#include "kafka/admin.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "testkit/kafka_mock.h"
#include "testkit/stack_env.h"

namespace driftline::kafka {
namespace {

using namespace std::chrono_literals;
using testing::CountByPartition;
using testing::DeliveryCollector;
using testing::OffsetsOf;
using testing::PollUntil;
using testing::RecordingListener;
using testkit::KafkaBootstrap;
using testkit::UniqueName;

constexpr auto kAdminTimeout = 10s;

class KafkaIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // After one set-up found no broker, fail the rest at once instead of timing out again.
    static bool broker_unreachable = false;
    ASSERT_FALSE(broker_unreachable) << "no broker at " << KafkaBootstrap() << " (see above)";
    props_ = Properties::Make(KafkaBootstrap());
    auto admin = Admin::Create(props_);
    ASSERT_TRUE(admin.has_value()) << admin.error().message();
    admin_ = std::move(*admin);
    topic_ = UniqueName("driftline-kafka-it");
    auto created = admin_->CreateTopics({{topic_, 3, 1, {}}}, kAdminTimeout);
    broker_unreachable = !created.has_value() && created.error().retryable();
    ASSERT_TRUE(created.has_value()) << "is the stack up (make stack-up)? broker "
                                     << KafkaBootstrap() << ": " << created.error().message();
    topics_.push_back(topic_);
  }

  void TearDown() override {
    if (admin_ && !topics_.empty()) {
      auto deleted = admin_->DeleteTopics(topics_, kAdminTimeout);
      EXPECT_TRUE(deleted.has_value()) << deleted.error().message();
    }
  }

  // Sends `messages`, waits for all reports; returns them in token order.
  std::vector<DeliveryReport> ProduceAll(const std::vector<OutgoingMessage>& messages) {
    DeliveryCollector collector;
    auto producer = Producer::Create(WithReliableDelivery(props_), collector.Handler());
    EXPECT_TRUE(producer.has_value()) << producer.error().message();
    for (std::size_t i = 0; i < messages.size(); ++i) {
      auto sent = (*producer)->Send(messages[i], i);
      EXPECT_TRUE(sent.has_value()) << sent.error().message();
    }
    EXPECT_TRUE((*producer)->Flush(15s).has_value());
    auto reports = collector.Reports();
    std::sort(reports.begin(), reports.end(),
              [](const auto& a, const auto& b) { return a.token < b.token; });
    return reports;
  }

  std::vector<OutgoingMessage> Numbered(std::int32_t partition, int count, int first = 0) {
    std::vector<OutgoingMessage> out;
    for (int i = first; i < first + count; ++i) {
      OutgoingMessage m;
      m.topic = topic_;
      m.partition = partition;
      m.key = "k" + std::to_string(i);
      m.payload = "v" + std::to_string(i);
      out.push_back(std::move(m));
    }
    return out;
  }

  Properties props_;
  std::unique_ptr<Admin> admin_;
  std::string topic_;
  std::vector<std::string> topics_;  // deleted in TearDown
};

TEST_F(KafkaIntegrationTest, TopicCreationIsIdempotentAndErrorsNameTheTopic) {
  EXPECT_TRUE(admin_->CreateTopics({{topic_, 3, 1, {}}}, kAdminTimeout).has_value());
  EXPECT_EQ(admin_->PartitionCount(topic_, 5s), 3);

  const std::string bad = UniqueName("driftline-kafka-it-bad");
  auto rejected = admin_->CreateTopics({{bad, 1, 5, {}}}, kAdminTimeout);  // one broker
  ASSERT_FALSE(rejected.has_value());
  EXPECT_EQ(rejected.error().code(), Code::kInvalidArgument) << rejected.error().message();
  EXPECT_NE(rejected.error().message().find(bad), std::string::npos) << rejected.error().message();

  auto missing = admin_->PartitionCount(UniqueName("driftline-kafka-it-missing"), 5s);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Code::kNotFound) << missing.error().message();

  EXPECT_TRUE(admin_->DeleteTopics({UniqueName("driftline-kafka-it-never")}, kAdminTimeout))
      << "deleting an unknown topic counts as done";
}

TEST_F(KafkaIntegrationTest, KeyHeadersAndBinaryPayloadRoundTripThroughAGroup) {
  const std::string binary("\x00order\x00\xff\x01", 9);
  std::vector<OutgoingMessage> messages;
  for (int i = 0; i < 9; ++i) {
    OutgoingMessage m;
    m.topic = topic_;
    m.key = "ORD-" + std::to_string(i);
    m.payload = binary + std::to_string(i);
    m.headers.Add("CorrelationId", "corr-" + std::to_string(i));
    m.headers.Add("empty", "");
    m.headers.Add("null", std::nullopt);
    m.headers.Add("CorrelationId", "corr-last-" + std::to_string(i));
    messages.push_back(std::move(m));
  }
  OutgoingMessage keyless;
  keyless.topic = topic_;
  keyless.partition = 2;
  keyless.payload = "";
  messages.push_back(keyless);

  const auto reports = ProduceAll(messages);
  ASSERT_EQ(reports.size(), messages.size());
  std::map<std::int32_t, std::int64_t> ends{{0, 0}, {1, 0}, {2, 0}};
  for (const auto& r : reports) {
    ASSERT_FALSE(r.error.has_value()) << r.error->message();
    ends[r.partition] = std::max(ends[r.partition], r.offset + 1);
  }
  auto end_offsets = admin_->EndOffsets(topic_, 5s);
  ASSERT_TRUE(end_offsets.has_value()) << end_offsets.error().message();
  EXPECT_EQ(*end_offsets, ends);

  const std::string group = UniqueName("driftline-kafka-it-group");
  RecordingListener listener;
  auto consumer = Consumer::Create(props_, group, &listener);
  ASSERT_TRUE(consumer.has_value());
  ASSERT_TRUE((*consumer)->Subscribe({topic_}).has_value());
  std::vector<Message> received;
  std::vector<Error> errors;
  ASSERT_TRUE(PollUntil(
      **consumer, received, [&](const auto& r) { return r.size() >= messages.size(); }, 30s,
      &errors));
  EXPECT_TRUE(errors.empty()) << errors.front().message();
  EXPECT_EQ(received.size(), messages.size());

  std::set<std::string> keys;
  for (const Message& m : received) {
    ASSERT_TRUE((*consumer)->StoreOffset(m).has_value());
    if (!m.key) {
      EXPECT_EQ(m.partition, 2);
      EXPECT_EQ(m.payload, "");
      EXPECT_TRUE(m.headers.empty());
      continue;
    }
    keys.insert(*m.key);
    const std::string n = m.key->substr(4);
    EXPECT_EQ(m.payload, binary + n);
    ASSERT_EQ(m.headers.size(), 4u);
    EXPECT_EQ(m.headers[0], (Header{"CorrelationId", "corr-" + n}));
    EXPECT_EQ(m.headers.Find("CorrelationId")->value, "corr-last-" + n);
    EXPECT_EQ(m.headers.Find("empty")->value, "");
    EXPECT_EQ(m.headers.Find("null")->value, std::nullopt);
    EXPECT_EQ(m.timestamp_type, TimestampType::kCreateTime);
  }
  EXPECT_EQ(keys.size(), 9u);

  ASSERT_TRUE((*consumer)->Commit().has_value());
  auto committed = admin_->CommittedOffsets(group, topic_, 10s);
  ASSERT_TRUE(committed.has_value()) << committed.error().message();
  EXPECT_EQ(*committed, ends);
  ASSERT_TRUE((*consumer)->Close().has_value());
  EXPECT_EQ(listener.revoked.size(), 3u);
}

TEST_F(KafkaIntegrationTest, PausedPartitionWaitsUntilResumed) {
  std::vector<OutgoingMessage> messages;
  for (std::int32_t p = 0; p < 3; ++p) {
    const auto batch = Numbered(p, 10, p * 100);
    messages.insert(messages.end(), batch.begin(), batch.end());
  }
  ProduceAll(messages);

  RecordingListener listener;
  listener.on_assigned = [&](Consumer& c, const std::vector<TopicPartition>&) {
    EXPECT_TRUE(c.Pause({{topic_, 0}}).has_value());
  };
  auto consumer = Consumer::Create(props_, UniqueName("driftline-kafka-it-pause"), &listener);
  ASSERT_TRUE(consumer.has_value());
  Consumer& c = **consumer;
  ASSERT_TRUE(c.Subscribe({topic_}).has_value());

  std::vector<Message> received;
  ASSERT_TRUE(PollUntil(
      c, received,
      [](const auto& r) {
        const auto n = CountByPartition(r);
        return n.contains(1) && n.at(1) == 10 && n.contains(2) && n.at(2) == 10;
      },
      30s));
  // Later records on partition 1 arrive; partition 0's earlier ones still do not.
  ProduceAll(Numbered(1, 5, 1000));
  ASSERT_TRUE(PollUntil(
      c, received, [](const auto& r) { return CountByPartition(r).at(1) == 15; }, 15s));
  EXPECT_FALSE(CountByPartition(received).contains(0));

  ASSERT_TRUE(c.Resume({{topic_, 0}}).has_value());
  ASSERT_TRUE(PollUntil(
      c, received,
      [](const auto& r) {
        const auto n = CountByPartition(r);
        return n.contains(0) && n.at(0) >= 10;
      },
      15s));
  EXPECT_EQ(OffsetsOf(received, 0), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(received.size(), 35u);
}

// A second member joins while the first has paused everything. Eager protocol: the first
// member's assignment is revoked and reassigned, and the reassigned partitions are fetched
// (librdkafka alone would keep them paused). Cooperative: the partitions it keeps stay paused
// until resumed.
class RebalanceTest : public KafkaIntegrationTest,
                      public ::testing::WithParamInterface<const char*> {};

TEST_P(RebalanceTest, PauseStateAfterASecondMemberJoins) {
  std::vector<OutgoingMessage> messages;
  for (std::int32_t p = 0; p < 3; ++p) {
    const auto batch = Numbered(p, 10, p * 100);
    messages.insert(messages.end(), batch.begin(), batch.end());
  }
  ProduceAll(messages);
  const bool cooperative = std::string(GetParam()) == "cooperative-sticky";
  const std::string group = UniqueName("driftline-kafka-it-rebalance");
  Properties props = props_;
  // Frequent heartbeats: members learn of a rebalance sooner.
  props.Set("partition.assignment.strategy", GetParam()).Set("heartbeat.interval.ms", "300");

  RecordingListener listener_a;
  listener_a.on_assigned = [&](Consumer& c, const std::vector<TopicPartition>& partitions) {
    if (listener_a.assign_calls == 1) {
      EXPECT_TRUE(c.Pause(partitions).has_value());
    }
  };
  auto a = Consumer::Create(props, group, &listener_a);
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE((*a)->Subscribe({topic_}).has_value());
  std::vector<Message> received;
  ASSERT_TRUE(PollUntil(
      **a, received, [&](const auto&) { return (*a)->Paused().size() == 3; }, 30s));

  RecordingListener listener_b;
  auto b = Consumer::Create(props, group, &listener_b);
  ASSERT_TRUE(b.has_value());
  ASSERT_TRUE((*b)->Subscribe({topic_}).has_value());
  // Poll both (one thread, alternating) until B owns partitions and A's share is settled.
  const auto settled = [&] {
    auto assigned_a = (*a)->Assignment();
    auto assigned_b = (*b)->Assignment();
    return assigned_a && assigned_b && !assigned_b->empty() &&
           assigned_a->size() + assigned_b->size() == 3;
  };
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!settled() && std::chrono::steady_clock::now() < deadline) {
    for (Consumer* c : {a->get(), b->get()}) {
      if (auto polled = c->Poll(50ms); polled && *polled) {
        received.push_back(std::move(**polled));
      }
    }
  }
  ASSERT_TRUE(settled());
  EXPECT_FALSE(listener_a.revoked.empty());
  const auto kept = (*a)->Assignment().value();
  if (cooperative) {
    EXPECT_EQ((*a)->Paused(), (std::set<TopicPartition>(kept.begin(), kept.end())));
  } else {
    EXPECT_TRUE((*a)->Paused().empty());
  }

  // Records of B's partitions always arrive; A's only where its pause state was reset.
  std::size_t expected = 10 * (*b)->Assignment()->size() + (cooperative ? 0 : 10 * kept.size());
  ASSERT_TRUE(testing::Eventually(
      [&] {
        for (Consumer* c : {a->get(), b->get()}) {
          if (auto polled = c->Poll(50ms); polled && *polled) {
            received.push_back(std::move(**polled));
          }
        }
        return received.size() >= expected;
      },
      20s));
  EXPECT_EQ(received.size(), expected);
  if (cooperative) {
    ASSERT_TRUE((*a)->Resume(kept).has_value());
    EXPECT_TRUE((*a)->Paused().empty());
    ASSERT_TRUE(PollUntil(
        **a, received, [](const auto& r) { return r.size() >= 30; }, 15s));
  }
  EXPECT_EQ(received.size(), 30u);
  ASSERT_TRUE((*b)->Close().has_value());
  ASSERT_TRUE((*a)->Close().has_value());
}

INSTANTIATE_TEST_SUITE_P(Protocols, RebalanceTest, ::testing::Values("range", "cooperative-sticky"),
                         [](const ::testing::TestParamInfo<const char*>& param) {
                           return std::string(param.param) == "range" ? "Eager" : "Cooperative";
                         });

TEST_F(KafkaIntegrationTest, AssignAtEndWatchesOnlyNewRecords) {
  std::vector<OutgoingMessage> before;
  for (std::int32_t p = 0; p < 3; ++p) {
    const auto batch = Numbered(p, 4);
    before.insert(before.end(), batch.begin(), batch.end());
  }
  ProduceAll(before);

  auto watcher = Consumer::Create(props_, UniqueName("driftline-kafka-it-watch"));
  ASSERT_TRUE(watcher.has_value());
  auto assigned = (*watcher)->AssignAtEnd(topic_, 10s);
  ASSERT_TRUE(assigned.has_value()) << assigned.error().message();
  ASSERT_EQ(assigned->size(), 3u);
  for (const auto& tpo : *assigned) {
    EXPECT_EQ(tpo.offset, 4);
  }
  ProduceAll(Numbered(1, 2, 50));
  std::vector<Message> received;
  ASSERT_TRUE(PollUntil(
      **watcher, received, [](const auto& r) { return r.size() >= 2; }, 15s));
  EXPECT_EQ(received[0].key, "k50");
  EXPECT_EQ(received[1].key, "k51");

  auto missing = (*watcher)->AssignAtEnd(UniqueName("driftline-kafka-it-missing"), 5s);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Code::kNotFound) << missing.error().message();
}

TEST_F(KafkaIntegrationTest, ProduceToMissingTopicReportsNotFound) {
  // The broker runs with auto.create.topics.enable=false.
  const std::string missing = UniqueName("driftline-kafka-it-missing");
  DeliveryCollector collector;
  Properties props = props_;
  props.Set("topic.metadata.propagation.max.ms", "1000").Set("message.timeout.ms", "10000");
  auto producer = Producer::Create(props, collector.Handler());
  ASSERT_TRUE(producer.has_value()) << producer.error().message();
  OutgoingMessage m;
  m.topic = missing;
  m.payload = "lost?";
  auto sent = (*producer)->Send(m, 42);
  if (sent) {
    ASSERT_TRUE(collector.WaitFor(1, 15s));
    const DeliveryReport report = collector.Reports()[0];
    EXPECT_EQ(report.token, 42u);
    ASSERT_TRUE(report.error.has_value());
    EXPECT_EQ(report.error->code(), Code::kNotFound) << report.error->message();
    EXPECT_NE(report.error->message().find(missing), std::string::npos) << report.error->message();
  } else {
    EXPECT_EQ(sent.error().code(), Code::kNotFound) << sent.error().message();
    EXPECT_NE(sent.error().message().find(missing), std::string::npos);
  }
  EXPECT_FALSE(admin_->PartitionCount(missing, 5s).has_value()) << "not auto-created";
}

}  // namespace
}  // namespace driftline::kafka
