#include "redrive/report.h"

#include <gtest/gtest.h>

#include <sstream>

namespace driftline::redrive {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

Row MakeRow(std::int64_t offset, Decision::Action action, std::string why = "") {
  Row r;
  r.partition = 0;
  r.offset = offset;
  r.action = action;
  r.why = std::move(why);
  r.failed_timestamp = "2026-01-19T10:00:00Z";
  r.error_kind = "permanent";
  r.failure_reason = "invalid-json";
  r.order_id = "ORD-1";
  r.correlation_id = "corr-1";
  r.final_error_message = "the payload is not valid JSON";
  return r;
}

TEST(ReportTest, TableHasAHeadingAndAlignedColumns) {
  RedriveReport report;
  report.rows = {MakeRow(7, Decision::Action::kRedrive),
                 MakeRow(12345, Decision::Action::kRefuse, "redriven 3 times already"),
                 MakeRow(8, Decision::Action::kSkip, "unreadable: orders-dlq/0/8: not ...")};
  report.rows[2].order_id.clear();
  const auto lines = Lines(FormatTable(report));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].rfind("PARTITION/OFFSET  FAILED AT", 0), 0u) << lines[0];
  const std::size_t action = lines[0].find("ACTION");
  ASSERT_NE(action, std::string::npos);
  EXPECT_EQ(lines[1].substr(action, 8), "redrive ");
  EXPECT_EQ(lines[2].substr(action, 7), "refuse ");
  EXPECT_EQ(lines[3].substr(action, 10), "unreadable");
  const std::size_t detail = lines[0].find("DETAIL");
  EXPECT_EQ(lines[1].substr(detail), "the payload is not valid JSON") << "the error, by default";
  EXPECT_EQ(lines[2].substr(detail), "redriven 3 times already") << "the reason, when there is one";
  EXPECT_NE(lines[3].find("  -  "), std::string::npos) << "an empty cell shows '-'";

  report.dry_run = true;
  EXPECT_NE(FormatTable(report).find("would redrive"), std::string::npos);
}

TEST(ReportTest, LongCellsAreCutAndFlattened) {
  RedriveReport report;
  report.rows = {MakeRow(1, Decision::Action::kRedrive)};
  report.rows[0].final_error_message = std::string(200, 'x') + "\nsecond line";
  report.rows[0].correlation_id = std::string(100, 'c');
  const auto lines = Lines(FormatTable(report));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find(std::string(37, 'c') + "..."), std::string::npos);
  EXPECT_EQ(lines[1].find(std::string(38, 'c')), std::string::npos);
  EXPECT_EQ(lines[1].substr(lines[1].size() - 3), "...");
}

TEST(ReportTest, NoRowsNoTable) {
  EXPECT_EQ(FormatTable(RedriveReport{}), "");
}

TEST(ReportTest, Summary) {
  RedriveReport r;
  r.read = 12;
  r.matched = 5;
  r.redriven = 4;
  r.refused = 1;
  r.skipped = 7;
  r.unreadable = 2;
  EXPECT_EQ(FormatSummary(r),
            "read 12, matched 5, redriven 4, refused 1, skipped 7 (2 unreadable)");
  r.dry_run = true;
  EXPECT_EQ(FormatSummary(r),
            "read 12, matched 5, would redrive 4, refused 1, skipped 7 (2 unreadable)");
}

}  // namespace
}  // namespace driftline::redrive
