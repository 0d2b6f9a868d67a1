// The lab's and the project's contracts, unreadable files, and the output formats.
#include "contract/compat/compat.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "temp_dir.h"

namespace driftline::contract::compat {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

const fs::path kSource = DRIFTLINE_SOURCE_DIR;
const fs::path kLabContract = kSource /
                              "../shared/reference/kafka-sqs-retry-dlq/.specmatic/repos/"
                              "labs-contracts/asyncapi/kafka-sqs-retry-dlq/"
                              "order-service-sqs-kafka.yaml";
const fs::path kProjectContract = kSource / "contracts/order-service.yaml";
const fs::path kProjectCommon = kSource / "contracts/schemas/common.yaml";

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `text` with its only occurrence of `from` replaced by `to`; fails the test when `from` is not
// there exactly once.
std::string ReplaceOnce(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at == std::string::npos) return text;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from << " occurs twice";
  return text.replace(at, from.size(), to);
}

TEST(CompatLabTest, TheLabContractIsCompatibleWithItself) {
  if (!fs::exists(kLabContract)) GTEST_SKIP() << "../shared is absent: " << kLabContract;
  auto report = CompareContractFiles(kLabContract, kLabContract);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_FALSE(report->Breaking());
  EXPECT_TRUE(report->findings.empty()) << report->findings.front().why;
  EXPECT_EQ(report->ExitCode(), 0);
}

TEST(CompatLabTest, FewerRetriesAreOneBreakingBehaviouralChange) {
  if (!fs::exists(kLabContract)) GTEST_SKIP() << "../shared is absent: " << kLabContract;
  TempDir dir;
  const fs::path changed =
      dir.Write("order-service-sqs-kafka.yaml",
                ReplaceOnce(ReadText(kLabContract), "maxAttempts: 3", "maxAttempts: 2"));
  auto report = CompareContractFiles(kLabContract, changed);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_TRUE(report->Breaking());
  EXPECT_EQ(report->ExitCode(), 1);
  ASSERT_EQ(report->findings.size(), 1u);
  const Finding& f = report->findings[0];
  EXPECT_EQ(f.severity, Severity::kBehaviour);
  EXPECT_EQ(f.rule, "retry-max-attempts");
  EXPECT_EQ(f.old_at.file, "order-service-sqs-kafka.yaml");
  EXPECT_EQ(f.old_at.pointer, "/operations/sendOrder/x-specmatic-retry/maxAttempts");
  EXPECT_EQ(f.new_at.pointer, "/operations/sendOrder/x-specmatic-retry/maxAttempts");
  EXPECT_EQ(f.old_value, "3");
  EXPECT_EQ(f.new_value, "2");
  EXPECT_EQ(SummaryLine(*report),
            "compat: BREAKING — 0 breaking, 1 behavioural, 0 compatible change(s)");
}

TEST(CompatProjectTest, TheProjectContractIsCompatibleWithItself) {
  auto report = CompareContractFiles(kProjectContract, kProjectContract);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_TRUE(report->findings.empty()) << report->findings.front().why;
}

// common.yaml's Timestamp is reached through a cross-file $ref from eight members of sent and
// received messages: one change there is one finding, located in common.yaml.
TEST(CompatProjectTest, AChangeToASharedCrossFileSchemaIsReportedOnce) {
  TempDir dir;
  const fs::path old_contract = dir.Write("old/order-service.yaml", ReadText(kProjectContract));
  dir.Write("old/schemas/common.yaml", ReadText(kProjectCommon));
  const fs::path new_contract = dir.Write("new/order-service.yaml", ReadText(kProjectContract));
  dir.Write("new/schemas/common.yaml",
            ReplaceOnce(ReadText(kProjectCommon), "  format: date-time\n", ""));
  auto report = CompareContractFiles(old_contract, new_contract);
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->findings.size(), 1u) << report->findings[1].why;
  const Finding& f = report->findings[0];
  EXPECT_EQ(f.rule, "format-removed");
  EXPECT_EQ(f.severity, Severity::kBreaking);
  // Replies carry timestamps (consumers break); orders do too, but a format removed does not
  // hurt their producers.
  EXPECT_EQ(f.side, Side::kConsumer);
  EXPECT_EQ(f.old_at.file, "schemas/common.yaml");
  EXPECT_EQ(f.old_at.pointer, "/Timestamp/format");
  EXPECT_EQ(f.new_at.file, "schemas/common.yaml");
  EXPECT_EQ(f.new_at.pointer, "/Timestamp");
}

