// GCC 12 reports a false "potential null pointer dereference" in CLI11's detail::split(),
// inlined here through the vector-valued options.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include "mock_command.h"

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "common/env.h"
#include "contract/connect/connect.h"
#include "contract/mock/responder.h"
#include "contract/mock/serve/control.h"
#include "contract/mock/serve/faults.h"
#include "contract/mock/serve/provider.h"
#include "flag_help.h"

namespace driftline::contract::mock {

namespace {

namespace fs = std::filesystem;

int MockError(const std::string& message) {
  std::fprintf(stderr, "contract-test mock: %s\n", message.c_str());
  return 2;
}

std::string ChannelList(const std::vector<const Channel*>& channels) {
  std::string out;
  for (const Channel* c : channels)
    out += (out.empty() ? "" : ", ") + std::string(ProtocolName(c->protocol)) + " " + c->address;
  return out.empty() ? "nothing" : out;
}

}  // namespace

CLI::App* AddMockCommand(CLI::App& app, MockFlags& flags) {
  CLI::App* mock = app.add_subcommand(
      "mock",
      "play the provider the contract describes: consume its input channels and answer every "
      "message as the examples and schemas say (its own flags: mock --help)");
  mock->add_option("--config", flags.config,
                   "specmatic.yaml (version 3); default ./specmatic.yaml when no --contract");
  mock->add_option("--contract", flags.contracts,
                   "AsyncAPI 3.0 contract, YAML or JSON (repeatable)");
  mock->add_option("--examples", flags.examples,
                   "examples directory (repeatable); default <spec>_examples beside the spec");
  mock->add_option("--kafka", flags.overrides.kafka, apps::ContractTestFlagHelp("CONTRACT_KAFKA"));
  mock->add_option("--sqs", flags.overrides.sqs, apps::ContractTestFlagHelp("CONTRACT_SQS"));
  mock->add_option("--port", flags.port, "control API port on 127.0.0.1 (9001; 0 = any free port)")
      ->check(CLI::Range(0, 65535));
  mock->add_option("--delay-ms", flags.delay_ms,
                   "send every message this many ms later than the contract says (0)")
      ->check(CLI::NonNegativeNumber);
  mock->add_option("--drop-percent", flags.drop_percent,
                   "CHANNEL=PERCENT: never send this share of the messages to CHANNEL (its "
                   "address or id; repeatable)");
  mock->add_option("--duplicate-percent", flags.duplicate_percent,
                   "send this share of all messages twice (0)")
      ->check(CLI::Range(0.0, 100.0));
  mock->add_option("--seed", flags.seed, "seed of the faults' choices and of generated values (1)");
  mock->add_option("--log-size", flags.log_size, "exchanges kept for GET /_mock/log (1000)");
  mock->add_option("--drain-timeout", flags.drain_timeout,
                   "seconds to keep sending already planned messages after SIGTERM (30)")
      ->check(CLI::NonNegativeNumber);
  mock->add_flag("--schema-only-literals", flags.schema_only_literals,
                 "match plain literals of an example's receive block by type only");
  mock->add_option("--log-level", flags.log_level,
                   "diagnostics on stderr: trace|debug|info|warn|error (warn)");
  return mock;
}

int RunMock(const MockFlags& flags, Clock& clock) {
  // SIGINT/SIGTERM are taken by sigwait() below; blocked before any thread starts so that every
  // thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  SuiteOptions options;
  if (!flags.config.empty()) {
    options.config = flags.config;
  } else if (flags.contracts.empty() && fs::exists("specmatic.yaml")) {
    options.config = "specmatic.yaml";
  }
  for (const std::string& c : flags.contracts)
    options.contracts.emplace_back(c);
  for (const std::string& e : flags.examples)
    options.example_dirs.emplace_back(e);
  auto suite = LoadSuite(options);
  if (!suite) return MockError(suite.error().message());
  for (const std::string& w : suite->warnings)
    std::fprintf(stderr, "contract-test mock: warning: %s\n", w.c_str());

  ResponderOptions ro;
  ro.match.literals_by_value = !flags.schema_only_literals;
  auto responder = Responder::Create(*suite, ro);
  if (!responder) return MockError(responder.error().message());
  for (const std::string& w : (*responder)->warnings())
    std::fprintf(stderr, "contract-test mock: warning: %s\n", w.c_str());

  FaultOptions fo;
  fo.delay = std::chrono::milliseconds(flags.delay_ms);
  fo.duplicate_percent = flags.duplicate_percent;
  fo.seed = flags.seed;
  for (const std::string& d : flags.drop_percent) {
    auto parsed = ParseDropPercent(d);
    if (!parsed) return MockError(parsed.error().message());
    fo.drop_percent[parsed->first] = parsed->second;
  }
  auto faults = FaultInjector::Create(fo, (*responder)->OutputChannels());
  if (!faults) return MockError(faults.error().message());

  std::vector<const Channel*> channels = (*responder)->InputChannels();
  for (const Channel* c : (*responder)->OutputChannels())
    channels.push_back(c);
  auto connected = ConnectTransports(*suite, NeededTransportsOf(channels), flags.overrides,
                                     Environment::Process(), clock);
  if (!connected) return MockError(connected.error().message());

  ProviderOptions po;
  po.log_size = flags.log_size;
  po.seed = flags.seed;
  auto provider =
      MockProvider::Create(**responder, connected->transports(), std::move(*faults), clock, po);
  if (!provider) return MockError(provider.error().message());
  ControlOptions co;
  co.port = flags.port;
  auto control = ControlServer::Bind(**provider, co);
  if (!control) return MockError(control.error().message());
  (*control)->Start();
  std::printf("contract-test mock: control %s/_mock/\n", (*control)->Url().c_str());
  std::fflush(stdout);

  if (Status started = (*provider)->Start(); !started)
    return MockError("cannot start: " + started.error().Trace());
  std::printf("contract-test mock: ready; consuming %s\n",
              ChannelList((*provider)->inputs()).c_str());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&signals, &signal);
  std::printf("contract-test mock: draining %lld planned message(s)\n",
              static_cast<long long>((*provider)->pending()));
  std::fflush(stdout);
  const std::int64_t left = (*provider)->Drain(
      std::chrono::milliseconds(static_cast<std::int64_t>(flags.drain_timeout * 1000.0)));
  (*control)->Stop();
  connected->Stop();
  if (left > 0) {
    std::printf("contract-test mock: stopped; %lld planned message(s) not sent (--drain-timeout)\n",
                static_cast<long long>(left));
  } else {
    std::printf("contract-test mock: stopped\n");
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace driftline::contract::mock
