// contract-test: runs an AsyncAPI 3.0 contract's examples against a running service over Kafka
// and SQS, as Specmatic's async runner does in the lab, and reports the outcome.
//
// `contract-test studio` serves the same runs as a local web app (src/studio/README.md);
// `contract-test mock` plays the provider the contract describes (src/contract/mock/README.md);
// `contract-test compat OLD NEW` checks that a new version of a contract is backward compatible
// (src/contract/compat/README.md).
//
// Exit codes: 0 every test passed, 1 a test failed or errored, 2 a configuration or contract
// error (nothing was sent). studio, mock: 0 after SIGINT/SIGTERM, 2 when it cannot start.
// compat: 0 compatible, 1 breaking, 2 a contract that cannot be loaded.
// GCC 12 reports a false "potential null pointer dereference" in CLI11's detail::split(),
// inlined here through the vector-valued options.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "common/clock.h"
#include "common/env.h"
#include "common/log.h"
#include "compat_command.h"
#include "contract/connect/connect.h"
#include "contract/report/console.h"
#include "contract/report/writers.h"
#include "contract/run/runner.h"
#include "contract/run/suite.h"
#include "flag_help.h"
#include "generated_tests.h"
#include "kafka/config.h"
#include "mock_command.h"
#include "setting_flags.h"
#include "sqs/curl_transport.h"
#include "studio/history.h"
#include "studio/root.h"
#include "studio/server.h"
#include "version_flag.h"

namespace {

namespace fs = std::filesystem;
using driftline::Clock;
using std::chrono::milliseconds;

constexpr int kExitConfig = 2;

milliseconds Ms(double seconds) {
  return milliseconds(static_cast<std::int64_t>(seconds * 1000.0 + 0.5));
}

int ConfigError(const std::string& message) {
  std::fprintf(stderr, "contract-test: %s\n", message.c_str());
  return kExitConfig;
}

// How tests wait and match: the flags a run and `studio` share.
struct RunFlags {
  int jobs = 0;
  bool schema_only_literals = false;
  double reply_timeout = 30;
  double arrival_grace = 3;
  double settle = -1;
  double tolerance = 0.25;
  double tolerance_percent = 20;
  double react_within = 1;
  double clock_skew = 0.25;
  double progress_interval = 2;

  void AddTo(CLI::App& app) {
    app.add_flag("--schema-only-literals", schema_only_literals,
                 "check plain literals in examples by type only, as Specmatic does; "
                 "$match(exact: ...) still compares values");
    app.add_option("--reply-timeout", reply_timeout,
                   "seconds to wait for a reply when no retry precedes it (30)");
    app.add_option("--timing-tolerance", tolerance,
                   "seconds a declared retry delay may be missed by, either way; the larger of "
                   "this and --timing-tolerance-percent of the delay applies (0.25)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--timing-tolerance-percent", tolerance_percent,
                   "percent of a declared retry delay it may be missed by, either way (20)")
        ->check(CLI::Range(0.0, 100.0));
    app.add_option("--react-within", react_within,
                   "seconds within which a message due at once must follow: the first retry "
                   "envelope after the publish, the dead letter after the last envelope (1)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--arrival-grace", arrival_grace,
                   "seconds a due message may take to reach contract-test, past its due time and "
                   "tolerance, before it counts as missing (3)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--settle", settle,
                   "seconds to keep watching once the example's last message arrived, for late "
                   "duplicates, extra retries, dead letters on a success path (default: the "
                   "operation's largest declared retry delay, at least 1)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--max-clock-skew", clock_skew,
                   "seconds a message may predate the test before it counts as stale (0.25)");
    app.add_option("--progress-interval", progress_interval,
                   "seconds between progress lines of a waiting test (2)");
  }

  driftline::contract::Timing Timing() const {
    driftline::contract::Timing timing;
    timing.reply_timeout = Ms(reply_timeout);
    timing.arrival_grace = Ms(arrival_grace);
    if (settle >= 0) timing.settle = Ms(settle);
    timing.tolerance_floor = Ms(tolerance);
    timing.tolerance_ratio = tolerance_percent / 100.0;
    timing.react_within = Ms(react_within);
    return timing;
  }

