// The mock provider's loop over fake transports and a manual clock: what it sends, to which
// channel and when (never before the due time; a Kafka record stamped with it exactly), the
// faults, the counters, draining. The lab's contract and examples, as the files are.
#include "contract/mock/serve/provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "contract/check/check.h"
#include "contract/run/suite.h"
#include "provider_fixture.h"
#include "testkit/eventually.h"

namespace driftline::contract::mock {
namespace {

using ::testing::HasSubstr;

TEST_F(MockProviderTest, StartWatchesEveryInputAndReadiesEveryOutput) {
  Make();
  EXPECT_EQ(provider_->state(), MockProvider::State::kReady);
  EXPECT_EQ(kafka_.watched(), 1u);  // place-order-topic
  EXPECT_EQ(sqs_.watched(), 0u);
  EXPECT_THAT(kafka_.prepared(),
              ::testing::UnorderedElementsAre("place-order-retry-topic", "place-order-dlq-topic"));
  EXPECT_THAT(sqs_.prepared(), ::testing::ElementsAre("place-order-queue"));
}

TEST_F(MockProviderTest, EveryOutputIsSentAtItsDueTimeAndNeverBefore) {
  Make();
  ObservedMessage in = ExampleInput("Receive_Retry_DLQ_Scenario_Priority_Order");
  const Response plan = responder_->Decide(in, in.produced_at);
  ASSERT_EQ(plan.outputs.size(), 5u);  // envelopes 0..3, the dead letter
  EXPECT_EQ(kafka_.Deliver(in), Disposition::kMatched);
  for (std::size_t i = 0; i < plan.outputs.size(); ++i) {
    const Clock::WallTime due = plan.outputs[i].due;
    if (clock_.Wall() < due - milliseconds(1)) {
      clock_.Advance(
          std::chrono::duration_cast<milliseconds>(due - milliseconds(1) - clock_.Wall()));
      // The senders look at the clock every 2 ms; 50 ms is many looks.
      std::this_thread::sleep_for(milliseconds(50));
      ASSERT_EQ(SentCount(), i) << "output " << i << " sent before it was due";
    }
    // The dead letter is due 1 ms after the last envelope: the step may be that millisecond only.
    if (clock_.Wall() < due)
      clock_.Advance(std::chrono::duration_cast<milliseconds>(due - clock_.Wall()));
    ASSERT_TRUE(testkit::Eventually([&] { return SentCount() >= i + 1; }, kLimit))
        << plan.outputs[i].Describe(in.produced_at);
  }
  const auto retries = SentTo("place-order-retry-topic");
  const auto dead = SentTo("place-order-dlq-topic");
  ASSERT_EQ(retries.size(), 4u);
  ASSERT_EQ(dead.size(), 1u);
  for (std::size_t i = 0; i < 4; ++i) {
    // The record's CreateTime is its due time exactly, whenever it went.
    ASSERT_TRUE(retries[i].message.timestamp.has_value());
    EXPECT_EQ(*retries[i].message.timestamp, plan.outputs[i].due);
    EXPECT_GE(retries[i].at, plan.outputs[i].due);
    EXPECT_EQ(json::parse(retries[i].message.payload)["retryCount"], static_cast<int>(i));
  }
  EXPECT_EQ(json::parse(dead[0].message.payload)["totalRetries"], 3);
  const json v = provider_->Verify();
  EXPECT_EQ(v["kinds"]["example"], 1);
  EXPECT_EQ(v["channels"]["place-order-topic"]["received"], 1);
  EXPECT_EQ(v["channels"]["place-order-retry-topic"]["retries"], 4);
  EXPECT_EQ(v["channels"]["place-order-dlq-topic"]["dead_letters"], 1);
  EXPECT_EQ(provider_->pending(), 0);
}

TEST_F(MockProviderTest, AValidOrderOfNoExampleGetsAGeneratedReplyWithItsCorrelationId) {
  Make();
  kafka_.Deliver(NewOrder("ORD-31337", "corr-generated-1"));
  ASSERT_TRUE(testkit::Eventually([&] { return SentTo("place-order-queue").size() == 1; }, kLimit));
  const auto reply = SentTo("place-order-queue").front();
  std::string correlation;
  for (const auto& [k, v] : reply.message.headers)
    if (k == "CorrelationId") correlation = v;
  EXPECT_EQ(correlation, "corr-generated-1");
  const json payload = json::parse(reply.message.payload);
  EXPECT_EQ(payload["orderId"], "ORD-31337");  // copied from the order
  // Valid against one of the queue's declared messages: a STANDARD order's WIP reply.
  const Channel* queue = contract_->ChannelByAddress("place-order-queue");
  ASSERT_NE(queue, nullptr);
  ObservedMessage observed;
  observed.channel = queue;
  observed.payload = payload;
  observed.raw_payload = reply.message.payload;
  observed.headers = {{"CorrelationId", correlation}};
  const MessageVerdict verdict =
      CheckMessage(*suite_->specs.front()->schemas, queue->messages, nullptr, observed, {});
  for (const Mismatch& p : verdict.schema_mismatches)
    ADD_FAILURE() << p.pointer << ": " << p.message;
  ASSERT_NE(verdict.message, nullptr);
  EXPECT_EQ(payload["status"], "WIP");
  EXPECT_EQ(provider_->Verify()["kinds"]["generated"], 1);
}

TEST_F(MockProviderTest, InputThatIsNotJsonIsDeadLetteredAtOnce) {
  Make();
  ObservedMessage m = NewOrder("x", "corr-bad-1");
  m.raw_payload = "not json {";
  m.payload = m.raw_payload;
  m.payload_is_json = false;
  kafka_.Deliver(m);
  ASSERT_TRUE(
      testkit::Eventually([&] { return SentTo("place-order-dlq-topic").size() == 1; }, kLimit));
  const json letter = json::parse(SentTo("place-order-dlq-topic").front().message.payload);
  EXPECT_EQ(letter["totalRetries"], 0);
  EXPECT_TRUE(SentTo("place-order-queue").empty());
  EXPECT_EQ(provider_->Verify()["kinds"]["dead-letter"], 1);
}

TEST_F(MockProviderTest, DropOnAChannelSendsNothingThereAndCountsIt) {
  FaultOptions faults;
  faults.drop_percent["place-order-queue"] = 100;
  Make(faults);
  for (int i = 0; i < 5; ++i)
    kafka_.Deliver(NewOrder("ORD-4000" + std::to_string(i), "c-" + std::to_string(i)));
  ASSERT_TRUE(testkit::Eventually(
      [&] { return provider_->Verify()["channels"]["place-order-queue"]["dropped"] == 5; },
      kLimit));
  EXPECT_EQ(provider_->pending(), 0);
  EXPECT_TRUE(SentTo("place-order-queue").empty());
  EXPECT_EQ(provider_->Verify()["channels"]["place-order-queue"]["emitted"], 0);
}

TEST_F(MockProviderTest, DuplicatesAreSentTwice) {
  FaultOptions faults;
  faults.duplicate_percent = 100;
  Make(faults);
  kafka_.Deliver(NewOrder("ORD-50001", "c-dup"));
  ASSERT_TRUE(testkit::Eventually([&] { return SentTo("place-order-queue").size() == 2; }, kLimit));
  const json v = provider_->Verify()["channels"]["place-order-queue"];
  EXPECT_EQ(v["emitted"], 2);
  EXPECT_EQ(v["duplicated"], 1);
}

TEST_F(MockProviderTest, ADelayShiftsEveryOutput) {
  FaultOptions faults;
  faults.delay = milliseconds(1500);
  Make(faults);
  const ObservedMessage in = NewOrder("ORD-60001", "c-late");
  kafka_.Deliver(in);
  clock_.Advance(milliseconds(1499));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(SentCount(), 0u);
  clock_.Advance(milliseconds(1));
  ASSERT_TRUE(testkit::Eventually([&] { return SentCount() == 1; }, kLimit));
  EXPECT_EQ(*sqs_.sent().front().message.timestamp, in.produced_at + milliseconds(1500));
}

TEST_F(MockProviderTest, RetryableSendFailuresAreRetriedOthersCountAsFailed) {
  Make();
  sqs_.FailNext(2, Code::kUnavailable);
  kafka_.Deliver(NewOrder("ORD-70001", "c-retry"));
  ASSERT_TRUE(testkit::Eventually([&] { return SentTo("place-order-queue").size() == 1; }, kLimit));
  EXPECT_EQ(provider_->Verify()["channels"]["place-order-queue"]["failed"], 0);

  sqs_.FailNext(1, Code::kInvalidArgument);
  kafka_.Deliver(NewOrder("ORD-70002", "c-refused"));
  ASSERT_TRUE(testkit::Eventually(
      [&] { return provider_->Verify()["channels"]["place-order-queue"]["failed"] == 1; }, kLimit));
  EXPECT_EQ(SentTo("place-order-queue").size(), 1u);
  const json log = provider_->Log(1)["exchanges"][0];
  EXPECT_EQ(log["outputs"][0]["status"], "failed");
  EXPECT_THAT(log["outputs"][0]["error"].get<std::string>(), HasSubstr("the server said no"));
}

TEST_F(MockProviderTest, DrainSendsWhatIsPlannedThenStops) {
  Make();
  kafka_.Deliver(ExampleInput("Retry_Scenario_Standard_Order"));  // envelope 0, reply after 1 s
  ASSERT_TRUE(testkit::Eventually([&] { return SentCount() == 1; }, kLimit));
  EXPECT_EQ(provider_->pending(), 1);
  std::thread later([&] {
    std::this_thread::sleep_for(milliseconds(100));
    clock_.Advance(milliseconds(1000));
  });
  // The manual clock's monotonic time moves with Advance(): the limit is 2 s of it.
  const std::int64_t left = provider_->Drain(milliseconds(2000));
  later.join();
  EXPECT_EQ(left, 0);
  EXPECT_TRUE(kafka_.stopped());
  EXPECT_EQ(SentTo("place-order-queue").size(), 1u);
  EXPECT_EQ(provider_->state(), MockProvider::State::kStopped);
}

TEST_F(MockProviderTest, DrainGivesUpAtItsLimitAndSaysHowManyWereLeft) {
  Make();
  kafka_.Deliver(ExampleInput("Receive_Retry_DLQ_Scenario_Priority_Order"));
  ASSERT_TRUE(testkit::Eventually([&] { return SentCount() == 1; }, kLimit));
  std::thread later([&] {
    std::this_thread::sleep_for(milliseconds(100));
    clock_.Advance(milliseconds(10));  // past the limit, before envelope 1
  });
  EXPECT_EQ(provider_->Drain(milliseconds(5)), 4);
  later.join();
  EXPECT_EQ(SentCount(), 1u);
}

TEST_F(MockProviderTest, AnAddedExpectationIsMatchedBeforeTheSuitesExamples) {
  Make();
  std::ifstream file(kLab / "spec/order-service-sqs-kafka_examples/standard.json");
  std::stringstream text;
  text << file.rdbuf();
  json example = json::parse(text.str());
  example["name"] = "Added at run time";
  example["receive"]["payload"]["orderId"] = "ORD-80001";
  example["send"]["payload"]["orderId"] = "ORD-80001";
  auto added = provider_->AddExpectation(example.dump());
  ASSERT_TRUE(added) << added.error().message();
  EXPECT_EQ(*added, "Added at run time");
  kafka_.Deliver(NewOrder("ORD-80001", "c-added"));
  ASSERT_TRUE(testkit::Eventually([&] { return SentTo("place-order-queue").size() == 1; }, kLimit));
  const json v = provider_->Verify();
  EXPECT_EQ(v["kinds"]["example"], 1);
  EXPECT_EQ(v["examples"].back()["name"], "Added at run time");
  EXPECT_EQ(v["examples"].back()["matched"], 1);
  EXPECT_EQ(json::parse(SentTo("place-order-queue").front().message.payload)["status"], "WIP");

  auto refused = provider_->AddExpectation(R"({"name": "no receive"})");
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message(), HasSubstr("expectation-2.json"));
}

TEST_F(MockProviderTest, ResetZeroesTheCountersAndTheLog) {
  Make();
  kafka_.Deliver(NewOrder("ORD-90009", "c-reset"));
  ASSERT_TRUE(testkit::Eventually([&] { return SentCount() == 1; }, kLimit));
  EXPECT_EQ(provider_->Log(10)["exchanges"].size(), 1u);
  provider_->Reset();
  EXPECT_EQ(provider_->Verify()["inputs"], 0);
  EXPECT_EQ(provider_->Verify()["channels"]["place-order-queue"]["emitted"], 0);
  EXPECT_TRUE(provider_->Log(10)["exchanges"].empty());
}

}  // namespace
}  // namespace driftline::contract::mock
