// What contract-test prints: progress while tests run, the unsuccessful scenarios with their
// reasons, the message-count table in the lab's layout and the summary line.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "contract/run/result.h"
#include "contract/run/runner.h"

namespace driftline::report {

// "Tests run: 6, Successes: 6, Failures: 0, WIP: 0, Errors: 0"
std::string FormatSummaryLine(const contract::Counts& counts);

// The lab's table: first column as wide as the longest channel name (at least "Topic"),
// "Actual" 23 wide, "Expected" 8 wide (wider only when a number needs it).
std::string FormatMessageCountTable(const std::vector<contract::ChannelCount>& counts);

// "Unsuccessful Scenarios:" then, per failed or errored test, its name and a "Reason:" line
// per reason (the first is the summary; later ones are details). Empty when all passed.
std::string FormatUnsuccessful(const contract::SuiteResult& suite);

// Everything printed at the end: unsuccessful scenarios, table, summary line, timings.
std::string FormatFinalReport(const contract::SuiteResult& suite);

// Progress lines ("[  1.2s] name: ...") on a FILE*, serialised across the tests' threads.
class ConsoleProgress final : public contract::ProgressListener {
 public:
  ConsoleProgress(std::FILE* out, Clock& clock, bool verbose);

  void OnStarted(const contract::TestPlan& plan) override;
  void OnPublished(const contract::TestPlan& plan,
                   const contract::ObservedMessage& published) override;
  void OnMessage(const contract::TestPlan& plan, const contract::ObservedMessage& m) override;
  void OnWaiting(const contract::TestPlan& plan, const std::string& status) override;
  void OnFinished(const contract::TestResult& result) override;

 private:
  void Line(const std::string& name, const std::string& text);

  std::FILE* out_;
  Clock& clock_;
  bool verbose_;
  Clock::MonoTime start_;
  std::mutex mu_;
};

}  // namespace driftline::report
