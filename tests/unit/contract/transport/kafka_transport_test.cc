// KafkaTransport against librdkafka's in-process mock cluster: watches started from several
// threads at once (as the runner starts them) all see what is published afterwards.
#include "contract/transport/kafka_transport.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "testkit/kafka_mock.h"

namespace driftline::contract {
namespace {

using std::chrono::milliseconds;

// (A lost or torn watcher shows here only now and then; the ThreadSanitizer build, which runs
// the unit tests, fails on the race itself.)
TEST(KafkaTransportTest, WatchesFromSeveralThreadsAtOnceAllDeliver) {
  kafka::testing::MockCluster cluster(1);
  std::vector<Channel> topics(4);
  for (std::size_t i = 0; i < topics.size(); ++i) {
    topics[i].address = "watched-" + std::to_string(i);
    topics[i].protocol = Protocol::kKafka;
    cluster.CreateTopic(topics[i].address, 2);
  }
  std::mutex mu;
  std::map<std::string, int> seen;  // guarded by mu: topic → records delivered
  // After mu and seen: destroyed, and its watchers joined, before them.
  KafkaTransportConfig config;
  config.bootstrap = cluster.Props().Get("bootstrap.servers").value_or("");
  auto transport = KafkaTransport::Create(config, Clock::System());
  ASSERT_TRUE(transport) << transport.error().ToString();

  std::vector<Status> watched(topics.size(), Ok());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < topics.size(); ++i) {
    threads.emplace_back([&, i] {
      watched[i] = (*transport)->Watch(topics[i], [&](ObservedMessage& m) {
        std::lock_guard<std::mutex> lock(mu);
        ++seen[m.channel->address];
        return Disposition::kMatched;
      });
    });
  }
  for (auto& t : threads)
    t.join();
  for (const Status& s : watched)
    ASSERT_TRUE(s) << s.error().ToString();

  for (const Channel& topic : topics) {
    OutgoingExample out;
    out.payload = R"({"to":")" + topic.address + R"("})";
    auto receipt = (*transport)->Publish(topic, out);
    ASSERT_TRUE(receipt) << receipt.error().ToString();
  }
  std::map<std::string, int> expected;
  for (const Channel& topic : topics)
    expected[topic.address] = 1;
  EXPECT_TRUE(testkit::Eventually(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return seen == expected;
      },
      milliseconds(15000)));
  (*transport)->Stop();
}

}  // namespace
}  // namespace driftline::contract
