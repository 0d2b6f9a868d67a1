#include "studio/session.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <map>
#include <utility>

#include "contract/report/console.h"
#include "contract/report/writers.h"
#include "studio/view.h"

namespace driftline::studio {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

// One line of JSON; text that is not UTF-8 (a payload off the wire) is replaced, never thrown.
std::string EventText(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json CountsJson(const contract::Counts& c) {
  return json{{"run", c.run},
              {"successes", c.successes},
              {"failures", c.failures},
              {"wip", c.wip},
              {"errors", c.errors}};
}

}  // namespace

// How the run ended, for the stored record and the "done" event.
struct Session::Ending {
  std::string outcome;  // passed | failed | error | cancelled
  contract::Counts counts;
  std::string count_table;
  std::string final_report;
  int exit_code = 1;
  std::optional<std::string> error;
  std::string suite_json = "null";
  RunReports reports;
};

// Turns the runner's callbacks into events. Called from the tests' threads; each test's
// TimelineTracker only from its own thread.
class Session::Listener final : public contract::ProgressListener {
 public:
  explicit Listener(Session& session) : session_(session) {}

  void OnStarted(const contract::TestPlan& plan) override {
    Guarded("test", [&] {
      Tracker(plan);
      return json{{"test", plan.example->name}, {"state", "running"}};
    });
  }

  void OnPublished(const contract::TestPlan& plan,
                   const contract::ObservedMessage& published) override {
    Guarded("message", [&] {
      std::optional<Clock::WallTime> produced;
      if (published.produced_at != Clock::WallTime{}) produced = published.produced_at;
      json m = Tracker(plan).Published(published.coordinates, produced, session_.clock_.Wall());
      m["test"] = plan.example->name;
      // What was sent, matchers turned into values.
      m["payload"] = published.raw_payload;
      m["headers"] = published.headers;
      return m;
    });
  }

  void OnMessage(const contract::TestPlan& plan,
                 const contract::ObservedMessage& message) override {
    Guarded("message", [&] {
      json m = Tracker(plan).Observed(message);
      m["test"] = plan.example->name;
      return m;
    });
  }

  void OnWaiting(const contract::TestPlan& plan, const std::string& status) override {
    Guarded("waiting", [&] { return json{{"test", plan.example->name}, {"status", status}}; });
  }

  void OnFinished(const contract::TestResult& result) override {
    Guarded("finished", [&] {
      return json{{"test", result.name},
                  {"outcome", std::string(contract::OutcomeName(result.outcome))},
                  {"reasons", result.reasons},
                  {"duration_ms", result.duration.count()},
                  {"result", TestJson(result, PlanOf(result))}};
    });
  }

 private:
  // An event that cannot be built is logged and left out: the run goes on.
  template <typename Build>
  void Guarded(const char* type, Build build) {
    try {
      session_.Emit(type, build());
    } catch (const std::exception& e) {
      spdlog::warn("studio: run {}: a \"{}\" event could not be built: {}", session_.id_, type,
                   e.what());
    }
  }

  TimelineTracker& Tracker(const contract::TestPlan& plan) {
    std::lock_guard<std::mutex> lock(mu_);
    return trackers_.try_emplace(&plan, plan).first->second;
  }

  const contract::TestPlan* PlanOf(const contract::TestResult& result) const {
    for (const contract::TestCase& tc : session_.setup_.cases) {
      if (tc.plan->example->name == result.name && tc.plan->example->file == result.file)
        return tc.plan;
    }
    return nullptr;
  }

  Session& session_;
  std::mutex mu_;
  std::map<const contract::TestPlan*, TimelineTracker> trackers_;  // guarded by mu_ (the map)
};

Session::Session(SessionSetup setup, TransportFactory transports, History& history, Clock& clock)
    : setup_(std::move(setup)),
      transports_(std::move(transports)),
      history_(history),
      clock_(clock) {}

Result<std::shared_ptr<Session>> Session::Start(SessionSetup setup, TransportFactory transports,
                                                History& history, Clock& clock) {
  std::shared_ptr<Session> session(
      new Session(std::move(setup), std::move(transports), history, clock));
  RunRecord& record = session->record_;
  record.started_at = report::FormatIsoMillis(clock.Wall());
  record.title = session->setup_.suite->Title();
  record.contract_key = session->setup_.contract_key;
  record.mode = session->setup_.runner.parallel ? "parallel" : "sequential";
  record.outcome = "running";
  auto id = history.Begin(record);
  if (!id) return tl::unexpected(std::move(id.error()).With("recording a new run"));
  record.id = *id;
  session->id_ = *id;
  session->started_mono_ = clock.Mono();
  session->thread_ = std::thread([s = session.get()] { s->Main(); });
  return session;
}

Session::~Session() {
  Cancel();
  if (thread_.joinable()) thread_.join();
}

bool Session::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !done_;
}

// Makes `runner` the one Cancel() stops, for the lifetime of this object; a Cancel() that came
// first is passed on at once.
class Session::RunnerRegistration {
 public:
  RunnerRegistration(Session& session, contract::Runner& runner) : session_(session) {
    std::lock_guard<std::mutex> lock(session_.mu_);
    session_.runner_ = &runner;
    if (session_.cancel_requested_) runner.Cancel();
  }
  ~RunnerRegistration() {
    std::lock_guard<std::mutex> lock(session_.mu_);
    session_.runner_ = nullptr;
  }
  RunnerRegistration(const RunnerRegistration&) = delete;
  RunnerRegistration& operator=(const RunnerRegistration&) = delete;

