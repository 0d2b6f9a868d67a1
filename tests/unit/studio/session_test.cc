// One run over the fake service: its events in order, kept in memory and in the History alike,
// the stored result and reports, runs that cannot start, cancellation, and subscribers that wait
// for the next event.
#include "studio/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "studio_fixture.h"

namespace driftline::studio {
namespace {

using nlohmann::json;
using std::chrono::hours;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteSampleRoot(root_);
    contract::SuiteOptions options;
    options.contracts.push_back(root_.path() / "contracts/orders.yaml");
    auto suite = contract::LoadSuite(options);
    ASSERT_TRUE(suite) << suite.error().message();
    suite_ = std::make_shared<const contract::Suite>(std::move(*suite));
    auto history = History::Open(db_.path() / "studio.sqlite");
    ASSERT_TRUE(history) << history.error().message();
    history_ = std::move(*history);
  }

  std::shared_ptr<Session> Start(bool parallel = true) {
    SessionSetup setup;
    setup.suite = suite_;
    setup.cases = suite_->Cases();
    setup.contract_key = "contracts/orders.yaml";
    setup.runner = testing::QuickRunnerOptions();
    setup.runner.parallel = parallel;
    auto session = Session::Start(std::move(setup), fakes_.Factory(), *history_, Clock::System());
    EXPECT_TRUE(session) << session.error().message();
    return session ? *session : nullptr;
  }

  // Every event until "done" (the session must end by itself).
  static std::vector<RunEvent> AllEvents(const Session& session) {
    std::vector<RunEvent> events;
    for (;;) {
      Session::Batch batch =
          session.EventsAfter(static_cast<std::int64_t>(events.size()), hours(1));
      events.insert(events.end(), batch.events.begin(), batch.events.end());
      if (batch.complete) return events;
    }
  }

  // Waits until `n` events of `type` have been emitted; returns how many events there are then.
  static std::int64_t AwaitEvents(const Session& session, const std::string& type, int n) {
    std::int64_t seen = 0;
    int count = 0;
    while (count < n) {
      Session::Batch batch = session.EventsAfter(seen, hours(1));
      for (const RunEvent& e : batch.events) {
        seen = e.seq;
        count += e.type == type ? 1 : 0;
      }
      if (batch.complete) break;
    }
    return seen;
  }

  // A run whose two tests have published and wait for replies that never come; `seen` is the
  // last event's seq by then.
  std::shared_ptr<Session> StartWaiting(std::int64_t& seen) {
    fakes_.Set(testing::Silent());
    auto session = Start();
    if (session) seen = AwaitEvents(*session, "message", 2);
    return session;
  }

  static std::vector<std::string> Types(const std::vector<RunEvent>& events) {
    std::vector<std::string> types;
    for (const RunEvent& e : events)
      types.push_back(e.type);
    return types;
  }

  contract::testing::TempDir root_;
  contract::testing::TempDir db_;
  std::shared_ptr<const contract::Suite> suite_;
  std::unique_ptr<History> history_;
  testing::FakeTransports fakes_;
};

