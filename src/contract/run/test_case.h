// What the runner runs for one example: its plan with the contract's compiled schemas. The
// suite hands these out (Suite::Cases()), the runner takes them (Runner::Run()).
#pragma once

#include <nlohmann/json.hpp>

#include "contract/check/check.h"
#include "contract/run/plan.h"

namespace driftline::contract {

struct TestCase {
  const TestPlan* plan = nullptr;
  const SchemaCatalog* schemas = nullptr;
  const nlohmann::json* input_schema = nullptr;  // for turning matchers into values; may be null
};

}  // namespace driftline::contract
