// The AsyncAPI loader's parts, one per section of the document (private to asyncapi*.cc; other
// code uses asyncapi.h). Each part reads its section of the contract's root document into
// `LoadState::contract`; the order is the one LoadContract() follows: servers, component
// messages, channels (which refer to servers and messages), operations (which refer to
// channels and messages, and carry the retry and dead-letter routes).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "contract/spec/model.h"
#include "contract/spec/refs.h"

namespace driftline::contract::asyncapi_loader {

// One contract being loaded. Every server, channel and message is built once and found again
// by the key of the node it was built from (a `$ref` and its target give the same object).
struct LoadState {
  explicit LoadState(DocumentSet& documents) : docs(documents) {}

  DocumentSet& docs;
  const SourceDoc* doc = nullptr;  // the contract's root document
  Contract contract;
  std::map<std::string, const Server*> servers_by_key;
  std::map<std::string, const Message*> messages_by_key;
  std::map<std::string, const Channel*> channels_by_key;
};

// `name` of `node` when it is a string member of a mapping, else "".
std::string StringField(const nlohmann::json& node, const char* name);

// asyncapi_messages.cc: `components.messages`, and any message a channel or operation names.
Status LoadComponentMessages(LoadState& state);
// The message at (doc, pointer) after following references; built once per target.
Result<const Message*> MessageAt(LoadState& state, const SourceDoc& doc,
                                 const std::string& pointer);
// The list of message $refs at owner/member; each must be one of `channel`'s messages. The
// channel's messages when the member is absent.
Result<std::vector<const Message*>> MessageRefs(LoadState& state, const NodeRef& owner,
                                                const std::string& member, const Channel& channel);

// asyncapi_channels.cc: `servers` and `channels`.
Status LoadServers(LoadState& state);
Status LoadChannels(LoadState& state);
// `member` of `owner` must be a $ref to a channel.
Result<const Channel*> ChannelRef(LoadState& state, const NodeRef& owner,
                                  const std::string& member);

// asyncapi_operations.cc: `operations`, with their replies.
Status LoadOperations(LoadState& state);

// asyncapi_routes.cc: an operation's retry route (`x-specmatic-retry` or `retry`) and
// dead-letter route (`x-specmatic-dlq` or `deadLetter`).
Status LoadRetry(LoadState& state, const NodeRef& op_node, Operation& op);
Status LoadDeadLetter(LoadState& state, const NodeRef& op_node, Operation& op);

}  // namespace driftline::contract::asyncapi_loader
