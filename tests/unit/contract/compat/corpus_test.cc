// Every folder of corpus/ is one case: old.yaml and new.yaml (and any file they refer to), and
// expected.json: {"verdict": "breaking"|"compatible", "findings": [{"severity", "side", "rule",
// "old", "new" (JSON pointers), "why" (a substring), optional "oldFile" / "newFile"}]}. The
// findings must be exactly those: each expected one matched by a distinct finding, none left over.
// A regression test is a new folder.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "contract/compat/compat.h"

namespace driftline::contract::compat {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kCorpus = fs::path(DRIFTLINE_SOURCE_DIR) / "tests/unit/contract/compat/corpus";

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kCorpus, ec))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

std::string Describe(const Finding& f) {
  return std::string(SeverityName(f.severity)) + " " + std::string(SideName(f.side)) + " " +
         f.rule + " " + f.old_at.Text() + " | " + f.new_at.Text() + " | " + f.old_value + " -> " +
         f.new_value + " | " + f.why;
}

std::string DescribeAll(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings)
    out += "  " + Describe(f) + "\n";
  return out.empty() ? "  (none)\n" : out;
}

bool Matches(const json& want, const Finding& f) {
  if (want.value("severity", "") != SeverityName(f.severity)) return false;
  if (want.value("side", "") != SideName(f.side)) return false;
  if (want.contains("rule") && want["rule"] != f.rule) return false;
  if (want.value("old", "") != f.old_at.pointer) return false;
  if (want.value("new", "") != f.new_at.pointer) return false;
  if (want.contains("oldFile") && want["oldFile"] != f.old_at.file) return false;
  if (want.contains("newFile") && want["newFile"] != f.new_at.file) return false;
  return f.why.find(want.value("why", "")) != std::string::npos;
}

class CompatCorpusTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CompatCorpusTest, FindsExactlyTheExpectedChanges) {
  const fs::path dir = kCorpus / GetParam();
  const json expected = ReadJson(dir / "expected.json");
  ASSERT_TRUE(expected.is_object()) << dir / "expected.json"
                                    << " is not a JSON object";
  auto report = CompareContractFiles(dir / "old.yaml", dir / "new.yaml");
  ASSERT_TRUE(report) << report.error().message();

  const std::string verdict = report->Breaking() ? "breaking" : "compatible";
  EXPECT_EQ(verdict, expected.value("verdict", "")) << "findings:\n"
                                                    << DescribeAll(report->findings);
  std::vector<bool> used(report->findings.size(), false);
  for (const json& want : expected.value("findings", json::array())) {
    bool found = false;
    for (std::size_t i = 0; i < report->findings.size() && !found; ++i) {
      if (!used[i] && Matches(want, report->findings[i])) used[i] = found = true;
    }
    EXPECT_TRUE(found) << "expected " << want.dump() << "\namong:\n"
                       << DescribeAll(report->findings);
  }
  EXPECT_EQ(report->findings.size(), expected.value("findings", json::array()).size())
      << "findings:\n"
      << DescribeAll(report->findings);
}

INSTANTIATE_TEST_SUITE_P(Corpus, CompatCorpusTest, ::testing::ValuesIn(CaseNames()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// The corpus is the specification: at least 40 cases, each rule with a compatible and a
// breaking case, every case folder complete.
TEST(CompatCorpusShapeTest, EveryRuleHasACompatibleAndABreakingCase) {
  const std::vector<std::string> names = CaseNames();
  ASSERT_GE(names.size(), 40u) << kCorpus;
  std::set<std::string> compatible_rules;
  std::set<std::string> breaking_rules;  // breaking or behaviour
  for (const std::string& name : names) {
    const fs::path dir = kCorpus / name;
    ASSERT_TRUE(fs::exists(dir / "old.yaml")) << dir;
    ASSERT_TRUE(fs::exists(dir / "new.yaml")) << dir;
    const json expected = ReadJson(dir / "expected.json");
    ASSERT_TRUE(expected.is_object()) << dir;
    for (const json& f : expected.value("findings", json::array())) {
      const std::string rule = f.value("rule", "");
      (f.value("severity", "") == "info" ? compatible_rules : breaking_rules).insert(rule);
    }
  }
  // The families of the rules in the brief, each seen both ways.
  for (const char* rule :
       {"member-removed", "member-added", "member-optional", "member-required", "type-changed",
        "enum-value-added", "enum-value-removed", "format-added", "format-removed",
        "bound-loosened", "bound-tightened", "pattern-added", "pattern-removed", "const-added",
        "const-removed", "additional-properties-closed", "additional-properties-opened",
        "message-added"}) {
    EXPECT_TRUE(compatible_rules.count(rule) != 0) << rule << ": no compatible case";
    EXPECT_TRUE(breaking_rules.count(rule) != 0) << rule << ": no breaking case";
  }
}

}  // namespace
}  // namespace driftline::contract::compat
