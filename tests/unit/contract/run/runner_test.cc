// The runner over a fake transport that plays the service: parallel and sequential runs,
// demultiplexing by correlation id, stale and foreign messages, publish failures.
#include "contract/run/runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "sample_fixture.h"

namespace driftline::contract {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

// Answers every published order with an accepted message on the reply queue, unless told
// otherwise; records what the runner decided about each message it handed over.
class FakeService final : public ChannelTransport {
 public:
  explicit FakeService(const Contract& contract) : contract_(contract) {}

  Status Watch(const Channel& channel, DeliverFn deliver) override {
    std::lock_guard<std::mutex> lock(mu_);
    watched_[&channel] = std::move(deliver);
    return Ok();
  }
  Status PrepareToPublish(const Channel& channel) override {
    std::lock_guard<std::mutex> lock(mu_);
    prepared_.push_back(channel.address);
    if (fail_prepare) return Fail(Code::kNotFound, "no topic " + channel.address);
    return Ok();
  }
  Result<PublishReceipt> Publish(const Channel& channel, const OutgoingExample& m) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      prepared_before_publish_.push_back(prepared_);
    }
    if (fail_publish) return Fail(Code::kUnavailable, "broker down");
    const json payload = json::parse(m.payload);
    std::string id;
    for (const auto& [k, v] : m.headers) {
      if (k == "CorrelationId") id = v;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      published_.push_back(channel.address + ":" + id);
    }
    if (anonymous) {
      // The reply, without its CorrelationId attribute.
      Emit("orders-out", "", Accepted(payload), Clock::System().Wall());
    } else if (!silent) {
      // A stale copy from an earlier run, a message for nobody, then the real reply.
      Emit("orders-out", id, Accepted(payload), Clock::System().Wall() - std::chrono::seconds(10));
      Emit("orders-out", "someone-else", Accepted(payload), Clock::System().Wall());
      Emit("orders-out", id, Accepted(payload), Clock::System().Wall());
    }
    return PublishReceipt{channel.address + "/0@" + id};
  }
  void Stop() override {}
  std::string Describe() const override { return "fake"; }

  static json Accepted(const json& order) {
    return json{{"id", order["id"]}, {"status", "ACCEPTED"}, {"at", "2026-01-19T10:00:05Z"}};
  }

  void Emit(const std::string& address, const std::string& id, json payload,
            Clock::WallTime produced) {
    const Channel* channel = contract_.ChannelByAddress(address);
    DeliverFn deliver;
    {
      std::lock_guard<std::mutex> lock(mu_);
      deliver = watched_.at(channel);
    }
    ObservedMessage m;
    m.channel = channel;
    m.payload = std::move(payload);
    m.raw_payload = m.payload.dump();
    m.headers = id.empty() ? json::object() : json{{"CorrelationId", id}};
    m.produced_at = produced;
    m.received_at = Clock::System().Mono();
    m.coordinates = address + "#" + std::to_string(++sequence_);
    const Disposition d = deliver(m);
    std::lock_guard<std::mutex> lock(mu_);
    dispositions_[id].push_back(d);
  }

  std::vector<Disposition> DispositionsFor(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return dispositions_[id];
  }
  std::vector<std::string> published() {
    std::lock_guard<std::mutex> lock(mu_);
    return published_;
  }

  std::vector<std::string> prepared() {
    std::lock_guard<std::mutex> lock(mu_);
    return prepared_;
  }
  std::vector<std::vector<std::string>> prepared_before_publish() {
    std::lock_guard<std::mutex> lock(mu_);
    return prepared_before_publish_;
  }

  bool fail_publish = false;
  bool fail_prepare = false;
  bool silent = false;
  bool anonymous = false;

 private:
  const Contract& contract_;
  std::mutex mu_;
  std::map<const Channel*, DeliverFn> watched_;
  std::map<std::string, std::vector<Disposition>> dispositions_;
  std::vector<std::string> published_;
  std::vector<std::string> prepared_;
  std::vector<std::vector<std::string>> prepared_before_publish_;
  std::atomic<int> sequence_{0};
};

