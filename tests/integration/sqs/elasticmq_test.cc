// CurlSqsClient against the real local SQS (ElasticMQ with strict limits, stack/stack.sh).
// Every test creates its own queue and deletes it. An unreachable endpoint fails the tests.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <set>
#include <thread>

#include "sqs/curl_client.h"
#include "testkit/eventually.h"
#include "testkit/ports.h"
#include "testkit/stack_env.h"

namespace driftline::sqs {
namespace {

using Clock = std::chrono::steady_clock;

SqsClientConfig StackConfig() {
  SqsClientConfig config;
  config.endpoint_url = testkit::SqsEndpoint();
  config.region = std::string(kLocalStackRegion);
  config.credentials = LocalStackCredentials();
  config.request_timeout = std::chrono::seconds(10);
  return config;
}

std::unique_ptr<CurlSqsClient> StackClient(SqsClientConfig config = StackConfig()) {
  auto client = CurlSqsClient::Create(config);
  EXPECT_TRUE(client.has_value()) << client.error().ToString();
  return client ? std::move(*client) : nullptr;
}

class ElasticMqTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = StackClient();
    ASSERT_NE(client_, nullptr);
    queue_name_ = testkit::UniqueName("sqs-it");
    auto url = CreateQueue({queue_name_, {{"VisibilityTimeout", "30"}}});
    ASSERT_TRUE(url.has_value()) << "is the stack up (stack/stack.sh up)? " << url.error().Trace();
    queue_url_ = *url;
  }

  void TearDown() override {
    if (!client_) return;
    for (const auto& url : queues_to_delete_) {
      auto deleted = client_->DeleteQueue(url);
      EXPECT_TRUE(deleted.has_value()) << deleted.error().Trace();
    }
  }

  // A further queue for one test, deleted in TearDown whatever the test's outcome.
  Result<std::string> CreateQueue(const CreateQueueRequest& request) {
    auto url = client_->CreateQueue(request);
    if (url) queues_to_delete_.push_back(*url);
    return url;
  }

  // Receives until `count` messages arrived or `within` passed (long polls, no sleeping).
  std::vector<ReceivedMessage> ReceiveAtLeast(
      std::size_t count, std::chrono::seconds within = std::chrono::seconds(20)) {
    std::vector<ReceivedMessage> received;
    const auto deadline = Clock::now() + within;
    while (received.size() < count && Clock::now() < deadline) {
      ReceiveRequest request;
      request.queue_url = queue_url_;
      request.max_messages = 10;
      request.wait_time_seconds = 2;
      auto batch = client_->ReceiveMessage(request);
      EXPECT_TRUE(batch.has_value()) << batch.error().Trace();
      if (!batch) break;
      for (auto& message : *batch)
        received.push_back(std::move(message));
    }
    return received;
  }

  std::unique_ptr<CurlSqsClient> client_;
  std::string queue_name_;
  std::string queue_url_;
  std::vector<std::string> queues_to_delete_;
};

TEST_F(ElasticMqTest, SendAndReceiveRoundTripsBodyAndAttributes) {
  OutgoingMessage message;
  message.body = R"({"orderId":"ORD-1","customer":"Zoë Grüße","city":"東京"})";
  message.attributes = {
      {"CorrelationId", MessageAttributeValue::String("corr-7f3a")},
      {"Amount", MessageAttributeValue::Number("42.50")},
      {"Signature", MessageAttributeValue::Binary(std::string("\x00\x01\x02\xfe\xff", 5))}};
  auto sent = client_->SendMessage(queue_url_, message);
  ASSERT_TRUE(sent.has_value()) << sent.error().Trace();
  EXPECT_FALSE(sent->message_id.empty());
  EXPECT_FALSE(sent->md5_of_message_attributes.empty());  // verified against ours

  auto received = ReceiveAtLeast(1);
  ASSERT_EQ(received.size(), 1u);
  const ReceivedMessage& got = received[0];
  EXPECT_EQ(got.message_id, sent->message_id);
  EXPECT_EQ(got.body, message.body);
  EXPECT_EQ(got.message_attributes, message.attributes);
  EXPECT_EQ(got.attributes.at("ApproximateReceiveCount"), "1");
  EXPECT_TRUE(got.attributes.contains("SentTimestamp"));
  auto deleted = client_->DeleteMessage(queue_url_, got.receipt_handle);
  EXPECT_TRUE(deleted.has_value()) << deleted.error().Trace();
}

