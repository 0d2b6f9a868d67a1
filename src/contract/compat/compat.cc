// The contract level of the comparison: channels, operations, their messages and routes. The
// schemas are compared in schema_diff.cc, the findings kept in findings.cc, formatted in
// format.cc.
#include "contract/compat/compat.h"

#include <cmath>
#include <map>
#include <memory>
#include <set>

#include "contract/compat/findings.h"
#include "contract/compat/schema_diff.h"
#include "contract/spec/asyncapi.h"

namespace driftline::contract::compat {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// One loaded version: the documents stay alive, so that every NodeRef into them stays valid.
struct Version {
  DocumentSet docs;
  Contract contract;
  const SourceDoc* root = nullptr;
};

Result<std::unique_ptr<Version>> LoadVersion(const fs::path& path) {
  auto version = std::make_unique<Version>();
  auto contract = LoadContract(path, version->docs);
  if (!contract) return tl::unexpected(contract.error());
  version->contract = std::move(*contract);
  auto root = version->docs.Load(path);  // already loaded: the same document
  if (!root) return tl::unexpected(root.error());
  version->root = *root;
  return version;
}

// How a channel is used by a version's operations: the plain contexts (kSent / kReceived) and
// whether it carries a retry or dead-letter route.
struct Usage {
  unsigned plain = 0;
  bool route = false;

  // The context to judge a change of the channel in; an unused channel concerns everyone.
  unsigned Context() const {
    if (plain != 0) return plain;
    return route ? (kSent | kReceived | kRoute) : (kSent | kReceived);
  }
  bool RouteOnly() const { return plain == 0 && route; }
};

unsigned MessagesContext(const Operation& op) {
  return op.action == Operation::Action::kReceive ? kReceived : kSent;
}
// A reply travels the other way from the operation's messages.
unsigned ReplyContext(const Operation& op) {
  return op.action == Operation::Action::kReceive ? kSent : kReceived;
}

std::map<const Channel*, Usage> UsageOf(const Contract& contract) {
  std::map<const Channel*, Usage> usage;
  for (const auto& op : contract.operations) {
    usage[op->channel].plain |= MessagesContext(*op);
    if (op->reply) usage[op->reply->channel].plain |= ReplyContext(*op);
    if (op->retry) usage[op->retry->channel].route = true;
    if (op->dead_letter) usage[op->dead_letter->channel].route = true;
  }
  return usage;
}

// "2", "0.5": a whole number without its ".0".
std::string Number(double v) {
  json j = v;
  if (std::abs(v) < 1e15 && v == std::trunc(v)) j = static_cast<long long>(v);
  return j.dump();
}

std::string Quote(const std::string& s) {
  return "'" + s + "'";
}

std::string CorrelationText(const std::optional<CorrelationIdLocation>& c) {
  return c ? c->expression : std::string("absent");
}

class ContractComparer {
 public:
  ContractComparer(Version& o, Version& n, FindingSet& out)
      : old_(o),
        new_(n),
        out_(out),
        old_usage_(UsageOf(o.contract)),
        new_usage_(UsageOf(n.contract)) {}

  void Run() {
    CompareChannels();
    CompareOperations();
  }

 private:
  // --- locations ---

