#include "contract/report/writers.h"

#include <cstdio>
#include <ctime>
#include <fstream>

#include "contract/report/console.h"

namespace driftline::report {
namespace {

using contract::Check;
using contract::FlowEvent;
using contract::Mismatch;
using contract::Outcome;
using contract::SuiteResult;
using contract::TestResult;
using nlohmann::json;
using std::chrono::milliseconds;

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string SecondsText(milliseconds ms) {
  return Fixed(static_cast<double>(ms.count()) / 1000.0, 3);
}

// Length of the valid UTF-8 sequence starting at s[i], or 0.
std::size_t Utf8Length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0 && c >= 0xC2)
    n = 2;
  else if ((c & 0xF0) == 0xE0)
    n = 3;
  else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
    n = 4;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

std::string Status(const TestResult& t) {
  if (t.wip) return "wip";
  return std::string(contract::OutcomeName(t.outcome));
}

std::string PrettyPayload(const std::string& raw) {
  const json parsed = json::parse(raw, nullptr, false);
  if (parsed.is_discarded()) return raw;
  return parsed.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string FailureText(const TestResult& t) {
  std::string text;
  for (const std::string& r : t.reasons)
    text += r + "\n";
  for (const Check& c : t.checks) {
    text += std::string(c.passed ? "[ok] " : "[FAILED] ") + c.name + ": " + c.detail + "\n";
    for (const Mismatch& m : c.mismatches) {
      text += "    " + m.pointer + ": " + m.message + " (expected " + m.expected + ", actual " +
              m.actual + ")\n";
    }
  }
  return text;
}

// A table of mismatches (empty text when there are none).
std::string MismatchTable(const std::vector<Mismatch>& mismatches) {
  if (mismatches.empty()) return {};
  std::string h = "<table><tr><th>pointer</th><th>expected</th><th>actual</th><th>why</th></tr>";
  for (const Mismatch& m : mismatches) {
    h += "<tr><td>" + EscapeMarkup(m.pointer) + "</td><td>" + EscapeMarkup(m.expected) +
         "</td><td>" + EscapeMarkup(m.actual) + "</td><td>" + EscapeMarkup(m.message) +
         "</td></tr>";
  }
  return h + "</table>";
}

const char* kStyle = R"CSS(
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { margin-bottom: 0.2em; }
.summary { font-family: monospace; font-size: 1.1em; margin: 0.5em 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
section.test { border: 1px solid #ccc; border-left: 6px solid #999; margin: 1em 0; padding: 0.5em 1em; }
section.passed { border-left-color: #2e7d32; }
section.failed { border-left-color: #c62828; }
section.error { border-left-color: #ef6c00; }
section.wip { border-left-color: #6a1b9a; }
.badge { font-weight: bold; padding: 0.1em 0.5em; border-radius: 3px; color: white; }
.badge.passed { background: #2e7d32; } .badge.failed { background: #c62828; }
.badge.error { background: #ef6c00; } .badge.wip { background: #6a1b9a; }
.ok { color: #2e7d32; font-weight: bold; } .bad { color: #c62828; font-weight: bold; }
pre { background: #f7f7f7; padding: 0.5em; overflow-x: auto; margin: 0.2em 0; }
.reason { color: #c62828; }
.meta { color: #555; }
)CSS";

}  // namespace

std::string EscapeMarkup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const std::size_t n = Utf8Length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
          out += "\xEF\xBF\xBD";
        else
          out += c;
    }
    ++i;
  }
  return out;
}

std::string FormatIsoMillis(Clock::WallTime t) {
  const auto ms = std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string JunitXml(const SuiteResult& suite) {
  const contract::Counts c = suite.Tally();
  const std::string time = SecondsText(suite.wall_time);
  const std::string stamp = FormatIsoMillis(suite.started);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"contract-test\" tests=\"" + std::to_string(c.run) + "\" failures=\"" +
         std::to_string(c.failures) + "\" errors=\"" + std::to_string(c.errors) + "\" skipped=\"" +
         std::to_string(c.wip) + "\" time=\"" + time + "\" timestamp=\"" + stamp + "\">\n";
  out += "  <testsuite name=\"" + EscapeMarkup(suite.title) + "\" tests=\"" +
         std::to_string(c.run) + "\" failures=\"" + std::to_string(c.failures) + "\" errors=\"" +
         std::to_string(c.errors) + "\" skipped=\"" + std::to_string(c.wip) + "\" time=\"" + time +
         "\" timestamp=\"" + stamp + "\">\n";
  out += "    <properties>\n      <property name=\"mode\" value=\"" +
         std::string(suite.parallel ? "parallel" : "sequential") + "\"/>\n" +
         "      <property name=\"startup_seconds\" value=\"" + SecondsText(suite.startup_time) +
         "\"/>\n    </properties>\n";
  for (const TestResult& t : suite.tests) {
    out += "    <testcase name=\"" + EscapeMarkup(t.name) + "\" classname=\"contract." +
           EscapeMarkup(t.operation) + "\" file=\"" + EscapeMarkup(t.file.string()) + "\" time=\"" +
           SecondsText(t.duration) + "\">\n";
    const std::string first = t.reasons.empty() ? "" : t.reasons[0];
    if (t.wip) {
      out += "      <skipped message=\"WIP (" + std::string(contract::OutcomeName(t.outcome)) +
             ")\"/>\n";
    } else if (t.outcome == Outcome::kFailed) {
      out += "      <failure message=\"" + EscapeMarkup(first) + "\" type=\"ContractFailure\">" +
             EscapeMarkup(FailureText(t)) + "</failure>\n";
    } else if (t.outcome == Outcome::kError) {
      out += "      <error message=\"" + EscapeMarkup(first) + "\" type=\"ContractError\">" +
             EscapeMarkup(FailureText(t)) + "</error>\n";
    }
    std::string flow;
    for (const FlowEvent& e : t.flow) {
      flow += FormatIsoMillis(e.at) + " +" + SecondsText(e.offset) + "s " +
              (e.kind == FlowEvent::Kind::kPublished    ? "published"
               : e.kind == FlowEvent::Kind::kUnexpected ? "UNEXPECTED"
                                                        : "received " + e.role) +
              " " + e.channel + " " + e.coordinates + "\n";
    }
    out += "      <system-out>" + EscapeMarkup("correlation id " + t.correlation_id + "\n" + flow) +
           "</system-out>\n";
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

json CtrfJson(const SuiteResult& suite) {
  const contract::Counts c = suite.Tally();
  const std::int64_t start =
      std::chrono::duration_cast<milliseconds>(suite.started.time_since_epoch()).count();
  json tests = json::array();
  for (const TestResult& t : suite.tests) {
    const std::int64_t t_start =
        std::chrono::duration_cast<milliseconds>(t.started.time_since_epoch()).count();
    std::string status = t.wip                           ? "pending"
                         : t.outcome == Outcome::kPassed ? "passed"
                         : t.outcome == Outcome::kFailed ? "failed"
                                                         : "other";
    json checks = json::array();
    for (const Check& check : t.checks) {
      json mismatches = json::array();
      for (const Mismatch& m : check.mismatches) {
        mismatches.push_back({{"pointer", m.pointer},
                              {"expected", m.expected},
                              {"actual", m.actual},
                              {"message", m.message}});
      }
      checks.push_back({{"name", check.name},
                        {"passed", check.passed},
                        {"detail", check.detail},
                        {"mismatches", mismatches}});
    }
    json test = {{"name", t.name},
                 {"status", status},
                 {"duration", t.duration.count()},
                 {"start", t_start},
                 {"stop", t_start + t.duration.count()},
                 {"suite", suite.title},
                 {"filePath", t.file.string()},
                 {"extra",
                  {{"operation", t.operation},
                   {"correlationId", t.correlation_id},
                   {"outcome", contract::OutcomeName(t.outcome)},
                   {"wip", t.wip},
                   {"checks", checks},
                   {"warnings", t.warnings}}}};
    if (!t.reasons.empty()) {
      test["message"] = t.reasons[0];
      test["trace"] = FailureText(t);
    }
    tests.push_back(std::move(test));
  }
  json counts = json::array();
  for (const contract::ChannelCount& cc : suite.MessageCounts())
    counts.push_back({{"channel", cc.channel}, {"actual", cc.actual}, {"expected", cc.expected}});
  return json{{"results",
               {{"tool", {{"name", "contract-test"}}},
                {"summary",
                 {{"tests", c.run},
                  {"passed", c.successes},
                  {"failed", c.failures},
                  {"pending", c.wip},
                  {"skipped", 0},
                  {"other", c.errors},
                  {"start", start},
                  {"stop", start + suite.wall_time.count()}}},
                {"tests", tests},
                {"extra",
                 {{"mode", suite.parallel ? "parallel" : "sequential"},
                  {"startupMs", suite.startup_time.count()},
                  {"messageCounts", counts},
                  {"summaryLine", FormatSummaryLine(c)}}}}}};
}

std::string HtmlReport(const SuiteResult& suite) {
  const contract::Counts c = suite.Tally();
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<title>contract-test: " + EscapeMarkup(suite.title) + "</title>\n<style>" + kStyle +
       "</style>\n</head>\n<body>\n";
  h += "<h1>Contract tests</h1>\n<p class=\"meta\">" + EscapeMarkup(suite.title) + "<br>started " +
       FormatIsoMillis(suite.started) + ", " + (suite.parallel ? "parallel" : "sequential") +
       ", wall time " + SecondsText(suite.wall_time) + " s, first publish after " +
       SecondsText(suite.startup_time) + " s</p>\n";
  h += "<p class=\"summary\">" + EscapeMarkup(FormatSummaryLine(c)) + "</p>\n";
  h += "<table>\n<tr><th>Channel</th><th>Actual</th><th>Expected</th></tr>\n";
  for (const contract::ChannelCount& cc : suite.MessageCounts()) {
    h += "<tr><td>" + EscapeMarkup(cc.channel) + "</td><td>" + std::to_string(cc.actual) +
         "</td><td>" + std::to_string(cc.expected) + "</td></tr>\n";
  }
  h += "</table>\n";
  for (const std::string& w : suite.warnings)
    h += "<p class=\"meta\">warning: " + EscapeMarkup(w) + "</p>\n";
  h += "<ul>\n";
  for (std::size_t i = 0; i < suite.tests.size(); ++i) {
    const TestResult& t = suite.tests[i];
    h += "<li><a href=\"#t" + std::to_string(i) + "\">" + EscapeMarkup(t.name) +
         "</a> <span class=\"badge " + Status(t) + "\">" + Status(t) + "</span></li>\n";
  }
  h += "</ul>\n";
  for (std::size_t i = 0; i < suite.tests.size(); ++i) {
    const TestResult& t = suite.tests[i];
    const std::string status = Status(t);
    h += "<section class=\"test " + status + "\" id=\"t" + std::to_string(i) + "\">\n";
    h += "<h2>" + EscapeMarkup(t.name) + " <span class=\"badge " + status + "\">" + status +
         "</span></h2>\n";
    h += "<p class=\"meta\">" + EscapeMarkup(t.file.string()) + "<br>operation " +
         EscapeMarkup(t.operation) + ", correlation id " + EscapeMarkup(t.correlation_id) +
         ", started " + FormatIsoMillis(t.started) + ", " + SecondsText(t.duration) + " s</p>\n";
    for (const std::string& r : t.reasons)
      h += "<p class=\"reason\">" + EscapeMarkup(r) + "</p>\n";
    for (const std::string& w : t.warnings)
      h += "<p class=\"meta\">warning: " + EscapeMarkup(w) + "</p>\n";

    h += "<h3>Flow</h3>\n<table>\n<tr><th>+s</th><th>time (UTC)</th><th>event</th>"
         "<th>channel</th><th>coordinates</th><th>key</th><th>message</th><th>headers and "
         "payload</th></tr>\n";
    for (const FlowEvent& e : t.flow) {
      const std::string event = e.kind == FlowEvent::Kind::kPublished    ? "published"
                                : e.kind == FlowEvent::Kind::kUnexpected ? "unexpected"
                                                                         : "received " + e.role;
      std::string verdict;
      if (e.kind == FlowEvent::Kind::kReceived)
        verdict = e.ok ? " <span class=\"ok\">ok</span>" : " <span class=\"bad\">mismatch</span>";
      else if (e.kind == FlowEvent::Kind::kUnexpected)
        verdict = " <span class=\"bad\">unexpected</span>";
      h += "<tr><td>" + SecondsText(e.offset) + "</td><td>" + FormatIsoMillis(e.at) + "</td><td>" +
           EscapeMarkup(event) + verdict + "</td><td>" + EscapeMarkup(e.channel) + "</td><td>" +
           EscapeMarkup(e.coordinates) + "</td><td>" + EscapeMarkup(e.key.value_or("")) +
           "</td><td>" + EscapeMarkup(e.message_name) + "</td><td><details><summary>" +
           std::to_string(e.payload.size()) + " bytes</summary><pre>" +
           EscapeMarkup(e.headers.dump(2, ' ', false, json::error_handler_t::replace)) +
           "</pre><pre>" + EscapeMarkup(PrettyPayload(e.payload)) + "</pre></details>";
      h += MismatchTable(e.mismatches);
      h += "</td></tr>\n";
    }
    h += "</table>\n";

    h += "<h3>Checks</h3>\n<table>\n<tr><th></th><th>check</th><th>detail</th></tr>\n";
    for (const Check& check : t.checks) {
      h += "<tr><td>" +
           std::string(check.passed ? "<span class=\"ok\">ok</span>"
                                    : "<span class=\"bad\">failed</span>") +
           "</td><td>" + EscapeMarkup(check.name) + "</td><td>" + EscapeMarkup(check.detail);
      h += MismatchTable(check.mismatches);
      h += "</td></tr>\n";
    }
    h += "</table>\n</section>\n";
  }
  h += "</body>\n</html>\n";
  return h;
}

Result<std::string> WriteReports(const SuiteResult& suite, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Fail(Code::kUnavailable, dir.string() + ": " + ec.message());
  const std::pair<const char*, std::string> files[] = {
      {"junit.xml", JunitXml(suite)},
      {"ctrf.json", CtrfJson(suite).dump(2, ' ', false, json::error_handler_t::replace) + "\n"},
      {"report.html", HtmlReport(suite)}};
  std::string written;
  for (const auto& [name, text] : files) {
    const std::filesystem::path path = dir / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return Fail(Code::kUnavailable, path.string() + ": cannot write");
    written += (written.empty() ? "" : ", ") + path.string();
  }
  return written;
}

}  // namespace driftline::report
