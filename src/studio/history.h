// The Studio's run history: every run, its events, its final suite JSON and its three reports,
// kept in one SQLite file so they outlive the process.
//
// One History owns one connection (WAL journal, a busy timeout, foreign keys on) and one mutex
// that every method takes: it may be called from any number of threads. Every statement is
// prepared with bound parameters. The schema's version is PRAGMA user_version; a file written
// by a newer schema is refused rather than altered.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"

// SQLite's own types, declared here so that users of this header need not include <sqlite3.h>.
struct sqlite3;
struct sqlite3_stmt;

namespace driftline::studio {

// Owners of SQLite's handles: the connection is closed, a statement finalized, when its
// unique_ptr goes.
struct SqliteDeleter {
  void operator()(sqlite3* db) const;
};
struct SqliteStatementDeleter {
  void operator()(sqlite3_stmt* statement) const;
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteDeleter>;
using SqliteStatement = std::unique_ptr<sqlite3_stmt, SqliteStatementDeleter>;

// One run as the history list shows it.
struct RunRecord {
  std::int64_t id = 0;
  std::string started_at;    // ISO-8601 UTC with ms ("2026-01-19T10:00:00.123Z")
  std::string title;         // Suite::Title()
  std::string contract_key;  // what makes two runs "the same contract" for a comparison
  std::string mode;          // "parallel" | "sequential"
  std::string outcome;       // "running" | "passed" | "failed" | "error" | "cancelled"
  nlohmann::json counts = nlohmann::json::object();  // {"run", "successes", ...}
  std::int64_t duration_ms = 0;
  std::string summary_line;
};

// The report files of a finished run, as text.
struct RunReports {
  std::string junit;
  std::string ctrf;
  std::string html;
};

class History {
 public:
  // Opens `file`, creating it and its parent directories when missing, and brings its schema
  // up to date. Errors: kUnavailable naming the path and the cause (a directory that cannot be
  // created, a file that is not a database, a locked or read-only file); kFailedPrecondition
  // naming the path when the file's schema is newer than this build knows.
  static Result<std::unique_ptr<History>> Open(const std::filesystem::path& file);

  History(const History&) = delete;
  History& operator=(const History&) = delete;
  ~History() = default;

  const std::filesystem::path& file() const { return file_; }

  // Records a new run in state "running" (whatever run.outcome says; run.id is ignored) and
  // returns its id. Ids grow: a later run has a larger id. Errors: kUnavailable.
  Result<std::int64_t> Begin(const RunRecord& run);

  // Appends one event of a run: its sequence number, its type and its JSON text.
  // Errors: kNotFound for an unknown run; kAlreadyExists when the run already has event `seq`;
  // kUnavailable.
  Status AddEvent(std::int64_t run_id, std::int64_t seq, const std::string& type,
                  const std::string& json);

  // The run is over: stores final_state's outcome, counts, duration and summary line (its other
  // fields are ignored), the suite JSON and the three reports, in one transaction.
  // Errors: kInvalidArgument when the outcome is not passed/failed/error/cancelled; kNotFound
  // for an unknown run; kUnavailable.
  Status Finish(std::int64_t run_id, const RunRecord& final_state, const std::string& suite_json,
                const RunReports& reports);

  // At most `limit` runs, newest first. Errors: kUnavailable; kInternal when a stored row
  // cannot be read back (its counts are not JSON).
  Result<std::vector<RunRecord>> List(std::size_t limit = 200) const;
  // nullopt for an unknown run. Errors: as List().
  Result<std::optional<RunRecord>> Get(std::int64_t run_id) const;
  // The run's events' JSON texts in sequence order; none for an unknown run. Errors: kUnavailable.
  Result<std::vector<std::string>> Events(std::int64_t run_id) const;
  // The suite JSON stored by Finish(); nullopt while running or for an unknown run.
  // Errors: kUnavailable.
  Result<std::optional<std::string>> SuiteJson(std::int64_t run_id) const;
  // The report `kind` ("junit" | "ctrf" | "html") stored by Finish(); nullopt while running or
  // for an unknown run. Errors: kInvalidArgument for another kind; kUnavailable.
  Result<std::optional<std::string>> Report(std::int64_t run_id, std::string_view kind) const;

  // Marks every run still "running" as outcome "error" with summary line "interrupted": at
  // start-up, such runs belong to a process that died. Errors: kUnavailable.
  Status MarkInterrupted();

 private:
  History(std::filesystem::path file, SqliteHandle db)
      : file_(std::move(file)), db_(std::move(db)) {}

  std::filesystem::path file_;
  mutable std::mutex mu_;
  SqliteHandle db_;  // guarded by mu_
};

// What changed between two runs of the same contract, from their suite JSONs ({"tests":
// [{"name", "outcome"}, ...]}): {"a": a, "b": b, "changed": [{"test", "a", "b"}],
// "unchanged": [{"test", "outcome"}], "only_in_a": [{"test", "outcome"}], "only_in_b": [...]}.
// Tests keep the order of suite_a (only_in_b: of suite_b); a suite that is not an object with a
// "tests" array has no tests; a test without a string outcome has outcome "unknown"; of two
// tests with one name, the first counts. "contract_key" is the caller's to add.
nlohmann::json CompareRuns(std::int64_t a, const nlohmann::json& suite_a, std::int64_t b,
                           const nlohmann::json& suite_b);

// $XDG_DATA_HOME/driftline/studio.sqlite when XDG_DATA_HOME is an absolute path, else
// $HOME/.local/share/driftline/studio.sqlite; with neither, .local/share/driftline/studio.sqlite
// relative to the working directory.
std::filesystem::path DefaultHistoryPath(const Environment& env);

}  // namespace driftline::studio
