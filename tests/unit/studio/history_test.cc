#include "studio/history.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"
#include "testkit/temp_dir.h"

namespace driftline::studio {
namespace {

namespace fs = std::filesystem;

RunRecord SampleRun(const std::string& started_at) {
  RunRecord run;
  run.started_at = started_at;
  run.title = "order-service.yaml (Order Service 1.0.0)";
  run.contract_key = "contracts/specmatic.yaml";
  run.mode = "parallel";
  run.outcome = "passed";  // Begin() records "running" whatever this says
  run.counts = {{"run", 0}};
  return run;
}

RunRecord FinalState(const std::string& outcome) {
  RunRecord run;
  run.outcome = outcome;
  run.counts = {{"run", 2}, {"successes", 1}, {"failures", 1}, {"wip", 0}, {"errors", 0}};
  run.duration_ms = 1234;
  run.summary_line = "Tests run: 2, Successes: 1, Failures: 1, WIP: 0, Errors: 0";
  return run;
}

class HistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = testkit::TempDir::Create("studio-history");
    ASSERT_TRUE(dir) << dir.error().ToString();
    dir_ = std::move(*dir);
    file_ = fs::path(dir_->path()) / "data" / "driftline" / "studio.sqlite";
  }

  std::unique_ptr<History> OpenHistory() const {
    auto history = History::Open(file_);
    EXPECT_TRUE(history) << history.error().ToString();
    return history ? std::move(*history) : nullptr;
  }

  std::unique_ptr<testkit::TempDir> dir_;
  fs::path file_;
};

TEST_F(HistoryTest, ARunRoundTrips) {
  auto history = OpenHistory();
  ASSERT_NE(history, nullptr);
  EXPECT_TRUE(fs::exists(file_));  // parent directories created

  auto id = history->Begin(SampleRun("2026-01-19T10:00:00.123Z"));
  ASSERT_TRUE(id) << id.error().ToString();

  auto running = history->Get(*id);
  ASSERT_TRUE(running) << running.error().ToString();
  ASSERT_TRUE(running->has_value());
  EXPECT_EQ((*running)->outcome, "running");
  EXPECT_EQ((*running)->started_at, "2026-01-19T10:00:00.123Z");
  EXPECT_EQ((*running)->title, "order-service.yaml (Order Service 1.0.0)");
  EXPECT_EQ((*running)->contract_key, "contracts/specmatic.yaml");
  EXPECT_EQ((*running)->mode, "parallel");
  EXPECT_EQ((*running)->counts, nlohmann::json({{"run", 0}}));
  // Nothing to download while running.
  auto suite_while_running = history->SuiteJson(*id);
  ASSERT_TRUE(suite_while_running);
  EXPECT_FALSE(suite_while_running->has_value());
  auto report_while_running = history->Report(*id, "junit");
  ASSERT_TRUE(report_while_running);
  EXPECT_FALSE(report_while_running->has_value());

  // Events come back in sequence order, whatever the order they were added in.
  ASSERT_TRUE(history->AddEvent(*id, 2, "test", R"({"seq":2,"type":"test"})"));
  ASSERT_TRUE(history->AddEvent(*id, 1, "started", R"({"seq":1,"type":"started"})"));
  ASSERT_TRUE(history->AddEvent(*id, 3, "done", R"({"seq":3,"type":"done","text":"é ✓"})"));

  const std::string suite = R"({"title":"x","tests":[]})";
  const RunReports reports{"<testsuites/>", R"({"results":{}})", "<html></html>"};
  ASSERT_TRUE(history->Finish(*id, FinalState("failed"), suite, reports));

  auto events = history->Events(*id);
  ASSERT_TRUE(events) << events.error().ToString();
  EXPECT_EQ(*events,
            (std::vector<std::string>{R"({"seq":1,"type":"started"})", R"({"seq":2,"type":"test"})",
                                      R"({"seq":3,"type":"done","text":"é ✓"})"}));

  auto finished = history->Get(*id);
  ASSERT_TRUE(finished && finished->has_value());
  EXPECT_EQ((*finished)->id, *id);
  EXPECT_EQ((*finished)->outcome, "failed");
  EXPECT_EQ((*finished)->duration_ms, 1234);
  EXPECT_EQ((*finished)->counts, FinalState("failed").counts);
  EXPECT_EQ((*finished)->summary_line,
            "Tests run: 2, Successes: 1, Failures: 1, WIP: 0, Errors: 0");
  EXPECT_EQ((*finished)->title, "order-service.yaml (Order Service 1.0.0)");  // kept

  auto stored_suite = history->SuiteJson(*id);
  ASSERT_TRUE(stored_suite && stored_suite->has_value());
  EXPECT_EQ(**stored_suite, suite);
  for (const auto& [kind, body] : std::vector<std::pair<std::string, std::string>>{
           {"junit", reports.junit}, {"ctrf", reports.ctrf}, {"html", reports.html}}) {
    auto report = history->Report(*id, kind);
    ASSERT_TRUE(report && report->has_value()) << kind;
    EXPECT_EQ(**report, body) << kind;
  }

  auto list = history->List();
  ASSERT_TRUE(list) << list.error().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, *id);
  EXPECT_EQ((*list)[0].outcome, "failed");
}

