#include "contract/report/console.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sample_results.h"

namespace driftline::report {
namespace {

using ::testing::HasSubstr;

// The lab's table, character for character (lab-facts.md).
constexpr const char* kLabTable =
    "+-------------------------+-------------------------+----------+\n"
    "| Topic                   | No of messages received            |\n"
    "+-------------------------+-------------------------+----------+\n"
    "|                         | Actual                  | Expected |\n"
    "+-------------------------+-------------------------+----------+\n"
    "| place-order-topic       | 6                       | 6        |\n"
    "| place-order-queue       | 4                       | 4        |\n"
    "| place-order-dlq-topic   | 2                       | 2        |\n"
    "| place-order-retry-topic | 2                       | 2        |\n"
    "+-------------------------+-------------------------+----------+\n";

TEST(ConsoleTest, TableMatchesTheLabGolden) {
  const std::vector<contract::ChannelCount> counts = {{"place-order-topic", 6, 6},
                                                      {"place-order-queue", 4, 4},
                                                      {"place-order-dlq-topic", 2, 2},
                                                      {"place-order-retry-topic", 2, 2}};
  EXPECT_EQ(FormatMessageCountTable(counts), kLabTable);
}

TEST(ConsoleTest, TableFirstColumnFollowsTheLongestName) {
  const std::string table = FormatMessageCountTable({{"a", 1, 1234567890}});
  EXPECT_EQ(table,
            "+-------+-------------------------+------------+\n"
            "| Topic | No of messages received              |\n"
            "+-------+-------------------------+------------+\n"
            "|       | Actual                  | Expected   |\n"
            "+-------+-------------------------+------------+\n"
            "| a     | 1                       | 1234567890 |\n"
            "+-------+-------------------------+------------+\n");
}

TEST(ConsoleTest, CountsComeFromTheResultsInOrderOfFirstUse) {
  const contract::SuiteResult suite = testing::LabBaseline();
  const auto counts = suite.MessageCounts();
  ASSERT_EQ(counts.size(), 4u);
  EXPECT_EQ(counts[0].channel, "place-order-topic");
  EXPECT_EQ(counts[1].channel, "place-order-queue");
  EXPECT_EQ(counts[2].channel, "place-order-dlq-topic");
  EXPECT_EQ(counts[3].channel, "place-order-retry-topic");
  EXPECT_EQ(FormatMessageCountTable(counts),
            "+-------------------------+-------------------------+----------+\n"
            "| Topic                   | No of messages received            |\n"
            "+-------------------------+-------------------------+----------+\n"
            "|                         | Actual                  | Expected |\n"
            "+-------------------------+-------------------------+----------+\n"
            "| place-order-topic       | 6                       | 6        |\n"
            "| place-order-queue       | 3                       | 4        |\n"
            "| place-order-dlq-topic   | 1                       | 2        |\n"
            "| place-order-retry-topic | 2                       | 2        |\n"
            "+-------------------------+-------------------------+----------+\n");
}

TEST(ConsoleTest, SummaryLine) {
  EXPECT_EQ(FormatSummaryLine(testing::LabBaseline().Tally()),
            "Tests run: 6, Successes: 4, Failures: 2, WIP: 0, Errors: 0");
  contract::Counts c;
  c.run = 3;
  c.successes = 1;
  c.wip = 1;
  c.errors = 1;
  EXPECT_EQ(FormatSummaryLine(c), "Tests run: 3, Successes: 1, Failures: 0, WIP: 1, Errors: 1");
}

TEST(ConsoleTest, UnsuccessfulScenariosWithReasons) {
  EXPECT_EQ(FormatUnsuccessful(testing::LabBaseline()),
            "Unsuccessful Scenarios:\n"
            "  Receive_Retry_DLQ_Scenario_Priority_Order\n"
            "    Reason: Timeout waiting for a message on topic 'place-order-retry-topic'.\n"
            "            retryCount 0 arrived at +0.9 s; the next retry was due within 1.0 s + "
            "grace 5.0 s\n"
            "  Retry_Scenario_Standard_Order\n"
            "    Reason: Timeout waiting for a message on topic 'place-order-retry-topic'.\n");
}

TEST(ConsoleTest, WipAndErrorsAreCountedApart) {
  contract::SuiteResult suite = testing::LabBaseline();
  suite.tests[0].wip = true;
  suite.tests[0].outcome = contract::Outcome::kFailed;
  suite.tests[1].outcome = contract::Outcome::kError;
  suite.tests[1].reasons = {"Could not publish"};
  const contract::Counts c = suite.Tally();
  EXPECT_EQ(c.run, 6);
  EXPECT_EQ(c.wip, 1);
  EXPECT_EQ(c.errors, 1);
  EXPECT_EQ(c.failures, 2);
  EXPECT_EQ(c.successes, 2);
  EXPECT_EQ(suite.ExitCode(), 1);
  const std::string text = FormatFinalReport(suite);
  EXPECT_THAT(text, HasSubstr("Priority_Order_Kafka_SQS (error)\n    Reason: Could not publish"));
  EXPECT_THAT(text, HasSubstr("WIP: Bulk_Order_SQS_Kafka failed"));
  EXPECT_THAT(text, HasSubstr("Tests run: 6, Successes: 2, Failures: 2, WIP: 1, Errors: 1\n"));
}

TEST(ConsoleTest, AllPassedHasNoUnsuccessfulBlockAndExitsZero) {
  contract::SuiteResult suite = testing::LabBaseline();
  suite.tests.erase(suite.tests.begin() + 3, suite.tests.begin() + 5);
  EXPECT_EQ(FormatUnsuccessful(suite), "");
  EXPECT_EQ(suite.ExitCode(), 0);
  EXPECT_THAT(FormatFinalReport(suite), Not(HasSubstr("Unsuccessful")));
}

}  // namespace
}  // namespace driftline::report
