// What a run produced: one TestResult per example, the message counts, the suite's figures.
// Plain data, shared by the runner and the report writers (contract/report).
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "contract/check/matcher.h"

namespace driftline::contract {

enum class Outcome { kPassed, kFailed, kError };

// "passed", "failed", "error"
std::string_view OutcomeName(Outcome outcome);

// One named check of a test, passed or not, with what it saw.
struct Check {
  std::string name;
  bool passed = true;
  std::string detail;
  std::vector<Mismatch> mismatches;
};

// One step of a test's flow across channels.
struct FlowEvent {
  enum class Kind { kPublished, kReceived, kUnexpected };
  Kind kind = Kind::kReceived;
  std::string role;     // "receive", "send", "retry", "dlq", or "" when unexpected
  std::string channel;  // "topic 'place-order-topic'"
  std::string address;
  Clock::WallTime at{};                // the message's own timestamp (broker time)
  std::chrono::milliseconds offset{};  // since the test published (negative: before)
  std::string coordinates;
  std::optional<std::string> key;
  nlohmann::json headers = nlohmann::json::object();
  std::string payload;       // the payload text as it travelled
  std::string message_name;  // the declared message it conforms to (or came closest to)
  bool ok = true;
  std::vector<Mismatch> mismatches;
};

struct TestResult {
  std::string name;
  std::filesystem::path file;
  std::string operation;
  std::string correlation_id;
  Outcome outcome = Outcome::kPassed;
  bool wip = false;
  std::vector<std::string> reasons;  // why it failed, in plain words (first one is the summary)
  std::vector<Check> checks;
  std::vector<FlowEvent> flow;
  std::vector<std::string> warnings;
  Clock::WallTime started{};
  std::chrono::milliseconds duration{};
  // Per channel address, in the order the test uses them (receive, send, retry, dlq): whether
  // the test's message on it was published / seen. The message-count table sums these.
  std::vector<std::pair<std::string, bool>> tally;
};

struct ChannelCount {
  std::string channel;
  int actual = 0;
  int expected = 0;
};

struct Counts {
  int run = 0;
  int successes = 0;
  int failures = 0;
  int wip = 0;
  int errors = 0;
};

struct SuiteResult {
  std::string title;  // the contract(s)
  std::vector<TestResult> tests;
  Clock::WallTime started{};
  std::chrono::milliseconds wall_time{};
  std::chrono::milliseconds startup_time{};  // run start to first publish
  bool parallel = true;
  std::vector<std::string> warnings;

  Counts Tally() const;
  // Per channel, in order of first use over the tests: how many tests expected a message on
  // it, and how many saw (or, for the published channel, sent) it.
  std::vector<ChannelCount> MessageCounts() const;
  // 0: every test passed (WIP tests never count); 1: a test failed or errored.
  int ExitCode() const;
};

}  // namespace driftline::contract
