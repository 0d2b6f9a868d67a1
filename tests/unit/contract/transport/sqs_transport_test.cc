// SqsTransport over a fake SqsClient: what happens to each received message by disposition.
// Only matched messages are deleted (those of one receive in one request); someone else's are
// made visible again once; stale ones are left alone.
#include "contract/transport/sqs_transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "testkit/eventually.h"

namespace driftline::contract {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

class FakeSqs final : public sqs::SqsClient {
 public:
  // Each Receive returns the next scripted batch (then nothing, after a short wait).
  void Script(std::vector<sqs::ReceivedMessage> batch) {
    std::lock_guard<std::mutex> lock(mu_);
    batches_.push_back(std::move(batch));
  }
  bool WaitForReceives(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return receives_ >= n; });
  }

  std::set<std::string> Polled() {
    std::lock_guard<std::mutex> lock(mu_);
    return polled_;
  }

  Result<std::vector<sqs::ReceivedMessage>> ReceiveMessage(const sqs::ReceiveRequest& r) override {
    std::unique_lock<std::mutex> lock(mu_);
    last_request_ = r;
    polled_.insert(r.queue_url);
    ++receives_;
    cv_.notify_all();
    if (batches_.empty()) {
      cv_.wait_for(lock, milliseconds(20));
      return std::vector<sqs::ReceivedMessage>{};
    }
    auto batch = std::move(batches_.front());
    batches_.pop_front();
    return batch;
  }
  Status DeleteMessage(std::string_view url, std::string_view receipt) override {
    std::lock_guard<std::mutex> lock(mu_);
    deleted.push_back(std::string(url) + " " + std::string(receipt));
    return Ok();
  }
  Status ChangeMessageVisibility(std::string_view, std::string_view receipt, int seconds) override {
    std::lock_guard<std::mutex> lock(mu_);
    visibility.push_back(std::string(receipt) + "=" + std::to_string(seconds));
    return Ok();
  }
  Result<sqs::QueueAttributes> GetQueueAttributes(std::string_view url,
                                                  const std::vector<std::string>&) override {
    if (url.find("missing") != std::string_view::npos)
      return Fail(Code::kNotFound, "no such queue");
    return sqs::QueueAttributes{};
  }
  Result<sqs::SendMessageResult> SendMessage(std::string_view url,
                                             const sqs::OutgoingMessage& m) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent.push_back(std::string(url) + " " + m.body + " " +
                   m.attributes.at("CorrelationId").string_value);
    return sqs::SendMessageResult{"id-1", "", "", std::nullopt};
  }
  // Not used by the transport.
  Result<std::string> CreateQueue(const sqs::CreateQueueRequest&) override { return Unused(); }
  Result<std::string> GetQueueUrl(std::string_view name) override {
    return "http://fake/123/" + std::string(name);
  }
  Result<std::vector<std::string>> ListQueues(std::string_view) override {
    return std::vector<std::string>{};
  }
  sqs::BatchResults<sqs::SendMessageResult> SendMessageBatch(
      std::string_view, const std::vector<sqs::OutgoingMessage>&) override {
    return {};
  }
  sqs::BatchResults<void> DeleteMessageBatch(std::string_view url,
                                             const std::vector<std::string>& receipts) override {
    std::lock_guard<std::mutex> lock(mu_);
    sqs::BatchResults<void> out;
    for (const std::string& receipt : receipts) {
      deleted.push_back(std::string(url) + " " + receipt);
      out.entries.push_back(Ok());
    }
    ++delete_requests;
    return out;
  }
  Status PurgeQueue(std::string_view) override { return Fail(Code::kUnimplemented, "no"); }
  Status DeleteQueue(std::string_view) override { return Fail(Code::kUnimplemented, "no"); }

  std::vector<std::string> deleted, visibility, sent;
  int delete_requests = 0;
  sqs::ReceiveRequest last_request_;

 private:
  static Result<std::string> Unused() { return Fail(Code::kUnimplemented, "unused"); }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<sqs::ReceivedMessage>> batches_;
  std::set<std::string> polled_;  // queue URLs received from
  int receives_ = 0;
};

