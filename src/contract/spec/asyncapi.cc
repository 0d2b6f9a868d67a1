#include "contract/spec/asyncapi.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <regex>

namespace driftline::contract {
namespace {

using nlohmann::json;

std::string LastToken(std::string_view pointer) {
  const std::size_t slash = pointer.rfind('/');
  auto tokens = SplitPointer(pointer.substr(slash == std::string_view::npos ? 0 : slash));
  if (!tokens || tokens->empty()) return std::string(pointer);
  return tokens->back();
}

std::string StringField(const json& node, const char* name) {
  if (!node.is_object()) return {};
  auto it = node.find(name);
  return (it != node.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

class Loader {
 public:
  explicit Loader(DocumentSet& docs) : docs_(docs) {}

  Result<Contract> Load(const std::filesystem::path& path) {
    auto loaded = docs_.Load(path);
    if (!loaded) return tl::unexpected(loaded.error());
    doc_ = *loaded;
    contract_.path = doc_->path.string();
    const NodeRef root{doc_, "", &doc_->root};
    if (!doc_->root.is_object())
      return tl::unexpected(root.Invalid("not an AsyncAPI document (expected a mapping)"));
    const json* version = FindAt(doc_->root, "/asyncapi");
    if (version == nullptr || !version->is_string()) {
      return tl::unexpected(
          root.Invalid("missing 'asyncapi' version (this runner reads AsyncAPI 3.x)"));
    }
    contract_.asyncapi_version = version->get<std::string>();
    if (contract_.asyncapi_version.rfind("3.", 0) != 0) {
      return tl::unexpected((NodeRef{doc_, "/asyncapi", version})
                                .Invalid("asyncapi '" + contract_.asyncapi_version +
                                         "' is not supported (AsyncAPI 3.x only)"));
    }
    if (const json* info = FindAt(doc_->root, "/info")) {
      contract_.title = StringField(*info, "title");
      contract_.version = StringField(*info, "version");
    }
    if (auto s = LoadServers(); !s) return tl::unexpected(s.error());
    if (auto s = LoadComponentMessages(); !s) return tl::unexpected(s.error());
    if (auto s = LoadChannels(); !s) return tl::unexpected(s.error());
    if (auto s = LoadOperations(); !s) return tl::unexpected(s.error());
    return std::move(contract_);
  }

 private:
  Status LoadServers() {
    const json* servers = FindAt(doc_->root, "/servers");
    if (servers == nullptr) return Ok();
    if (!servers->is_object())
      return tl::unexpected(
          (NodeRef{doc_, "/servers", servers}).Invalid("'servers' must be a mapping"));
    for (auto it = servers->begin(); it != servers->end(); ++it) {
      const std::string pointer = AppendPointer("/servers", it.key());
      auto node = docs_.Follow(*doc_, pointer);
      if (!node) return tl::unexpected(node.error());
      if (!node->node->is_object())
        return tl::unexpected((*node).Invalid("server '" + it.key() + "' must be a mapping"));
      auto server = std::make_unique<Server>();
      server->id = it.key();
      server->host = StringField(*node->node, "host");
      server->protocol_name = StringField(*node->node, "protocol");
      server->protocol = ProtocolFromName(server->protocol_name);
      servers_by_key_[node->Key()] = server.get();
      servers_by_key_[NodeRef{doc_, pointer, nullptr}.Key()] = server.get();
      contract_.servers.push_back(std::move(server));
    }
    return Ok();
  }

  Status LoadComponentMessages() {
    const json* messages = FindAt(doc_->root, "/components/messages");
    if (messages == nullptr) return Ok();
    if (!messages->is_object()) {
      return tl::unexpected((NodeRef{doc_, "/components/messages", messages})
                                .Invalid("'components.messages' must be a mapping"));
    }
    for (auto it = messages->begin(); it != messages->end(); ++it) {
      auto m = MessageAt(*doc_, AppendPointer("/components/messages", it.key()));
      if (!m) return tl::unexpected(m.error());
    }
    return Ok();
  }

  // The message at (doc, pointer) after following references; built once per target.
  Result<const Message*> MessageAt(const SourceDoc& doc, const std::string& pointer) {
    auto node = docs_.Follow(doc, pointer);
    if (!node) return tl::unexpected(node.error());
    const std::string key = node->Key();
    if (auto it = messages_by_key_.find(key); it != messages_by_key_.end()) return it->second;
    if (!node->node->is_object())
      return tl::unexpected((*node).Invalid("a message must be a mapping"));
    auto message = std::make_unique<Message>();
    message->key = key;
    message->name = StringField(*node->node, "name");
    if (message->name.empty()) message->name = LastToken(node->pointer);
    message->title = StringField(*node->node, "title");
    message->content_type = StringField(*node->node, "contentType");
    message->where = node->Where();
    if (node->node->contains("payload")) {
      auto payload = SchemaAt(*node, "payload");
      if (!payload) return tl::unexpected(payload.error());
      message->payload_schema = std::move(*payload);
    }
    if (node->node->contains("headers")) {
      auto headers = SchemaAt(*node, "headers");
      if (!headers) return tl::unexpected(headers.error());
      message->headers_schema = std::move(*headers);
    }
    if (node->node->contains("correlationId")) {
      auto cid = docs_.Follow(*node->doc, AppendPointer(node->pointer, "correlationId"));
      if (!cid) return tl::unexpected(cid.error());
      const std::string location = StringField(*cid->node, "location");
      auto parsed = ParseCorrelationIdLocation(location);
      if (!parsed) {
        return tl::unexpected((*cid).Invalid("correlationId location '" + location +
                                             "' is not '$message.header#/...' or "
                                             "'$message.payload#/...'"));
      }
      message->correlation_id = std::move(*parsed);
    }
    const Message* raw = message.get();
    messages_by_key_[key] = raw;
    contract_.messages.push_back(std::move(message));
    return raw;
  }

  // A schema member of a message, inlined. A multi-format schema object
  // ({schemaFormat, schema}) gives its `schema`.
  Result<json> SchemaAt(const NodeRef& message, const char* member) {
    auto schema = docs_.Inline(*message.doc, AppendPointer(message.pointer, member));
    if (!schema) return schema;
    if (schema->is_object() && schema->contains("schemaFormat") && schema->contains("schema")) {
      const std::string format = (*schema)["schemaFormat"].is_string()
                                     ? (*schema)["schemaFormat"].get<std::string>()
                                     : std::string();
      if (format.find("avro") != std::string::npos || format.find("raml") != std::string::npos ||
          format.find("protobuf") != std::string::npos) {
        return tl::unexpected(message.Invalid(std::string(member) + " uses schemaFormat '" +
                                              format +
                                              "'; only JSON Schema / AsyncAPI schemas are "
                                              "supported"));
      }
      json inner = (*schema)["schema"];
      return inner;
    }
    return schema;
  }

  Status LoadChannels() {
    const json* channels = FindAt(doc_->root, "/channels");
    if (channels == nullptr) return Ok();
    if (!channels->is_object()) {
      return tl::unexpected(
          (NodeRef{doc_, "/channels", channels}).Invalid("'channels' must be a mapping"));
    }
    for (auto it = channels->begin(); it != channels->end(); ++it) {
      const std::string pointer = AppendPointer("/channels", it.key());
      auto node = docs_.Follow(*doc_, pointer);
      if (!node) return tl::unexpected(node.error());
      if (!node->node->is_object())
        return tl::unexpected((*node).Invalid("channel '" + it.key() + "' must be a mapping"));
      auto channel = std::make_unique<Channel>();
      channel->id = it.key();
      channel->address = StringField(*node->node, "address");
      if (channel->address.empty()) channel->address = it.key();
      channel->where = node->Where();
      if (const json* servers = FindAt(*node->node, "/servers")) {
        if (!servers->is_array())
          return tl::unexpected((*node).Invalid("channel 'servers' must be a list of $refs"));
        for (std::size_t i = 0; i < servers->size(); ++i) {
          auto server_node =
              docs_.Follow(*node->doc, AppendPointer(AppendPointer(node->pointer, "servers"), i));
          if (!server_node) return tl::unexpected(server_node.error());
          auto found = servers_by_key_.find(server_node->Key());
          if (found == servers_by_key_.end()) {
            return tl::unexpected((*server_node)
                                      .Invalid("channel '" + it.key() +
                                               "' refers to a server that is not "
                                               "under 'servers'"));
          }
          channel->servers.push_back(found->second);
        }
      } else {
        for (const auto& s : contract_.servers)
          channel->servers.push_back(s.get());
      }
      channel->protocol = Protocol::kOther;
      for (std::size_t i = 0; i < channel->servers.size(); ++i) {
        const Protocol p = channel->servers[i]->protocol;
        if (i == 0) {
          channel->protocol = p;
        } else if (p != channel->protocol) {
          return tl::unexpected((*node).Invalid("channel '" + it.key() +
                                                "' is on servers of different protocols; name "
                                                "one server for it"));
        }
      }
      if (const json* messages = FindAt(*node->node, "/messages")) {
        if (!messages->is_object())
          return tl::unexpected((*node).Invalid("channel 'messages' must be a mapping"));
        for (auto m = messages->begin(); m != messages->end(); ++m) {
          auto message = MessageAt(
              *node->doc, AppendPointer(AppendPointer(node->pointer, "messages"), m.key()));
          if (!message) return tl::unexpected(message.error());
          channel->messages.push_back(*message);
        }
      }
      channels_by_key_[node->Key()] = channel.get();
      channels_by_key_[NodeRef{doc_, pointer, nullptr}.Key()] = channel.get();
      contract_.channels.push_back(std::move(channel));
    }
    return Ok();
  }

  // `member` of `owner` must be a $ref to a channel.
  Result<const Channel*> ChannelRef(const NodeRef& owner, const std::string& member) {
    const std::string pointer = AppendPointer(owner.pointer, member);
    if (FindAt(owner.doc->root, pointer) == nullptr)
      return tl::unexpected(owner.Invalid("missing '" + member + "' (a $ref to a channel)"));
    auto node = docs_.Follow(*owner.doc, pointer);
    if (!node) return tl::unexpected(node.error());
    auto it = channels_by_key_.find(node->Key());
    if (it == channels_by_key_.end()) {
      return tl::unexpected(
          (NodeRef{owner.doc, pointer, nullptr})
              .Invalid("'" + member + "' does not refer to a channel under 'channels'"));
    }
    return it->second;
  }

  // The list of message $refs at owner/member; each must be one of `channel`'s messages.
  Result<std::vector<const Message*>> MessageRefs(const NodeRef& owner, const std::string& member,
                                                  const Channel& channel) {
    const std::string pointer = AppendPointer(owner.pointer, member);
    const json* list = FindAt(owner.doc->root, pointer);
    if (list == nullptr) return channel.messages;
    if (!list->is_array())
      return tl::unexpected((NodeRef{owner.doc, pointer, list})
                                .Invalid("'" + member +
                                         "' must be a list of "
                                         "message $refs"));
    std::vector<const Message*> out;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string item = AppendPointer(pointer, i);
      auto message = MessageAt(*owner.doc, item);
      if (!message) return tl::unexpected(message.error());
      if (std::find(channel.messages.begin(), channel.messages.end(), *message) ==
          channel.messages.end()) {
        return tl::unexpected((NodeRef{owner.doc, item, nullptr})
                                  .Invalid("message '" + (*message)->name +
                                           "' is not a message of channel '" + channel.id + "'"));
      }
      out.push_back(*message);
    }
    return out;
  }

  Status LoadOperations() {
    const json* operations = FindAt(doc_->root, "/operations");
    if (operations == nullptr) return Ok();
    if (!operations->is_object()) {
      return tl::unexpected(
          (NodeRef{doc_, "/operations", operations}).Invalid("'operations' must be a mapping"));
    }
    for (auto it = operations->begin(); it != operations->end(); ++it) {
      auto node = docs_.Follow(*doc_, AppendPointer("/operations", it.key()));
      if (!node) return tl::unexpected(node.error());
      if (!node->node->is_object())
        return tl::unexpected((*node).Invalid("operation '" + it.key() + "' must be a mapping"));
      auto op = std::make_unique<Operation>();
      op->id = it.key();
      op->where = node->Where();
      const std::string action = StringField(*node->node, "action");
      if (action == "send") {
        op->action = Operation::Action::kSend;
      } else if (action == "receive") {
        op->action = Operation::Action::kReceive;
      } else {
        return tl::unexpected((*node).Invalid("operation '" + it.key() + "': action '" + action +
                                              "' must be 'send' or 'receive'"));
      }
      auto channel = ChannelRef(*node, "channel");
      if (!channel) return tl::unexpected(channel.error());
      op->channel = *channel;
      auto messages = MessageRefs(*node, "messages", **channel);
      if (!messages) return tl::unexpected(messages.error());
      op->messages = std::move(*messages);
      if (node->node->contains("reply")) {
        auto reply_node = docs_.Follow(*node->doc, AppendPointer(node->pointer, "reply"));
        if (!reply_node) return tl::unexpected(reply_node.error());
        auto reply_channel = ChannelRef(*reply_node, "channel");
        if (!reply_channel) return tl::unexpected(reply_channel.error());
        auto reply_messages = MessageRefs(*reply_node, "messages", **reply_channel);
        if (!reply_messages) return tl::unexpected(reply_messages.error());
        op->reply = Reply{*reply_channel, std::move(*reply_messages)};
      }
      if (auto s = LoadRetry(*node, *op); !s) return s;
      if (auto s = LoadDeadLetter(*node, *op); !s) return s;
      contract_.operations.push_back(std::move(op));
    }
    return Ok();
  }

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
      if (it->is_number() && it->get<double>() >= 0)
        return std::optional<double>(it->get<double>());
      const auto d = it->is_string() ? ParseIsoDuration(it->get<std::string>()) : std::nullopt;
      if (!d) {
        return tl::unexpected(
            node.Invalid("'" + duration_key + "' must be an ISO 8601 duration such as PT1S"));
      }
      return std::optional<double>(static_cast<double>(d->count()) / 1000.0);
    }
    return std::optional<double>();
  }

