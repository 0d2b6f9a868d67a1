#include "contract/report/writers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sample_results.h"

namespace driftline::report {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

contract::SuiteResult WithHostilePayload() {
  contract::SuiteResult suite = testing::LabBaseline();
  contract::FlowEvent e;
  e.kind = contract::FlowEvent::Kind::kReceived;
  e.role = "send";
  e.channel = "queue 'place-order-queue'";
  e.payload = R"({"orderId":"<script>alert('x')</script>","bytes":"\u0001"})";
  e.headers = json{{"CorrelationId", "<b>c</b>"}};
  e.ok = false;
  e.mismatches.push_back({"/payload/orderId", "\"ORD-1\"", "\"<script>\"", "value differs & more"});
  suite.tests[3].flow.push_back(e);
  suite.tests[3].name = "Retry <DLQ> & \"quotes\"";
  suite.tests[3].checks.push_back(
      {"send: reply matches the example", false, "1 <message>", e.mismatches});
  return suite;
}

TEST(EscapeMarkupTest, EscapesAndCleans) {
  EXPECT_EQ(EscapeMarkup("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(EscapeMarkup(std::string("a\x01"
                                     "b")),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(EscapeMarkup(std::string("bad \xC3 utf8")), "bad \xEF\xBF\xBD utf8");
  EXPECT_EQ(EscapeMarkup("caf\xC3\xA9\n\t"), "caf\xC3\xA9\n\t");
}

TEST(JunitTest, CountsFailuresAndEscapes) {
  const std::string xml = JunitXml(WithHostilePayload());
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"contract-test\" tests=\"6\" failures=\"2\" "
                             "errors=\"0\" skipped=\"0\" time=\"7.850\""));
  EXPECT_THAT(xml, HasSubstr("<testcase name=\"Retry &lt;DLQ&gt; &amp; &quot;quotes&quot;\""));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"Timeout waiting for a message on topic "
                             "&#39;place-order-retry-topic&#39;.\""));
  // The hostile text is in the report, escaped; never as markup.
  EXPECT_THAT(xml, HasSubstr("(expected &quot;ORD-1&quot;, actual &quot;&lt;script&gt;&quot;)"));
  EXPECT_THAT(xml, HasSubstr("value differs &amp; more"));
  EXPECT_THAT(xml, Not(HasSubstr("<script>")));
  EXPECT_THAT(xml, Not(HasSubstr("<DLQ>")));
}

// CTRF is JSON: hostile text must stay inside its strings (quotes and control bytes escaped,
// the document still parses) and come back unchanged.
TEST(CtrfTest, HostileTextStaysInsideItsStrings) {
  contract::SuiteResult suite = WithHostilePayload();
  suite.tests[3].reasons = {"closing \"}], then <script>alert(1)</script>\x01"};
  const std::string text = CtrfJson(suite).dump(2, ' ', false, json::error_handler_t::replace);
  const json back = json::parse(text);  // throws on a broken document
  const json& test = back["results"]["tests"][3];
  EXPECT_EQ(test["name"], "Retry <DLQ> & \"quotes\"");
  EXPECT_EQ(test["message"], "closing \"}], then <script>alert(1)</script>\x01");
  EXPECT_EQ(test["extra"]["checks"].back()["mismatches"][0]["actual"], "\"<script>\"");
  EXPECT_EQ(back["results"]["tests"].size(), 6u);
  EXPECT_THAT(text, Not(HasSubstr("\x01")));  // control bytes only as \u0001
}

TEST(CtrfTest, SummaryEqualsTheConsoleCounts) {
  contract::SuiteResult suite = testing::LabBaseline();
  suite.tests[0].wip = true;
  suite.tests[1].outcome = contract::Outcome::kError;
  const json ctrf = CtrfJson(suite);
  const json& summary = ctrf["results"]["summary"];
  const contract::Counts c = suite.Tally();
  EXPECT_EQ(summary["tests"], c.run);
  EXPECT_EQ(summary["passed"], c.successes);
  EXPECT_EQ(summary["failed"], c.failures);
  EXPECT_EQ(summary["pending"], c.wip);
  EXPECT_EQ(summary["other"], c.errors);
  EXPECT_EQ(ctrf["results"]["tests"].size(), 6u);
  EXPECT_EQ(ctrf["results"]["tests"][0]["status"], "pending");
  EXPECT_EQ(ctrf["results"]["tests"][1]["status"], "other");
  EXPECT_EQ(ctrf["results"]["tests"][3]["status"], "failed");
  EXPECT_EQ(ctrf["results"]["tests"][3]["message"],
            "Timeout waiting for a message on topic 'place-order-retry-topic'.");
  EXPECT_EQ(ctrf["results"]["tool"]["name"], "contract-test");
  EXPECT_EQ(ctrf["results"]["extra"]["summaryLine"],
            "Tests run: 6, Successes: 2, Failures: 2, WIP: 1, Errors: 1");
}

TEST(HtmlTest, EscapesEveryPayloadAndShowsFlowChecksAndMismatches) {
  const std::string html = HtmlReport(WithHostilePayload());
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, Not(HasSubstr("<b>c</b>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("Retry &lt;DLQ&gt; &amp; &quot;quotes&quot;"));
  EXPECT_THAT(html, HasSubstr("/payload/orderId"));
  EXPECT_THAT(html, HasSubstr("value differs &amp; more"));
  EXPECT_THAT(html, HasSubstr("1 &lt;message&gt;"));
  EXPECT_THAT(html, HasSubstr("Tests run: 6, Successes: 4, Failures: 2, WIP: 0, Errors: 0"));
  EXPECT_THAT(html, HasSubstr("received send"));
  // Self-contained: no scripts, no external resources.
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
}

TEST(WriteReportsTest, WritesTheThreeFiles) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("report-test-" + std::to_string(::getpid()));
  auto written = WriteReports(testing::LabBaseline(), dir / "nested");
  ASSERT_TRUE(written) << written.error().message();
  for (const char* name : {"junit.xml", "ctrf.json", "report.html"})
    EXPECT_TRUE(std::filesystem::exists(dir / "nested" / name)) << name;
  std::ifstream in(dir / "nested" / "ctrf.json");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(json::parse(text.str())["results"]["summary"]["failed"], 2);
  std::filesystem::remove_all(dir);
}

TEST(FormatIsoMillisTest, Utc) {
  EXPECT_EQ(FormatIsoMillis(Clock::WallTime{} + std::chrono::milliseconds(86400123)),
            "1970-01-02T00:00:00.123Z");
}

}  // namespace
}  // namespace driftline::report
