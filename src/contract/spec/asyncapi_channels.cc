// The servers and channels of a contract: each channel's address, servers (and so its
// protocol) and messages.
#include <memory>

#include "contract/spec/asyncapi_loader.h"

namespace driftline::contract::asyncapi_loader {
namespace {

using nlohmann::json;

// The servers a channel names (each a $ref to one under `servers`); every server of the
// contract when it names none.
Status LoadChannelServers(LoadState& state, const NodeRef& node, const std::string& id,
                          Channel& channel) {
  const json* servers = FindAt(*node.node, "/servers");
  if (servers == nullptr) {
    for (const auto& s : state.contract.servers)
      channel.servers.push_back(s.get());
    return Ok();
  }
  if (!servers->is_array())
    return tl::unexpected(node.Invalid("channel 'servers' must be a list of $refs"));
  for (std::size_t i = 0; i < servers->size(); ++i) {
    auto server_node =
        state.docs.Follow(*node.doc, AppendPointer(AppendPointer(node.pointer, "servers"), i));
    if (!server_node) return tl::unexpected(server_node.error());
    auto found = state.servers_by_key.find(server_node->Key());
    if (found == state.servers_by_key.end()) {
      return tl::unexpected((*server_node)
                                .Invalid("channel '" + id +
                                         "' refers to a server that is not "
                                         "under 'servers'"));
    }
    channel.servers.push_back(found->second);
  }
  return Ok();
}

// The protocol of the channel's servers, which must all speak the same one (kOther when it
// has none).
Status SetChannelProtocol(const NodeRef& node, const std::string& id, Channel& channel) {
  channel.protocol = Protocol::kOther;
  for (std::size_t i = 0; i < channel.servers.size(); ++i) {
    const Protocol p = channel.servers[i]->protocol;
    if (i == 0) {
      channel.protocol = p;
    } else if (p != channel.protocol) {
      return tl::unexpected(node.Invalid("channel '" + id +
                                         "' is on servers of different protocols; name "
                                         "one server for it"));
    }
  }
  return Ok();
}

// The channel's `messages` mapping, each built (or found) through MessageAt.
Status LoadChannelMessages(LoadState& state, const NodeRef& node, Channel& channel) {
  const json* messages = FindAt(*node.node, "/messages");
  if (messages == nullptr) return Ok();
  if (!messages->is_object())
    return tl::unexpected(node.Invalid("channel 'messages' must be a mapping"));
  for (auto m = messages->begin(); m != messages->end(); ++m) {
    auto message = MessageAt(state, *node.doc,
                             AppendPointer(AppendPointer(node.pointer, "messages"), m.key()));
    if (!message) return tl::unexpected(message.error());
    channel.messages.push_back(*message);
  }
  return Ok();
}

}  // namespace

Status LoadServers(LoadState& state) {
  const json* servers = FindAt(state.doc->root, "/servers");
  if (servers == nullptr) return Ok();
  if (!servers->is_object())
    return tl::unexpected(
        (NodeRef{state.doc, "/servers", servers}).Invalid("'servers' must be a mapping"));
  for (auto it = servers->begin(); it != servers->end(); ++it) {
    const std::string pointer = AppendPointer("/servers", it.key());
    auto node = state.docs.Follow(*state.doc, pointer);
    if (!node) return tl::unexpected(node.error());
    if (!node->node->is_object())
      return tl::unexpected((*node).Invalid("server '" + it.key() + "' must be a mapping"));
    auto server = std::make_unique<Server>();
    server->id = it.key();
    server->host = StringField(*node->node, "host");
    server->protocol_name = StringField(*node->node, "protocol");
    server->protocol = ProtocolFromName(server->protocol_name);
    state.servers_by_key[node->Key()] = server.get();
    state.servers_by_key[NodeRef{state.doc, pointer, nullptr}.Key()] = server.get();
    state.contract.servers.push_back(std::move(server));
  }
  return Ok();
}

Status LoadChannels(LoadState& state) {
  const json* channels = FindAt(state.doc->root, "/channels");
  if (channels == nullptr) return Ok();
  if (!channels->is_object()) {
    return tl::unexpected(
        (NodeRef{state.doc, "/channels", channels}).Invalid("'channels' must be a mapping"));
  }
  for (auto it = channels->begin(); it != channels->end(); ++it) {
    const std::string pointer = AppendPointer("/channels", it.key());
    auto node = state.docs.Follow(*state.doc, pointer);
    if (!node) return tl::unexpected(node.error());
    if (!node->node->is_object())
      return tl::unexpected((*node).Invalid("channel '" + it.key() + "' must be a mapping"));
    auto channel = std::make_unique<Channel>();
    channel->id = it.key();
    channel->address = StringField(*node->node, "address");
    if (channel->address.empty()) channel->address = it.key();
    channel->where = node->Where();
    if (auto s = LoadChannelServers(state, *node, it.key(), *channel); !s) return s;
    if (auto s = SetChannelProtocol(*node, it.key(), *channel); !s) return s;
    if (auto s = LoadChannelMessages(state, *node, *channel); !s) return s;
    state.channels_by_key[node->Key()] = channel.get();
    state.channels_by_key[NodeRef{state.doc, pointer, nullptr}.Key()] = channel.get();
    state.contract.channels.push_back(std::move(channel));
  }
  return Ok();
}

Result<const Channel*> ChannelRef(LoadState& state, const NodeRef& owner,
                                  const std::string& member) {
  const std::string pointer = AppendPointer(owner.pointer, member);
  if (FindAt(owner.doc->root, pointer) == nullptr)
    return tl::unexpected(owner.Invalid("missing '" + member + "' (a $ref to a channel)"));
  auto node = state.docs.Follow(*owner.doc, pointer);
  if (!node) return tl::unexpected(node.error());
  auto it = state.channels_by_key.find(node->Key());
  if (it == state.channels_by_key.end()) {
    return tl::unexpected(
        (NodeRef{owner.doc, pointer, nullptr})
            .Invalid("'" + member + "' does not refer to a channel under 'channels'"));
  }
  return it->second;
}

}  // namespace driftline::contract::asyncapi_loader
