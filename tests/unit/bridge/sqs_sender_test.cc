#include "bridge/sqs_sender.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <condition_variable>
#include <map>

#include "bridge/metrics.h"
#include "fake_sqs_client.h"
#include "sqs/protocol/errors.h"
#include "testkit/captured_log.h"

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

// A sender thread waiting for a fuller batch is not woken for every message, but a full batch
// goes at once: with a linger of an hour, the ten messages of a batch complete long before it
// ends (the wait below is 60 s, against the hour a missed wake-up would take).
TEST(SqsSenderTest, AFullBatchIsSentWithoutWaitingOutTheLinger) {
  FakeSqsClient client;
  Completions done;
  SqsSenderOptions o = Options();
  o.linger = std::chrono::hours(1);
  o.max_in_flight_batches = 3;
  SqsSender sender(client, o, nullptr);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 10; ++i) {
      const std::string b = "r" + std::to_string(round) + "-" + std::to_string(i);
      sender.Submit({Body(b), done.For(b)});
    }
    ASSERT_TRUE(done.WaitFor(10u * static_cast<std::size_t>(round + 1), milliseconds(60000)))
        << "round " << round << ": a full batch waited for the linger";
  }
  EXPECT_EQ(client.Sent().size(), 30u);
  EXPECT_EQ(client.Requests(), 3) << "each full batch in one request";
  EXPECT_EQ(sender.Stop(milliseconds(0)), 0u);
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
  client.FailEntry("too-big", sqs::ErrorFromBatchFailure({"1", true, "MessageTooLong", ""}));
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

// ---- failure scope: only the message's own failure completes it as rejected ------------------

