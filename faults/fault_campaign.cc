// fault_campaign: order-service under faults against the real stack — kill -9 during a backlog,
// the Kafka broker stopped and restarted, SQS unreachable, a restart while retries are pending,
// one of three instances killed. Prints a table and exits non-zero on any loss or any violated
// expectation. See faults/README.md.
// GCC 12 reports a false -Wnull-dereference inside std::string (CLI11) when inlining at -O2.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "faults/scenarios.h"

namespace {

std::string FromEnv(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using driftline::faults::AllScenarios;
  ::signal(SIGPIPE, SIG_IGN);  // a cut proxy connection is an error value, not a signal

  driftline::faults::Environment env;
  env.kafka = FromEnv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + FromEnv("KAFKA_PORT", "9092"));
  env.sqs_endpoint = FromEnv("SQS_ENDPOINT", "http://127.0.0.1:" + FromEnv("SQS_PORT", "4566"));
  env.service_bin = DRIFTLINE_ORDER_SERVICE_BIN;
  env.stack_script = DRIFTLINE_STACK_SCRIPT;
  env.redrive_bin = DRIFTLINE_DLQ_REDRIVE_BIN;
  env.log_dir = DRIFTLINE_FAULTS_LOG_DIR;
  driftline::faults::CampaignOptions options;
  options.seed = std::random_device{}();
  std::vector<std::string> only;
  std::string json_out;
  bool list = false;
  bool verbose = false;

  CLI::App app{"fault_campaign: order-service under faults against the real stack"};
  app.add_flag("--short", options.short_form, "smaller sizes and shorter outages (make test)");
  app.add_option("--scenario", only, "run only this scenario (repeatable; see --list)");
  app.add_flag("--list", list, "list the scenarios and exit");
  app.add_option("--json", json_out, "write the results as JSON to this file");
  app.add_option("--seed", options.seed, "seed of the random kill moments (default: random)");
  app.add_option("--kafka", env.kafka, "bootstrap servers (KAFKA_BOOTSTRAP_SERVERS)");
  app.add_option("--sqs-endpoint", env.sqs_endpoint, "SQS endpoint (SQS_ENDPOINT)");
  app.add_option("--service", env.service_bin, "order-service binary");
  app.add_option("--redrive", env.redrive_bin, "dlq-redrive binary");
  app.add_option("--stack-script", env.stack_script,
                 "stack/stack.sh, run with this environment (STACK_DIR, KAFKA_PORT, ...)");
  app.add_option("--log-dir", env.log_dir, "where service and stack logs go");
  app.add_flag("--verbose", verbose,
               "log the campaign's own Kafka clients (noisy while the broker is down on purpose)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(verbose ? spdlog::level::info : spdlog::level::critical);

  if (list) {
    for (const auto& s : AllScenarios())
      std::printf("%-16s %s\n", s.name.c_str(), s.summary.c_str());
    return 0;
  }
  for (const auto& name : only) {
    bool known = false;
    for (const auto& s : AllScenarios())
      known = known || s.name == name;
    if (!known) {
      std::fprintf(stderr, "fault_campaign: unknown scenario '%s' (see --list)\n", name.c_str());
      return 2;
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(env.log_dir, ec);
  if (ec) {
    std::fprintf(stderr, "fault_campaign: cannot create %s: %s\n", env.log_dir.c_str(),
                 ec.message().c_str());
    return 2;
  }

  std::printf("fault campaign (%s form): kafka %s, sqs %s, seed %llu, logs in %s\n",
              options.short_form ? "short" : "full", env.kafka.c_str(), env.sqs_endpoint.c_str(),
              static_cast<unsigned long long>(options.seed), env.log_dir.c_str());
  std::vector<driftline::faults::ScenarioResult> results;
  for (const auto& s : AllScenarios()) {
    if (!only.empty() && std::find(only.begin(), only.end(), s.name) == only.end()) continue;
    std::printf("\n== %s: %s\n", s.name.c_str(), s.summary.c_str());
    std::fflush(stdout);
    results.push_back(s.run(env, options));
  }

  bool passed = true;
  std::printf("\n%s", driftline::faults::FormatTable(results).c_str());
  for (const auto& r : results) {
    passed = passed && r.Passed();
    for (const auto& c : r.checks) {
      if (!c.ok) std::printf("FAIL %s: %s: %s\n", r.name.c_str(), c.what.c_str(), c.detail.c_str());
    }
  }
  if (!json_out.empty()) {
    nlohmann::json j = {{"form", options.short_form ? "short" : "full"},
                        {"seed", options.seed},
                        {"kafka", env.kafka},
                        {"sqs_endpoint", env.sqs_endpoint},
                        {"scenarios", nlohmann::json::array()}};
    for (const auto& r : results)
      j["scenarios"].push_back(driftline::faults::ToJson(r));
    std::ofstream(json_out) << j.dump(2) << "\n";
  }
  std::printf("fault campaign: %s\n", passed ? "PASS" : "FAIL");
  return passed ? 0 : 1;
}