TEST_F(ElasticMqTest, BatchOf25ArrivesCompleteAndDeletesInBatches) {
  std::vector<OutgoingMessage> messages(25);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    messages[i].body = "order-" + std::to_string(i);
    messages[i].attributes["CorrelationId"] =
        MessageAttributeValue::String("c-" + std::to_string(i));
  }
  auto results = client_->SendMessageBatch(queue_url_, messages);
  ASSERT_EQ(results.entries.size(), 25u);
  std::set<std::string> message_ids;
  for (const auto& entry : results.entries) {
    ASSERT_TRUE(entry.has_value()) << entry.error().Trace();
    message_ids.insert(entry->message_id);
  }
  EXPECT_EQ(message_ids.size(), 25u);

  auto received = ReceiveAtLeast(25);
  std::set<std::string> bodies;
  std::vector<std::string> handles;
  for (const auto& message : received) {
    bodies.insert(message.body);
    EXPECT_EQ(message.message_attributes.at("CorrelationId").string_value,
              "c-" + message.body.substr(6));
    handles.push_back(message.receipt_handle);
  }
  EXPECT_EQ(bodies.size(), 25u);
  EXPECT_EQ(received.size(), 25u) << "no duplicates";

  auto deleted = client_->DeleteMessageBatch(queue_url_, handles);
  ASSERT_EQ(deleted.entries.size(), handles.size());
  for (const auto& entry : deleted.entries)
    EXPECT_TRUE(entry.has_value()) << entry.error().Trace();
  auto attributes = client_->GetQueueAttributes(queue_url_, {"All"});
  ASSERT_TRUE(attributes.has_value());
  EXPECT_EQ(attributes->approximate_number_of_messages(), 0);
  EXPECT_EQ(attributes->Int("ApproximateNumberOfMessagesNotVisible"), 0);
}

TEST_F(ElasticMqTest, OversizedEntryFailsAloneAndTheRestAreSent) {
  std::vector<OutgoingMessage> messages(3);
  messages[0].body = "small-0";
  messages[1].body = std::string(256 * 1024 + 1, 'x');
  messages[2].body = "small-2";
  auto results = client_->SendMessageBatch(queue_url_, messages);
  ASSERT_EQ(results.entries.size(), 3u);
  EXPECT_TRUE(results.entries[0].has_value());
  EXPECT_TRUE(results.entries[2].has_value());
  ASSERT_FALSE(results.entries[1].has_value());
  EXPECT_EQ(results.entries[1].error().code(), Code::kInvalidArgument);
  EXPECT_NE(results.entries[1].error().message().find("262145 bytes exceeds"), std::string::npos);

  auto received = ReceiveAtLeast(2);
  std::set<std::string> bodies;
  for (const auto& message : received)
    bodies.insert(message.body);
  EXPECT_EQ(bodies, (std::set<std::string>{"small-0", "small-2"}));
}

TEST_F(ElasticMqTest, ServerRejectsOversizedMessagesItself) {
  // ElasticMQ 1.7 with strict limits enforces today's AWS ceiling of 1 MiB. A client told the
  // queue allows 2 MiB lets the server judge; its refusal must come back as permanent.
  SqsClientConfig config = StackConfig();
  config.batch_limits.max_message_bytes = 2 * 1024 * 1024;
  config.batch_limits.max_batch_bytes = 2 * 1024 * 1024;
  auto lenient = StackClient(config);
  OutgoingMessage big;
  big.body = std::string(1024 * 1024 + 1, 'x');
  auto single = lenient->SendMessage(queue_url_, big);
  ASSERT_FALSE(single.has_value());
  EXPECT_EQ(single.error().code(), Code::kInvalidArgument) << single.error().Trace();
  std::cout << "[ info ] ElasticMQ on an oversized SendMessage: " << single.error().ToString()
            << "\n";

  OutgoingMessage small;
  small.body = "small";
  auto batch = lenient->SendMessageBatch(queue_url_, {small, big});
  ASSERT_EQ(batch.entries.size(), 2u);
  // ElasticMQ refuses the whole batch; the client resends entry by entry, so only the big
  // one fails.
  EXPECT_TRUE(batch.entries[0].has_value()) << batch.entries[0].error().Trace();
  ASSERT_FALSE(batch.entries[1].has_value());
  EXPECT_EQ(batch.entries[1].error().code(), Code::kInvalidArgument)
      << batch.entries[1].error().Trace();
  auto received = ReceiveAtLeast(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].body, "small");
}

