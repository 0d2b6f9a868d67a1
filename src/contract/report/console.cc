#include "contract/report/console.h"

#include <algorithm>

namespace driftline::report {
namespace {

using contract::ChannelCount;
using contract::Counts;
using contract::Outcome;
using contract::SuiteResult;
using contract::TestResult;

std::string Pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string Seconds(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

}  // namespace

std::string FormatSummaryLine(const Counts& c) {
  return "Tests run: " + std::to_string(c.run) + ", Successes: " + std::to_string(c.successes) +
         ", Failures: " + std::to_string(c.failures) + ", WIP: " + std::to_string(c.wip) +
         ", Errors: " + std::to_string(c.errors);
}

std::string FormatMessageCountTable(const std::vector<ChannelCount>& counts) {
  std::size_t name_width = 5;  // "Topic"
  std::size_t actual_width = 23;
  std::size_t expected_width = 8;
  for (const ChannelCount& c : counts) {
    name_width = std::max(name_width, c.channel.size());
    actual_width = std::max(actual_width, std::to_string(c.actual).size());
    expected_width = std::max(expected_width, std::to_string(c.expected).size());
  }
  const std::string rule = "+" + std::string(name_width + 2, '-') + "+" +
                           std::string(actual_width + 2, '-') + "+" +
                           std::string(expected_width + 2, '-') + "+\n";
  std::string out = rule;
  out += "| " + Pad("Topic", name_width) + " | " +
         Pad("No of messages received", actual_width + 3 + expected_width) + " |\n";
  out += rule;
  out += "| " + Pad("", name_width) + " | " + Pad("Actual", actual_width) + " | " +
         Pad("Expected", expected_width) + " |\n";
  out += rule;
  for (const ChannelCount& c : counts) {
    out += "| " + Pad(c.channel, name_width) + " | " + Pad(std::to_string(c.actual), actual_width) +
           " | " + Pad(std::to_string(c.expected), expected_width) + " |\n";
  }
  out += rule;
  return out;
}

std::string FormatUnsuccessful(const SuiteResult& suite) {
  std::string out;
  for (const TestResult& t : suite.tests) {
    if (t.outcome == Outcome::kPassed || t.wip) continue;
    if (out.empty()) out = "Unsuccessful Scenarios:\n";
    out += "  " + t.name + (t.outcome == Outcome::kError ? " (error)" : "") + "\n";
    for (std::size_t i = 0; i < t.reasons.size(); ++i) {
      if (t.reasons[i].empty()) continue;
      out += (i == 0 ? "    Reason: " : "            ") + t.reasons[i] + "\n";
    }
  }
  return out;
}

std::string FormatFinalReport(const SuiteResult& suite) {
  std::string out;
  for (const TestResult& t : suite.tests) {
    if (t.wip) {
      out += "WIP: " + t.name + " " + std::string(contract::OutcomeName(t.outcome)) +
             (t.reasons.empty() ? "" : ": " + t.reasons[0]) + "\n";
    }
  }
  if (!suite.warnings.empty()) {
    out += "\nWarnings:\n";
    for (const std::string& w : suite.warnings)
      out += "  " + w + "\n";
  }
  const std::string unsuccessful = FormatUnsuccessful(suite);
  if (!unsuccessful.empty()) out += "\n" + unsuccessful;
  out += "\n" + FormatMessageCountTable(suite.MessageCounts());
  out += "\n" + FormatSummaryLine(suite.Tally()) + "\n";
  out += "Wall time " + Seconds(suite.wall_time) + " (" +
         (suite.parallel ? "parallel" : "sequential") + "), first publish after " +
         Seconds(suite.startup_time) + "\n";
  return out;
}

ConsoleProgress::ConsoleProgress(std::FILE* out, Clock& clock, bool verbose)
    : out_(out), clock_(clock), verbose_(verbose), start_(clock.Mono()) {}

void ConsoleProgress::Line(const std::string& name, const std::string& text) {
  const double at =
      static_cast<double>(
          std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Mono() - start_).count()) /
      1000.0;
  std::lock_guard<std::mutex> lock(mu_);
  std::fprintf(out_, "[%7.2fs] %s: %s\n", at, name.c_str(), text.c_str());
  std::fflush(out_);
}

void ConsoleProgress::OnStarted(const contract::TestPlan& plan) {
  if (verbose_) Line(plan.example->name, "started (correlation id " + plan.correlation_id + ")");
}

void ConsoleProgress::OnPublished(const contract::TestPlan& plan,
                                  const contract::ObservedMessage& published) {
  Line(plan.example->name,
       "published to " + plan.input->Describe() + " (" + published.coordinates + ")");
}

void ConsoleProgress::OnMessage(const contract::TestPlan& plan,
                                const contract::ObservedMessage& m) {
  std::string role = "unexpected";
  for (const contract::Expectation& e : plan.expectations) {
    if (e.channel == m.channel) role = std::string(contract::RoleKey(e.role));
  }
  Line(plan.example->name,
       "received " + role + " on " + m.channel->Describe() + " (" + m.coordinates + ")");
}

void ConsoleProgress::OnWaiting(const contract::TestPlan& plan, const std::string& status) {
  Line(plan.example->name, status);
}

void ConsoleProgress::OnFinished(const TestResult& result) {
  std::string text = result.outcome == Outcome::kPassed   ? "PASSED"
                     : result.outcome == Outcome::kFailed ? "FAILED"
                                                          : "ERROR";
  if (result.wip) text = "WIP (" + text + ")";
  text += " in " + Seconds(result.duration);
  if (result.outcome != Outcome::kPassed && !result.reasons.empty())
    text += ": " + result.reasons[0];
  Line(result.name, text);
}

}  // namespace driftline::report
