// An operation's retry and dead-letter routes: the Specmatic extensions `x-specmatic-retry` /
// `x-specmatic-dlq`, or the keys proposed for AsyncAPI, `retry` / `deadLetter` (tagged
// strategies, ISO 8601 durations).
#include <optional>
#include <utility>

#include "contract/spec/asyncapi.h"
#include "contract/spec/asyncapi_loader.h"

namespace driftline::contract::asyncapi_loader {
namespace {

using nlohmann::json;

// A number of seconds from `seconds_key` (a number) or `duration_key` (an ISO 8601 duration
// such as PT1S, or a number of seconds); nullopt when neither is there.
Result<std::optional<double>> Seconds(const NodeRef& node, const std::string& seconds_key,
                                      const std::string& duration_key) {
  const json& n = *node.node;
  if (auto it = n.find(seconds_key); it != n.end()) {
    if (!it->is_number() || it->get<double>() < 0)
      return tl::unexpected(node.Invalid("'" + seconds_key + "' must be a non-negative number"));
    return std::optional<double>(it->get<double>());
  }
  if (auto it = n.find(duration_key); it != n.end()) {
    const json& value = *it;
    if (value.is_number() && value.get<double>() >= 0)
      return std::optional<double>(value.get<double>());
    const auto d = value.is_string() ? ParseIsoDuration(value.get<std::string>()) : std::nullopt;
    if (!d) {
      return tl::unexpected(
          node.Invalid("'" + duration_key + "' must be an ISO 8601 duration such as PT1S"));
    }
    return std::optional<double>(static_cast<double>(d->count()) / 1000.0);
  }
  return std::optional<double>();
}

// The strategy's type, from `type` or from the tag of the proposal's tagged form
// ({exponential: {initialDelay: PT1S, ...}}), and the node holding its parameters (`at`
// itself, or the tag's value).
Result<std::pair<RetryStrategy::Type, NodeRef>> StrategyType(const NodeRef& at) {
  NodeRef params = at;
  std::string type = StringField(*at.node, "type");
  if (type.empty()) {
    for (const char* tag : {"fixed", "linear", "exponential"}) {
      if (auto it = at.node->find(tag); it != at.node->end()) {
        if (!type.empty())
          return tl::unexpected(at.Invalid("retry 'strategy' names more than one strategy"));
        type = tag;
        params = NodeRef{at.doc, AppendPointer(at.pointer, tag), &*it};
      }
    }
  }
  if (!params.node->is_object())
    return tl::unexpected(params.Invalid("retry strategy parameters must be a mapping"));
  if (type == "exponential") return std::pair(RetryStrategy::Type::kExponential, params);
  if (type == "fixed") return std::pair(RetryStrategy::Type::kFixed, params);
  if (type == "linear") return std::pair(RetryStrategy::Type::kLinear, params);
  return tl::unexpected(
      at.Invalid("retry strategy type '" + type + "' is not one of fixed, linear, exponential"));
}

// The strategy's delays: initial (or `delay`), multiplier, increment, maximum.
Status LoadStrategyDelays(const NodeRef& params, RetryStrategy& s) {
  auto initial = Seconds(params, "initialDelaySeconds", "initialDelay");
  if (!initial) return tl::unexpected(initial.error());
  auto delay = Seconds(params, "delaySeconds", "delay");
  if (!delay) return tl::unexpected(delay.error());
  if (*initial) {
    s.initial_delay_seconds = **initial;
  } else if (*delay) {
    s.initial_delay_seconds = **delay;
  } else {
    return tl::unexpected(params.Invalid("retry strategy needs initialDelaySeconds (or delay)"));
  }
  if (auto it = params.node->find("multiplier"); it != params.node->end()) {
    if (!it->is_number() || it->get<double>() < 1)
      return tl::unexpected(params.Invalid("retry strategy 'multiplier' must be a number >= 1"));
    s.multiplier = it->get<double>();
  }
  auto increment = Seconds(params, "incrementSeconds", "increment");
  if (!increment) return tl::unexpected(increment.error());
  if (*increment) s.increment_seconds = **increment;
  auto max_delay = Seconds(params, "maxDelaySeconds", "maxDelay");
  if (!max_delay) return tl::unexpected(max_delay.error());
  if (*max_delay) s.max_delay_seconds = **max_delay;
  return Ok();
}

Result<RetryStrategy> Strategy(const NodeRef& at) {
  RetryStrategy s;
  if (!at.node->is_object())
    return tl::unexpected(at.Invalid("retry 'strategy' must be a mapping"));
  auto type = StrategyType(at);
  if (!type) return tl::unexpected(type.error());
  s.type = type->first;
  if (auto status = LoadStrategyDelays(type->second, s); !status)
    return tl::unexpected(status.error());
  return s;
}

// A retry or dead-letter route: the Specmatic extension `ext_key` or the proposed key, with
// its channel and messages. nullopt when the operation declares neither.
struct Route {
  NodeRef node;
  std::string member;
  const Channel* channel = nullptr;
  std::vector<const Message*> messages;
};

Result<std::optional<Route>> LoadRoute(LoadState& state, const NodeRef& op_node,
                                       const Operation& op, const std::string& ext_key,
                                       const std::string& proposed_key) {
  const bool ext = op_node.node->contains(ext_key);
  const bool proposed = op_node.node->contains(proposed_key);
  if (ext && proposed) {
    return tl::unexpected(op_node.Invalid("operation '" + op.id + "' declares both '" + ext_key +
                                          "' and '" + proposed_key + "'; keep one"));
  }
  if (!ext && !proposed) return std::optional<Route>();
  Route route;
  route.member = ext ? ext_key : proposed_key;
  auto node = state.docs.Follow(*op_node.doc, AppendPointer(op_node.pointer, route.member));
  if (!node) return tl::unexpected(node.error());
  if (!node->node->is_object())
    return tl::unexpected((*node).Invalid("'" + route.member + "' must be a mapping"));
  route.node = *node;
  auto channel = ChannelRef(state, route.node, "channel");
  if (!channel) return tl::unexpected(channel.error());
  route.channel = *channel;
  auto messages = MessageRefs(state, route.node, "messages", **channel);
  if (!messages) return tl::unexpected(messages.error());
  route.messages = std::move(*messages);
  return std::optional<Route>(std::move(route));
}

// A retry route's `maxAttempts`: a non-negative integer; nullopt when missing or not one.
std::optional<int> MaxAttempts(const json& route) {
  auto it = route.find("maxAttempts");
  if (it == route.end() || !it->is_number_integer()) return std::nullopt;
  const int max = it->get<int>();
  if (max < 0) return std::nullopt;
  return max;
}

}  // namespace

Status LoadRetry(LoadState& state, const NodeRef& op_node, Operation& op) {
  auto route = LoadRoute(state, op_node, op, "x-specmatic-retry", "retry");
  if (!route) return tl::unexpected(route.error());
  if (!*route) return Ok();
  const NodeRef& node = (*route)->node;
  RetryPath path;
  path.source = (*route)->member;
  path.channel = (*route)->channel;
  path.messages = (*route)->messages;
  const std::optional<int> max = MaxAttempts(*node.node);
  if (!max) {
    return tl::unexpected(
        node.Invalid("'" + path.source + "' needs maxAttempts, a non-negative integer"));
  }
  path.max_attempts = *max;
  if (node.node->contains("strategy")) {
    auto strategy_node = state.docs.Follow(*node.doc, AppendPointer(node.pointer, "strategy"));
    if (!strategy_node) return tl::unexpected(strategy_node.error());
    auto strategy = Strategy(*strategy_node);
    if (!strategy) return tl::unexpected(strategy.error());
    path.strategy = *strategy;
  }
  op.retry = std::move(path);
  return Ok();
}

Status LoadDeadLetter(LoadState& state, const NodeRef& op_node, Operation& op) {
  auto route = LoadRoute(state, op_node, op, "x-specmatic-dlq", "deadLetter");
  if (!route) return tl::unexpected(route.error());
  if (!*route) return Ok();
  DeadLetterPath path;
  path.source = (*route)->member;
  path.channel = (*route)->channel;
  path.messages = (*route)->messages;
  auto wait = Seconds((*route)->node, "waitTimeInSeconds", "waitTime");
  if (!wait) return tl::unexpected(wait.error());
  if (!*wait) {
    return tl::unexpected(
        ((*route)->node)
            .Invalid("'" + path.source + "' needs waitTimeInSeconds (or waitTime: PT15S)"));
  }
  path.wait_time = std::chrono::milliseconds(static_cast<std::int64_t>(**wait * 1000.0));
  op.dead_letter = std::move(path);
  return Ok();
}

}  // namespace driftline::contract::asyncapi_loader
