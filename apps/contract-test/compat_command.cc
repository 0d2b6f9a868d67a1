#include "compat_command.h"

#include <cstdio>

#include "contract/compat/compat.h"

namespace driftline::contract::compat {

CLI::App* AddCompatCommand(CLI::App& app, CompatFlags& flags) {
  CLI::App* compat = app.add_subcommand(
      "compat",
      "is NEW a backward-compatible version of the contract OLD? Exit 0 compatible, 1 breaking "
      "(or behavioural), 2 a file cannot be loaded");
  compat->add_option("OLD", flags.old_path, "the contract as it was (AsyncAPI 3.0)")->required();
  compat->add_option("NEW", flags.new_path, "the contract as it is now")->required();
  compat->add_option("--format", flags.format, "table or json (table)")
      ->check(CLI::IsMember({"table", "json"}));
  return compat;
}

int RunCompat(const CompatFlags& flags) {
  auto report = CompareContractFiles(flags.old_path, flags.new_path);
  if (!report) {
    std::fprintf(stderr, "contract-test compat: %s\n", report.error().message().c_str());
    return 2;
  }
  const std::string out = flags.format == "json" ? FormatJson(*report) : FormatTable(*report);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  return report->ExitCode();
}

}  // namespace driftline::contract::compat