 private:
  Session& session_;
};

bool Session::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  if (done_) return false;
  cancel_requested_ = true;
  if (runner_ != nullptr) runner_->Cancel();
  return true;
}

void Session::Wait() const {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return done_; });
}

Session::Batch Session::EventsAfter(std::int64_t after_seq, milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  const auto after = static_cast<std::size_t>(std::max<std::int64_t>(after_seq, 0));
  changed_.wait_for(lock, timeout, [&] { return released_ || done_ || events_.size() > after; });
  Batch batch;
  for (std::size_t i = after; i < events_.size(); ++i)
    batch.events.push_back(events_[i]);
  batch.complete = done_;
  return batch;
}

void Session::ReleaseSubscribers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
  }
  changed_.notify_all();
}

void Session::Emit(const std::string& type, json fields) {
  std::lock_guard<std::mutex> emit_lock(emit_mu_);
  RunEvent event;
  event.seq = next_seq_++;
  event.type = type;
  fields["run_id"] = id_;
  fields["seq"] = event.seq;
  fields["type"] = type;
  fields["at_ms"] = duration_cast<milliseconds>(clock_.Mono() - started_mono_).count();
  fields["emitted_epoch_ms"] = ToEpochMillis(clock_.Wall());
  event.json = EventText(fields);
  if (auto stored = history_.AddEvent(id_, event.seq, type, event.json); !stored) {
    spdlog::warn("studio: run {}: event {} not stored: {}", id_, event.seq,
                 stored.error().message());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(event));
    if (type == "done") done_ = true;
  }
  changed_.notify_all();
}

void Session::Main() {
  Ending ending;
  try {
    json tests = json::array();
    for (const contract::TestCase& tc : setup_.cases) {
      tests.push_back(json{{"name", tc.plan->example->name},
                           {"operation", tc.plan->operation->id},
                           {"flow", FlowKind(*tc.plan)},
                           {"correlation_id", tc.plan->correlation_id}});
    }
    Emit("started", json{{"title", record_.title}, {"mode", record_.mode}, {"tests", tests}});

    auto connected = transports_(*setup_.suite, setup_.cases);
    if (!connected) {
      ending.outcome = "error";
      ending.error = connected.error().message();
      Finish(ending);
      return;
    }
    Listener listener(*this);
    contract::Runner runner(connected->transports(), clock_, setup_.runner, &listener);
    Status prepared = Ok();
    contract::SuiteResult result;
    {
      // Cancel() reaches the runner while this lives, and never after (even on an exception).
      RunnerRegistration registration(*this, runner);
      if (!runner.cancelled()) prepared = runner.Prepare(setup_.cases);
      if (prepared) result = runner.Run(setup_.cases);
    }
    // The runner's word: a Cancel() that came after the last test finished changes nothing.
    const bool cancelled = runner.cancelled();
    connected->Stop();
    if (!prepared) {
      // Cancelled while the watches were starting: the failure is kept, the outcome says why.
      ending.outcome = cancelled ? "cancelled" : "error";
      ending.error = "cannot watch the channels: " + prepared.error().Trace();
      Finish(ending);
      return;
    }

    result.title = record_.title;
    result.warnings.insert(result.warnings.begin(), setup_.suite->warnings.begin(),
                           setup_.suite->warnings.end());
    ending.counts = result.Tally();
    ending.exit_code = result.ExitCode();
    ending.outcome = cancelled                    ? "cancelled"
                     : ending.exit_code == 0      ? "passed"
                     : ending.counts.failures > 0 ? "failed"
                                                  : "error";
    ending.count_table = report::FormatMessageCountTable(result.MessageCounts());
    ending.final_report = report::FormatFinalReport(result);
    ending.suite_json = EventText(SuiteJson(result, setup_.cases));
    ending.reports.junit = report::JunitXml(result);
    ending.reports.ctrf =
        report::CtrfJson(result).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    ending.reports.html = report::HtmlReport(result);
  } catch (const std::exception& e) {
    // Whatever went wrong, the run ends with "done" and the server stays up.
    ending = Ending{};
    ending.outcome = "error";
    ending.error = std::string("internal error: ") + e.what();
  }
  Finish(ending);
  TrimHeap();
}

void Session::Finish(const Ending& ending) {
  const std::int64_t elapsed_ms =
      duration_cast<milliseconds>(clock_.Mono() - started_mono_).count();
  RunRecord final_state = record_;
  final_state.outcome = ending.outcome;
  final_state.counts = CountsJson(ending.counts);
  final_state.duration_ms = elapsed_ms;
  final_state.summary_line = report::FormatSummaryLine(ending.counts);
  if (ending.error) final_state.summary_line = *ending.error;
  // Stored before "done" goes out: a page that sees "done" finds the reports.
  if (auto stored = history_.Finish(id_, final_state, ending.suite_json, ending.reports); !stored) {
    spdlog::warn("studio: run {}: the result was not stored: {}", id_, stored.error().message());
  }
  json done{{"outcome", ending.outcome},
            {"counts", CountsJson(ending.counts)},
            {"summary_line", report::FormatSummaryLine(ending.counts)},
            {"count_table", ending.count_table},
            {"final_report", ending.final_report},
            {"exit_code", ending.exit_code},
            {"wall_ms", elapsed_ms}};
  if (ending.error) done["error"] = *ending.error;
  Emit("done", std::move(done));
}

void TrimHeap() {
  malloc_trim(0);
}

}  // namespace driftline::studio
