#include "bridge/contract_input/contract_input.h"

#include <utility>

#include "common/settings.h"
#include "contract/spec/asyncapi.h"

namespace driftline::bridge {
namespace {

using nlohmann::json;

std::string FileName(const contract::Contract& c) {
  return std::filesystem::path(c.path).filename().string();
}

std::string Names(const std::vector<const contract::Message*>& messages) {
  std::string out;
  for (const contract::Message* m : messages)
    out += (out.empty() ? "" : ", ") + m->name;
  return out;
}

// "sendOrder (topic 'place-order-topic')"
std::string DescribeOperation(const contract::Operation& op) {
  return op.id + " (" + (op.channel != nullptr ? op.channel->Describe() : "no channel") + ")";
}

// One problem of the closest message, in words.
std::string Problem(const contract::Mismatch& m, const contract::Message& message) {
  static constexpr std::string_view kHeaders = "/headers/";
  if (m.pointer.starts_with(kHeaders) && m.actual == "(missing)") {
    return "header '" + m.pointer.substr(kHeaders.size()) + "' required by " + message.name +
           " is missing";
  }
  std::string out = m.pointer + ": " + m.message;
  if (m.actual != "(missing)") out += " (expected " + m.expected + ", actual " + m.actual + ")";
  return out;
}

}  // namespace

Result<const contract::Operation*> InputOperation(const contract::Contract& contract,
                                                  std::string_view main_topic) {
  std::vector<const contract::Operation*> on_topic;
  std::vector<const contract::Operation*> with_dead_letter;
  std::string receives;
  for (const auto& op : contract.operations) {
    if (op->action != contract::Operation::Action::kReceive) continue;
    receives += (receives.empty() ? "" : ", ") + DescribeOperation(*op);
    if (op->channel != nullptr && op->channel->address == main_topic) on_topic.push_back(op.get());
    if (op->dead_letter) with_dead_letter.push_back(op.get());
  }
  const std::string where = contract.path + ": ";
  if (on_topic.size() == 1) return on_topic.front();
  if (on_topic.size() > 1) {
    std::string ids;
    for (const contract::Operation* op : on_topic)
      ids += (ids.empty() ? "" : ", ") + op->id;
    return Fail(Code::kInvalidArgument, where + "several receive operations on topic '" +
                                            std::string(main_topic) + "' (KAFKA_TOPIC): " + ids +
                                            "; keep one");
  }
  if (with_dead_letter.size() == 1) return with_dead_letter.front();
  return Fail(Code::kInvalidArgument,
              where + "no receive operation on topic '" + std::string(main_topic) +
                  "' (KAFKA_TOPIC), and " +
                  (with_dead_letter.empty() ? std::string("none")
                                            : std::to_string(with_dead_letter.size())) +
                  " with a dead-letter route (x-specmatic-dlq / deadLetter) to use instead; "
                  "receive operations: " +
                  (receives.empty() ? std::string("none") : receives));
}

json HeadersAsJson(const kafka::Headers& headers) {
  json out = json::object();
  for (const kafka::Header& h : headers)
    out[h.key] = h.value ? json(*h.value) : json(nullptr);
  return out;
}

Result<std::shared_ptr<const ContractInputCheck>> ContractInputCheck::Load(
    const std::filesystem::path& path, std::string_view main_topic) {
  auto loaded = contract::LoadContract(path);
  if (!loaded) return tl::unexpected(std::move(loaded.error()));
  std::shared_ptr<ContractInputCheck> check(new ContractInputCheck());
  check->contract_ = std::make_unique<contract::Contract>(std::move(*loaded));
  auto schemas = contract::SchemaCatalog::Build(*check->contract_, /*strict=*/true);
  if (!schemas) return tl::unexpected(std::move(schemas.error()));
  check->schemas_ = std::make_unique<contract::SchemaCatalog>(std::move(*schemas));
  auto op = InputOperation(*check->contract_, main_topic);
  if (!op) return tl::unexpected(std::move(op.error()));
  if ((*op)->messages.empty()) {
    return Fail(Code::kInvalidArgument, (*op)->where + ": operation " + (*op)->id +
                                            " declares no message an order could conform to");
  }
  check->operation_ = *op;
  check->candidates_ = Names((*op)->messages);
  return std::shared_ptr<const ContractInputCheck>(std::move(check));
}

std::optional<order::Failure> ContractInputCheck::Check(const json& payload,
                                                        const kafka::Headers& headers) const {
  contract::ObservedMessage observed;
  observed.channel = operation_->channel;
  observed.payload = payload;
  observed.headers = HeadersAsJson(headers);
  const contract::MessageVerdict verdict =
      contract::CheckMessage(*schemas_, operation_->messages, nullptr, observed, {});
  if (verdict.schema_ok()) return std::nullopt;

  // Not conforming, the verdict names the closest message (Load() refused an operation with
  // none) and its problems.
  const contract::Message& closest = *verdict.message;
  std::string message =
      operation_->messages.size() == 1
          ? "the order does not conform to " + closest.name + ": "
          : "the order conforms to none of " + candidates_ + " (closest " + closest.name + "): ";
  const auto& problems = verdict.schema_mismatches;
  for (std::size_t i = 0; i < problems.size() && i < kMaxProblemsListed; ++i)
    message += (i == 0 ? "" : "; ") + Problem(problems[i], closest);
  if (problems.size() > kMaxProblemsListed)
    message += "; and " + std::to_string(problems.size() - kMaxProblemsListed) + " more";
  return order::Failure{false, std::string(kSchemaViolation), std::move(message),
                        "check against " + FileName(*contract_) + " operation " + operation_->id};
}

std::string ContractInputCheck::Describe() const {
  return FileName(*contract_) + " operation " + DescribeOperation(*operation_) + "; messages " +
         candidates_;
}

Status AttachContractInputCheck(BridgeConfig& config) {
  if (config.contract_path.empty()) return Ok();
  auto check = ContractInputCheck::Load(config.contract_path, config.main_topic);
  if (!check) {
    const Setting* setting = FindSetting(BridgeSettings(), "ORDER_CONTRACT");
    return Fail(check.error().code(),
                (setting != nullptr ? SettingName(*setting) : std::string("ORDER_CONTRACT")) +
                    ": " + check.error().message());
  }
  config.input_check = std::move(*check);
  return Ok();
}

}  // namespace driftline::bridge
