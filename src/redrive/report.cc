#include "redrive/report.h"

#include <algorithm>
#include <array>
#include <vector>

namespace driftline::redrive {
namespace {

constexpr std::size_t kColumns = 9;
constexpr std::array<const char*, kColumns> kHeadings = {
    "PARTITION/OFFSET", "FAILED AT", "KIND",   "REASON", "ORDER",
    "CORRELATION ID",   "REDRIVES",  "ACTION", "DETAIL"};
// The widest a cell of each column may be; the detail is last and only cut.
constexpr std::array<std::size_t, kColumns> kMaxWidth = {24, 24, 20, 24, 28, 40, 8, 14, 80};

// Cuts at `width` bytes with "..." (never inside a UTF-8 sequence), and flattens line breaks.
std::string Cell(std::string text, std::size_t width) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\t', ' ');
  if (text.size() <= width) return text;
  std::size_t cut = width > 3 ? width - 3 : 0;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return text.substr(0, cut) + "...";
}

std::string ActionOf(const Row& row, bool dry_run) {
  switch (row.action) {
    case Decision::Action::kRedrive:
      return dry_run ? "would redrive" : "redrive";
    case Decision::Action::kRefuse:
      return "refuse";
    case Decision::Action::kSkip:
      return "unreadable";
  }
  return "?";
}

}  // namespace

std::string FormatTable(const RedriveReport& report) {
  if (report.rows.empty()) return "";
  // Sized once and filled in place: no reallocation moves the rows.
  std::vector<std::array<std::string, kColumns>> lines(report.rows.size() + 1);
  for (std::size_t c = 0; c < kColumns; ++c)
    lines[0][c] = kHeadings[c];
  for (std::size_t r = 0; r < report.rows.size(); ++r) {
    const Row& row = report.rows[r];
    const std::array<std::string, kColumns> raw = {
        std::to_string(row.partition) + "/" + std::to_string(row.offset),
        row.failed_timestamp,
        row.error_kind,
        row.failure_reason,
        row.order_id,
        row.correlation_id,
        std::to_string(row.redrive_count),
        ActionOf(row, report.dry_run),
        row.why.empty() ? row.final_error_message : row.why};
    for (std::size_t c = 0; c < kColumns; ++c)
      lines[r + 1][c] = Cell(raw[c].empty() ? "-" : raw[c], kMaxWidth[c]);
  }
  std::array<std::size_t, kColumns> width{};
  for (const auto& cells : lines) {
    for (std::size_t c = 0; c < kColumns; ++c)
      width[c] = std::max(width[c], cells[c].size());
  }
  std::string out;
  for (const auto& cells : lines) {
    std::string line;
    for (std::size_t c = 0; c < kColumns; ++c) {
      line += cells[c];
      if (c + 1 < kColumns) line += std::string(width[c] - cells[c].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string FormatSummary(const RedriveReport& r) {
  return "read " + std::to_string(r.read) + ", matched " + std::to_string(r.matched) + ", " +
         (r.dry_run ? "would redrive " : "redriven ") + std::to_string(r.redriven) + ", refused " +
         std::to_string(r.refused) + ", skipped " + std::to_string(r.skipped) + " (" +
         std::to_string(r.unreadable) + " unreadable)";
}

}  // namespace driftline::redrive