// A member of an allOf part behind a local $ref (SingleOrder, used by two received messages):
// tightened once, from the producers' side.
TEST(CompatProjectTest, AllOfPartsAreMergedAndFollowed) {
  TempDir dir;
  const std::string text = ReadText(kProjectContract);
  const fs::path old_contract = dir.Write("old/order-service.yaml", text);
  dir.Write("old/schemas/common.yaml", ReadText(kProjectCommon));
  const fs::path new_contract =
      dir.Write("new/order-service.yaml",
                ReplaceOnce(text, "orderId: {type: string, minLength: 1}\n        customerId",
                            "orderId: {type: string, minLength: 3}\n        customerId"));
  dir.Write("new/schemas/common.yaml", ReadText(kProjectCommon));
  auto report = CompareContractFiles(old_contract, new_contract);
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->findings.size(), 1u) << report->findings[1].why;
  const Finding& f = report->findings[0];
  EXPECT_EQ(f.rule, "bound-tightened");
  EXPECT_EQ(f.side, Side::kProducer);
  EXPECT_EQ(f.old_at.pointer, "/components/schemas/SingleOrder/properties/orderId/minLength");
  EXPECT_EQ(f.old_value, "1");
  EXPECT_EQ(f.new_value, "3");
}

TEST(CompatErrorTest, AMissingFileIsNamed) {
  TempDir dir;
  const fs::path missing = dir.path() / "nope.yaml";
  auto report = CompareContractFiles(kProjectContract, missing);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), Code::kNotFound);
  EXPECT_NE(report.error().message().find("nope.yaml"), std::string::npos)
      << report.error().message();
}

TEST(CompatErrorTest, AMalformedFileIsNamedWithItsLine) {
  TempDir dir;
  const fs::path bad = dir.Write("bad.yaml", "asyncapi: 3.0.0\nchannels:\n  a: [\n");
  auto report = CompareContractFiles(bad, kProjectContract);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), Code::kInvalidArgument);
  EXPECT_NE(report.error().message().find("bad.yaml:"), std::string::npos)
      << report.error().message();
}

TEST(CompatErrorTest, ADanglingCrossFileRefIsNamed) {
  TempDir dir;
  const fs::path contract = dir.Write("c.yaml", ReadText(kProjectContract));  // no schemas/
  auto report = CompareContractFiles(kProjectContract, contract);
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message().find("c.yaml"), std::string::npos) << report.error().message();
  EXPECT_NE(report.error().message().find("common.yaml"), std::string::npos)
      << report.error().message();
}

CompatReport SampleReport() {
  CompatReport report;
  report.old_path = "old.yaml";
  report.new_path = "new.yaml";
  Finding removed;
  removed.severity = Severity::kBreaking;
  removed.side = Side::kConsumer;
  removed.rule = "member-removed";
  removed.old_at = {"old.yaml", "/components/messages/A/payload/properties/x"};
  removed.new_at = {"new.yaml", "/components/messages/A/payload/properties"};
  removed.old_value = "optional";
  removed.new_value = "absent";
  removed.why = "member 'A.payload.x' removed";
  Finding added = removed;
  added.severity = Severity::kInfo;
  added.rule = "member-added";
  added.why = "member 'A.payload.y' added as optional";
  report.findings = {removed, added};
  return report;
}

TEST(CompatFormatTest, JsonHasTheVerdictAndEveryFinding) {
  const json out = json::parse(FormatJson(SampleReport()));
  EXPECT_EQ(out["verdict"], "breaking");
  EXPECT_EQ(out["counts"]["breaking"], 1);
  EXPECT_EQ(out["counts"]["info"], 1);
  ASSERT_EQ(out["findings"].size(), 2u);
  EXPECT_EQ(out["findings"][0]["severity"], "breaking");
  EXPECT_EQ(out["findings"][0]["side"], "consumer");
  EXPECT_EQ(out["findings"][0]["old"]["pointer"], "/components/messages/A/payload/properties/x");
  EXPECT_EQ(out["findings"][0]["new"]["file"], "new.yaml");
  EXPECT_EQ(out["findings"][1]["rule"], "member-added");
}

TEST(CompatFormatTest, TheTableHasARowPerFindingAndTheSummary) {
  const std::string table = FormatTable(SampleReport());
  EXPECT_NE(table.find("SEVERITY"), std::string::npos) << table;
  EXPECT_NE(table.find("old.yaml#/components/messages/A/payload/properties/x"), std::string::npos)
      << table;
  EXPECT_NE(table.find("optional -> absent"), std::string::npos) << table;
  EXPECT_NE(table.find("compat: BREAKING — 1 breaking, 0 behavioural, 1 compatible change(s)"),
            std::string::npos)
      << table;
}

TEST(CompatFormatTest, NoBreakingOrBehaviouralChangeIsCompatible) {
  CompatReport report = SampleReport();
  report.findings.erase(report.findings.begin());
  EXPECT_FALSE(report.Breaking());
  EXPECT_EQ(SummaryLine(report),
            "compat: compatible — 0 breaking, 0 behavioural, 1 compatible change(s)");
  report.findings[0].severity = Severity::kBehaviour;
  EXPECT_TRUE(report.Breaking());
}

}  // namespace
}  // namespace driftline::contract::compat
