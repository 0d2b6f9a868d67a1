#include "studio/history.h"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <set>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace driftline::studio {

namespace fs = std::filesystem;

void SqliteDeleter::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}

void SqliteStatementDeleter::operator()(sqlite3_stmt* statement) const {
  sqlite3_finalize(statement);
}

namespace {

// Version 1: runs, their events, their reports. A later version adds a step to Migrate().
constexpr int kHistorySchemaVersion = 1;

constexpr const char* kHistorySchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at   TEXT    NOT NULL,
  title        TEXT    NOT NULL,
  contract_key TEXT    NOT NULL,
  mode         TEXT    NOT NULL,
  outcome      TEXT    NOT NULL,
  counts       TEXT    NOT NULL,
  duration_ms  INTEGER NOT NULL,
  summary_line TEXT    NOT NULL,
  suite_json   TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_outcome ON runs (outcome);
CREATE TABLE IF NOT EXISTS events (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq    INTEGER NOT NULL,
  type   TEXT    NOT NULL,
  json   TEXT    NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reports (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind   TEXT    NOT NULL,
  body   TEXT    NOT NULL,
  PRIMARY KEY (run_id, kind)
) WITHOUT ROWID;
PRAGMA user_version = 1;
)sql";

constexpr int kHistoryBusyTimeoutMs = 5000;

constexpr const char* kRunColumns =
    "id, started_at, title, contract_key, mode, outcome, counts, duration_ms, summary_line";

// "<file>: <what was being done>: <SQLite's message>", as kUnavailable.
tl::unexpected<Error> SqliteFailure(sqlite3* db, const fs::path& file, std::string_view doing) {
  return Fail(Code::kUnavailable,
              file.string() + ": " + std::string(doing) + ": " + sqlite3_errmsg(db));
}

// Runs SQL text that is fixed in this file (no parameters, rows ignored).
Status ExecFixed(sqlite3* db, const fs::path& file, const char* sql, std::string_view doing) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteFailure(db, file, doing);
  }
  return Ok();
}

// One prepared statement. Bind errors are kept and reported by the next Step().
class Query {
 public:
  static Result<Query> Prepare(sqlite3* db, const fs::path& file, std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
        SQLITE_OK) {
      sqlite3_finalize(raw);
      return SqliteFailure(db, file, "preparing a statement");
    }
    return Query(SqliteStatement(raw));
  }

  Query& Bind(int index, std::int64_t value) {
    Keep(sqlite3_bind_int64(statement_.get(), index, value));
    return *this;
  }
  Query& Bind(int index, std::string_view text) {
    // SQLITE_TRANSIENT: SQLite copies the text, so `text` need not outlive the statement.
    Keep(sqlite3_bind_text64(statement_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                             SQLITE_UTF8));
    return *this;
  }

  // SQLITE_ROW, SQLITE_DONE, or an (extended) error code; a bind error first.
  int Step() {
    if (bind_error_ != SQLITE_OK) return bind_error_;
    return sqlite3_step(statement_.get());
  }

  std::int64_t Int(int column) const { return sqlite3_column_int64(statement_.get(), column); }
  bool IsNull(int column) const {
    return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
  }
  std::string Text(int column) const {
    const unsigned char* text = sqlite3_column_text(statement_.get(), column);
    const int size = sqlite3_column_bytes(statement_.get(), column);
    if (text == nullptr || size <= 0) return {};
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
  }

 private:
  explicit Query(SqliteStatement statement) : statement_(std::move(statement)) {}
  void Keep(int rc) {
    if (bind_error_ == SQLITE_OK && rc != SQLITE_OK) bind_error_ = rc;
  }

  SqliteStatement statement_;
  int bind_error_ = SQLITE_OK;
};

// BEGIN IMMEDIATE now; ROLLBACK at destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(sqlite3* db, const fs::path& file) {
    if (auto begun = ExecFixed(db, file, "BEGIN IMMEDIATE", "beginning a transaction"); !begun) {
      return tl::unexpected(begun.error());
    }
    return Transaction(db, file);
  }
  Transaction(Transaction&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)), file_(std::move(other.file_)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (db_ != nullptr) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  Status Commit() {
    Status committed = ExecFixed(db_, file_, "COMMIT", "committing");
    if (committed) db_ = nullptr;
    return committed;
  }

 private:
  Transaction(sqlite3* db, fs::path file) : db_(db), file_(std::move(file)) {}
  sqlite3* db_;  // borrowed; nullptr once committed or moved from
  fs::path file_;
};