  // Everything but `parallel` and `origin`.
  driftline::contract::RunnerOptions Runner() const {
    driftline::contract::RunnerOptions ro;
    ro.jobs = jobs;
    ro.timing = Timing();
    ro.match.literals_by_value = !schema_only_literals;
    ro.max_clock_skew = Ms(clock_skew);
    ro.progress_interval = Ms(progress_interval);
    return ro;
  }
};

struct StudioFlags {
  std::string host = "127.0.0.1";
  int port = 9000;
  std::string root;
  std::string db;
  driftline::contract::EndpointOverrides overrides;
  RunFlags run;
};

int StudioError(const std::string& message) {
  std::fprintf(stderr, "contract-test studio: %s\n", message.c_str());
  return kExitConfig;
}

// Serves Studio until SIGINT or SIGTERM.
int RunStudio(const StudioFlags& flags, Clock& clock) {
  // A long-lived server with a thread per connection and per running test: two heap arenas
  // instead of eight per core keep the idle process small (the studio is never CPU-bound).
  mallopt(M_ARENA_MAX, 2);
  // The signals are taken by one thread with sigwait(); blocked before any thread starts, so
  // that every later thread (the server's, the runs') inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto root =
      driftline::studio::Root::Open(flags.root.empty() ? fs::current_path() : fs::path(flags.root));
  if (!root) return StudioError(root.error().message());
  const fs::path db = fs::absolute(
      flags.db.empty() ? driftline::studio::DefaultHistoryPath(driftline::Environment::Process())
                       : fs::path(flags.db));
  auto history = driftline::studio::History::Open(db);
  if (!history) return StudioError(history.error().message());

  driftline::studio::ServerOptions options;
  options.host = flags.host;
  options.port = flags.port;
  options.runner = flags.run.Runner();
  const driftline::contract::EndpointOverrides overrides = flags.overrides;
  options.transports = [overrides, &clock](
                           const driftline::contract::Suite& suite,
                           const std::vector<driftline::contract::TestCase>& cases) {
    return driftline::contract::ConnectTransports(suite, cases, overrides,
                                                  driftline::Environment::Process(), clock);
  };
  auto server =
      driftline::studio::Server::Bind(std::move(*root), std::move(*history), options, clock);
  if (!server) return StudioError(server.error().message());
  driftline::studio::Server& studio = **server;
  std::printf("contract-test studio: %s (root %s, history %s)\n", studio.Url().c_str(),
              studio.root().path().c_str(), db.c_str());
  std::fflush(stdout);

  std::thread watcher([&signals, &studio] {
    int signal = 0;
    sigwait(&signals, &signal);
    studio.Stop();
  });
  auto served = studio.Serve();
  // Ends the watcher when the server stopped by itself (it takes the signal like a real one).
  pthread_kill(watcher.native_handle(), SIGTERM);
  watcher.join();
  if (!served) return StudioError(served.error().message());
  return 0;
}

int Run(int argc, char** argv) {
  Clock& clock = Clock::System();
  const Clock::MonoTime launched = clock.Mono();

  CLI::App app{
      "contract-test: runs an AsyncAPI 3.0 contract's examples against a running service over\n"
      "Kafka and SQS. Exit codes: 0 all passed, 1 a test failed, 2 configuration or contract\n"
      "error."};
  driftline::apps::AddVersionFlag(app, "contract-test",
                                  {{"librdkafka", driftline::kafka::LibraryVersion()},
                                   {"libcurl", driftline::sqs::LibraryVersion()}});
  driftline::apps::AddSettingsMarkdownFlag(app, driftline::contract::ContractTestSettings());
  driftline::apps::AddEnvironmentOnlyFooter(app, driftline::contract::ContractTestSettings());
  std::string config;
  std::vector<std::string> contracts;
  std::vector<std::string> examples;
  driftline::contract::EndpointOverrides overrides;
  bool sequential = false;
  RunFlags run;
  bool strict = false;
  bool lenient = false;
  std::string report_dir = "build/reports/contract";
  std::vector<std::string> filters;
  bool verbose = false;
  bool validate_only = false;
  std::string log_level;
  driftline::contract::GenerateFlags generate;
  app.add_option("--config", config,
                 "specmatic.yaml (version 3); default ./specmatic.yaml when no --contract");
  app.add_option("--contract", contracts, "AsyncAPI 3.0 contract, YAML or JSON (repeatable)");
  app.add_option("--examples", examples,
                 "examples directory (repeatable); default <spec>_examples beside the spec");
  app.add_option("--kafka", overrides.kafka,
                 driftline::apps::ContractTestFlagHelp("CONTRACT_KAFKA"));
  app.add_option("--sqs", overrides.sqs, driftline::apps::ContractTestFlagHelp("CONTRACT_SQS"));
  app.add_flag("--sequential", sequential, "run the tests one at a time, in example order");
  app.add_option("--jobs", run.jobs, "at most this many tests at once (parallel mode)");
  app.add_flag("--strict", strict,
               "validate every example against the contract before sending anything (also "
               "settings.strictMode: true in the config)");
  app.add_flag("--lenient", lenient,
               "relax the checks: observed messages are checked without `required` and "
               "`additionalProperties: false`, and the examples are not validated first "
               "(overrides settings.strictMode). Without it every observed message is checked "
               "against its whole schema: types, formats, enums, bounds, required members, "
               "forbidden extra members");
  run.AddTo(app);
  app.add_option("--report-dir", report_dir, "where to write junit.xml, ctrf.json, report.html");
  app.add_option("--filter", filters, "run only examples whose name contains this (repeatable)");
  app.add_flag("--verbose", verbose, "more progress lines");
  app.add_option("--log-level", log_level,
                 "diagnostics on stderr: trace|debug|info|warn|error (warn)");
  app.add_flag("--validate-only", validate_only, "load and validate everything, send nothing");
  generate.AddTo(app);

  StudioFlags studio;
  CLI::App* studio_command = app.add_subcommand(
      "studio", "serve Studio, a local web app over these runs (its own flags: studio --help)");
  studio_command->add_option("--port", studio.port, "port to listen on (9000)");
  studio_command->add_option("--host", studio.host,
                             "address to listen on (127.0.0.1; the page refuses other hosts)");
  studio_command->add_option("--root", studio.root,
                             "the folder whose contracts the page may load (default: here)");
  studio_command->add_option(
      "--db", studio.db,
      "run history (SQLite); default $XDG_DATA_HOME/driftline/studio.sqlite, else "
      "~/.local/share/driftline/studio.sqlite");
  studio_command->add_option("--kafka", studio.overrides.kafka,
                             driftline::apps::ContractTestFlagHelp("CONTRACT_KAFKA"));
  studio_command->add_option("--sqs", studio.overrides.sqs,
                             driftline::apps::ContractTestFlagHelp("CONTRACT_SQS"));
  studio_command->add_option("--jobs", studio.run.jobs,
                             "at most this many tests at once (parallel mode)");
  studio_command->add_option("--log-level", log_level,
                             "diagnostics on stderr: trace|debug|info|warn|error (warn)");
  studio.run.AddTo(*studio_command);
  driftline::contract::mock::MockFlags mock;
  CLI::App* mock_command = driftline::contract::mock::AddMockCommand(app, mock);
  driftline::contract::compat::CompatFlags compat;
  CLI::App* compat_command = driftline::contract::compat::AddCompatCommand(app, compat);
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitConfig;
  }
  // The logger once, at the level of the command that runs (the mock has its own flag).
  const std::string& level = *mock_command ? mock.log_level : log_level;
  if (auto logging = driftline::InitLogging(level.empty() ? "warn" : level, "text"); !logging) {
    return ConfigError(logging.error().message());
  }
  if (*studio_command) return RunStudio(studio, clock);
  if (*mock_command) return driftline::contract::mock::RunMock(mock, clock);
  if (*compat_command) return driftline::contract::compat::RunCompat(compat);

