// mutant-provider: the lab's order provider with one named defect, for checking a contract
// runner's verdicts. Configured by the lab provider's environment; prints "ready" on stdout once
// its consumer is assigned; SIGTERM or SIGINT stops it (exit 0).
//
// Exit codes: 0 stopped by a signal (or --list-defects), 1 could not start, 2 bad arguments or
// environment.
#pragma GCC diagnostic ignored "-Wnull-dereference"  // CLI11 under GCC 12, as in apps/
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "common/clock.h"
#include "common/env.h"
#include "testkit/mutant_provider/defects.h"
#include "testkit/mutant_provider/provider.h"

namespace {

namespace mutant = driftline::testkit::mutant;

int Run(int argc, char** argv) {
  CLI::App app{
      "mutant-provider: the lab's order provider with one named defect (environment: "
      "KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC, RETRY_TOPIC, DLQ_TOPIC, SQS_ENDPOINT, SQS_QUEUE_URL, "
      "MAX_RETRIES, the lab's fault-injection id lists)"};
  std::string defect_name = "none";
  bool list = false;
  app.add_option("--defect", defect_name, "the deviation to play (--list-defects)");
  app.add_flag("--list-defects", list, "print every defect with what it does");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (list) {
    for (const mutant::Defect& d : mutant::Defects())
      std::printf("%-32s %.*s\n", std::string(d.name).c_str(),
                  static_cast<int>(d.description.size()), d.description.data());
    return 0;
  }
  auto defect = mutant::FindDefect(defect_name);
  if (!defect) {
    std::fprintf(stderr, "mutant-provider: %s\n", defect.error().message().c_str());
    return 2;
  }
  auto config = mutant::LoadProviderConfig(driftline::Environment::Process());
  if (!config) {
    std::fprintf(stderr, "mutant-provider: %s\n", config.error().ToString().c_str());
    return 2;
  }

  // Blocked before any thread starts, so every thread inherits the mask and sigwait() below is
  // the one place the signals arrive.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const mutant::Channels& ch = config->rules.channels;
  std::fprintf(
      stderr, "mutant-provider: defect %s; main %s, retry %s, dlq %s, queue %s, MAX_RETRIES=%d\n",
      defect_name.c_str(), ch.main_topic.c_str(), ch.retry_topic.c_str(), ch.dlq_topic.c_str(),
      config->sqs_queue_url.c_str(), config->rules.retry_policy.max_retries);
  auto provider = mutant::MutantProvider::Start(*config, mutant::BehaviourOf(**defect),
                                                driftline::Clock::System());
  if (!provider) {
    std::fprintf(stderr, "mutant-provider: cannot start: %s\n", provider.error().Trace().c_str());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  (*provider)->Stop();
  std::fprintf(stderr,
               "mutant-provider: stopped by signal %d; %lld output(s) written, %lld failed\n", sig,
               static_cast<long long>((*provider)->written()),
               static_cast<long long>((*provider)->failed()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mutant-provider: %s\n", e.what());
    return 2;
  }
}