TEST_F(ElasticMqTest, DeleteMessageBatchReportsABadReceiptHandle) {
  OutgoingMessage message;
  message.body = "to-delete";
  ASSERT_TRUE(client_->SendMessage(queue_url_, message).has_value());
  auto received = ReceiveAtLeast(1);
  ASSERT_EQ(received.size(), 1u);
  auto results =
      client_->DeleteMessageBatch(queue_url_, {received[0].receipt_handle, "not-a-receipt-handle"});
  ASSERT_EQ(results.entries.size(), 2u);
  EXPECT_TRUE(results.entries[0].has_value()) << results.entries[0].error().Trace();
  ASSERT_FALSE(results.entries[1].has_value());
  EXPECT_FALSE(results.entries[1].error().retryable());
  std::cout << "[ info ] ElasticMQ on a bogus receipt handle: "
            << results.entries[1].error().ToString() << "\n";
}

TEST_F(ElasticMqTest, ChangeMessageVisibilityMakesAMessageVisibleAgain) {
  OutgoingMessage message;
  message.body = "retry-me";
  ASSERT_TRUE(client_->SendMessage(queue_url_, message).has_value());
  ReceiveRequest request;
  request.queue_url = queue_url_;
  request.wait_time_seconds = 5;
  request.visibility_timeout = 600;
  auto first = client_->ReceiveMessage(request);
  ASSERT_TRUE(first.has_value() && first->size() == 1u);
  // Hidden for 10 minutes: nothing to receive now.
  request.wait_time_seconds = 0;
  EXPECT_TRUE(client_->ReceiveMessage(request)->empty());

  auto changed = client_->ChangeMessageVisibility(queue_url_, first->at(0).receipt_handle, 0);
  ASSERT_TRUE(changed.has_value()) << changed.error().Trace();
  request.wait_time_seconds = 5;
  auto second = client_->ReceiveMessage(request);
  ASSERT_TRUE(second.has_value());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ(second->at(0).message_id, first->at(0).message_id);
  EXPECT_EQ(second->at(0).attributes.at("ApproximateReceiveCount"), "2");
}

TEST_F(ElasticMqTest, PurgeQueueDropsEverything) {
  std::vector<OutgoingMessage> messages(3);
  for (auto& m : messages)
    m.body = "purge-me";
  ASSERT_TRUE(client_->SendMessageBatch(queue_url_, messages).all_ok());
  // ApproximateNumberOfMessages is what it says: ElasticMQ may count a just-sent batch a moment
  // later.
  auto depth = [this] {
    auto attributes = client_->GetQueueAttributes(queue_url_, {"ApproximateNumberOfMessages"});
    return attributes ? attributes->approximate_number_of_messages().value_or(-1) : -1;
  };
  ASSERT_TRUE(testkit::Eventually([&] { return depth() == 3; }, std::chrono::seconds(10)))
      << "depth " << depth();
  auto purged = client_->PurgeQueue(queue_url_);
  ASSERT_TRUE(purged.has_value()) << purged.error().Trace();
  EXPECT_TRUE(testkit::Eventually([&] { return depth() == 0; }, std::chrono::seconds(10)))
      << "depth " << depth();
  ReceiveRequest request;
  request.queue_url = queue_url_;
  request.wait_time_seconds = 1;
  EXPECT_TRUE(client_->ReceiveMessage(request)->empty());
}

TEST_F(ElasticMqTest, GetQueueAttributesAndTheLimitsTheClientLearns) {
  auto attributes = client_->GetQueueAttributes(queue_url_, {"All"});
  ASSERT_TRUE(attributes.has_value()) << attributes.error().Trace();
  EXPECT_EQ(attributes->visibility_timeout(), 30);
  EXPECT_EQ(attributes->approximate_number_of_messages(), 0);
  EXPECT_EQ(attributes->values.at("QueueArn"), "arn:aws:sqs:us-east-1:000000000000:" + queue_name_);
  // Real SQS always reports MaximumMessageSize and the client then splits by it; ElasticMQ
  // 1.7 leaves it out, so the configured default (256 KiB) stays in force.
  const auto reported = attributes->maximum_message_size();
  EXPECT_EQ(client_->LimitsFor(queue_url_).max_message_bytes,
            reported ? static_cast<std::size_t>(*reported) : kDefaultMaximumMessageSize);

  const std::string other_name = testkit::UniqueName("sqs-it-attrs");
  auto other_url = CreateQueue({other_name, {{"VisibilityTimeout", "45"}}});
  ASSERT_TRUE(other_url.has_value()) << other_url.error().Trace();
  auto other = client_->GetQueueAttributes(*other_url, {"VisibilityTimeout"});
  ASSERT_TRUE(other.has_value()) << other.error().Trace();
  EXPECT_EQ(other->visibility_timeout(), 45);
}