// Failures as the SQS client classifies them, one of each kind the service must wait out.
std::vector<Error> InfrastructureFailures() {
  auto response = [](long status, const std::string& type) {
    return sqs::ErrorFromResponse(
        sqs::HttpResponse{status, {}, R"({"__type":"com.amazonaws.sqs#)" + type + R"("})"});
  };
  sqs::OutgoingMessage sent;
  sent.body = "x";
  sqs::SendMessageResult answered;
  answered.message_id = "m";
  answered.md5_of_message_body = "00000000000000000000000000000000";
  return {
      response(400, "QueueDoesNotExist"),
      response(400, "AWS.SimpleQueueService.NonExistentQueue"),
      response(400, "ExpiredToken"),
      response(403, "SignatureDoesNotMatch"),
      response(400, "RequestExpired"),
      response(403, "AccessDeniedException"),
      response(400, "KmsDisabled"),
      response(400, "ThrottlingException"),
      response(500, "InternalError"),
      response(500, "InvalidParameterValue"),  // a 5xx is the server's, whatever it names
      sqs::ErrorFromResponse(sqs::HttpResponse{503, {}, "Service Unavailable"}),
      sqs::ErrorFromBatchFailure({"0", false, "InternalError", ""}),
      sqs::ErrorFromBatchFailure({"0", true, "QueueDoesNotExist", ""}),
      sqs::ParseResponse(sqs::HttpResponse{200, {}, "<html>proxy</html>"}).error(),
      sqs::MissingEntryResult(),
      sqs::VerifySent(sent, answered).error(),
      sqs::ClassifyTransportFailure(Error(Code::kFailedPrecondition, "certificate"),
                                    sqs::TransportFailure::kTls),
      sqs::ClassifyTransportFailure(Error(Code::kUnavailable, "refused"),
                                    sqs::TransportFailure::kUnreachable),
      Error(Code::kInvalidArgument, "unclassified"),  // unclassified counts as infrastructure
  };
}

TEST(SqsSenderScopeTest, AnInfrastructureFailureIsResentAndNeverRejectsTheMessage) {
  for (const Error& failure : InfrastructureFailures()) {
    SCOPED_TRACE(failure.ToString());
    ASSERT_NE(failure.scope(), FailureScope::kMessage);
    FakeSqsClient client;
    client.FailRequests(3, failure);
    Completions done;
    SqsSender sender(client, Options(), nullptr);
    for (const std::string b : {"a", "b", "c"})
      sender.Submit({Body(b), done.For(b)});
    ASSERT_TRUE(done.WaitFor(3));
    for (const auto& [body, completions] : done.got()) {
      ASSERT_EQ(completions.size(), 1u) << body;
      EXPECT_FALSE(completions[0].permanent_error) << body << " rejected for the infrastructure";
    }
    EXPECT_EQ(client.Sent().size(), 3u);
    EXPECT_GE(client.Requests(), 4);
    EXPECT_EQ(sender.Stop(milliseconds(1000)), 0u);
  }
}

TEST(SqsSenderScopeTest, AMessageThatKeepsFailingForTheInfrastructureIsNeverCompleted) {
  FakeSqsClient client;
  client.FailEntry("stuck", sqs::ErrorFromBatchFailure({"0", true, "KmsAccessDenied", ""}));
  Completions done;
  SqsSenderOptions options = Options();
  options.max_in_flight_batches = 1;
  SqsSender sender(client, options, nullptr);
  sender.Submit({Body("stuck"), done.For("stuck")});
  sender.Submit({Body("fine"), done.For("fine")});
  ASSERT_TRUE(done.WaitFor(1));
  // Many more attempts, all of them failing for the key's access: no verdict on the message.
  ASSERT_TRUE(client.WaitForRequests(client.Requests() + 20));
  EXPECT_EQ(done.got().count("stuck"), 0u);
  EXPECT_FALSE(sender.Healthy());
  ASSERT_TRUE(sender.Failing().has_value());
  EXPECT_EQ(sender.Failing()->cause(), "KmsAccessDenied");
  EXPECT_EQ(sender.Stop(milliseconds(0)), 1u) << "left unsent: consumed again after a restart";
  EXPECT_EQ(done.got().count("stuck"), 0u);
}

TEST(SqsSenderScopeTest, AMessageRefusedForItsContentIsRejectedAndTheSenderStaysHealthy) {
  FakeSqsClient client;
  client.FailEntry("bad", sqs::ErrorFromBatchFailure({"0", true, "InvalidMessageContents", ""}));
  client.FailEntry("huge", sqs::ErrorFromResponse(sqs::HttpResponse{
                               400, {}, R"({"__type":"com.amazonaws.sqs#MessageTooLong"})"}));
  Completions done;
  SqsSender sender(client, Options(), nullptr);
  for (const std::string b : {"bad", "ok", "huge"})
    sender.Submit({Body(b), done.For(b)});
  ASSERT_TRUE(done.WaitFor(3));
  auto got = done.got();
  ASSERT_TRUE(got["bad"][0].permanent_error);
  EXPECT_EQ(got["bad"][0].permanent_error->cause(), "InvalidMessageContents");
  ASSERT_TRUE(got["huge"][0].permanent_error);
  EXPECT_EQ(got["huge"][0].permanent_error->cause(), "MessageTooLong");
  EXPECT_FALSE(got["ok"][0].permanent_error);
  EXPECT_TRUE(sender.Healthy()) << "SQS answered: nothing is wrong with the infrastructure";
  EXPECT_FALSE(sender.Failing().has_value());
}

TEST(SqsSenderScopeTest, MetricsNameTheKindAndCauseAndCountPossibleDuplicates) {
  prometheus::Registry registry;
  BridgeMetrics metrics(registry);
  FakeSqsClient client;
  client.FailRequests(2, sqs::MissingEntryResult());  // SQS may hold these already
  client.FailEntry("bad", sqs::ErrorFromBatchFailure({"0", true, "InvalidMessageContents", ""}));
  Completions done;
  SqsSenderOptions options = Options();
  options.max_in_flight_batches = 1;
  SqsSender sender(client, options, &metrics);
  sender.Submit({Body("a"), done.For("a")});
  ASSERT_TRUE(done.WaitFor(1));
  sender.Submit({Body("bad"), done.For("bad")});
  ASSERT_TRUE(done.WaitFor(2));
  EXPECT_EQ(sender.Stop(milliseconds(1000)), 0u);
  auto count = [&](const std::string& kind, const std::string& cause) {
    return metrics.sqs_errors.Add({{"kind", kind}, {"cause", cause}}).Value();
  };
  EXPECT_EQ(count("infrastructure", "missing-entry-result"), 2.0);
  EXPECT_EQ(count("message", "InvalidMessageContents"), 1.0);
  EXPECT_EQ(metrics.sqs_possible_duplicates.Value(), 2.0);
  EXPECT_EQ(metrics.sqs_sent.Value(), 1.0);
}

TEST(SqsSenderScopeTest, AnOutageIsLoggedOnceWithItsCauseNotOncePerMessage) {
  testkit::CapturedLog log;
  FakeSqsClient client;
  client.FailRequests(200, sqs::ErrorFromResponse(sqs::HttpResponse{
                               400, {}, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist"})"}));
  Completions done;
  SqsSenderOptions options = Options();
  options.max_in_flight_batches = 1;  // one thread: outcomes are noted in request order
  const auto started = std::chrono::steady_clock::now();
  SqsSender sender(client, options, nullptr);
  for (int i = 0; i < 30; ++i) {
    const std::string b = "o" + std::to_string(i);
    sender.Submit({Body(b), done.For(b)});
  }
  ASSERT_TRUE(done.WaitFor(30));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(sender.Stop(milliseconds(1000)), 0u);
  const std::string text = log.text();
  auto occurrences = [&](const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(occurrences("SQS sends failing (infrastructure: QueueDoesNotExist)"), 1u) << text;
  EXPECT_EQ(occurrences("SQS sends succeed again after"), 1u) << text;
  // At most one reminder per 10 s of the outage.
  EXPECT_LE(occurrences("SQS sends still failing"),
            static_cast<std::size_t>(elapsed / std::chrono::seconds(10)))
      << text;
}

}  // namespace
}  // namespace driftline::bridge
