// Generated negative variants as tests the runner runs: one TestPlan per variant, publishing the
// variant's bytes as they are and expecting exactly one dead letter, valid against the
// dead-letter channel's messages, with totalRetries 0 where the dead letter carries it, no retry
// envelope and no reply (contract/run's engine, TestPlan::negative).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "contract/negative/negative.h"
#include "contract/run/plan.h"
#include "contract/spec/example.h"
#include "contract/spec/model.h"

namespace driftline::contract::negative {

struct NegativeTests {
  // Each plan's example: the variant's name, the contract's file, a receive block (topic,
  // headers, the payload when it is JSON) and a dlq block that expects any payload.
  std::vector<std::unique_ptr<Example>> examples;
  // Stable addresses: TestCase points at them. A variant that removes or breaks the correlation
  // id itself has an empty correlation_id: the runner runs it alone, after the others, and gives
  // it what no other test of the run can claim.
  std::vector<std::unique_ptr<TestPlan>> plans;
};

// The tests of `variants` (generated from `contract`, whose file is `file`). Errors
// (kInvalidArgument): a variant that fits no operation (cannot happen for variants of this
// contract; reported rather than assumed).
Result<NegativeTests> PlanNegativeTests(const Contract& contract, const std::filesystem::path& file,
                                        const NegativeVariants& variants);

}  // namespace driftline::contract::negative
