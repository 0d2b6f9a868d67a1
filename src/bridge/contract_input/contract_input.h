// order-service's input held to an AsyncAPI contract (ORDER_CONTRACT): the bridge's InputCheck
// built from the contract's receive operation for the service's input topic.
//
// An order conforms when its payload and its headers both conform to one and the same message
// of that operation, by the contract's schemas compiled strictly (`required` and
// `additionalProperties` kept; `format` date-time, date and time checked), exactly as
// contract-test checks messages (contract/check). Kafka header values are text: the headers
// are checked as a JSON object of strings (a null value as null; a repeated name by its last
// value).
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bridge/config.h"
#include "bridge/input_check.h"
#include "common/status.h"
#include "contract/check/check.h"
#include "contract/spec/model.h"

namespace driftline::bridge {

// The dead letters' reason for an order the contract refuses.
inline constexpr std::string_view kSchemaViolation = "schema-violation";

// The problems a refusal lists at most; the rest are counted ("and 2 more").
inline constexpr std::size_t kMaxProblemsListed = 3;

// The receive operation whose channel address is `main_topic`; when there is none, the only
// receive operation with a dead-letter route (x-specmatic-dlq / deadLetter), for a contract
// whose addresses differ from the topics the service was given. Errors (kInvalidArgument) name
// the contract's file and the topic: no such operation, several receive operations on the
// topic, or no topic match and not exactly one receive operation with a dead-letter route.
Result<const contract::Operation*> InputOperation(const contract::Contract& contract,
                                                  std::string_view main_topic);

// A Kafka record's headers as the contract's headers schemas see them.
nlohmann::json HeadersAsJson(const kafka::Headers& headers);

class ContractInputCheck final : public InputCheck {
 public:
  // Loads `path` with contract/spec's loader, compiles its schemas strictly and picks the
  // operation (InputOperation()). Errors: the loader's (kNotFound for a missing file, otherwise
  // kInvalidArgument naming file:line), a schema that does not compile (file:line), or
  // InputOperation()'s.
  static Result<std::shared_ptr<const ContractInputCheck>> Load(const std::filesystem::path& path,
                                                                std::string_view main_topic);

  // Refused: Failure{retryable false, reason "schema-violation", message, where}. The message
  // names the operation's messages, the one that came closest and its first problems, each
  // with its JSON pointer ("/payload/customerId: required member 'customerId' is missing");
  // a required header that is absent reads "header 'CorrelationId' required by
  // PlaceOrderMessage is missing".
  std::optional<order::Failure> Check(const nlohmann::json& payload,
                                      const kafka::Headers& headers) const override;

  // "order-service-sqs-kafka.yaml operation sendOrder (topic 'place-order-topic'; messages
  // PlaceOrderMessage, PriorityPlaceOrderMessage, BulkPlaceOrderMessage)", for the start-up log.
  std::string Describe() const override;

  const contract::Operation& operation() const { return *operation_; }

 private:
  ContractInputCheck() = default;

  // Heap-allocated so the model's pointers (operation_, the catalog's keys) stay valid.
  std::unique_ptr<contract::Contract> contract_;
  std::unique_ptr<contract::SchemaCatalog> schemas_;
  const contract::Operation* operation_ = nullptr;
  std::string candidates_;  // "A, B, C"
};

// Sets config.input_check to ContractInputCheck::Load(config.contract_path, config.main_topic)
// when the path is set; leaves the configuration alone when it is empty (the lab's checks only).
// Errors: Load()'s, prefixed with the setting ("ORDER_CONTRACT (--contract): ").
Status AttachContractInputCheck(BridgeConfig& config);

}  // namespace driftline::bridge