sqs::ReceivedMessage Received(const std::string& id, const std::string& body,
                              const std::string& correlation) {
  sqs::ReceivedMessage m;
  m.message_id = id;
  m.receipt_handle = "rh-" + id;
  m.body = body;
  m.attributes["SentTimestamp"] = "1768816805123";
  m.message_attributes["CorrelationId"] = sqs::MessageAttributeValue::String(correlation);
  m.message_attributes["Attempt"] = sqs::MessageAttributeValue::Number("2");
  return m;
}

// Queue URLs built from this base (no GetQueueUrl round trip).
SqsTransportConfig FakeBase() {
  SqsTransportConfig config;
  config.queue_base = "http://fake/000";
  return config;
}

Channel SqsQueue(std::string address) {
  Channel queue;
  queue.address = std::move(address);
  queue.protocol = Protocol::kSqs;
  return queue;
}

TEST(SqsTransportTest, DeletesOnlyMatchedAndReleasesForeignOnce) {
  auto fake = std::make_unique<FakeSqs>();
  FakeSqs* sqs = fake.get();
  sqs->Script({Received("m1", R"({"a":1})", "mine"), Received("m2", "not json", "theirs"),
               Received("m3", "{}", "old")});
  sqs->Script({Received("m2", "not json", "theirs")});  // it came back
  SqsTransport transport(std::move(fake), FakeBase(), Clock::System());
  const Channel queue = SqsQueue("orders-out");

  std::mutex mu;
  std::vector<ObservedMessage> seen;
  ASSERT_TRUE(transport.Watch(queue, [&](ObservedMessage& m) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(m);
    const std::string id = m.headers["CorrelationId"];
    return id == "mine"  ? Disposition::kMatched
           : id == "old" ? Disposition::kStale
                         : Disposition::kForeign;
  }));
  ASSERT_TRUE(sqs->WaitForReceives(4));
  transport.Stop();

  EXPECT_THAT(sqs->deleted, ::testing::ElementsAre("http://fake/000/orders-out rh-m1"));
  EXPECT_THAT(sqs->visibility, ::testing::ElementsAre("rh-m2=0"));
  EXPECT_EQ(sqs->last_request_.queue_url, "http://fake/000/orders-out");
  EXPECT_THAT(sqs->last_request_.message_attribute_names, ::testing::ElementsAre("All"));
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].payload, json({{"a", 1}}));
  EXPECT_TRUE(seen[0].payload_is_json);
  EXPECT_FALSE(seen[1].payload_is_json);
  EXPECT_EQ(seen[1].payload, json("not json"));
  EXPECT_EQ(seen[0].headers["Attempt"], json(2));
  EXPECT_EQ(seen[0].coordinates, "m1");
  EXPECT_EQ(
      std::chrono::duration_cast<milliseconds>(seen[0].produced_at.time_since_epoch()).count(),
      1768816805123);
}

// A thousand tests' replies share one queue: what one receive brings is deleted in one request.
TEST(SqsTransportTest, MatchedMessagesOfOneReceiveAreDeletedInOneRequest) {
  auto fake = std::make_unique<FakeSqs>();
  FakeSqs* sqs = fake.get();
  std::vector<sqs::ReceivedMessage> batch;
  for (int i = 0; i < 10; ++i)
    batch.push_back(Received("m" + std::to_string(i), "{}", i == 4 ? "theirs" : "mine"));
  sqs->Script(batch);
  SqsTransport transport(std::move(fake), FakeBase(), Clock::System());
  const Channel queue = SqsQueue("orders-out");
  ASSERT_TRUE(transport.Watch(queue, [](ObservedMessage& m) {
    return m.headers["CorrelationId"] == "mine" ? Disposition::kMatched : Disposition::kForeign;
  }));
  ASSERT_TRUE(sqs->WaitForReceives(3));
  transport.Stop();
  EXPECT_EQ(sqs->delete_requests, 1);
  ASSERT_EQ(sqs->deleted.size(), 9u);
  EXPECT_EQ(sqs->deleted.front(), "http://fake/000/orders-out rh-m0");
  EXPECT_EQ(sqs->deleted.back(), "http://fake/000/orders-out rh-m9");
  EXPECT_THAT(sqs->visibility, ::testing::ElementsAre("rh-m4=0"));
}

