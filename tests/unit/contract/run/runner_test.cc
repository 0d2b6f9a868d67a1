// The runner over a fake transport that plays the service: parallel and sequential runs,
// demultiplexing by correlation id, stale and foreign messages, publish failures, cancellation,
// and a thousand tests run on the caller's thread alone.
#include "contract/run/runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "fake_service.h"
#include "sample_fixture.h"

namespace driftline::contract {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::FakeService;
using ::testing::HasSubstr;

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

// A test without a correlation id (a generated one that breaks the id itself) runs after the
// others, alone, and takes what no other test can claim.
TEST_F(RunnerTest, ATestWithoutACorrelationIdRunsAloneAndClaimsTheUnclaimed) {
  examples_.push_back(std::make_unique<Example>(MakeExample(R"({"name": "T-none", "receive": {
      "topic": "orders-in", "payload": {"id": "A", "count": 1}},
      "send": {"topic": "orders-out", "payload": {"id": "A", "status": "ACCEPTED"}}})",
                                                            "none.json")));
  EXPECT_FALSE(PlanTest(*contract_, *examples_.back()));  // an example must carry one
  auto plan = PlanTest(*contract_, *examples_.back(), /*require_correlation_id=*/false);
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->correlation_id, "");
  const TestPlan none = std::move(*plan);
  cases_.insert(cases_.begin(), TestCase{&none, schemas_.get(), nullptr});  // listed first
  FakeService service(*contract_);
  service.anonymous = true;  // every reply without its CorrelationId
  SuiteResult suite = RunAll(service);
  ASSERT_EQ(suite.tests.size(), 4u);
  EXPECT_EQ(suite.tests[0].name, "T-none");
  EXPECT_EQ(suite.tests[0].outcome, Outcome::kPassed)
      << (suite.tests[0].reasons.empty() ? "" : suite.tests[0].reasons[0]);
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(suite.tests[i].outcome, Outcome::kFailed);  // their replies carry no id
    EXPECT_EQ(suite.tests[i].reasons[0], "Timeout waiting for a message on queue 'orders-out'.");
  }
  // Published last, after the others were done: nothing of theirs could reach it.
  ASSERT_EQ(service.published().size(), 4u);
  EXPECT_EQ(service.published().back(), "orders-in:");
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
  // The fake replies inside Publish(), before the runner notes the publish time: the offset is
  // about zero, of either sign ("+0.00 s", or "-0.00 s" and less when the machine is slow).
  EXPECT_THAT(reasons[2], HasSubstr("1 message arrived on queue 'orders-out' without a "
                                    "CorrelationId message attribute while the test ran: "));
  EXPECT_THAT(reasons[2], ::testing::ContainsRegex("ran: [-+][0-9]+\\.[0-9][0-9] s orders-out#"));
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

// Counts what the runner reports; lets a test wait until N tests have published.
class CountingListener final : public ProgressListener {
 public:
  void OnStarted(const TestPlan&) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++started_;
  }
  void OnPublished(const TestPlan&, const ObservedMessage& published) override {
    std::lock_guard<std::mutex> lock(mu_);
    coordinates_.push_back(published.coordinates);
    changed_.notify_all();
  }
  void OnMessage(const TestPlan&, const ObservedMessage&) override {}
  void OnWaiting(const TestPlan&, const std::string&) override {}
  void OnFinished(const TestResult& result) override {
    std::lock_guard<std::mutex> lock(mu_);
    finished_.push_back(result.name);
  }

  void AwaitPublished(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return coordinates_.size() >= n; });
  }
  int started() {
    std::lock_guard<std::mutex> lock(mu_);
    return started_;
  }
  std::vector<std::string> coordinates() {
    std::lock_guard<std::mutex> lock(mu_);
    return coordinates_;
  }
  std::vector<std::string> finished() {
    std::lock_guard<std::mutex> lock(mu_);
    return finished_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int started_ = 0;
  std::vector<std::string> coordinates_;
  std::vector<std::string> finished_;
};

class RunnerCancelTest : public RunnerTest {
 protected:
  void SetUp() override {
    RunnerTest::SetUp();
    // Without Cancel() waking them these tests would wait an hour for replies that never come
    // (no progress line wakes them either).
    options_.timing.reply_timeout = std::chrono::hours(1);
    options_.progress_interval = std::chrono::hours(1);
    service_ = std::make_unique<FakeService>(*contract_);
  }

