// The operations of a contract: action, channel, messages, reply, and the retry and
// dead-letter routes (asyncapi_routes.cc).
#include <memory>

#include "contract/spec/asyncapi_loader.h"

namespace driftline::contract::asyncapi_loader {
namespace {

using nlohmann::json;

Status SetAction(const NodeRef& node, Operation& op) {
  const std::string action = StringField(*node.node, "action");
  if (action == "send") {
    op.action = Operation::Action::kSend;
  } else if (action == "receive") {
    op.action = Operation::Action::kReceive;
  } else {
    return tl::unexpected(node.Invalid("operation '" + op.id + "': action '" + action +
                                       "' must be 'send' or 'receive'"));
  }
  return Ok();
}

// The operation's `reply`, when it has one: its channel and messages.
Status LoadReply(LoadState& state, const NodeRef& node, Operation& op) {
  if (!node.node->contains("reply")) return Ok();
  auto reply_node = state.docs.Follow(*node.doc, AppendPointer(node.pointer, "reply"));
  if (!reply_node) return tl::unexpected(reply_node.error());
  auto reply_channel = ChannelRef(state, *reply_node, "channel");
  if (!reply_channel) return tl::unexpected(reply_channel.error());
  auto reply_messages = MessageRefs(state, *reply_node, "messages", **reply_channel);
  if (!reply_messages) return tl::unexpected(reply_messages.error());
  op.reply = Reply{*reply_channel, std::move(*reply_messages)};
  return Ok();
}

}  // namespace

Status LoadOperations(LoadState& state) {
  const json* operations = FindAt(state.doc->root, "/operations");
  if (operations == nullptr) return Ok();
  if (!operations->is_object()) {
    return tl::unexpected(
        (NodeRef{state.doc, "/operations", operations}).Invalid("'operations' must be a mapping"));
  }
  for (auto it = operations->begin(); it != operations->end(); ++it) {
    auto node = state.docs.Follow(*state.doc, AppendPointer("/operations", it.key()));
    if (!node) return tl::unexpected(node.error());
    if (!node->node->is_object())
      return tl::unexpected((*node).Invalid("operation '" + it.key() + "' must be a mapping"));
    auto op = std::make_unique<Operation>();
    op->id = it.key();
    op->where = node->Where();
    if (auto s = SetAction(*node, *op); !s) return s;
    auto channel = ChannelRef(state, *node, "channel");
    if (!channel) return tl::unexpected(channel.error());
    op->channel = *channel;
    auto messages = MessageRefs(state, *node, "messages", **channel);
    if (!messages) return tl::unexpected(messages.error());
    op->messages = std::move(*messages);
    if (auto s = LoadReply(state, *node, *op); !s) return s;
    if (auto s = LoadRetry(state, *node, *op); !s) return s;
    if (auto s = LoadDeadLetter(state, *node, *op); !s) return s;
    state.contract.operations.push_back(std::move(op));
  }
  return Ok();
}

}  // namespace driftline::contract::asyncapi_loader