std::vector<Channel> Queues(int count) {
  std::vector<Channel> queues;
  for (int i = 0; i < count; ++i)
    queues.push_back(SqsQueue("queue-" + std::to_string(i)));
  return queues;
}

// The runner watches each channel from its own thread. (A lost or torn watcher shows here only
// now and then; the ThreadSanitizer build, which runs the unit tests, fails on the race itself.)
TEST(SqsTransportTest, WatchesFromSeveralThreadsAtOnceAreAllKept) {
  auto fake = std::make_unique<FakeSqs>();
  FakeSqs* sqs = fake.get();
  SqsTransport transport(std::move(fake), FakeBase(), Clock::System());
  const std::vector<Channel> queues = Queues(8);

  std::vector<Status> watched(queues.size(), Ok());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < queues.size(); ++i) {
    threads.emplace_back([&, i] {
      watched[i] =
          transport.Watch(queues[i], [](ObservedMessage&) { return Disposition::kForeign; });
    });
  }
  for (auto& t : threads)
    t.join();
  for (const Status& s : watched)
    EXPECT_TRUE(s) << s.error().ToString();

  std::set<std::string> expected;
  for (const Channel& q : queues)
    expected.insert("http://fake/000/" + q.address);
  EXPECT_TRUE(testkit::Eventually([&] { return sqs->Polled() == expected; }, milliseconds(10000)));
  transport.Stop();
}

// Stop() may run while watches are still starting; every poll thread is joined by the time the
// transport is gone (a thread left running would touch the destroyed fake, or std::terminate).
TEST(SqsTransportTest, StopWhileWatchesStartJoinsEveryThread) {
  auto transport =
      std::make_unique<SqsTransport>(std::make_unique<FakeSqs>(), FakeBase(), Clock::System());
  const std::vector<Channel> queues = Queues(8);
  std::vector<std::thread> threads;
  for (const Channel& q : queues) {
    threads.emplace_back([&transport, &q] {
      EXPECT_TRUE(transport->Watch(q, [](ObservedMessage&) { return Disposition::kForeign; }));
    });
  }
  transport->Stop();
  for (auto& t : threads)
    t.join();
  transport.reset();
}

TEST(SqsTransportTest, WatchingAMissingQueueFailsClearly) {
  SqsTransport transport(std::make_unique<FakeSqs>(), FakeBase(), Clock::System());
  const Channel queue = SqsQueue("missing-queue");
  auto watched = transport.Watch(queue, [](ObservedMessage&) { return Disposition::kForeign; });
  ASSERT_FALSE(watched);
  EXPECT_THAT(watched.error().Trace(), ::testing::HasSubstr("queue 'missing-queue'"));
}

TEST(SqsTransportTest, PublishSendsHeadersAsAttributes) {
  auto fake = std::make_unique<FakeSqs>();
  FakeSqs* sqs = fake.get();
  SqsTransportConfig config;
  SqsTransport transport(std::move(fake), config, Clock::System());  // no base: GetQueueUrl
  const Channel queue = SqsQueue("orders-in");
  auto receipt =
      transport.Publish(queue, OutgoingExample{"{}", {{"CorrelationId", "c-1"}}, {}, {}});
  ASSERT_TRUE(receipt) << receipt.error().message();
  EXPECT_EQ(receipt->coordinates, "id-1");
  EXPECT_THAT(sqs->sent, ::testing::ElementsAre("http://fake/123/orders-in {} c-1"));
}

}  // namespace
}  // namespace driftline::contract