Result<int> ReadUserVersion(sqlite3* db, const fs::path& file) {
  auto query = Query::Prepare(db, file, "PRAGMA user_version");
  if (!query) return tl::unexpected(query.error());
  if (query->Step() != SQLITE_ROW) return SqliteFailure(db, file, "reading the schema version");
  return static_cast<int>(query->Int(0));
}

// Brings the schema to kHistorySchemaVersion inside one transaction, so two processes opening a
// new file at once create it once.
Status Migrate(sqlite3* db, const fs::path& file) {
  auto transaction = Transaction::Begin(db, file);
  if (!transaction) return tl::unexpected(transaction.error());
  auto version = ReadUserVersion(db, file);
  if (!version) return tl::unexpected(version.error());
  if (*version > kHistorySchemaVersion) {
    return Fail(Code::kFailedPrecondition, file.string() + ": history schema version " +
                                               std::to_string(*version) +
                                               " is newer than this build knows (" +
                                               std::to_string(kHistorySchemaVersion) + ")");
  }
  if (*version < 1) {
    if (auto created = ExecFixed(db, file, kHistorySchemaV1, "creating the schema"); !created) {
      return created;
    }
  }
  return transaction->Commit();
}

std::string CountsText(const nlohmann::json& counts) {
  return counts.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The row of a query that selected kRunColumns.
Result<RunRecord> ReadRun(const Query& query) {
  RunRecord run;
  run.id = query.Int(0);
  run.started_at = query.Text(1);
  run.title = query.Text(2);
  run.contract_key = query.Text(3);
  run.mode = query.Text(4);
  run.outcome = query.Text(5);
  run.counts = nlohmann::json::parse(query.Text(6), nullptr, /*allow_exceptions=*/false);
  if (run.counts.is_discarded()) {
    return Fail(Code::kInternal, "run " + std::to_string(run.id) + ": stored counts are not JSON");
  }
  run.duration_ms = query.Int(7);
  run.summary_line = query.Text(8);
  return run;
}

bool IsFinalOutcome(std::string_view outcome) {
  return outcome == "passed" || outcome == "failed" || outcome == "error" || outcome == "cancelled";
}

}  // namespace