  // The node at `pointer` of a version's root document, `$ref`s followed; the unfollowed
  // pointer when it cannot be followed (never for a loaded contract).
  static NodeRef Node(Version& v, const std::string& pointer) {
    auto followed = v.docs.Follow(*v.root, pointer);
    if (followed) return *followed;
    return NodeRef{v.root, pointer, FindAt(v.root->root, pointer)};
  }
  static NodeRef Member(Version& v, const NodeRef& at, const std::string& member) {
    const std::string pointer = AppendPointer(at.pointer, member);
    const json* node = at.doc != nullptr ? FindAt(at.doc->root, pointer) : nullptr;
    if (node == nullptr) return at;  // where it would be
    auto followed = v.docs.Follow(*at.doc, pointer);
    if (followed) return *followed;
    return NodeRef{at.doc, pointer, node};
  }
  // `member` of `at` as written (a scalar, or a `$ref` not to follow); `at` when absent.
  static NodeRef Field(const NodeRef& at, const std::string& member) {
    const std::string pointer = AppendPointer(at.pointer, member);
    const json* node = at.doc != nullptr ? FindAt(at.doc->root, pointer) : nullptr;
    return node == nullptr ? at : NodeRef{at.doc, pointer, node};
  }
  static NodeRef ChannelNode(Version& v, const Channel& c) {
    return Node(v, AppendPointer("/channels", c.id));
  }
  static NodeRef OperationNode(Version& v, const Operation& op) {
    return Node(v, AppendPointer("/operations", op.id));
  }
  // A message's own node: its key is "file#pointer" of the followed node.
  static NodeRef MessageNode(Version& v, const Message& m) {
    const std::size_t hash = m.key.find('#');
    const std::string file = m.key.substr(0, hash);
    const std::string pointer = hash == std::string::npos ? "" : m.key.substr(hash + 1);
    auto doc = v.docs.Load(file);
    if (!doc) return NodeRef{v.root, "", &v.root->root};
    return NodeRef{*doc, pointer, FindAt((*doc)->root, pointer)};
  }
  // A message's payload or headers schema; a multi-format schema object gives its `schema`.
  static NodeRef SchemaNode(Version& v, const Message& m, const char* member) {
    const NodeRef message = MessageNode(v, m);
    const std::string pointer = AppendPointer(message.pointer, member);
    const json* node = message.node != nullptr ? FindAt(message.doc->root, pointer) : nullptr;
    if (node == nullptr) return NodeRef{message.doc, pointer, nullptr};
    NodeRef at = Member(v, message, member);
    if (at.node != nullptr && at.node->is_object() && at.node->contains("schemaFormat") &&
        at.node->contains("schema")) {
      return NodeRef{at.doc, AppendPointer(at.pointer, "schema"), &(*at.node)["schema"]};
    }
    return at;
  }

  // --- channels ---

  const Channel* NewChannelById(const std::string& id) const {
    for (const auto& c : new_.contract.channels)
      if (c->id == id) return c.get();
    return nullptr;
  }
  const Channel* NewChannelByAddress(const std::string& address,
                                     const std::set<const Channel*>& taken) const {
    for (const auto& c : new_.contract.channels)
      if (c->address == address && taken.count(c.get()) == 0) return c.get();
    return nullptr;
  }

  void CompareChannels() {
    std::set<const Channel*> matched;
    for (const auto& c : old_.contract.channels)
      if (const Channel* n = NewChannelById(c->id)) matched.insert(n);
    for (const auto& c : old_.contract.channels) {
      const Usage usage = old_usage_[c.get()];
      const NodeRef old_at = ChannelNode(old_, *c);
      const Channel* n = NewChannelById(c->id);
      if (n == nullptr && (n = NewChannelByAddress(c->address, matched)) != nullptr) {
        matched.insert(n);
        if (!usage.RouteOnly()) {  // a route's channel id is the route's business
          out_.Add("channel-renamed", old_at, ChannelNode(new_, *n), c->id, n->id,
                   "channel " + Quote(c->id) + " renamed to " + Quote(n->id) +
                       " (same address): operations, examples and code naming it break",
                   true, true, usage.Context());
        }
      }
      if (n == nullptr) {
        if (usage.RouteOnly()) continue;  // reported with the route
        out_.Add("channel-removed", old_at, Node(new_, "/channels"), c->id, "absent",
                 "channel " + Quote(c->id) + " (" + c->Describe() + ") removed", true, true,
                 usage.Context());
        continue;
      }
      if (c->address != n->address) {
        out_.Add("channel-address-changed", Field(old_at, "address"),
                 Field(ChannelNode(new_, *n), "address"), c->address, n->address,
                 "channel " + Quote(c->id) + " moves from " + Quote(c->address) + " to " +
                     Quote(n->address) + ": whoever reads or writes the old address loses it",
                 true, true, usage.Context());
      }
    }
    for (const auto& n : new_.contract.channels) {
      if (matched.count(n.get()) != 0 || new_usage_[n.get()].RouteOnly()) continue;
      out_.Add("channel-added", Node(old_, "/channels"), ChannelNode(new_, *n), "absent", n->id,
               "channel " + Quote(n->id) + " (" + n->Describe() + ") added", false, false,
               new_usage_[n.get()].Context());
    }
  }

