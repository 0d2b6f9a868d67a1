// What a redrive run prints: the table of the records it acted on and the summary line.
#pragma once

#include <string>

#include "redrive/redrive.h"

namespace driftline::redrive {

// One line a row, columns aligned: partition/offset, failed at, error kind, failure reason,
// order id, correlation id, earlier redrives, the action ("redrive", "would redrive" in a dry
// run, "refuse", "unreadable") and its detail (why, else the final error message). Long cells
// are cut with "...". Empty string when there are no rows.
std::string FormatTable(const RedriveReport& report);

// "read 12, matched 5, redriven 4, refused 1, skipped 7 (2 unreadable)"; "would redrive" in a
// dry run.
std::string FormatSummary(const RedriveReport& report);

}  // namespace driftline::redrive