  Result<RetryStrategy> Strategy(const NodeRef& at) {
    RetryStrategy s;
    if (!at.node->is_object())
      return tl::unexpected(at.Invalid("retry 'strategy' must be a mapping"));
    NodeRef params = at;
    std::string type = StringField(*at.node, "type");
    if (type.empty()) {
      // Tagged form of the AsyncAPI proposal: {exponential: {initialDelay: PT1S, ...}}.
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
    if (type == "exponential") {
      s.type = RetryStrategy::Type::kExponential;
    } else if (type == "fixed") {
      s.type = RetryStrategy::Type::kFixed;
    } else if (type == "linear") {
      s.type = RetryStrategy::Type::kLinear;
    } else {
      return tl::unexpected(at.Invalid("retry strategy type '" + type +
                                       "' is not one of fixed, linear, exponential"));
    }
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
  Result<std::optional<Route>> LoadRoute(const NodeRef& op_node, const Operation& op,
                                         const std::string& ext_key,
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
    auto node = docs_.Follow(*op_node.doc, AppendPointer(op_node.pointer, route.member));
    if (!node) return tl::unexpected(node.error());
    if (!node->node->is_object())
      return tl::unexpected((*node).Invalid("'" + route.member + "' must be a mapping"));
    route.node = *node;
    auto channel = ChannelRef(route.node, "channel");
    if (!channel) return tl::unexpected(channel.error());
    route.channel = *channel;
    auto messages = MessageRefs(route.node, "messages", **channel);
    if (!messages) return tl::unexpected(messages.error());
    route.messages = std::move(*messages);
    return std::optional<Route>(std::move(route));
  }

  Status LoadRetry(const NodeRef& op_node, Operation& op) {
    auto route = LoadRoute(op_node, op, "x-specmatic-retry", "retry");
    if (!route) return tl::unexpected(route.error());
    if (!*route) return Ok();
    const NodeRef& node = (*route)->node;
    RetryPath path;
    path.source = (*route)->member;
    path.channel = (*route)->channel;
    path.messages = (*route)->messages;
    auto max = node.node->find("maxAttempts");
    if (max == node.node->end() || !max->is_number_integer() || max->get<int>() < 0) {
      return tl::unexpected(
          node.Invalid("'" + path.source + "' needs maxAttempts, a non-negative integer"));
    }
    path.max_attempts = max->get<int>();
    if (node.node->contains("strategy")) {
      auto strategy_node = docs_.Follow(*node.doc, AppendPointer(node.pointer, "strategy"));
      if (!strategy_node) return tl::unexpected(strategy_node.error());
      auto strategy = Strategy(*strategy_node);
      if (!strategy) return tl::unexpected(strategy.error());
      path.strategy = *strategy;
    }
    op.retry = std::move(path);
    return Ok();
  }

  Status LoadDeadLetter(const NodeRef& op_node, Operation& op) {
    auto route = LoadRoute(op_node, op, "x-specmatic-dlq", "deadLetter");
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

  DocumentSet& docs_;
  const SourceDoc* doc_ = nullptr;
  Contract contract_;
  std::map<std::string, const Server*> servers_by_key_;
  std::map<std::string, const Message*> messages_by_key_;
  std::map<std::string, const Channel*> channels_by_key_;
};

}  // namespace

std::optional<std::chrono::milliseconds> ParseIsoDuration(std::string_view text) {
  static const std::regex kDuration(
      "PT(?:([0-9]+(?:\\.[0-9]+)?)H)?(?:([0-9]+(?:\\.[0-9]+)?)M)?(?:([0-9]+(?:\\.[0-9]+)?)S)?");
  std::cmatch m;
  if (text.size() <= 2 || !std::regex_match(text.begin(), text.end(), m, kDuration))
    return std::nullopt;
  double seconds = 0;
  const double scale[] = {3600, 60, 1};
  for (int i = 0; i < 3; ++i) {
    const auto& g = m[static_cast<std::size_t>(i + 1)];
    if (!g.matched) continue;
    // strtod, not stod: a 400-digit value must be rejected, not thrown.
    const double v = std::strtod(g.str().c_str(), nullptr);
    if (!std::isfinite(v) || v > 1e7) return std::nullopt;
    seconds += v * scale[i];
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0 + 0.5));
}

Result<Contract> LoadContract(const std::filesystem::path& path, DocumentSet& docs) {
  return GuardMalformed(path, [&] {
    Loader loader(docs);
    return loader.Load(path);
  });
}

Result<Contract> LoadContract(const std::filesystem::path& path) {
  DocumentSet docs;
  return LoadContract(path, docs);
}

}  // namespace driftline::contract
