// The messages of a contract: `components.messages` and every message a channel or operation
// refers to, each built once; payload and headers schemas inlined, correlationId parsed.
#include <algorithm>
#include <memory>

#include "contract/spec/asyncapi_loader.h"

namespace driftline::contract::asyncapi_loader {
namespace {

using nlohmann::json;

std::string LastToken(std::string_view pointer) {
  const std::size_t slash = pointer.rfind('/');
  auto tokens = SplitPointer(pointer.substr(slash == std::string_view::npos ? 0 : slash));
  if (!tokens || tokens->empty()) return std::string(pointer);
  return tokens->back();
}

// A schema member of a message, inlined. A multi-format schema object
// ({schemaFormat, schema}) gives its `schema`.
Result<json> SchemaAt(LoadState& state, const NodeRef& message, const char* member) {
  auto schema = state.docs.Inline(*message.doc, AppendPointer(message.pointer, member));
  if (!schema) return schema;
  if (schema->is_object() && schema->contains("schemaFormat") && schema->contains("schema")) {
    const std::string format = (*schema)["schemaFormat"].is_string()
                                   ? (*schema)["schemaFormat"].get<std::string>()
                                   : std::string();
    if (format.find("avro") != std::string::npos || format.find("raml") != std::string::npos ||
        format.find("protobuf") != std::string::npos) {
      return tl::unexpected(message.Invalid(std::string(member) + " uses schemaFormat '" + format +
                                            "'; only JSON Schema / AsyncAPI schemas are "
                                            "supported"));
    }
    json inner = (*schema)["schema"];
    return inner;
  }
  return schema;
}

// The message's `correlationId` (after references): where its correlation id is.
Result<CorrelationIdLocation> CorrelationIdAt(LoadState& state, const NodeRef& message) {
  auto cid = state.docs.Follow(*message.doc, AppendPointer(message.pointer, "correlationId"));
  if (!cid) return tl::unexpected(cid.error());
  const std::string location = StringField(*cid->node, "location");
  auto parsed = ParseCorrelationIdLocation(location);
  if (!parsed) {
    return tl::unexpected((*cid).Invalid("correlationId location '" + location +
                                         "' is not '$message.header#/...' or "
                                         "'$message.payload#/...'"));
  }
  return std::move(*parsed);
}

// A new message from its (followed) node: names, content type, schemas, correlation id.
Result<std::unique_ptr<Message>> BuildMessage(LoadState& state, const NodeRef& node) {
  auto message = std::make_unique<Message>();
  message->key = node.Key();
  message->name = StringField(*node.node, "name");
  if (message->name.empty()) message->name = LastToken(node.pointer);
  message->title = StringField(*node.node, "title");
  message->content_type = StringField(*node.node, "contentType");
  message->where = node.Where();
  if (node.node->contains("payload")) {
    auto payload = SchemaAt(state, node, "payload");
    if (!payload) return tl::unexpected(payload.error());
    message->payload_schema = std::move(*payload);
  }
  if (node.node->contains("headers")) {
    auto headers = SchemaAt(state, node, "headers");
    if (!headers) return tl::unexpected(headers.error());
    message->headers_schema = std::move(*headers);
  }
  if (node.node->contains("correlationId")) {
    auto location = CorrelationIdAt(state, node);
    if (!location) return tl::unexpected(location.error());
    message->correlation_id = std::move(*location);
  }
  return message;
}

}  // namespace

Status LoadComponentMessages(LoadState& state) {
  const json* messages = FindAt(state.doc->root, "/components/messages");
  if (messages == nullptr) return Ok();
  if (!messages->is_object()) {
    return tl::unexpected((NodeRef{state.doc, "/components/messages", messages})
                              .Invalid("'components.messages' must be a mapping"));
  }
  for (auto it = messages->begin(); it != messages->end(); ++it) {
    auto m = MessageAt(state, *state.doc, AppendPointer("/components/messages", it.key()));
    if (!m) return tl::unexpected(m.error());
  }
  return Ok();
}

Result<const Message*> MessageAt(LoadState& state, const SourceDoc& doc,
                                 const std::string& pointer) {
  auto node = state.docs.Follow(doc, pointer);
  if (!node) return tl::unexpected(node.error());
  const std::string key = node->Key();
  if (auto it = state.messages_by_key.find(key); it != state.messages_by_key.end())
    return it->second;
  if (!node->node->is_object())
    return tl::unexpected((*node).Invalid("a message must be a mapping"));
  auto message = BuildMessage(state, *node);
  if (!message) return tl::unexpected(message.error());
  const Message* raw = message->get();
  state.messages_by_key[key] = raw;
  state.contract.messages.push_back(std::move(*message));
  return raw;
}

Result<std::vector<const Message*>> MessageRefs(LoadState& state, const NodeRef& owner,
                                                const std::string& member, const Channel& channel) {
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
    auto message = MessageAt(state, *owner.doc, item);
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

}  // namespace driftline::contract::asyncapi_loader