  // Runs the cases against a service that never replies, cancels once `published` tests have
  // published, and returns the results.
  SuiteResult CancelAfterPublishes(std::size_t published, bool cancel_twice = false) {
    service_->silent = true;
    Runner runner(Transports{service_.get(), service_.get()}, Clock::System(), options_,
                  &listener_);
    EXPECT_TRUE(runner.Prepare(cases_));
    SuiteResult suite;
    std::thread run([&] { suite = runner.Run(cases_); });
    listener_.AwaitPublished(published);
    runner.Cancel();
    if (cancel_twice) runner.Cancel();
    run.join();
    EXPECT_TRUE(runner.cancelled());
    return suite;
  }

  std::unique_ptr<FakeService> service_;  // made in SetUp(), once the contract is loaded
  CountingListener listener_;
};

TEST_F(RunnerCancelTest, CancelStopsEveryRunningTestAtOnce) {
  SuiteResult suite = CancelAfterPublishes(3);
  ASSERT_EQ(suite.tests.size(), 3u);
  for (const TestResult& t : suite.tests) {
    EXPECT_EQ(t.outcome, Outcome::kError) << t.name;
    ASSERT_FALSE(t.reasons.empty());
    EXPECT_EQ(t.reasons[0], "cancelled");
  }
  EXPECT_EQ(suite.Tally().errors, 3);
  EXPECT_EQ(suite.ExitCode(), 1);
}

TEST_F(RunnerCancelTest, TestsNotStartedAreNotStarted) {
  options_.jobs = 1;  // one test at a time: two are still waiting for their turn
  SuiteResult suite = CancelAfterPublishes(1, /*cancel_twice=*/true);
  ASSERT_EQ(suite.tests.size(), 3u);
  EXPECT_EQ(suite.tests[0].reasons.at(0), "cancelled");
  for (std::size_t i : {1u, 2u}) {
    EXPECT_EQ(suite.tests[i].outcome, Outcome::kError);
    EXPECT_EQ(suite.tests[i].name, "T-c-" + std::to_string(i + 1));
    EXPECT_EQ(suite.tests[i].reasons.at(0), "cancelled (not started)");
  }
  EXPECT_THAT(service_->published(), ::testing::ElementsAre("orders-in:c-1"));
  EXPECT_EQ(listener_.started(), 1);
  EXPECT_THAT(listener_.finished(), ::testing::UnorderedElementsAre("T-c-1", "T-c-2", "T-c-3"));
  EXPECT_THAT(listener_.coordinates(), ::testing::ElementsAre("orders-in/0@c-1"));
}

TEST_F(RunnerCancelTest, SequentialRunStopsAfterTheRunningTest) {
  options_.parallel = false;
  SuiteResult suite = CancelAfterPublishes(1);
  EXPECT_EQ(suite.tests[0].reasons.at(0), "cancelled");
  EXPECT_EQ(suite.tests[2].reasons.at(0), "cancelled (not started)");
  EXPECT_EQ(service_->published().size(), 1u);
}

TEST_F(RunnerCancelTest, CancelBeforeRunStartsNothing) {
  Runner runner(Transports{service_.get(), service_.get()}, Clock::System(), options_, &listener_);
  ASSERT_TRUE(runner.Prepare(cases_));
  runner.Cancel();
  SuiteResult suite = runner.Run(cases_);
  EXPECT_EQ(suite.Tally().errors, 3);
  for (const TestResult& t : suite.tests)
    EXPECT_EQ(t.reasons.at(0), "cancelled (not started)");
  EXPECT_TRUE(service_->published().empty());
  EXPECT_EQ(listener_.started(), 0);
  EXPECT_EQ(listener_.finished().size(), 3u);
}

namespace runner_scale {

using nlohmann::json;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

// The threads of this process (/proc/self/task), counted every millisecond while it lives.
class ThreadCounter {
 public:
  ThreadCounter() : sampler_([this] { Sample(); }), baseline_(Count()) {}
  ~ThreadCounter() {
    stop_.store(true);
    sampler_.join();
  }
  ThreadCounter(const ThreadCounter&) = delete;
  ThreadCounter& operator=(const ThreadCounter&) = delete;

  // Counted once the sampler was running: it is one of them.
  int baseline() const { return baseline_; }
  int peak() const { return peak_.load(); }