  driftline::contract::SuiteOptions options;
  if (!config.empty()) {
    options.config = config;
  } else if (contracts.empty() && fs::exists("specmatic.yaml")) {
    options.config = "specmatic.yaml";
  }
  for (const std::string& c : contracts)
    options.contracts.emplace_back(c);
  for (const std::string& e : examples)
    options.example_dirs.emplace_back(e);
  if (strict && lenient) return ConfigError("--strict and --lenient exclude each other");
  if (strict) options.strict = true;
  options.lenient = lenient;
  options.filters = filters;
  options.allow_no_examples = true;  // generated tests may be all there is: checked below

  auto suite = driftline::contract::LoadSuite(options);
  if (!suite) return ConfigError(suite.error().message());
  for (const std::string& w : suite->warnings)
    std::fprintf(stderr, "contract-test: warning: %s\n", w.c_str());
  auto cases = suite->Cases();
  const std::size_t examples_count = cases.size();
  auto generated = driftline::contract::AddGeneratedTests(*suite, generate, filters, cases);
  if (!generated) return ConfigError(generated.error().message());
  if (cases.empty()) {
    return ConfigError(generated->names.empty() && generate.kinds.empty()
                           ? "no examples to run"
                           : "no tests to run: no example and no generated test selected");
  }
  if (validate_only) {
    std::printf("contract-test: %zu example(s) valid against %s%s\n", examples_count,
                suite->Title().c_str(), suite->strict ? " (strict mode)" : "");
    for (const std::string& line : generated->lines)
      std::printf("  %s\n", line.c_str());
    for (const std::string& name : generated->names)
      std::printf("  %s\n", name.c_str());
    return 0;
  }