Result<std::unique_ptr<History>> History::Open(const fs::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) {
    fs::create_directories(file.parent_path(), ec);
    if (ec) {
      return Fail(Code::kUnavailable, file.string() + ": cannot create " +
                                          file.parent_path().string() + ": " + ec.message());
    }
  }
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(file.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteHandle db(raw);  // owned even when the open failed: SQLite hands out a handle to close
  if (rc != SQLITE_OK) {
    return Fail(Code::kUnavailable,
                file.string() + ": " + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kHistoryBusyTimeoutMs);
  // The first statements read the file's header: a file that is not a database fails here.
  for (const char* pragma :
       {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON"}) {
    if (auto set = ExecFixed(db.get(), file, pragma, "opening the history"); !set) {
      return tl::unexpected(set.error());
    }
  }
  if (auto migrated = Migrate(db.get(), file); !migrated) {
    return tl::unexpected(migrated.error());
  }
  return std::unique_ptr<History>(new History(file, std::move(db)));
}

Result<std::int64_t> History::Begin(const RunRecord& run) {
  std::lock_guard<std::mutex> lock(mu_);
  auto query = Query::Prepare(db_.get(), file_,
                              "INSERT INTO runs (started_at, title, contract_key, mode, outcome, "
                              "counts, duration_ms, summary_line) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!query) return tl::unexpected(query.error());
  query->Bind(1, run.started_at)
      .Bind(2, run.title)
      .Bind(3, run.contract_key)
      .Bind(4, run.mode)
      .Bind(5, std::string_view("running"))
      .Bind(6, CountsText(run.counts))
      .Bind(7, run.duration_ms)
      .Bind(8, run.summary_line);
  if (query->Step() != SQLITE_DONE) return SqliteFailure(db_.get(), file_, "recording a run");
  return sqlite3_last_insert_rowid(db_.get());
}

Status History::AddEvent(std::int64_t run_id, std::int64_t seq, const std::string& type,
                         const std::string& json) {
  std::lock_guard<std::mutex> lock(mu_);
  auto query = Query::Prepare(
      db_.get(), file_, "INSERT INTO events (run_id, seq, type, json) VALUES (?1, ?2, ?3, ?4)");
  if (!query) return tl::unexpected(query.error());
  query->Bind(1, run_id).Bind(2, seq).Bind(3, type).Bind(4, json);
  switch (query->Step()) {
    case SQLITE_DONE:
      return Ok();
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Fail(Code::kNotFound, "run " + std::to_string(run_id) + ": no such run");
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Fail(Code::kAlreadyExists, "run " + std::to_string(run_id) + ": event " +
                                            std::to_string(seq) + " is already recorded");
    default:
      return SqliteFailure(db_.get(), file_, "recording an event");
  }
}

Status History::Finish(std::int64_t run_id, const RunRecord& final_state,
                       const std::string& suite_json, const RunReports& reports) {
  if (!IsFinalOutcome(final_state.outcome)) {
    return Fail(Code::kInvalidArgument, "run " + std::to_string(run_id) + ": \"" +
                                            final_state.outcome + "\" is not a final outcome");
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto transaction = Transaction::Begin(db_.get(), file_);
  if (!transaction) return tl::unexpected(transaction.error());
  auto update = Query::Prepare(db_.get(), file_,
                               "UPDATE runs SET outcome = ?2, counts = ?3, duration_ms = ?4, "
                               "summary_line = ?5, suite_json = ?6 WHERE id = ?1");
  if (!update) return tl::unexpected(update.error());
  update->Bind(1, run_id)
      .Bind(2, final_state.outcome)
      .Bind(3, CountsText(final_state.counts))
      .Bind(4, final_state.duration_ms)
      .Bind(5, final_state.summary_line)
      .Bind(6, suite_json);
  if (update->Step() != SQLITE_DONE) return SqliteFailure(db_.get(), file_, "finishing a run");
  if (sqlite3_changes(db_.get()) == 0) {
    return Fail(Code::kNotFound, "run " + std::to_string(run_id) + ": no such run");
  }
  const std::pair<std::string_view, const std::string*> bodies[] = {
      {"junit", &reports.junit}, {"ctrf", &reports.ctrf}, {"html", &reports.html}};
  for (const auto& [kind, body] : bodies) {
    auto insert =
        Query::Prepare(db_.get(), file_,
                       "INSERT OR REPLACE INTO reports (run_id, kind, body) VALUES (?1, ?2, ?3)");
    if (!insert) return tl::unexpected(insert.error());
    insert->Bind(1, run_id).Bind(2, kind).Bind(3, *body);
    if (insert->Step() != SQLITE_DONE) {
      return SqliteFailure(db_.get(), file_, "storing a report");
    }
  }
  return transaction->Commit();
}

Result<std::vector<RunRecord>> History::List(std::size_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto query =
      Query::Prepare(db_.get(), file_,
                     std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id DESC LIMIT ?1");
  if (!query) return tl::unexpected(query.error());
  constexpr auto kMaxLimit = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  query->Bind(1, static_cast<std::int64_t>(std::min(limit, kMaxLimit)));
  std::vector<RunRecord> runs;
  for (;;) {
    const int rc = query->Step();
    if (rc == SQLITE_DONE) return runs;
    if (rc != SQLITE_ROW) return SqliteFailure(db_.get(), file_, "listing runs");
    auto run = ReadRun(*query);
    if (!run) return tl::unexpected(run.error());
    runs.push_back(std::move(*run));
  }
}

Result<std::optional<RunRecord>> History::Get(std::int64_t run_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto query = Query::Prepare(db_.get(), file_,
                              std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?1");
  if (!query) return tl::unexpected(query.error());
  query->Bind(1, run_id);
  const int rc = query->Step();
  if (rc == SQLITE_DONE) return std::optional<RunRecord>();
  if (rc != SQLITE_ROW) return SqliteFailure(db_.get(), file_, "reading a run");
  auto run = ReadRun(*query);
  if (!run) return tl::unexpected(run.error());
  return std::optional<RunRecord>(std::move(*run));
}

Result<std::vector<std::string>> History::Events(std::int64_t run_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto query =
      Query::Prepare(db_.get(), file_, "SELECT json FROM events WHERE run_id = ?1 ORDER BY seq");
  if (!query) return tl::unexpected(query.error());
  query->Bind(1, run_id);
  std::vector<std::string> events;
  for (;;) {
    const int rc = query->Step();
    if (rc == SQLITE_DONE) return events;
    if (rc != SQLITE_ROW) return SqliteFailure(db_.get(), file_, "reading events");
    events.push_back(query->Text(0));
  }
}

Result<std::optional<std::string>> History::SuiteJson(std::int64_t run_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto query = Query::Prepare(db_.get(), file_, "SELECT suite_json FROM runs WHERE id = ?1");
  if (!query) return tl::unexpected(query.error());
  query->Bind(1, run_id);
  const int rc = query->Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return SqliteFailure(db_.get(), file_, "reading a suite");
  if (query->IsNull(0)) return std::optional<std::string>();
  return std::optional<std::string>(query->Text(0));
}

Result<std::optional<std::string>> History::Report(std::int64_t run_id,
                                                   std::string_view kind) const {
  if (kind != "junit" && kind != "ctrf" && kind != "html") {
    return Fail(Code::kInvalidArgument,
                "unknown report \"" + std::string(kind) + "\" (junit, ctrf or html)");
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto query =
      Query::Prepare(db_.get(), file_, "SELECT body FROM reports WHERE run_id = ?1 AND kind = ?2");
  if (!query) return tl::unexpected(query.error());
  query->Bind(1, run_id).Bind(2, kind);
  const int rc = query->Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return SqliteFailure(db_.get(), file_, "reading a report");
  return std::optional<std::string>(query->Text(0));
}

Status History::MarkInterrupted() {
  std::lock_guard<std::mutex> lock(mu_);
  auto query = Query::Prepare(db_.get(), file_,
                              "UPDATE runs SET outcome = 'error', summary_line = 'interrupted' "
                              "WHERE outcome = 'running'");
  if (!query) return tl::unexpected(query.error());
  if (query->Step() != SQLITE_DONE) {
    return SqliteFailure(db_.get(), file_, "marking interrupted runs");
  }
  return Ok();
}

namespace {

struct ComparedTest {
  std::string name;
  std::string outcome;
};

// The tests of a suite JSON in order, each name once (the first wins).
std::vector<ComparedTest> TestsOfSuite(const nlohmann::json& suite) {
  std::vector<ComparedTest> tests;
  if (!suite.is_object()) return tests;
  const auto list = suite.find("tests");
  if (list == suite.end() || !list->is_array()) return tests;
  std::set<std::string> seen;
  for (const nlohmann::json& test : *list) {
    if (!test.is_object()) continue;
    const auto name = test.find("name");
    if (name == test.end() || !name->is_string()) continue;
    if (!seen.insert(name->get<std::string>()).second) continue;
    const auto outcome = test.find("outcome");
    tests.push_back({name->get<std::string>(), outcome != test.end() && outcome->is_string()
                                                   ? outcome->get<std::string>()
                                                   : std::string("unknown")});
  }
  return tests;
}

}  // namespace

nlohmann::json CompareRuns(std::int64_t a, const nlohmann::json& suite_a, std::int64_t b,
                           const nlohmann::json& suite_b) {
  const std::vector<ComparedTest> tests_a = TestsOfSuite(suite_a);
  const std::vector<ComparedTest> tests_b = TestsOfSuite(suite_b);
  std::unordered_map<std::string, const ComparedTest*> in_b;
  for (const ComparedTest& test : tests_b)
    in_b.emplace(test.name, &test);

  nlohmann::json changed = nlohmann::json::array();
  nlohmann::json unchanged = nlohmann::json::array();
  nlohmann::json only_in_a = nlohmann::json::array();
  nlohmann::json only_in_b = nlohmann::json::array();
  std::set<std::string> in_a;
  for (const ComparedTest& test : tests_a) {
    in_a.insert(test.name);
    const auto other = in_b.find(test.name);
    if (other == in_b.end()) {
      only_in_a.push_back({{"test", test.name}, {"outcome", test.outcome}});
    } else if (other->second->outcome == test.outcome) {
      unchanged.push_back({{"test", test.name}, {"outcome", test.outcome}});
    } else {
      changed.push_back({{"test", test.name}, {"a", test.outcome}, {"b", other->second->outcome}});
    }
  }
  for (const ComparedTest& test : tests_b) {
    if (in_a.count(test.name) == 0) {
      only_in_b.push_back({{"test", test.name}, {"outcome", test.outcome}});
    }
  }
  return {{"a", a},
          {"b", b},
          {"changed", std::move(changed)},
          {"unchanged", std::move(unchanged)},
          {"only_in_a", std::move(only_in_a)},
          {"only_in_b", std::move(only_in_b)}};
}

fs::path DefaultHistoryPath(const Environment& env) {
  const fs::path relative = fs::path("driftline") / "studio.sqlite";
  const std::optional<std::string> xdg = env.Get("XDG_DATA_HOME");
  if (xdg && !xdg->empty() && fs::path(*xdg).is_absolute()) return fs::path(*xdg) / relative;
  const std::optional<std::string> home = env.Get("HOME");
  const fs::path base = home && !home->empty() ? fs::path(*home) : fs::path();
  return base / ".local" / "share" / relative;
}

}  // namespace driftline::studio
