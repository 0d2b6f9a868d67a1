// Reading contract-test's console output, and renaming channel addresses in contract copies.
#include "testkit/contract_output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testkit/contract_copy.h"

namespace driftline::testkit {
namespace {

using ::testing::ElementsAre;

// As report/console.cc prints it, progress lines and table around the block.
constexpr const char* kOutput =
    "[   7.20s] Retry_Scenario_Standard_Order: FAILED in 7.20 s: Timeout waiting\n"
    "\n"
    "Unsuccessful Scenarios:\n"
    "  Retry_Scenario_Standard_Order\n"
    "    Reason: Timeout waiting for a message on topic 'place-order-retry-topic'.\n"
    "            no retry envelope within 12.0 s\n"
    "  A scenario with spaces (error)\n"
    "    Reason: cannot publish\n"
    "\n"
    "+-------------------------+\n"
    "| Topic                   |\n"
    "\n"
    "Tests run: 6, Successes: 4, Failures: 1, WIP: 0, Errors: 1\n";

TEST(ContractOutputTest, ReadsTheSummaryAndTheUnsuccessfulBlock) {
  const ContractTestOutput out = ParseContractTestOutput(kOutput);
  EXPECT_EQ(out.summary, "Tests run: 6, Successes: 4, Failures: 1, WIP: 0, Errors: 1");
  ASSERT_EQ(out.unsuccessful.size(), 2u);
  EXPECT_EQ(out.unsuccessful[0].name, "Retry_Scenario_Standard_Order");
  EXPECT_FALSE(out.unsuccessful[0].error);
  EXPECT_THAT(out.unsuccessful[0].reasons,
              ElementsAre("Timeout waiting for a message on topic 'place-order-retry-topic'.",
                          "no retry envelope within 12.0 s"));
  EXPECT_EQ(out.unsuccessful[1].name, "A scenario with spaces");
  EXPECT_TRUE(out.unsuccessful[1].error);
  EXPECT_EQ(out.unsuccessful[1].ReasonText(), "cannot publish");
  EXPECT_THAT(out.UnsuccessfulNames(),
              ElementsAre("A scenario with spaces", "Retry_Scenario_Standard_Order"));
  EXPECT_NE(out.Find("A scenario with spaces"), nullptr);
  EXPECT_EQ(out.Find("Standard_Order_Kafka_SQS"), nullptr);
}

TEST(ContractOutputTest, APassingRunHasNoBlock) {
  const ContractTestOutput out =
      ParseContractTestOutput("Tests run: 6, Successes: 6, Failures: 0, WIP: 0, Errors: 0\n");
  EXPECT_TRUE(out.unsuccessful.empty());
  EXPECT_FALSE(ParseContractTestOutput("contract-test: cannot load\n").summary.has_value());
}

TEST(ContractCopyTest, RenamesWholeNamesOnly) {
  const std::map<std::string, std::string> names = {{"place-order-topic", "t-orders"},
                                                    {"place-order-retry-topic", "t-retry"},
                                                    {"place-order-queue", "t-queue"}};
  EXPECT_EQ(RenameWhole("address: place-order-topic\n", names), "address: t-orders\n");
  EXPECT_EQ(RenameWhole(R"({"topic": "place-order-retry-topic"})", names),
            R"({"topic": "t-retry"})");
  EXPECT_EQ(RenameWhole("place-order-queue", names), "t-queue");
  // Not whole: part of a longer name.
  EXPECT_EQ(RenameWhole("place-order-topic-2 my-place-order-topic place-order-topic.x", names),
            "place-order-topic-2 my-place-order-topic place-order-topic.x");
  EXPECT_EQ(RenameWhole("", names), "");
}

}  // namespace
}  // namespace driftline::testkit
