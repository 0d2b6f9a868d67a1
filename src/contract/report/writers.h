// Report files of a contract run: JUnit XML (CI systems), CTRF JSON (results.summary counts
// equal the console's summary line) and one self-contained HTML page (no scripts, no external
// resources; every piece of message text escaped).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "contract/run/result.h"

namespace driftline::report {

// Text safe inside XML/HTML element content and attribute values: & < > " ' escaped, control
// characters other than tab/newline/CR and invalid UTF-8 replaced by U+FFFD.
std::string EscapeMarkup(std::string_view text);

std::string JunitXml(const contract::SuiteResult& suite);

// CTRF (https://ctrf.io) statuses: passed, failed, pending (WIP), other (errors).
nlohmann::json CtrfJson(const contract::SuiteResult& suite);

std::string HtmlReport(const contract::SuiteResult& suite);

// "2026-01-19T10:00:05.123Z"
std::string FormatIsoMillis(Clock::WallTime t);

// Writes junit.xml, ctrf.json and report.html into `dir` (created if needed). Returns the
// paths written, for the console. Errors: kUnavailable naming the file that could not be
// written.
Result<std::string> WriteReports(const contract::SuiteResult& suite,
                                 const std::filesystem::path& dir);

}  // namespace driftline::report