TEST_F(ElasticMqTest, ListQueuesFindsTheQueueAndGetQueueUrlResolvesIt) {
  auto urls = client_->ListQueues(queue_name_);
  ASSERT_TRUE(urls.has_value()) << urls.error().Trace();
  EXPECT_EQ(*urls, std::vector<std::string>{queue_url_});
  EXPECT_EQ(client_->GetQueueUrl(queue_name_).value(), queue_url_);
}

TEST_F(ElasticMqTest, UnknownQueueIsNotFoundAndNamesTheQueue) {
  const std::string missing = testkit::UniqueName("sqs-it-missing");
  auto url = client_->GetQueueUrl(missing);
  ASSERT_FALSE(url.has_value());
  EXPECT_EQ(url.error().code(), Code::kNotFound) << url.error().Trace();
  EXPECT_NE(url.error().Trace().find(missing), std::string::npos) << url.error().Trace();
  std::cout << "[ info ] ElasticMQ GetQueueUrl on a missing queue: " << url.error().ToString()
            << "\n";

  const std::string missing_url = testkit::SqsEndpoint() + "/000000000000/" + missing;
  OutgoingMessage message;
  message.body = "nowhere";
  auto sent = client_->SendMessage(missing_url, message);
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code(), Code::kNotFound) << sent.error().Trace();
  EXPECT_NE(sent.error().Trace().find(missing_url), std::string::npos);
  std::cout << "[ info ] ElasticMQ SendMessage to a missing queue: " << sent.error().ToString()
            << "\n";
  auto batch = client_->SendMessageBatch(missing_url, {message});
  EXPECT_EQ(batch.entries.at(0).error().code(), Code::kNotFound);
}

TEST_F(ElasticMqTest, FifoQueueKeepsGroupOrder) {
  const std::string name = testkit::UniqueName("sqs-it") + ".fifo";
  auto url = CreateQueue(CreateQueueRequest::Fifo(name, false));
  ASSERT_TRUE(url.has_value()) << url.error().Trace();
  std::vector<OutgoingMessage> messages(5);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    messages[i].body = "step-" + std::to_string(i);
    messages[i].message_group_id = "customer-1";
    messages[i].message_deduplication_id = "dedup-" + std::to_string(i);
  }
  auto results = client_->SendMessageBatch(*url, messages);
  // (Real SQS also returns a SequenceNumber per entry here; ElasticMQ 1.7 does not.)
  for (const auto& entry : results.entries)
    ASSERT_TRUE(entry.has_value()) << entry.error().Trace();
  ReceiveRequest request;
  request.queue_url = *url;
  request.wait_time_seconds = 2;
  auto received = client_->ReceiveMessage(request);
  ASSERT_TRUE(received.has_value()) << received.error().Trace();
  ASSERT_EQ(received->size(), 5u);
  for (std::size_t i = 0; i < 5; ++i)
    EXPECT_EQ(received->at(i).body, "step-" + std::to_string(i));
}

TEST_F(ElasticMqTest, SeveralThreadsShareOneClient) {
  constexpr int kThreads = 4;
  constexpr int kBatches = 3;
  std::vector<std::thread> threads;
  std::vector<std::size_t> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<OutgoingMessage> messages(10);
        for (int i = 0; i < 10; ++i) {
          messages[static_cast<std::size_t>(i)].body =
              "t" + std::to_string(t) + "-b" + std::to_string(b) + "-" + std::to_string(i);
        }
        failures[static_cast<std::size_t>(t)] +=
            client_->SendMessageBatch(queue_url_, messages).failed_count();
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (std::size_t f : failures)
    EXPECT_EQ(f, 0u);
  EXPECT_EQ(client_->GetQueueAttributes(queue_url_, {"ApproximateNumberOfMessages"})
                ->approximate_number_of_messages(),
            kThreads * kBatches * 10);
}

TEST(ElasticMqEndpointTest, WrongPortIsUnavailable) {
  SqsClientConfig config = StackConfig();
  config.endpoint_url = "http://127.0.0.1:" + std::to_string(testkit::FreeLoopbackPort());
  auto client = StackClient(config);
  auto urls = client->ListQueues("");
  ASSERT_FALSE(urls.has_value());
  EXPECT_EQ(urls.error().code(), Code::kUnavailable) << urls.error().Trace();
  EXPECT_TRUE(urls.error().retryable());
  EXPECT_NE(urls.error().message().find(config.endpoint_url), std::string::npos);
}

}  // namespace
}  // namespace driftline::sqs