 private:
  static int Count() {
    int n = 0;
    for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task"))
      ++n;
    return n;
  }
  void Sample() {
    while (!stop_.load()) {
      const int n = Count();
      int seen = peak_.load();
      while (n > seen && !peak_.compare_exchange_weak(seen, n)) {
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<int> peak_{0};
  std::thread sampler_;
  const int baseline_;
};

// The fake service, silent for orders whose id is "C": their tests time out.
class SelectiveService final : public ChannelTransport {
 public:
  explicit SelectiveService(FakeService& service) : service_(service) {}

  Status Watch(const Channel& channel, DeliverFn deliver) override {
    return service_.Watch(channel, std::move(deliver));
  }
  Result<PublishReceipt> Publish(const Channel& channel, const OutgoingExample& m) override {
    if (json::parse(m.payload).value("id", "") == "C")
      return PublishReceipt{channel.address + "/0@silent", Clock::System().Wall()};
    return service_.Publish(channel, m);
  }
  void Stop() override {}
  std::string Describe() const override { return "selective fake"; }

 private:
  FakeService& service_;
};

// Which threads told the listener anything, and how many tests ran at once: overall, and per
// correlation id (the runner must never overlap two tests of one id).
class ConcurrencyListener final : public ProgressListener {
 public:
  void OnStarted(const TestPlan& plan) override {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.insert(std::this_thread::get_id());
    ++running_;
    most_ = std::max(most_, running_);
    if (++per_id_[plan.correlation_id] > 1) overlapped_.insert(plan.correlation_id);
    started_.push_back(plan.example->name);
  }
  void OnPublished(const TestPlan&, const ObservedMessage&) override { Note(); }
  void OnMessage(const TestPlan&, const ObservedMessage&) override { Note(); }
  void OnWaiting(const TestPlan&, const std::string&) override { Note(); }
  void OnFinished(const TestResult& result) override {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.insert(std::this_thread::get_id());
    --running_;
    --per_id_[result.correlation_id];
  }

  std::set<std::thread::id> threads() {
    std::lock_guard<std::mutex> lock(mu_);
    return threads_;
  }
  int most() {
    std::lock_guard<std::mutex> lock(mu_);
    return most_;
  }
  std::set<std::string> overlapped() {
    std::lock_guard<std::mutex> lock(mu_);
    return overlapped_;
  }
  std::vector<std::string> started() {
    std::lock_guard<std::mutex> lock(mu_);
    return started_;
  }

 private:
  void Note() {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.insert(std::this_thread::get_id());
  }

  std::mutex mu_;
  std::set<std::thread::id> threads_;
  int running_ = 0;
  int most_ = 0;
  std::map<std::string, int> per_id_;
  std::set<std::string> overlapped_;
  std::vector<std::string> started_;
};

class RunnerScaleTest : public RunnerTest {
 protected:
  // `n` tests in three kinds by i % 3: order "A", which the service answers as the example
  // says (passes); order "B", whose reply carries another order id than the example's (fails at
  // once); order "C", which the service never answers (times out). Correlation id
  // "s-<i % ids>": with ids < n several tests share one.
  void MakeCases(int n, int ids) {
    many_examples_.clear();
    many_plans_.clear();
    many_cases_.clear();
    many_plans_.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      const std::string id = "s-" + std::to_string(i % ids);
      const std::string order = i % 3 == 0 ? "A" : i % 3 == 1 ? "B" : "C";
      many_examples_.push_back(std::make_unique<Example>(MakeExample(
          R"({"name": "S-)" + std::to_string(i) + R"(", "receive": {"topic": "orders-in",
          "payload": {"id": ")" +
              order + R"(", "count": 1}, "headers": {"CorrelationId": ")" + id +
              R"("}}, "send": {"topic": "orders-out", "payload": {"id": "A",
          "status": "ACCEPTED"}}})",
          "s-" + std::to_string(i) + ".json")));
      auto plan = PlanTest(*contract_, *many_examples_.back());
      ASSERT_TRUE(plan) << plan.error().message();
      many_plans_.push_back(std::move(*plan));
    }
    for (const TestPlan& p : many_plans_)
      many_cases_.push_back(TestCase{&p, schemas_.get(), nullptr});
    options_.timing.reply_timeout = milliseconds(30);
    options_.timing.settle = milliseconds(5);
  }

  SuiteResult RunMany(ProgressListener* listener = nullptr) {
    FakeService service(*contract_);
    SelectiveService selective(service);
    Runner runner(Transports{&selective, &selective}, Clock::System(), options_, listener);
    auto prepared = runner.Prepare(many_cases_);
    EXPECT_TRUE(prepared) << prepared.error().message();
    return runner.Run(many_cases_);
  }

  std::vector<std::unique_ptr<Example>> many_examples_;
  std::vector<TestPlan> many_plans_;
  std::vector<TestCase> many_cases_;
};

