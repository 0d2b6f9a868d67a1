// The report as text: the summary line, the table, the JSON object.
#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "contract/compat/compat.h"

namespace driftline::contract::compat {
namespace {

std::string ChangeText(const Finding& f) {
  return f.old_value + " -> " + f.new_value;
}

}  // namespace

std::string SummaryLine(const CompatReport& report) {
  return std::string("compat: ") + (report.Breaking() ? "BREAKING" : "compatible") + " — " +
         std::to_string(report.Count(Severity::kBreaking)) + " breaking, " +
         std::to_string(report.Count(Severity::kBehaviour)) + " behavioural, " +
         std::to_string(report.Count(Severity::kInfo)) + " compatible change(s)";
}

std::string FormatTable(const CompatReport& report) {
  using Row = std::array<std::string, 6>;
  std::vector<Row> rows;
  rows.push_back({"SEVERITY", "SIDE", "OLD", "NEW", "OLD -> NEW", "WHY"});
  for (const Finding& f : report.findings) {
    rows.push_back({std::string(SeverityName(f.severity)), std::string(SideName(f.side)),
                    f.old_at.Text(), f.new_at.Text(), ChangeText(f), f.why});
  }
  std::array<std::size_t, 6> width{};
  for (const Row& row : rows)
    for (std::size_t i = 0; i + 1 < row.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  std::string out = "compat: " + report.old_path + " -> " + report.new_path + "\n";
  if (!report.findings.empty()) {
    for (const Row& row : rows) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
      }
      out += line + "\n";
    }
  }
  return out + SummaryLine(report) + "\n";
}

std::string FormatJson(const CompatReport& report) {
  using json = nlohmann::ordered_json;  // the verdict first, as written
  json findings = json::array();
  for (const Finding& f : report.findings) {
    findings.push_back({
        {"severity", SeverityName(f.severity)},
        {"side", SideName(f.side)},
        {"rule", f.rule},
        {"old", {{"file", f.old_at.file}, {"pointer", f.old_at.pointer}}},
        {"new", {{"file", f.new_at.file}, {"pointer", f.new_at.pointer}}},
        {"oldValue", f.old_value},
        {"newValue", f.new_value},
        {"why", f.why},
    });
  }
  const json out = {
      {"verdict", report.Breaking() ? "breaking" : "compatible"},
      {"old", report.old_path},
      {"new", report.new_path},
      {"counts",
       {{"breaking", report.Count(Severity::kBreaking)},
        {"behaviour", report.Count(Severity::kBehaviour)},
        {"info", report.Count(Severity::kInfo)}}},
      {"summary", SummaryLine(report)},
      {"findings", findings},
  };
  return out.dump(2) + "\n";
}

}  // namespace driftline::contract::compat