TEST_F(SessionTest, ASequentialRunEmitsEveryEventInOrderAndStoresIt) {
  auto session = Start(/*parallel=*/false);
  ASSERT_TRUE(session);
  const std::vector<RunEvent> events = AllEvents(*session);
  EXPECT_FALSE(session->running());
  // Per test: running, the publish, the stale copy is not shown (the runner drops it), the
  // reply, finished.
  EXPECT_THAT(Types(events), ElementsAre("started", "test", "message", "message", "finished",
                                         "test", "message", "message", "finished", "done"));
  std::int64_t at_ms = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const json e = json::parse(events[i].json);
    EXPECT_EQ(events[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(e["seq"], events[i].seq);
    EXPECT_EQ(e["type"], events[i].type);
    EXPECT_EQ(e["run_id"], session->id());
    EXPECT_GE(e["at_ms"].get<std::int64_t>(), at_ms);  // seq order is time order
    at_ms = e["at_ms"].get<std::int64_t>();
    EXPECT_GT(e["emitted_epoch_ms"].get<std::int64_t>(), 0);
  }
  const json started = json::parse(events[0].json);
  EXPECT_EQ(started["mode"], "sequential");
  EXPECT_EQ(started["tests"][0]["name"], "Order_A");
  EXPECT_EQ(started["tests"][0]["flow"], "success");
  EXPECT_EQ(started["tests"][1]["correlation_id"], "c-b");

  const json publish = json::parse(events[2].json);
  EXPECT_EQ(publish["test"], "Order_A");
  EXPECT_EQ(publish["role"], "publish");
  EXPECT_EQ(publish["coordinates"], "orders-in/0@c-a");
  EXPECT_EQ(publish["payload"], R"({"count":1,"id":"A"})");  // as sent
  const json reply = json::parse(events[3].json);
  EXPECT_EQ(reply["role"], "send");
  EXPECT_EQ(reply["channel"], "queue 'orders-out'");

  const json finished = json::parse(events[4].json);
  EXPECT_EQ(finished["test"], "Order_A");
  EXPECT_EQ(finished["outcome"], "passed");
  EXPECT_EQ(finished["result"]["name"], "Order_A");

  const json done = json::parse(events.back().json);
  EXPECT_EQ(done["outcome"], "passed");
  EXPECT_EQ(done["summary_line"], "Tests run: 2, Successes: 2, Failures: 0, WIP: 0, Errors: 0");
  EXPECT_EQ(done["counts"]["successes"], 2);
  EXPECT_EQ(done["exit_code"], 0);
  EXPECT_THAT(done["count_table"].get<std::string>(), HasSubstr("orders-out"));
  EXPECT_THAT(done["final_report"].get<std::string>(), HasSubstr("Tests run: 2"));
  EXPECT_FALSE(done.contains("error"));

  // The History holds the same events, the record, the suite JSON and the reports.
  auto stored = history_->Events(session->id());
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), events.size());
  for (std::size_t i = 0; i < events.size(); ++i)
    EXPECT_EQ((*stored)[i], events[i].json);
  auto record = history_->Get(session->id());
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->outcome, "passed");
  EXPECT_EQ((*record)->mode, "sequential");
  EXPECT_EQ((*record)->contract_key, "contracts/orders.yaml");
  EXPECT_EQ((*record)->summary_line, done["summary_line"]);
  auto suite = history_->SuiteJson(session->id());
  ASSERT_TRUE(suite && *suite);
  EXPECT_EQ(json::parse(**suite)["tests"].size(), 2u);
  auto junit = history_->Report(session->id(), "junit");
  ASSERT_TRUE(junit && *junit);
  EXPECT_THAT(**junit, HasSubstr("<testsuite"));
  auto ctrf = history_->Report(session->id(), "ctrf");
  ASSERT_TRUE(ctrf && *ctrf);
  EXPECT_EQ(json::parse(**ctrf)["results"]["summary"]["passed"], 2);
  auto html = history_->Report(session->id(), "html");
  ASSERT_TRUE(html && *html);
  EXPECT_THAT(**html, HasSubstr("<html"));
}

TEST_F(SessionTest, AParallelRunSaysSo) {
  auto session = Start(/*parallel=*/true);
  ASSERT_TRUE(session);
  const std::vector<RunEvent> events = AllEvents(*session);
  EXPECT_EQ(json::parse(events.front().json)["mode"], "parallel");
  EXPECT_EQ(json::parse(events.back().json)["outcome"], "passed");
}

TEST_F(SessionTest, TransportsThatCannotBeCreatedEndTheRunWithAnError) {
  fakes_.Set(testing::FailingFactory("no Kafka server: give --kafka or CONTRACT_KAFKA"));
  auto session = Start();
  ASSERT_TRUE(session);
  const std::vector<RunEvent> events = AllEvents(*session);
  EXPECT_THAT(Types(events), ElementsAre("started", "done"));
  const json done = json::parse(events.back().json);
  EXPECT_EQ(done["outcome"], "error");
  EXPECT_EQ(done["error"], "no Kafka server: give --kafka or CONTRACT_KAFKA");
  EXPECT_EQ(done["exit_code"], 1);
  auto record = history_->Get(session->id());
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->outcome, "error");
  auto suite = history_->SuiteJson(session->id());
  ASSERT_TRUE(suite && *suite);
  EXPECT_EQ(**suite, "null");
}