  // --- operations ---

  void CompareOperations() {
    std::set<const Operation*> matched;
    std::map<const Operation*, const Operation*> pairs;
    for (const auto& o : old_.contract.operations) {
      for (const auto& n : new_.contract.operations) {
        if (n->id == o->id) {
          pairs[o.get()] = n.get();
          matched.insert(n.get());
        }
      }
    }
    for (const auto& o : old_.contract.operations) {
      const NodeRef old_at = OperationNode(old_, *o);
      const unsigned context = kSent | kReceived;
      if (pairs.count(o.get()) == 0) {
        // Renamed: an unmatched operation of the same action on the same address.
        for (const auto& n : new_.contract.operations) {
          if (matched.count(n.get()) == 0 && n->action == o->action &&
              n->channel->address == o->channel->address) {
            pairs[o.get()] = n.get();
            matched.insert(n.get());
            out_.Add("operation-renamed", old_at, OperationNode(new_, *n), o->id, n->id,
                     "operation " + Quote(o->id) + " renamed to " + Quote(n->id) +
                         ": examples, tests and code naming it break",
                     true, true, context);
            break;
          }
        }
      }
      auto pair = pairs.find(o.get());
      if (pair == pairs.end()) {
        out_.Add("operation-removed", old_at, Node(new_, "/operations"), o->id, "absent",
                 "operation " + Quote(o->id) + " removed: its messages are no longer " +
                     (o->action == Operation::Action::kReceive ? "received" : "sent"),
                 true, true, context);
        continue;
      }
      CompareOperation(*o, *pair->second);
    }
    for (const auto& n : new_.contract.operations) {
      if (matched.count(n.get()) != 0) continue;
      out_.Add("operation-added", Node(old_, "/operations"), OperationNode(new_, *n), "absent",
               n->id, "operation " + Quote(n->id) + " added", false, false, kSent | kReceived);
    }
  }

  // `member` ("channel") of old/new: a different channel with a different address.
  void CompareChannelSwitch(const std::string& rule, const std::string& what, const NodeRef& o_at,
                            const NodeRef& n_at, const Channel& o, const Channel& n,
                            unsigned context) {
    if (o.id == n.id || o.address == n.address) return;
    out_.Add(rule, Field(o_at, "channel"), Field(n_at, "channel"), o.address, n.address,
             what + " moves from " + Quote(o.address) + " to " + Quote(n.address) +
                 ": whoever reads or writes the old address loses it",
             true, true, context);
  }

  void CompareOperation(const Operation& o, const Operation& n) {
    const NodeRef o_at = OperationNode(old_, o);
    const NodeRef n_at = OperationNode(new_, n);
    if (o.action != n.action) {
      auto name = [](const Operation& op) {
        return std::string(op.action == Operation::Action::kReceive ? "receive" : "send");
      };
      out_.Add("operation-action-changed", Field(o_at, "action"), Field(n_at, "action"), name(o),
               name(n),
               "operation " + Quote(o.id) + " turns from " + name(o) + " to " + name(n) +
                   ": every party of its channel is on the wrong side",
               true, true, kSent | kReceived);
      return;  // its messages cannot be judged from a single side
    }
    const unsigned context = MessagesContext(o);
    CompareChannelSwitch("operation-channel-changed", "operation " + Quote(o.id), o_at, n_at,
                         *o.channel, *n.channel, context);
    CompareMessageLists(o.messages, n.messages, o_at, n_at, context);

    const unsigned reply_context = ReplyContext(o);
    if (o.reply && !n.reply) {
      out_.Add(
          "reply-removed", Member(old_, o_at, "reply"), n_at, o.reply->channel->address, "absent",
          "operation " + Quote(o.id) + " no longer replies on " + Quote(o.reply->channel->address),
          true, true, reply_context);
    } else if (!o.reply && n.reply) {
      out_.Add("reply-added", o_at, Member(new_, n_at, "reply"), "absent",
               n.reply->channel->address,
               "operation " + Quote(o.id) + " now replies on " + Quote(n.reply->channel->address),
               false, false, reply_context);
    } else if (o.reply && n.reply) {
      const NodeRef o_reply = Member(old_, o_at, "reply");
      const NodeRef n_reply = Member(new_, n_at, "reply");
      CompareChannelSwitch("reply-channel-changed", "the reply of " + Quote(o.id), o_reply, n_reply,
                           *o.reply->channel, *n.reply->channel, reply_context);
      CompareMessageLists(o.reply->messages, n.reply->messages, o_reply, n_reply, reply_context);
    }
    CompareRetry(o, n, o_at, n_at);
    CompareDeadLetter(o, n, o_at, n_at);
  }

