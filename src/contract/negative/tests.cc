#include "contract/negative/tests.h"

namespace driftline::contract::negative {

Result<NegativeTests> PlanNegativeTests(const Contract& contract, const std::filesystem::path& file,
                                        const NegativeVariants& variants) {
  NegativeTests out;
  for (const NegativeVariant& v : variants.variants) {
    const Operation& op = *v.operation;
    if (!op.dead_letter) continue;  // never generated; kept out all the same
    auto example = std::make_unique<Example>();
    example->name = v.name;
    example->id = v.name;
    example->file = file;
    ExampleMessage receive;
    receive.role = Role::kReceive;
    receive.topic = v.channel->address;
    receive.headers = v.headers.is_object() ? v.headers : nlohmann::json::object();
    if (v.is_json()) {
      receive.payload = nlohmann::json::parse(v.payload, nullptr, false);
      if (receive.payload->is_discarded()) receive.payload.reset();
    }
    receive.pointer = "/receive";
    example->receive = std::move(receive);
    ExampleMessage dlq;
    dlq.role = Role::kDeadLetter;
    dlq.topic = op.dead_letter->channel->address;
    dlq.pointer = "/dlq";
    example->dlq = std::move(dlq);

    auto plan = PlanTest(contract, *example, /*require_correlation_id=*/false);
    if (!plan) {
      return Fail(Code::kInvalidArgument,
                  "negative test " + v.name + ": " + plan.error().message());
    }
    // The plan's id is the one the variant carries (a payload id is found by PlanTest in the
    // payload, a header id in the headers): they must agree.
    if (plan->correlation_id != v.correlation_id) {
      return Fail(Code::kInvalidArgument, "negative test " + v.name + ": correlation id '" +
                                              plan->correlation_id + "' found where '" +
                                              v.correlation_id + "' was put");
    }
    RawInput raw;
    raw.payload = v.payload;
    for (auto it = v.headers.begin(); it != v.headers.end(); ++it)
      raw.headers.emplace_back(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
    plan->raw_input = std::move(raw);
    plan->negative = true;
    out.plans.push_back(std::make_unique<TestPlan>(std::move(*plan)));
    out.examples.push_back(std::move(example));
  }
  // PlanTest stored the example's address: unique_ptr keeps it where it was.
  return out;
}

}  // namespace driftline::contract::negative