TEST_F(SessionTest, AChannelThatCannotBeReadiedEndsTheRunAsContractTestWould) {
  fakes_.Set(testing::FailingPrepare());
  auto session = Start();
  ASSERT_TRUE(session);
  const std::vector<RunEvent> events = AllEvents(*session);
  EXPECT_THAT(Types(events), ElementsAre("started", "done"));
  const json done = json::parse(events.back().json);
  EXPECT_EQ(done["outcome"], "error");
  EXPECT_EQ(done["error"], "cannot watch the channels: NOT_FOUND: no topic orders-in");
  EXPECT_TRUE(fakes_.last()->published().empty());
}

TEST_F(SessionTest, CancelEndsEveryTestAndTheRun) {
  std::int64_t seen = 0;
  auto session = StartWaiting(seen);
  ASSERT_TRUE(session);
  EXPECT_TRUE(session->running());
  EXPECT_TRUE(session->Cancel());
  session->Wait();
  EXPECT_FALSE(session->running());
  EXPECT_FALSE(session->Cancel());  // nothing left to cancel
  const std::vector<RunEvent> events = AllEvents(*session);
  int finished = 0;
  for (const RunEvent& e : events) {
    if (e.type != "finished") continue;
    ++finished;
    const json f = json::parse(e.json);
    EXPECT_EQ(f["outcome"], "error");
    EXPECT_EQ(f["reasons"][0], "cancelled");
  }
  EXPECT_EQ(finished, 2);
  const json done = json::parse(events.back().json);
  EXPECT_EQ(done["outcome"], "cancelled");
  EXPECT_EQ(done["counts"]["errors"], 2);
  auto record = history_->Get(session->id());
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->outcome, "cancelled");
}

TEST_F(SessionTest, TestsNotStartedWhenCancelledAreReportedSo) {
  fakes_.Set(testing::Silent());
  auto session = Start(/*parallel=*/false);
  ASSERT_TRUE(session);
  AwaitEvents(*session, "message", 1);  // the first test waits, the second has not started
  session->Cancel();
  const std::vector<RunEvent> events = AllEvents(*session);
  std::vector<std::string> reasons;
  for (const RunEvent& e : events) {
    if (e.type == "finished") reasons.push_back(json::parse(e.json)["reasons"][0]);
  }
  EXPECT_THAT(reasons, ElementsAre("cancelled", "cancelled (not started)"));
  EXPECT_EQ(fakes_.last()->published().size(), 1u);
}

TEST_F(SessionTest, ASubscriberWaitsForTheNextEventAndIsReleased) {
  std::int64_t seen = 0;
  auto session = StartWaiting(seen);
  ASSERT_TRUE(session);
  // Nothing more comes: the subscriber blocks (an hour at most) until released.
  Session::Batch batch;
  std::thread subscriber([&] { batch = session->EventsAfter(seen, hours(1)); });
  session->ReleaseSubscribers();
  subscriber.join();
  EXPECT_TRUE(batch.events.empty());
  EXPECT_FALSE(batch.complete);
  EXPECT_TRUE(session->running());
}

TEST_F(SessionTest, ASubscriberIsWokenByTheNextEvent) {
  std::int64_t seen = 0;
  auto session = StartWaiting(seen);
  ASSERT_TRUE(session);
  Session::Batch batch;
  std::thread subscriber([&] { batch = session->EventsAfter(seen, hours(1)); });
  session->Cancel();  // the tests finish: events follow
  subscriber.join();
  ASSERT_FALSE(batch.events.empty());
  EXPECT_EQ(batch.events.front().seq, seen + 1);
}

TEST_F(SessionTest, DestroyingARunningSessionCancelsIt) {
  std::int64_t id = 0;
  {
    std::int64_t seen = 0;
    auto session = StartWaiting(seen);
    ASSERT_TRUE(session);
    id = session->id();
  }
  auto record = history_->Get(id);
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->outcome, "cancelled");
}

}  // namespace
}  // namespace driftline::studio
