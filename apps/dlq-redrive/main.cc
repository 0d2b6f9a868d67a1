// dlq-redrive: re-publishes dead letters from the dead-letter topic to order-service's input
// topic, once the cause of their failure is fixed. Filters choose which; --dry-run shows what a
// run would do. Configuration as order-service's (the same variable names); flags win.
//
// Exit codes: 0 the run read everything it meant to (refused records included, see the
// summary); 1 it stopped early (Kafka unreachable, a delivery failed, --timeout-ms); 2 a
// configuration error.
// GCC 12 reports a false "potential null pointer dereference" in CLI11's detail::split(),
// inlined here through the vector-valued options (as in contract-test).
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <string>

#include "common/log.h"
#include "kafka/config.h"
#include "redrive/config.h"
#include "redrive/redrive.h"
#include "redrive/report.h"
#include "setting_flags.h"
#include "version_flag.h"

namespace {

constexpr int kExitStopped = 1;
constexpr int kExitConfig = 2;

}  // namespace

int main(int argc, char** argv) {
  namespace redrive = driftline::redrive;
  CLI::App app{
      "dlq-redrive: re-publishes dead letters to order-service's input topic, with their original\n"
      "key and headers plus redrive-count and redrive-source. A run reads the dead-letter topic\n"
      "from where its consumer group stands to the end, and commits the group as it goes: a\n"
      "second run does not redrive the same dead letter again. Every setting has an environment\n"
      "variable (order-service's names); flags win."};
  std::map<std::string, std::string> settings;
  driftline::apps::AddSettingFlags(app, redrive::RedriveSettings(), settings);
  driftline::apps::AddSettingsMarkdownFlag(app, redrive::RedriveSettings());
  driftline::apps::AddVersionFlag(app, "dlq-redrive",
                                  {{"librdkafka", driftline::kafka::LibraryVersion()}});
  redrive::FilterFlags filter;
  bool dry_run = false;
  app.add_option("--reason", filter.reason,
                 "Only dead letters whose finalErrorMessage contains this (any case)");
  app.add_option(
      "--error-kind", filter.error_kinds,
      "Only this dlq-error-kind: permanent, retries-exhausted, sqs-rejected (repeatable)");
  app.add_option("--failure-reason", filter.failure_reasons,
                 "Only this failureReason: invalid-json, missing-field, sqs-rejected, ... "
                 "(repeatable)");
  app.add_option("--since", filter.since,
                 "Only dead letters that failed at or after this UTC time (failedTimestamp, else "
                 "the record's time): 2026-01-19T10:00:00Z or 2026-01-19");
  app.add_option("--until", filter.until, "... and before this UTC time");
  app.add_option("--correlation-id", filter.correlation_ids,
                 "Only this CorrelationId (repeatable)");
  app.add_option("--order-id", filter.order_ids, "Only this orderId / batchId (repeatable)");
  app.add_flag("--dry-run", dry_run,
               "Show what a run would do, as a table; re-publish and commit nothing");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitConfig;
  }

  const driftline::OverlayEnvironment env(driftline::Environment::Process(), std::move(settings));
  auto options = redrive::LoadRedriveOptions(env);
  if (!options) {
    std::fprintf(stderr, "dlq-redrive: %s\n", options.error().message().c_str());
    return kExitConfig;
  }
  auto made = redrive::MakeFilter(filter);
  if (!made) {
    std::fprintf(stderr, "dlq-redrive: %s\n", made.error().message().c_str());
    return kExitConfig;
  }
  options->filter = std::move(*made);
  options->dry_run = dry_run;
  const std::string_view default_level =
      driftline::FindSetting(redrive::RedriveSettings(), "LOG_LEVEL")->default_value;
  const std::string level = driftline::EnvString(env, "LOG_LEVEL", std::string(default_level));
  if (auto s = driftline::InitLogging(level, "text"); !s) {
    std::fprintf(stderr, "dlq-redrive: %s\n", s.error().message().c_str());
    return kExitConfig;
  }

  std::printf("%s%s -> %s, group %s, filter: %s, max redrives %d\n", dry_run ? "dry run: " : "",
              options->dlq_topic.c_str(), options->plan.main_topic.c_str(), options->group.c_str(),
              options->filter.Describe().c_str(), options->plan.max_redrives);
  std::fflush(stdout);
  const redrive::RedriveReport report = redrive::RunRedrive(*options);
  for (const auto& [partition, range] : report.covered) {
    std::printf("partition %d: offsets %lld..%lld\n", partition,
                static_cast<long long>(range.first), static_cast<long long>(range.second));
  }
  std::printf("%s", redrive::FormatTable(report).c_str());
  std::printf("%s\n", redrive::FormatSummary(report).c_str());
  if (report.error) {
    std::fprintf(stderr, "dlq-redrive: stopped early: %s\n", report.error->Trace().c_str());
    return kExitStopped;
  }
  return 0;
}