  // --- routes ---

  void CompareRetry(const Operation& o, const Operation& n, const NodeRef& o_at,
                    const NodeRef& n_at) {
    const unsigned behaviour = kSent | kReceived | kRoute;
    if (!o.retry && !n.retry) return;
    if (!o.retry || !n.retry) {
      const bool added = !o.retry;
      out_.Add(
          added ? "retry-added" : "retry-removed",
          added ? o_at : Member(old_, o_at, o.retry->source),
          added ? Member(new_, n_at, n.retry->source) : n_at,
          added ? "absent" : "maxAttempts " + std::to_string(o.retry->max_attempts),
          added ? "maxAttempts " + std::to_string(n.retry->max_attempts) : "absent",
          added ? "operation " + Quote(o.id) + " now retries a failed message before dead-lettering"
                : "operation " + Quote(o.id) +
                      " no longer retries: a failure goes straight to "
                      "the dead letter (or nowhere)",
          true, true, behaviour);
      return;
    }
    const RetryPath& or_ = *o.retry;
    const RetryPath& nr = *n.retry;
    const NodeRef o_route = Member(old_, o_at, or_.source);
    const NodeRef n_route = Member(new_, n_at, nr.source);
    if (or_.max_attempts != nr.max_attempts) {
      out_.Add("retry-max-attempts", Field(o_route, "maxAttempts"), Field(n_route, "maxAttempts"),
               std::to_string(or_.max_attempts), std::to_string(nr.max_attempts),
               "operation " + Quote(o.id) + " retries " + std::to_string(nr.max_attempts) +
                   " times instead of " + std::to_string(or_.max_attempts) + ": anyone expecting " +
                   std::to_string(or_.max_attempts) +
                   " retry messages (and their delays) before the dead letter sees another count",
               true, true, behaviour);
    }
    CompareStrategy(o, or_, nr, o_route, n_route);
    CompareChannelSwitch("retry-channel", "the retry route of " + Quote(o.id), o_route, n_route,
                         *or_.channel, *nr.channel, behaviour);
    CompareMessageLists(or_.messages, nr.messages, o_route, n_route, kSent | kRoute);
  }

  // The node of a strategy figure: the first of `names` present in the strategy (or its tagged
  // parameters), else the strategy itself.
  NodeRef StrategyField(Version& v, const NodeRef& route,
                        std::initializer_list<const char*> names) {
    const NodeRef strategy = Member(v, route, "strategy");
    if (strategy.node == nullptr || strategy.pointer == route.pointer) return route;
    std::vector<NodeRef> scopes{strategy};
    for (const char* tag : {"fixed", "linear", "exponential"})
      if (strategy.node->contains(tag)) scopes.push_back(Member(v, strategy, tag));
    for (const NodeRef& scope : scopes)
      for (const char* name : names)
        if (scope.node != nullptr && scope.node->is_object() && scope.node->contains(name))
          return Member(v, scope, name);
    return strategy;
  }