TEST_F(HistoryTest, ListIsNewestFirstAndBounded) {
  auto history = OpenHistory();
  ASSERT_NE(history, nullptr);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    auto id = history->Begin(SampleRun("2026-01-19T10:00:0" + std::to_string(i) + ".000Z"));
    ASSERT_TRUE(id) << id.error().ToString();
    if (!ids.empty()) {
      EXPECT_GT(*id, ids.back());
    }
    ids.push_back(*id);
  }
  auto three = history->List(3);
  ASSERT_TRUE(three) << three.error().ToString();
  ASSERT_EQ(three->size(), 3u);
  EXPECT_EQ((*three)[0].id, ids[4]);
  EXPECT_EQ((*three)[1].id, ids[3]);
  EXPECT_EQ((*three)[2].id, ids[2]);
  auto all = history->List();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 5u);
}

TEST_F(HistoryTest, UnknownRunsAndKindsAreReported) {
  auto history = OpenHistory();
  ASSERT_NE(history, nullptr);
  auto get = history->Get(42);
  ASSERT_TRUE(get);
  EXPECT_FALSE(get->has_value());
  auto events = history->Events(42);
  ASSERT_TRUE(events);
  EXPECT_TRUE(events->empty());

  auto add = history->AddEvent(42, 1, "started", "{}");
  ASSERT_FALSE(add);
  EXPECT_EQ(add.error().code(), Code::kNotFound) << add.error().ToString();
  auto finish = history->Finish(42, FinalState("passed"), "{}", {});
  ASSERT_FALSE(finish);
  EXPECT_EQ(finish.error().code(), Code::kNotFound) << finish.error().ToString();

  auto id = history->Begin(SampleRun("2026-01-19T10:00:00.000Z"));
  ASSERT_TRUE(id);
  ASSERT_TRUE(history->AddEvent(*id, 1, "started", "{}"));
  auto again = history->AddEvent(*id, 1, "started", "{}");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), Code::kAlreadyExists) << again.error().ToString();

  auto not_final = history->Finish(*id, FinalState("running"), "{}", {});
  ASSERT_FALSE(not_final);
  EXPECT_EQ(not_final.error().code(), Code::kInvalidArgument);
  auto kind = history->Report(*id, "pdf");
  ASSERT_FALSE(kind);
  EXPECT_EQ(kind.error().code(), Code::kInvalidArgument);
}

TEST_F(HistoryTest, ReopeningTheFileKeepsTheRuns) {
  std::int64_t id = 0;
  {
    auto history = OpenHistory();
    ASSERT_NE(history, nullptr);
    auto begun = history->Begin(SampleRun("2026-01-19T10:00:00.000Z"));
    ASSERT_TRUE(begun);
    id = *begun;
    ASSERT_TRUE(history->AddEvent(id, 1, "started", R"({"type":"started"})"));
    ASSERT_TRUE(history->Finish(id, FinalState("passed"), R"({"tests":[]})",
                                {"<junit/>", "{}", "<html/>"}));
  }
  auto reopened = OpenHistory();
  ASSERT_NE(reopened, nullptr);
  auto run = reopened->Get(id);
  ASSERT_TRUE(run && run->has_value());
  EXPECT_EQ((*run)->outcome, "passed");
  auto events = reopened->Events(id);
  ASSERT_TRUE(events);
  EXPECT_EQ(*events, std::vector<std::string>{R"({"type":"started"})"});
  auto html = reopened->Report(id, "html");
  ASSERT_TRUE(html && html->has_value());
  EXPECT_EQ(**html, "<html/>");
  // A run begun after reopening gets a new id.
  auto next = reopened->Begin(SampleRun("2026-01-19T11:00:00.000Z"));
  ASSERT_TRUE(next);
  EXPECT_GT(*next, id);
}