// A thousand tests at once run on the caller's thread: no thread per test (the fake transport
// has none of its own), every listener call from that thread, and the same verdicts as one by
// one.
TEST_F(RunnerScaleTest, AThousandTestsRunOnTheCallersThreadWithTheSequentialVerdicts) {
  MakeCases(1000, 1000);
  ConcurrencyListener listener;
  FakeService service(*contract_);
  SelectiveService selective(service);
  Runner runner(Transports{&selective, &selective}, Clock::System(), options_, &listener);
  ASSERT_TRUE(runner.Prepare(many_cases_));  // starts a short-lived thread per channel
  SuiteResult parallel;
  int baseline = 0;
  int peak = 0;
  {
    ThreadCounter threads;
    parallel = runner.Run(many_cases_);
    baseline = threads.baseline();
    peak = threads.peak();
  }
  EXPECT_LE(peak, baseline) << "threads: " << baseline << " before the run, " << peak << " during";
  EXPECT_EQ(listener.threads(), std::set<std::thread::id>{std::this_thread::get_id()});
  // They ran side by side: the runner starts tests in batches of 32 and finishes none of a batch
  // before all of it has started, so at least 32 ran at once whatever the machine's speed (how
  // many more overlap depends on it: 48 to several hundred were seen).
  EXPECT_GE(listener.most(), 32);
  ASSERT_EQ(parallel.tests.size(), 1000u);
  const auto tally = parallel.Tally();
  EXPECT_EQ(tally.successes, 334);
  EXPECT_EQ(tally.failures, 666);
  EXPECT_EQ(parallel.tests[2].reasons.at(0),
            "Timeout waiting for a message on queue 'orders-out'.");

  // The first 60, one by one (a thousand would take half a minute of timeouts).
  MakeCases(60, 60);
  options_.parallel = false;
  SuiteResult sequential = RunMany();
  ASSERT_EQ(sequential.tests.size(), 60u);
  for (std::size_t i = 0; i < parallel.tests.size(); ++i) {
    const TestResult& p = parallel.tests[i];
    const TestResult& s = sequential.tests[i % 60];  // kinds repeat every 3, names do not
    EXPECT_EQ(p.name, "S-" + std::to_string(i));
    EXPECT_EQ(p.outcome, s.outcome) << p.name;
    EXPECT_EQ(p.reasons.empty() ? "" : p.reasons[0], s.reasons.empty() ? "" : s.reasons[0])
        << p.name;
  }
}

// Many tests share a few correlation ids: those of one id run one after the other in example
// order, never side by side, and `jobs` caps how many run at once.
TEST_F(RunnerScaleTest, TestsOfOneIdNeverOverlapAndJobsCapsTheRun) {
  MakeCases(40, 8);  // five tests per id
  options_.jobs = 6;
  ConcurrencyListener listener;
  SuiteResult suite = RunMany(&listener);
  ASSERT_EQ(suite.tests.size(), 40u);
  EXPECT_TRUE(listener.overlapped().empty());
  EXPECT_EQ(listener.most(), 6);
  // Per id, the example order.
  std::map<std::string, std::vector<int>> order;
  for (const std::string& name : listener.started()) {
    const int i = std::stoi(name.substr(2));
    order["s-" + std::to_string(i % 8)].push_back(i);
  }
  for (const auto& [id, seen] : order)
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end())) << id;
  for (std::size_t i = 0; i < suite.tests.size(); ++i)
    EXPECT_EQ(suite.tests[i].outcome, i % 3 == 0 ? Outcome::kPassed : Outcome::kFailed) << i;
}

// Deadlines are kept per test while others come and go: a test whose reply never comes times
// out when its own wait runs out, not when a neighbour's does.
TEST_F(RunnerScaleTest, EachTestTimesOutOnItsOwnDeadline) {
  MakeCases(3, 3);
  // Long beside the passing test's 5 ms settle window, so that only a stall of the whole
  // process for seconds could make it finish as late as the timeout.
  options_.timing.reply_timeout = milliseconds(2000);
  SuiteResult suite = RunMany();
  ASSERT_EQ(suite.tests.size(), 3u);
  EXPECT_EQ(suite.tests[0].outcome, Outcome::kPassed);
  EXPECT_EQ(suite.tests[1].outcome, Outcome::kFailed);
  EXPECT_EQ(suite.tests[2].outcome, Outcome::kFailed);
  EXPECT_GE(suite.tests[2].duration, milliseconds(2000));
  // The passing one after its settle window, the wrong reply at once: both before the timeout.
  EXPECT_LT(suite.tests[0].duration, suite.tests[2].duration);
  EXPECT_LT(suite.tests[1].duration, suite.tests[2].duration);
  EXPECT_THAT(suite.tests[2].reasons.at(0), HasSubstr("Timeout waiting"));
}

}  // namespace runner_scale
}  // namespace
}  // namespace driftline::contract
