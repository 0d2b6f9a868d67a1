// `contract-test mock`: the flags and the run of the mock provider (src/contract/mock/).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "contract/run/suite.h"

namespace driftline::contract::mock {

struct MockFlags {
  std::string config;
  std::vector<std::string> contracts;
  std::vector<std::string> examples;
  EndpointOverrides overrides;
  int port = 9001;
  int delay_ms = 0;
  std::vector<std::string> drop_percent;
  double duplicate_percent = 0;
  std::uint64_t seed = 1;
  std::size_t log_size = 1000;
  double drain_timeout = 30;
  bool schema_only_literals = false;
  std::string log_level;
};

// Adds the `mock` subcommand and its flags to `app`.
CLI::App* AddMockCommand(CLI::App& app, MockFlags& flags);

// Runs the mock until SIGINT or SIGTERM. Exit codes: 0 stopped by a signal (after draining),
// 2 it could not start (bad flag, contract or example, a channel that does not exist, the
// control port taken).
int RunMock(const MockFlags& flags, Clock& clock);

}  // namespace driftline::contract::mock