TEST_F(HistoryTest, MarkInterruptedEndsRunsLeftRunning) {
  std::int64_t left_running = 0;
  std::int64_t finished = 0;
  {
    auto history = OpenHistory();
    ASSERT_NE(history, nullptr);
    auto a = history->Begin(SampleRun("2026-01-19T10:00:00.000Z"));
    auto b = history->Begin(SampleRun("2026-01-19T10:00:01.000Z"));
    ASSERT_TRUE(a && b);
    left_running = *a;
    finished = *b;
    ASSERT_TRUE(history->Finish(finished, FinalState("passed"), "{}", {}));
  }
  auto history = OpenHistory();
  ASSERT_NE(history, nullptr);
  ASSERT_TRUE(history->MarkInterrupted());
  auto interrupted = history->Get(left_running);
  ASSERT_TRUE(interrupted && interrupted->has_value());
  EXPECT_EQ((*interrupted)->outcome, "error");
  EXPECT_EQ((*interrupted)->summary_line, "interrupted");
  auto untouched = history->Get(finished);
  ASSERT_TRUE(untouched && untouched->has_value());
  EXPECT_EQ((*untouched)->outcome, "passed");
  EXPECT_EQ((*untouched)->summary_line,
            "Tests run: 2, Successes: 1, Failures: 1, WIP: 0, Errors: 0");
}

TEST_F(HistoryTest, ConcurrentEventsAreAllKept) {
  auto history = OpenHistory();
  ASSERT_NE(history, nullptr);
  auto id = history->Begin(SampleRun("2026-01-19T10:00:00.000Z"));
  ASSERT_TRUE(id);
  constexpr int kWriters = 4;
  constexpr int kEventsEach = 250;
  std::vector<std::thread> writers;
  std::vector<int> failures(kWriters, 0);
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kEventsEach; ++i) {
        const std::int64_t seq = i * kWriters + w + 1;  // writers interleave: 1, 2, 3, 4, 5, ...
        if (!history->AddEvent(*id, seq, "message", "{\"seq\":" + std::to_string(seq) + "}")) {
          ++failures[static_cast<std::size_t>(w)];
        }
      }
    });
  }
  // Readers at the same time must not disturb the writers.
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(history->Events(*id));
    EXPECT_TRUE(history->List());
  }
  for (std::thread& writer : writers)
    writer.join();
  EXPECT_EQ(failures, std::vector<int>(kWriters, 0));
  auto events = history->Events(*id);
  ASSERT_TRUE(events) << events.error().ToString();
  ASSERT_EQ(events->size(), static_cast<std::size_t>(kWriters * kEventsEach));
  for (std::size_t i = 0; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i], "{\"seq\":" + std::to_string(i + 1) + "}");
  }
}

TEST_F(HistoryTest, AFileThatIsNotADatabaseIsUnavailable) {
  fs::create_directories(file_.parent_path());
  std::ofstream(file_, std::ios::binary) << std::string(4096, 'x') << "not a database\n";
  auto history = History::Open(file_);
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().code(), Code::kUnavailable);
  EXPECT_NE(history.error().message().find(file_.string()), std::string::npos)
      << history.error().message();
  EXPECT_NE(history.error().message().find("not a database"), std::string::npos)
      << history.error().message();
}

TEST_F(HistoryTest, AParentThatCannotBeCreatedIsUnavailable) {
  const fs::path blocker = fs::path(dir_->path()) / "plain-file";
  std::ofstream(blocker) << "x";
  auto history = History::Open(blocker / "studio.sqlite");
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().code(), Code::kUnavailable);
  EXPECT_NE(history.error().message().find((blocker / "studio.sqlite").string()), std::string::npos)
      << history.error().message();
}

