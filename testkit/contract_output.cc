#include "testkit/contract_output.h"

#include <sstream>

namespace driftline::testkit {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string UnsuccessfulScenario::ReasonText() const {
  std::string text;
  for (const std::string& r : reasons)
    text += (text.empty() ? "" : "\n") + r;
  return text;
}

std::set<std::string> ContractTestOutput::UnsuccessfulNames() const {
  std::set<std::string> names;
  for (const UnsuccessfulScenario& s : unsuccessful)
    names.insert(s.name);
  return names;
}

const UnsuccessfulScenario* ContractTestOutput::Find(std::string_view name) const {
  for (const UnsuccessfulScenario& s : unsuccessful) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

ContractTestOutput ParseContractTestOutput(std::string_view output) {
  // The block (console.cc):
  //   Unsuccessful Scenarios:
  //     <name>[ (error)]
  //       Reason: <first reason>
  //               <more>
  constexpr std::string_view kBlock = "Unsuccessful Scenarios:";
  constexpr std::string_view kSummary = "Tests run: ";
  constexpr std::string_view kReason = "    Reason: ";
  constexpr std::string_view kMore = "            ";
  constexpr std::string_view kError = " (error)";
  ContractTestOutput out;
  std::istringstream in{std::string(output)};
  std::string line;
  bool in_block = false;
  while (std::getline(in, line)) {
    if (StartsWith(line, kSummary)) out.summary = line;
    if (line == kBlock) {
      in_block = true;
      continue;
    }
    if (!in_block) continue;
    if (!StartsWith(line, "  ")) {
      in_block = false;
    } else if (StartsWith(line, kReason) && !out.unsuccessful.empty()) {
      out.unsuccessful.back().reasons.push_back(line.substr(kReason.size()));
    } else if (StartsWith(line, kMore) && !out.unsuccessful.empty()) {
      out.unsuccessful.back().reasons.push_back(line.substr(kMore.size()));
    } else if (!StartsWith(line, "   ")) {
      UnsuccessfulScenario s;
      s.name = line.substr(2);
      if (s.name.size() > kError.size() &&
          s.name.compare(s.name.size() - kError.size(), kError.size(), kError) == 0) {
        s.name.resize(s.name.size() - kError.size());
        s.error = true;
      }
      out.unsuccessful.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace driftline::testkit
