// specmatic.yaml, version 3, as the lab writes it.
//
//   systemUnderTest.service            (may `$ref` into components.services, siblings override)
//     definitions[].definition.source  git {url, branch} -> <config dir>/.specmatic/repos/<repo>/
//                                      filesystem {directory} -> <config dir>/<directory>
//     definitions[].definition.specs   spec paths relative to the source
//     runOptions.asyncapi.servers[]    host, protocol (kafka | sqs), adminCredentials
//     data.examples[].directories      relative to the config file
//     settings.strictMode
//     settings.x-driftline-generate      ours: [negative] runs generated negative tests too
//     settings.x-driftline-generate-limit ours: at most this many generated tests
//
// A git source is never cloned: the checkout must already be there (the lab's own runner puts
// it there). Errors name config file:line and exit the runner with code 2.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "contract/spec/model.h"

namespace driftline::contract {

struct ServerSetting {
  std::string host;  // "kafka:9092", "http://localstack:4566/000000000000"
  Protocol protocol = Protocol::kOther;
  std::string protocol_name;
  // SQS adminCredentials; empty when not given.
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
};

struct SuiteConfig {
  std::filesystem::path path;                       // the config file
  std::vector<std::filesystem::path> specs;         // absolute
  std::vector<std::filesystem::path> example_dirs;  // absolute; empty: the default per spec
  std::optional<bool> strict_mode;
  std::vector<ServerSetting> servers;
  // settings.x-driftline-generate: kinds of generated tests to run beside the examples
  // ("negative"); settings.x-driftline-generate-limit caps them.
  std::vector<std::string> generate;
  std::optional<std::size_t> generate_limit;
};

// Errors: kNotFound (config unreadable, or a git checkout / spec file missing: the message
// says where it was looked for), kInvalidArgument (malformed, wrong version, bad field), each
// with file:line.
Result<SuiteConfig> LoadSuiteConfig(const std::filesystem::path& path);

// "https://github.com/specmatic/labs-contracts.git" -> "labs-contracts"; also for
// "git@github.com:org/repo.git" and URLs with a trailing slash.
std::string RepoNameFromGitUrl(std::string_view url);

// Where examples live by default: "<dir>/<spec stem>_examples".
std::filesystem::path DefaultExamplesDir(const std::filesystem::path& spec);

}  // namespace driftline::contract