TEST_F(HistoryTest, ANewerSchemaIsRefused) {
  ASSERT_NE(OpenHistory(), nullptr);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file_.c_str(), &raw), SQLITE_OK);
  std::unique_ptr<sqlite3, SqliteDeleter> db(raw);
  ASSERT_EQ(sqlite3_exec(db.get(), "PRAGMA user_version = 99", nullptr, nullptr, nullptr),
            SQLITE_OK);
  db.reset();
  auto history = History::Open(file_);
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(history.error().message().find(file_.string()), std::string::npos)
      << history.error().message();
}

nlohmann::json SuiteOf(const std::vector<std::pair<std::string, std::string>>& outcomes) {
  nlohmann::json tests = nlohmann::json::array();
  for (const auto& [name, outcome] : outcomes) {
    tests.push_back({{"name", name}, {"outcome", outcome}, {"reasons", nlohmann::json::array()}});
  }
  return {{"title", "x"}, {"tests", tests}};
}

TEST(CompareRunsTest, SortsTestsIntoChangedUnchangedAndOnlyInOne) {
  const nlohmann::json a =
      SuiteOf({{"ok", "passed"}, {"breaks", "passed"}, {"heals", "failed"}, {"dropped", "passed"}});
  const nlohmann::json b =
      SuiteOf({{"heals", "passed"}, {"ok", "passed"}, {"added", "error"}, {"breaks", "failed"}});
  const nlohmann::json expected = nlohmann::json::parse(R"({
    "a": 3, "b": 7,
    "changed": [{"test": "breaks", "a": "passed", "b": "failed"},
                {"test": "heals", "a": "failed", "b": "passed"}],
    "unchanged": [{"test": "ok", "outcome": "passed"}],
    "only_in_a": [{"test": "dropped", "outcome": "passed"}],
    "only_in_b": [{"test": "added", "outcome": "error"}]})");
  EXPECT_EQ(CompareRuns(3, a, 7, b), expected);
}

TEST(CompareRunsTest, IdenticalRunsAreAllUnchanged) {
  const nlohmann::json suite = SuiteOf({{"one", "passed"}, {"two", "failed"}});
  const nlohmann::json result = CompareRuns(1, suite, 2, suite);
  EXPECT_TRUE(result["changed"].empty());
  EXPECT_TRUE(result["only_in_a"].empty());
  EXPECT_TRUE(result["only_in_b"].empty());
  EXPECT_EQ(result["unchanged"], nlohmann::json::parse(R"([{"test": "one", "outcome": "passed"},
                                                           {"test": "two", "outcome": "failed"}])"));
}

TEST(CompareRunsTest, ASuiteWithoutTestsHasNone) {
  const nlohmann::json b = SuiteOf({{"one", "passed"}});
  const nlohmann::json result = CompareRuns(1, nullptr, 2, b);
  EXPECT_TRUE(result["changed"].empty());
  EXPECT_TRUE(result["unchanged"].empty());
  EXPECT_TRUE(result["only_in_a"].empty());
  EXPECT_EQ(result["only_in_b"],
            nlohmann::json::parse(R"([{"test": "one", "outcome": "passed"}])"));
  // Entries without a name are passed over; a test without an outcome has "unknown".
  const nlohmann::json odd =
      nlohmann::json::parse(R"({"tests": [{"name": "one"}, {"outcome": "passed"}, 7]})");
  EXPECT_EQ(CompareRuns(1, odd, 2, b)["changed"],
            nlohmann::json::parse(R"([{"test": "one", "a": "unknown", "b": "passed"}])"));
}

TEST(DefaultHistoryPathTest, PrefersXdgDataHomeThenHome) {
  MapEnvironment env({{"XDG_DATA_HOME", "/data"}, {"HOME", "/home/ana"}});
  EXPECT_EQ(DefaultHistoryPath(env), fs::path("/data/driftline/studio.sqlite"));
  env.Set("XDG_DATA_HOME", "");
  EXPECT_EQ(DefaultHistoryPath(env), fs::path("/home/ana/.local/share/driftline/studio.sqlite"));
  env.Set("XDG_DATA_HOME", "relative/data");  // not absolute: ignored, as the XDG spec says
  EXPECT_EQ(DefaultHistoryPath(env), fs::path("/home/ana/.local/share/driftline/studio.sqlite"));
  EXPECT_EQ(DefaultHistoryPath(MapEnvironment()), fs::path(".local/share/driftline/studio.sqlite"));
}

}  // namespace
}  // namespace driftline::studio
