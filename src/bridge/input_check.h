// The seam through which order-service refuses input beyond what its transform needs: a check
// of every order consumed from the main topic, made after ParseOrder() accepted it (UTF-8, JSON,
// an object, a known orderType) and before Transform(). An order it refuses is dead-lettered at
// once (totalRetries 0) with the Failure it returns. Retry envelopes are never checked: their
// order passed the check on its way in.
//
// The bridge knows only this interface; the check against an AsyncAPI contract
// (ORDER_CONTRACT) is built outside it (bridge/contract_input), so the bridge does not depend on
// the contract rooms.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "kafka/message.h"
#include "order/order.h"

namespace driftline::bridge {

class InputCheck {
 public:
  virtual ~InputCheck() = default;

  // nullopt when the order is accepted; otherwise a permanent Failure whose reason tags the
  // dead letter (e.g. "schema-violation") and whose message says what is wrong and where.
  // `payload` is the order object ParseOrder() decoded, `headers` the record's. Called from
  // the main pipeline's thread; an implementation must not change any state it shares.
  virtual std::optional<order::Failure> Check(const nlohmann::json& payload,
                                              const kafka::Headers& headers) const = 0;

  // What orders are held to, for the start-up log.
  virtual std::string Describe() const = 0;
};

}  // namespace driftline::bridge