  void CompareStrategy(const Operation& o, const RetryPath& or_, const RetryPath& nr,
                       const NodeRef& o_route, const NodeRef& n_route) {
    const RetryStrategy& os = or_.strategy;
    const RetryStrategy& ns = nr.strategy;
    auto report = [&](std::initializer_list<const char*> names, const std::string& figure,
                      const std::string& old_value, const std::string& new_value) {
      if (old_value == new_value) return;
      out_.Add("retry-strategy", StrategyField(old_, o_route, names),
               StrategyField(new_, n_route, names), old_value, new_value,
               "operation " + Quote(o.id) + ": retry " + figure + " " + old_value + " -> " +
                   new_value + "; the retry messages come at other times",
               true, true, kSent | kReceived | kRoute);
    };
    report({"type"}, "strategy", std::string(RetryStrategyTypeName(os.type)),
           std::string(RetryStrategyTypeName(ns.type)));
    report({"initialDelaySeconds", "initialDelay", "delaySeconds", "delay"}, "initial delay (s)",
           Number(os.initial_delay_seconds), Number(ns.initial_delay_seconds));
    report({"multiplier"}, "multiplier", Number(os.multiplier), Number(ns.multiplier));
    report({"incrementSeconds", "increment"}, "increment (s)", Number(os.increment_seconds),
           Number(ns.increment_seconds));
    report({"maxDelaySeconds", "maxDelay"}, "maximum delay (s)", Number(os.max_delay_seconds),
           Number(ns.max_delay_seconds));
  }

  void CompareDeadLetter(const Operation& o, const Operation& n, const NodeRef& o_at,
                         const NodeRef& n_at) {
    const unsigned behaviour = kSent | kReceived | kRoute;
    if (!o.dead_letter && !n.dead_letter) return;
    if (!o.dead_letter || !n.dead_letter) {
      const bool added = !o.dead_letter;
      out_.Add(added ? "dlq-added" : "dlq-removed",
               added ? o_at : Member(old_, o_at, o.dead_letter->source),
               added ? Member(new_, n_at, n.dead_letter->source) : n_at,
               added ? "absent" : o.dead_letter->channel->address,
               added ? n.dead_letter->channel->address : "absent",
               added ? "operation " + Quote(o.id) + " now dead-letters what it gives up on"
                     : "operation " + Quote(o.id) + " no longer dead-letters what it gives up on",
               true, true, behaviour);
      return;
    }
    const DeadLetterPath& od = *o.dead_letter;
    const DeadLetterPath& nd = *n.dead_letter;
    const NodeRef o_route = Member(old_, o_at, od.source);
    const NodeRef n_route = Member(new_, n_at, nd.source);
    if (od.wait_time != nd.wait_time) {
      auto seconds = [](std::chrono::milliseconds ms) {
        return Number(static_cast<double>(ms.count()) / 1000.0);
      };
      auto field = [](const NodeRef& route) {
        NodeRef at = Field(route, "waitTimeInSeconds");
        return at.pointer == route.pointer ? Field(route, "waitTime") : at;
      };
      out_.Add("dlq-wait-time", field(o_route), field(n_route), seconds(od.wait_time),
               seconds(nd.wait_time),
               "operation " + Quote(o.id) + ": dead-letter wait " + seconds(od.wait_time) +
                   " s -> " + seconds(nd.wait_time) + " s",
               true, true, behaviour);
    }
    CompareChannelSwitch("dlq-channel", "the dead-letter route of " + Quote(o.id), o_route, n_route,
                         *od.channel, *nd.channel, behaviour);
    CompareMessageLists(od.messages, nd.messages, o_route, n_route, kSent | kRoute);
  }

  // --- messages ---

  static std::string ComponentName(const Message& m) {
    const std::size_t slash = m.key.rfind('/');
    return slash == std::string::npos ? m.key : m.key.substr(slash + 1);
  }