  auto connected = driftline::contract::ConnectTransports(*suite, cases, overrides,
                                                          driftline::Environment::Process(), clock);
  if (!connected) return ConfigError(connected.error().message());
  const driftline::contract::Endpoints& endpoints = connected->endpoints;

  const driftline::contract::Timing timing = run.Timing();
  std::printf("contract-test: %zu test(s) from %s; %s, %s\n", cases.size(), suite->Title().c_str(),
              suite->lenient  ? "lenient checks"
              : suite->strict ? "strict checks, examples validated first"
                              : "strict checks",
              sequential ? "sequential" : "parallel");
  for (const std::string& line : generated->lines)
    std::printf("  %s\n", line.c_str());
  std::printf("  timing: retry delays met within %s; at once = within %.2f s\n",
              timing.DescribeTolerance().c_str(),
              static_cast<double>(timing.react_within.count()) / 1000.0);
  if (connected->kafka)
    std::printf("  kafka %s (from %s)\n", endpoints.kafka_bootstrap.c_str(),
                endpoints.kafka_source.c_str());
  if (connected->sqs)
    std::printf("  sqs   %s (from %s)\n", endpoints.sqs_host.c_str(), endpoints.sqs_source.c_str());
  std::fflush(stdout);

  driftline::contract::RunnerOptions ro = run.Runner();
  ro.parallel = !sequential;
  ro.origin = launched;
  driftline::report::ConsoleProgress progress(stdout, clock, verbose);
  driftline::contract::Runner runner(connected->transports(), clock, ro, &progress);
  if (auto prepared = runner.Prepare(cases); !prepared)
    return ConfigError("cannot watch the channels: " + prepared.error().Trace());
  driftline::contract::SuiteResult result = runner.Run(cases);
  result.title = suite->Title();
  result.warnings.insert(result.warnings.begin(), suite->warnings.begin(), suite->warnings.end());
  connected->Stop();

  std::printf("%s", driftline::report::FormatFinalReport(result).c_str());
  std::printf("%s", driftline::contract::FormatNegativeSummary(*generated, result).c_str());
  auto written = driftline::report::WriteReports(result, report_dir);
  if (!written) {
    std::fprintf(stderr, "contract-test: writing reports: %s\n", written.error().message().c_str());
  } else {
    std::printf("Reports: %s\n", written->c_str());
  }
  std::fflush(stdout);
  return result.ExitCode();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "contract-test: %s\n", e.what());
    return kExitConfig;
  }
}