class RunnerTest : public testing::SampleContractTest {
 protected:
  void SetUp() override {
    SampleContractTest::SetUp();
    for (const char* id : {"c-1", "c-2", "c-3"}) {
      examples_.push_back(std::make_unique<Example>(MakeExample(std::string(R"({"name": "T-)") +
                                                                    id + R"(", "receive": {
          "topic": "orders-in", "payload": {"id": "A", "count": 1},
          "headers": {"CorrelationId": ")" + id + R"("}},
          "send": {"topic": "orders-out", "payload": {"id": "A", "status": "ACCEPTED"}}})",
                                                                std::string(id) + ".json")));
      auto plan = PlanTest(*contract_, *examples_.back());
      ASSERT_TRUE(plan) << plan.error().message();
      plans_.push_back(std::move(*plan));
    }
    for (const TestPlan& p : plans_)
      cases_.push_back(TestCase{&p, schemas_.get(), nullptr});
    options_.timing.reply_timeout = milliseconds(400);
    options_.timing.settle = milliseconds(50);
    options_.max_clock_skew = milliseconds(0);
    options_.progress_interval = milliseconds(100);
  }

  SuiteResult RunAll(FakeService& service) {
    Runner runner(Transports{&service, &service}, Clock::System(), options_);
    auto prepared = runner.Prepare(cases_);
    EXPECT_TRUE(prepared) << prepared.error().message();
    return runner.Run(cases_);
  }

  std::vector<std::unique_ptr<Example>> examples_;
  std::vector<TestPlan> plans_;
  std::vector<TestCase> cases_;
  RunnerOptions options_;
};

TEST_F(RunnerTest, ParallelRunDemultiplexesByCorrelationId) {
  FakeService service(*contract_);
  SuiteResult suite = RunAll(service);
  ASSERT_EQ(suite.tests.size(), 3u);
  for (const TestResult& t : suite.tests)
    EXPECT_EQ(t.outcome, Outcome::kPassed)
        << t.name << ": " << (t.reasons.empty() ? "" : t.reasons[0]);
  EXPECT_EQ(suite.tests[1].name, "T-c-2");  // results keep the cases' order
  EXPECT_EQ(suite.Tally().successes, 3);
  // The stale copy was ignored, the real reply consumed, the stranger's left alone.
  EXPECT_THAT(service.DispositionsFor("c-1"),
              ::testing::ElementsAre(Disposition::kStale, Disposition::kMatched));
  for (Disposition d : service.DispositionsFor("someone-else"))
    EXPECT_EQ(d, Disposition::kForeign);
  // The stale copies are reported, one note per correlation id.
  EXPECT_THAT(suite.warnings,
              ::testing::Contains(HasSubstr("1 message(s) for correlation id 'c-2' were produced "
                                            "before its test started")));
  const auto counts = suite.MessageCounts();
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[1].channel, "orders-out");
  EXPECT_EQ(counts[1].actual, 3);
}

TEST_F(RunnerTest, SequentialRunKeepsTheExampleOrder) {
  options_.parallel = false;
  FakeService service(*contract_);
  SuiteResult suite = RunAll(service);
  EXPECT_EQ(suite.Tally().successes, 3);
  EXPECT_THAT(service.published(),
              ::testing::ElementsAre("orders-in:c-1", "orders-in:c-2", "orders-in:c-3"));
  EXPECT_FALSE(suite.parallel);
}

TEST_F(RunnerTest, NoReplyTimesOut) {
  FakeService service(*contract_);
  service.silent = true;
  SuiteResult suite = RunAll(service);
  EXPECT_EQ(suite.Tally().failures, 3);
  EXPECT_EQ(suite.tests[0].reasons[0], "Timeout waiting for a message on queue 'orders-out'.");
  EXPECT_EQ(suite.ExitCode(), 1);
}

