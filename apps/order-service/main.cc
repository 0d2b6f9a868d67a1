// order-service: consumes orders from Kafka, transforms them, sends them to SQS, and routes
// failures through the retry topic to the dead-letter topic. Configuration comes from the lab's
// environment variables; flags override them (see --help). With ORDER_CONTRACT, orders that break
// the contract are dead-lettered before they are transformed.
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>

#include "bridge/config.h"
#include "bridge/contract_input/contract_input.h"
#include "bridge/service.h"
#include "common/log.h"
#include "kafka/config.h"
#include "setting_flags.h"
#include "sqs/curl_transport.h"
#include "version_flag.h"

namespace {

constexpr int kExitConfig = 2;
constexpr int kExitFailure = 1;

}  // namespace

int main(int argc, char** argv) {
  using driftline::bridge::BridgeConfig;
  CLI::App app{
      "order-service: Kafka -> SQS order bridge with a retry topic and a dead-letter topic.\n"
      "Every flag has an environment variable (the lab's names); flags win. Integers out of\n"
      "their range, from either source, exit 2."};
  std::map<std::string, std::string> flags;
  driftline::apps::AddSettingFlags(app, driftline::bridge::BridgeSettings(), flags);
  driftline::apps::AddSettingsMarkdownFlag(app, driftline::bridge::BridgeSettings());
  driftline::apps::AddVersionFlag(app, "order-service",
                                  {{"librdkafka", driftline::kafka::LibraryVersion()},
                                   {"libcurl", driftline::sqs::LibraryVersion()}});
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitConfig;
  }

  // Flags override their variables; both are parsed and checked by the same code.
  const driftline::OverlayEnvironment env(driftline::Environment::Process(), std::move(flags));
  auto loaded = driftline::bridge::LoadBridgeConfig(env);
  if (!loaded) {
    std::fprintf(stderr, "order-service: %s\n", loaded.error().message().c_str());
    return kExitConfig;
  }
  BridgeConfig config = std::move(*loaded);
  // ORDER_CONTRACT: the contract is loaded and its operation found before anything starts.
  if (auto attached = driftline::bridge::AttachContractInputCheck(config); !attached) {
    std::fprintf(stderr, "order-service: %s\n", attached.error().message().c_str());
    return kExitConfig;
  }
  if (auto valid = driftline::bridge::Validate(config); !valid) {
    std::fprintf(stderr, "order-service: %s\n", valid.error().message().c_str());
    return kExitConfig;
  }

  if (auto s = driftline::InitLogging(config.log_level, config.log_format); !s) {
    std::fprintf(stderr, "order-service: %s\n", s.error().message().c_str());
    return kExitConfig;
  }

  // Signals are taken by this thread with sigtimedwait; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  spdlog::info("order-service starting: {}", config.Describe());
  if (config.input_check != nullptr) {
    spdlog::info("orders on {} are held to {}", config.main_topic, config.input_check->Describe());
  }
  auto service = driftline::bridge::OrderService::Create(config, driftline::Clock::System());
  if (!service) {
    spdlog::error("order-service: {}", service.error().Trace());
    return kExitConfig;
  }
  (*service)->Start();
  if ((*service)->ops_port() > 0) {
    const std::string host = config.metrics_address.substr(0, config.metrics_address.rfind(':'));
    spdlog::info("health and metrics on http://{}:{}/healthz and /metrics", host,
                 (*service)->ops_port());
  }

  int exit_code = 0;
  for (;;) {
    timespec tick{1, 0};
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
      break;
    }
    if ((*service)->Failed()) {
      spdlog::critical("a pipeline failed; shutting down");
      exit_code = kExitFailure;
      break;
    }
  }
  (*service)->Stop();
  return exit_code;
}
