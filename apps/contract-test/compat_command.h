// `contract-test compat OLD NEW`: is NEW a backward-compatible version of the contract OLD
// (src/contract/compat/).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace driftline::contract::compat {

struct CompatFlags {
  std::string old_path;
  std::string new_path;
  std::string format = "table";
};

// Adds the `compat` subcommand and its arguments to `app`.
CLI::App* AddCompatCommand(CLI::App& app, CompatFlags& flags);

// Compares the two contracts and prints the findings (table or JSON) on stdout. Exit codes:
// 0 compatible, 1 a breaking or behavioural change, 2 a file that cannot be loaded (the message,
// on stderr, names the file and the place).
int RunCompat(const CompatFlags& flags);

}  // namespace driftline::contract::compat
