// Negative variants planned as tests: what the runner publishes and what it expects.
#include "contract/negative/tests.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "contract/check/check.h"
#include "contract/spec/asyncapi.h"
#include "testkit/lab_files.h"

namespace driftline::contract::negative {
namespace planned_tests {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kLabContract = testkit::LabFilesFrom(DRIFTLINE_SOURCE_DIR).contract;

class NegativeTestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contract = LoadContract(kLabContract);
    ASSERT_TRUE(contract) << contract.error().message();
    contract_ = std::make_unique<Contract>(std::move(*contract));
    auto schemas = SchemaCatalog::Build(*contract_, true);
    ASSERT_TRUE(schemas) << schemas.error().message();
    schemas_ = std::make_unique<SchemaCatalog>(std::move(*schemas));
    auto variants = GenerateNegativeVariants(*contract_, *schemas_, {});
    ASSERT_TRUE(variants) << variants.error().message();
    variants_ = std::move(*variants);
  }

  std::unique_ptr<Contract> contract_;
  std::unique_ptr<SchemaCatalog> schemas_;
  NegativeVariants variants_;
};

TEST_F(NegativeTestsTest, EveryVariantWithACorrelationIdIsATest) {
  auto tests = PlanNegativeTests(*contract_, kLabContract, variants_);
  ASSERT_TRUE(tests) << tests.error().message();
  EXPECT_EQ(tests->plans.size(), variants_.variants.size());
  EXPECT_EQ(tests->plans.size(), tests->examples.size());
  std::set<std::string> ids;
  std::size_t i = 0;
  for (const NegativeVariant& v : variants_.variants) {
    ASSERT_LT(i, tests->plans.size());
    const TestPlan& plan = *tests->plans[i++];
    SCOPED_TRACE(v.name);
    EXPECT_EQ(plan.example->name, v.name);  // same order as the variants
    EXPECT_EQ(plan.example->file, kLabContract);
    EXPECT_TRUE(plan.negative);
    EXPECT_EQ(plan.operation, v.operation);
    EXPECT_EQ(plan.input, v.channel);
    EXPECT_EQ(plan.correlation_id, v.correlation_id);
    if (!v.correlation_id.empty()) {
      EXPECT_TRUE(ids.insert(plan.correlation_id).second) << "a correlation id used twice";
    }
    ASSERT_TRUE(plan.raw_input);
    EXPECT_EQ(plan.raw_input->payload, v.payload);  // the bytes as generated, not re-encoded
    EXPECT_FALSE(plan.raw_input->key);
    // Exactly one expectation: the dead letter, any payload the contract allows.
    ASSERT_EQ(plan.expectations.size(), 1u);
    EXPECT_EQ(plan.expectations[0].role, Role::kDeadLetter);
    EXPECT_EQ(plan.expectations[0].channel->address, "place-order-dlq-topic");
    EXPECT_FALSE(plan.expectations[0].expected->payload);
    // The reply and the retry channel are watched: a message there fails the test.
    std::set<std::string> watched;
    for (const Channel* c : plan.watched)
      watched.insert(c->address);
    EXPECT_EQ(watched, (std::set<std::string>{"place-order-queue", "place-order-retry-topic",
                                              "place-order-dlq-topic"}));
  }
  EXPECT_EQ(i, tests->plans.size());
}

TEST_F(NegativeTestsTest, TheMissingCorrelationIdHeaderRunsWithoutAnId) {
  auto tests = PlanNegativeTests(*contract_, kLabContract, variants_);
  ASSERT_TRUE(tests) << tests.error().message();
  int without = 0;
  for (const auto& plan : tests->plans) {
    if (!plan->correlation_id.empty()) continue;
    ++without;
    EXPECT_THAT(plan->example->name, HasSubstr("headers.CorrelationId_missingHeader"));
    for (const auto& [name, value] : plan->raw_input->headers)
      EXPECT_NE(name, "CorrelationId");
    // Where the outputs carry an id is still known: for the messages of other tests.
    EXPECT_FALSE(plan->correlation_locations.empty());
  }
  EXPECT_EQ(without, 3);  // once per message of sendOrder
}

TEST_F(NegativeTestsTest, NonJsonVariantsKeepTheirBytes) {
  auto tests = PlanNegativeTests(*contract_, kLabContract, variants_);
  ASSERT_TRUE(tests) << tests.error().message();
  int raw = 0;
  for (const auto& plan : tests->plans) {
    if (plan->example->name.ends_with("_notJson") || plan->example->name.ends_with("_notUtf8")) {
      ++raw;
      EXPECT_FALSE(plan->example->receive->payload);
      EXPECT_FALSE(plan->raw_input->payload.empty());
    }
  }
  EXPECT_EQ(raw, 2);
}

}  // namespace planned_tests
}  // namespace driftline::contract::negative