TEST_F(RunnerTest, RepliesWithoutACorrelationIdAreNamedInTheTimeout) {
  FakeService service(*contract_);
  service.anonymous = true;
  options_.parallel = false;  // each test sees only its own reply arrive
  SuiteResult suite = RunAll(service);
  EXPECT_EQ(suite.Tally().failures, 3);
  const auto& reasons = suite.tests[1].reasons;
  ASSERT_GE(reasons.size(), 3u);
  EXPECT_EQ(reasons[0], "Timeout waiting for a message on queue 'orders-out'.");
  EXPECT_THAT(reasons[2], HasSubstr("1 message arrived on queue 'orders-out' without a "
                                    "CorrelationId message attribute while the test ran: +"));
  EXPECT_THAT(suite.warnings,
              ::testing::Contains(HasSubstr("3 message(s) on queue 'orders-out' carried no "
                                            "correlation id where the contract says")));
}

TEST_F(RunnerTest, PublishFailureIsAnError) {
  FakeService service(*contract_);
  service.fail_publish = true;
  SuiteResult suite = RunAll(service);
  EXPECT_EQ(suite.Tally().errors, 3);
  EXPECT_THAT(suite.tests[0].reasons[0], HasSubstr("broker down"));
  EXPECT_EQ(suite.tests[0].tally[0], (std::pair<std::string, bool>{"orders-in", false}));
}

TEST_F(RunnerTest, EachInputChannelIsReadiedOnceBeforeTheFirstPublish) {
  FakeService service(*contract_);
  SuiteResult suite = RunAll(service);
  EXPECT_EQ(suite.Tally().successes, 3);
  EXPECT_EQ(service.prepared(), std::vector<std::string>{"orders-in"});
  ASSERT_EQ(service.prepared_before_publish().size(), 3u);
  for (const auto& seen : service.prepared_before_publish())
    EXPECT_EQ(seen, std::vector<std::string>{"orders-in"});
}

TEST_F(RunnerTest, AnInputChannelThatCannotBeReadiedFailsPreparation) {
  FakeService service(*contract_);
  service.fail_prepare = true;
  Runner runner(Transports{&service, &service}, Clock::System(), options_);
  auto prepared = runner.Prepare(cases_);
  ASSERT_FALSE(prepared);
  EXPECT_THAT(prepared.error().message(), HasSubstr("no topic orders-in"));
  EXPECT_TRUE(service.published().empty());
}

TEST_F(RunnerTest, SameCorrelationIdNeverOverlaps) {
  // Two examples with one id: the second must not see the first's reply.
  examples_.push_back(std::make_unique<Example>(MakeExample(R"({"name": "T-dup", "receive": {
      "topic": "orders-in", "payload": {"id": "A", "count": 1}, "headers": {"CorrelationId": "c-1"}},
      "send": {"topic": "orders-out", "payload": {"id": "A"}}})",
                                                            "dup.json")));
  auto plan = PlanTest(*contract_, *examples_.back());
  ASSERT_TRUE(plan);
  TestPlan extra = std::move(*plan);
  cases_.push_back(TestCase{&extra, schemas_.get(), nullptr});
  FakeService service(*contract_);
  SuiteResult suite = RunAll(service);
  EXPECT_EQ(suite.Tally().successes, 4);
}

TEST_F(RunnerTest, UnsupportedProtocolIsAPrepareError) {
  Channel odd;
  odd.address = "somewhere";
  odd.protocol = Protocol::kOther;
  TestPlan plan = plans_[0];
  plan.watched.push_back(&odd);
  FakeService service(*contract_);
  Runner runner(Transports{&service, &service}, Clock::System(), options_);
  auto prepared = runner.Prepare({TestCase{&plan, schemas_.get(), nullptr}});
  ASSERT_FALSE(prepared);
  EXPECT_THAT(prepared.error().message(), HasSubstr("is not supported"));
}

}  // namespace
}  // namespace driftline::contract
