// --version for every shipped binary: the project's version, the git commit it was built from
// and the versions of the C libraries it runs with (read from them at run time, so a package
// installed against other library versions says which).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace driftline::apps {

// Defined in the build's generated build_info.cc (cmake/BuildInfo.cmake).
std::string_view BuildVersion();
std::string_view BuildCommit();

// "order-service 0.1.0 (commit 1a2b3c4d5e6f)\nlibrdkafka 2.0.2\nlibcurl 7.88.1\n"
inline std::string VersionText(std::string_view program,
                               const std::vector<std::pair<std::string, std::string>>& libraries) {
  std::string text = std::string(program) + " " + std::string(BuildVersion()) + " (commit " +
                     std::string(BuildCommit()) + ")";
  for (const auto& [name, version] : libraries)
    text += "\n" + name + " " + version;
  return text;
}

// Adds --version, printing VersionText() and exiting 0 (CLI11's CallForVersion: app.exit()
// prints it).
inline void AddVersionFlag(CLI::App& app, std::string program,
                           std::vector<std::pair<std::string, std::string>> libraries) {
  app.set_version_flag(
      "--version",
      [program = std::move(program), libraries = std::move(libraries)] {
        return VersionText(program, libraries);
      },
      "Print the version, the git commit and the versions of the libraries it runs with");
}

}  // namespace driftline::apps