  // Two lists of messages (an operation's, a reply's, a route's) at `o_owner` / `n_owner`.
  // Messages pair by name, then by the key they are declared under (a renamed message).
  void CompareMessageLists(const std::vector<const Message*>& olds,
                           const std::vector<const Message*>& news, const NodeRef& o_owner,
                           const NodeRef& n_owner, unsigned context) {
    std::map<const Message*, const Message*> pairs;
    std::set<const Message*> taken;
    for (const Message* o : olds)
      for (const Message* n : news)
        if (taken.count(n) == 0 && o->name == n->name) {
          pairs[o] = n;
          taken.insert(n);
          break;
        }
    for (const Message* o : olds) {
      if (pairs.count(o) != 0) continue;
      for (const Message* n : news)
        if (taken.count(n) == 0 && ComponentName(*o) == ComponentName(*n)) {
          pairs[o] = n;
          taken.insert(n);
          out_.Add("message-renamed", MessageNode(old_, *o), MessageNode(new_, *n), o->name,
                   n->name,
                   "message " + Quote(o->name) + " renamed to " + Quote(n->name) +
                       ": examples and code naming it break",
                   true, true, context);
          break;
        }
    }
    const bool sent = (context & kSent) != 0;
    for (const Message* o : olds) {
      auto pair = pairs.find(o);
      if (pair == pairs.end()) {
        out_.Add("message-removed", MessageNode(old_, *o), Member(new_, n_owner, "messages"),
                 o->name, "absent",
                 "message " + Quote(o->name) + " removed: " +
                     (sent ? "consumers waiting for it never get it"
                           : "producers sending it are refused"),
                 true, true, context);
        continue;
      }
      CompareMessage(*o, *pair->second, context);
    }
    for (const Message* n : news) {
      if (taken.count(n) != 0) continue;
      out_.Add("message-added", Member(old_, o_owner, "messages"), MessageNode(new_, *n), "absent",
               n->name,
               "message " + Quote(n->name) + " added: " +
                   (sent ? "consumers may receive a message they do not handle"
                         : "producers may send it as well"),
               true, false, context);
    }
  }

  void CompareMessage(const Message& o, const Message& n, unsigned context) {
    const NodeRef o_at = MessageNode(old_, o);
    const NodeRef n_at = MessageNode(new_, n);
    if (o.content_type != n.content_type) {
      out_.Add("content-type-changed", Field(o_at, "contentType"), Field(n_at, "contentType"),
               o.content_type.empty() ? "absent" : o.content_type,
               n.content_type.empty() ? "absent" : n.content_type,
               "message " + Quote(o.name) +
                   ": content type changes; the other side decodes it "
                   "differently",
               true, true, context);
    }
    if (o.correlation_id != n.correlation_id) {
      out_.Add("correlation-id-changed", Member(old_, o_at, "correlationId"),
               Member(new_, n_at, "correlationId"), CorrelationText(o.correlation_id),
               CorrelationText(n.correlation_id),
               "message " + Quote(o.name) +
                   ": the correlation id moves; requests and replies no "
                   "longer match up",
               true, true, context);
    }
    CompareSchemas(SchemaPair{&old_.docs, &new_.docs, SchemaNode(old_, o, "payload"),
                              SchemaNode(new_, n, "payload")},
                   o.name + ".payload", false, context, out_);
    CompareSchemas(SchemaPair{&old_.docs, &new_.docs, SchemaNode(old_, o, "headers"),
                              SchemaNode(new_, n, "headers")},
                   o.name + ".headers", true, context, out_);
  }

  Version& old_;
  Version& new_;
  FindingSet& out_;
  std::map<const Channel*, Usage> old_usage_;
  std::map<const Channel*, Usage> new_usage_;
};

}  // namespace

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kBreaking:
      return "breaking";
    case Severity::kBehaviour:
      return "behaviour";
    case Severity::kInfo:
      return "info";
  }
  return "?";
}

std::string_view SideName(Side s) {
  switch (s) {
    case Side::kConsumer:
      return "consumer";
    case Side::kProducer:
      return "producer";
    case Side::kBoth:
      return "both";
  }
  return "?";
}

int CompatReport::Count(Severity s) const {
  int n = 0;
  for (const Finding& f : findings)
    if (f.severity == s) ++n;
  return n;
}

bool CompatReport::Breaking() const {
  return Count(Severity::kBreaking) > 0 || Count(Severity::kBehaviour) > 0;
}

Result<CompatReport> CompareContractFiles(const fs::path& old_path, const fs::path& new_path) {
  auto o = LoadVersion(old_path);
  if (!o) return tl::unexpected(o.error());
  auto n = LoadVersion(new_path);
  if (!n) return tl::unexpected(n.error());
  FindingSet findings((*o)->root->path.parent_path(), (*n)->root->path.parent_path());
  ContractComparer(**o, **n, findings).Run();
  CompatReport report;
  report.old_path = old_path.string();
  report.new_path = new_path.string();
  report.findings = findings.Findings();
  return report;
}

}  // namespace driftline::contract::compat
