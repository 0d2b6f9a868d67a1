#include "contract/mock/responder.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <utility>

#include "common/base64.h"
#include "common/uuid.h"
#include "contract/mock/pattern_sample.h"
#include "contract/run/plan.h"
#include "contract/spec/document.h"

namespace driftline::contract::mock {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// What "at once after" means for a message that follows another: 1 ms, so that the messages'
// own timestamps order the two strictly (a reader of two channels cannot rely on arrival order).
constexpr milliseconds kRightAfter{1};

// Replaces every "$match(pattern: ...)" in `value` by a string the pattern matches. Pointers
// (under `pointer`) of patterns with no such string are appended to `unmatched` when given; the
// matcher text is then left in place.
json SamplePatternMatchers(const json& value, const std::string& pointer,
                           std::vector<std::string>* unmatched) {
  if (value.is_object()) {
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it)
      out[it.key()] =
          SamplePatternMatchers(it.value(), AppendPointer(pointer, it.key()), unmatched);
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (std::size_t i = 0; i < value.size(); ++i)
      out.push_back(SamplePatternMatchers(value[i], AppendPointer(pointer, i), unmatched));
    return out;
  }
  auto matcher = ParseMatcher(value);
  if (!matcher || !*matcher || (*matcher)->kind != Matcher::Kind::kPattern) return value;
  if (auto sample = SampleMatching((*matcher)->argument)) return *sample;
  if (unmatched != nullptr)
    unmatched->push_back(pointer + ": no value found for " + (*matcher)->text);
  return value;
}

// An example block's value as the mock sends it: every matcher turned into a value that
// satisfies it, "(datetime)" being `at`.
json MaterializeOutputValue(const json& value, const json* schema, Clock::WallTime at) {
  return MaterializeForPublish(SamplePatternMatchers(value, "", nullptr), schema, at);
}

// Whether a payload of `schema` may carry member `name`: it declares it, or does not close the
// object (additionalProperties: false), at its top or in an allOf branch.
bool SchemaAllowsMember(const json* schema, const std::string& name) {
  if (schema == nullptr || !schema->is_object()) return true;
  bool declared = false;
  bool closed = false;
  auto visit = [&](const json& s) {
    if (!s.is_object()) return;
    if (auto p = s.find("properties"); p != s.end() && p->is_object() && p->contains(name))
      declared = true;
    if (auto a = s.find("additionalProperties"); a != s.end() && a->is_boolean() && !a->get<bool>())
      closed = true;
  };
  visit(*schema);
  if (auto all = schema->find("allOf"); all != schema->end() && all->is_array()) {
    for (const json& branch : *all)
      visit(branch);
  }
  return declared || !closed;
}

// Sets `value` at `pointer` in `root`, creating objects on the way (a null root becomes one).
// False when the path crosses something that is not an object.
bool SetAtPointer(json& root, const std::string& pointer, json value) {
  auto tokens = SplitPointer(pointer);
  if (!tokens || tokens->empty()) return false;
  json* node = &root;
  for (const std::string& token : *tokens) {
    if (node->is_null()) *node = json::object();
    if (!node->is_object()) return false;
    node = &(*node)[token];
  }
  *node = std::move(value);
  return true;
}

// Removes the member at `pointer` from `root`, if there is one.
void EraseAtPointer(json& root, const std::string& pointer) {
  auto tokens = SplitPointer(pointer);
  if (!tokens || tokens->empty()) return;
  json* node = &root;
  for (std::size_t i = 0; i + 1 < tokens->size(); ++i) {
    if (!node->is_object()) return;
    auto it = node->find((*tokens)[i]);
    if (it == node->end()) return;
    node = &*it;
  }
  if (node->is_object()) node->erase(tokens->back());
}

// Where an operation's input carries its correlation id: the locations its messages declare,
// else the CorrelationId header (PlanTest's rule for the trigger).
std::vector<CorrelationIdLocation> InputCorrelationLocations(const Operation& op) {
  std::vector<CorrelationIdLocation> out;
  for (const Message* m : op.messages) {
    if (m->correlation_id && std::find(out.begin(), out.end(), *m->correlation_id) == out.end())
      out.push_back(*m->correlation_id);
  }
  if (out.empty()) {
    out.push_back(CorrelationIdLocation{CorrelationIdLocation::Source::kHeader, "/CorrelationId",
                                        "$message.header#/CorrelationId"});
  }
  return out;
}

struct FoundCorrelationId {
  std::string id;
  std::optional<CorrelationIdLocation> where;
  bool generated = false;
};

FoundCorrelationId FindInputCorrelationId(const std::vector<CorrelationIdLocation>& locations,
                                          const ObservedMessage& input) {
  const json none;
  const json& payload = input.payload_is_json ? input.payload : none;
  for (const CorrelationIdLocation& loc : locations) {
    auto id = ExtractCorrelationId(input.headers, payload, {loc});
    if (id && !id->empty()) return FoundCorrelationId{*id, loc, false};
  }
  FoundCorrelationId found;
  found.id = NewUuid();
  found.generated = true;
  if (!locations.empty()) found.where = locations.front();
  return found;
}

// The declared message (of `candidates`) an example block describes: the first whose payload
// schema its materialized payload satisfies, else the one with the fewest violations.
const Message* DeclaredMessageOf(const SchemaCatalog& schemas,
                                 const std::vector<const Message*>& candidates,
                                 const ExampleMessage* block) {
  if (candidates.empty()) return nullptr;
  if (block == nullptr || !block->payload) return candidates.front();
  const Message* best = nullptr;
  std::size_t fewest = std::numeric_limits<std::size_t>::max();
  for (const Message* m : candidates) {
    const CompiledSchema* schema = schemas.Payload(m);
    if (schema == nullptr) return m;
    std::vector<Mismatch> mismatches;
    const json value = MaterializeOutputValue(*block->payload, &m->payload_schema, {});
    if (schema->Validate(value, "", mismatches)) return m;
    if (mismatches.size() < fewest) {
      fewest = mismatches.size();
      best = m;
    }
  }
  return best;
}

std::string ExampleKeyText(const json& key) {
  return key.is_string() ? key.get<std::string>() : key.dump();
}

std::string MessageNames(const std::vector<const Message*>& messages) {
  std::string names;
  for (const Message* m : messages)
    names += (names.empty() ? "" : ", ") + m->name;
  return names;
}

// One output from an example block (nullptr: nothing but the declared message to go by), due
// at `due`, carrying the correlation id.
PlannedOutput BuildPlannedOutput(Role role, const Channel* channel, const Message* message,
                                 const ExampleMessage* block, Clock::WallTime due,
                                 const ObservedMessage& input, const FoundCorrelationId& id) {
  PlannedOutput o;
  o.due = due;
  o.channel = channel;
  o.role = role;
  o.message = message;
  const json* schema = message != nullptr ? &message->payload_schema : nullptr;
  if (block != nullptr && block->payload) {
    o.payload = MaterializeOutputValue(*block->payload, schema, due);
  } else {
    o.generate_from = schema;
  }
  if (block != nullptr) {
    const json* headers_schema =
        message != nullptr && message->headers_schema ? &*message->headers_schema : nullptr;
    o.headers = MaterializeOutputValue(block->headers, headers_schema, due);
    if (!o.headers.is_object()) o.headers = json::object();
  }
  if (block != nullptr && block->key) {
    o.key = ExampleKeyText(MaterializeOutputValue(*block->key, nullptr, due));
  } else {
    o.key = input.key;
  }
  o.correlation_location =
      message != nullptr && message->correlation_id ? message->correlation_id : id.where;
  if (o.correlation_location)
    PlaceCorrelationId(*o.correlation_location, id.id, o.headers, o.payload);
  return o;
}

// Sets a payload member the contract counts (retryCount, totalRetries): in the payload when
// there is one, else among the overrides of the payload to generate; only where the schema
// allows it.
void SetCountedMember(PlannedOutput& o, const std::string& member, int value) {
  const json* schema = o.message != nullptr ? &o.message->payload_schema : nullptr;
  if (!SchemaAllowsMember(schema, member)) return;
  if (o.payload.is_object()) {
    o.payload[member] = value;
  } else if (o.payload.is_null()) {
    o.overrides[member] = value;
  }
}

const char* RoleText(Role role) {
  switch (role) {
    case Role::kReceive:
      return "receive";
    case Role::kReply:
      return "reply";
    case Role::kRetry:
      return "retry";
    case Role::kDeadLetter:
      return "dead letter";
  }
  return "message";
}

}  // namespace

// A receive operation, with what the suite's examples say about its inputs.
struct Responder::OperationInfo {
  // What the examples of one declared input message end in.
  struct Learned {
    const Message* reply = nullptr;  // the declared reply of the first example with a reply
    bool has_reply = false;
    bool has_dead_letter = false;
  };

  const Operation* op = nullptr;
  const SpecSuite* spec = nullptr;
  std::vector<CorrelationIdLocation> input_locations;
  std::map<const Message*, Learned> learned;
  // Examples whose dead letter gives a rejected input's its shape: without retries (nor a
  // reply), of input that is an object / that is not; else any example with a dead letter.
  const ExampleEntry* dead_letter_for_object = nullptr;
  const ExampleEntry* dead_letter_for_other = nullptr;
  const ExampleEntry* dead_letter_any = nullptr;
};

// One example the mock can match, with what it needs at decision time.
struct Responder::ExampleEntry {
  std::unique_ptr<Example> owned_example;  // an added example; nullptr for the suite's
  std::unique_ptr<TestPlan> owned_plan;
  const Example* example = nullptr;
  const TestPlan* plan = nullptr;
  const OperationInfo* op = nullptr;
  // The receive block without the correlation id: what an input must match.
  ExampleMessage match_block;
  // The declared messages its blocks describe.
  const Message* input_message = nullptr;  // nullptr when its receive conforms to none
  const Message* reply_message = nullptr;
  const Message* retry_message = nullptr;
  const Message* dead_letter_message = nullptr;
  bool receive_is_object = false;
};

std::string PlannedOutput::Describe(Clock::WallTime origin) const {
  char offset[32];
  std::snprintf(
      offset, sizeof offset, "+%.3f s",
      static_cast<double>(std::chrono::duration_cast<milliseconds>(due - origin).count()) / 1000.0);
  std::string what = RoleText(role);
  if (role == Role::kRetry) what += " retryCount " + std::to_string(retry_count);
  if (role == Role::kDeadLetter) what += " totalRetries " + std::to_string(total_retries);
  std::string text = std::string(offset) + " " + what + " -> " +
                     (channel != nullptr ? channel->Describe() : std::string("(no channel)"));
  if (payload.is_null()) text += " (payload to generate)";
  return text;
}

std::string_view ResponseKindName(Response::Kind kind) {
  switch (kind) {
    case Response::Kind::kExample:
      return "example";
    case Response::Kind::kGenerated:
      return "generated";
    case Response::Kind::kAccepted:
      return "accepted";
    case Response::Kind::kDeadLetter:
      return "dead-letter";
    case Response::Kind::kNotConsumed:
      return "not-consumed";
  }
  return "unknown";
}

void PlaceCorrelationId(const CorrelationIdLocation& where, const std::string& id, json& headers,
                        json& payload) {
  if (where.source == CorrelationIdLocation::Source::kHeader) {
    if (!headers.is_object()) headers = json::object();
    SetAtPointer(headers, where.pointer, id);
    return;
  }
  if (payload.is_object()) SetAtPointer(payload, where.pointer, id);
}

void CompleteGenerated(PlannedOutput& output, json generated, const std::string& correlation_id) {
  output.payload = std::move(generated);
  if (output.payload.is_object()) {
    for (auto it = output.overrides.begin(); it != output.overrides.end(); ++it)
      output.payload[it.key()] = it.value();
  }
  if (output.correlation_location)
    PlaceCorrelationId(*output.correlation_location, correlation_id, output.headers,
                       output.payload);
}

Responder::Responder(const Suite& suite, ResponderOptions options)
    : suite_(suite), options_(options) {}

Responder::~Responder() = default;

Result<std::unique_ptr<Responder>> Responder::Create(const Suite& suite, ResponderOptions options) {
  std::unique_ptr<Responder> r(new Responder(suite, options));
  for (const auto& spec : suite.specs) {
    for (const auto& op : spec->contract->operations) {
      if (op->action != Operation::Action::kReceive || op->channel == nullptr) continue;
      auto info = std::make_unique<OperationInfo>();
      info->op = op.get();
      info->spec = spec.get();
      info->input_locations = InputCorrelationLocations(*op);
      r->operations_.push_back(std::move(info));
    }
  }
  if (r->operations_.empty()) {
    return Fail(Code::kInvalidArgument,
                "no receive operation in " + suite.Title() +
                    ": the mock answers messages a provider receives, and there are none");
  }
  for (const auto& spec : suite.specs) {
    for (const TestPlan& plan : spec->plans) {
      if (plan.input == nullptr) continue;  // sent by the provider unprompted: nothing to match
      if (auto entry = r->MakeEntry(*plan.example, plan, r->warnings_))
        r->suite_entries_.push_back(std::move(entry));
    }
  }
  for (auto& info : r->operations_) {
    for (const auto& entry : r->suite_entries_) {
      if (entry->op != info.get()) continue;
      const Example& ex = *entry->example;
      if (entry->input_message != nullptr) {
        OperationInfo::Learned& learned = info->learned[entry->input_message];
        if (ex.send) {
          if (!learned.has_reply) learned.reply = entry->reply_message;
          learned.has_reply = true;
        }
        if (ex.dlq) learned.has_dead_letter = true;
      }
      if (!ex.dlq) continue;
      if (info->dead_letter_any == nullptr) info->dead_letter_any = entry.get();
      if (ex.retry || ex.send) continue;
      const ExampleEntry*& direct =
          entry->receive_is_object ? info->dead_letter_for_object : info->dead_letter_for_other;
      if (direct == nullptr) direct = entry.get();
    }
  }
  return r;
}

std::unique_ptr<Responder::ExampleEntry> Responder::MakeEntry(
    const Example& example, const TestPlan& plan, std::vector<std::string>& problems) const {
  const OperationInfo* info = nullptr;
  for (const auto& op : operations_) {
    if (op->op == plan.operation) info = op.get();
  }
  if (info == nullptr || !example.receive) return nullptr;
  const SchemaCatalog& schemas = *info->spec->schemas;
  auto entry = std::make_unique<ExampleEntry>();
  entry->example = &example;
  entry->plan = &plan;
  entry->op = info;

  entry->match_block = *example.receive;
  for (const CorrelationIdLocation& loc : info->input_locations) {
    if (loc.source == CorrelationIdLocation::Source::kHeader) {
      EraseAtPointer(entry->match_block.headers, loc.pointer);
    } else if (entry->match_block.payload) {
      EraseAtPointer(*entry->match_block.payload, loc.pointer);
    }
  }

  // The declared input message its receive conforms to, published as the runner does.
  const json receive_payload = example.receive->payload.value_or(json(nullptr));
  entry->receive_is_object = receive_payload.is_object();
  ObservedMessage published;
  published.channel = plan.input;
  const json* input_schema = nullptr;
  if (!plan.input_messages.empty()) {
    if (const CompiledSchema* s = schemas.Payload(plan.input_messages.front()))
      input_schema = &s->schema();
  }
  published.payload = MaterializeForPublish(receive_payload, input_schema, {});
  published.headers = MaterializeForPublish(example.receive->headers, nullptr, {});
  published.raw_payload = published.payload.dump();
  const MessageVerdict verdict =
      CheckMessage(schemas, plan.input_messages, nullptr, published, options_.match);
  if (verdict.schema_ok()) entry->input_message = verdict.message;

  for (const Expectation& e : plan.expectations) {
    const Message* m = DeclaredMessageOf(schemas, e.messages, e.expected);
    if (e.role == Role::kReply) entry->reply_message = m;
    if (e.role == Role::kRetry) entry->retry_message = m;
    if (e.role == Role::kDeadLetter) entry->dead_letter_message = m;
    std::vector<std::string> unmatched;
    if (e.expected->payload)
      SamplePatternMatchers(*e.expected->payload, e.expected->pointer + "/payload", &unmatched);
    SamplePatternMatchers(e.expected->headers, e.expected->pointer + "/headers", &unmatched);
    for (const std::string& u : unmatched) {
      problems.push_back(example.file.string() + " (at " + u.substr(0, u.find(": ")) +
                         "): " + u.substr(u.find(": ") + 2));
    }
  }
  return entry;
}

Status Responder::AddExample(const std::filesystem::path& file) {
  auto doc = LoadSource(file);
  if (!doc) return tl::unexpected(doc.error());
  auto example = ParseExample(*doc);
  if (!example) return tl::unexpected(example.error());
  return AddParsed(std::move(*example));
}

Status Responder::AddExampleText(std::string_view text, const std::filesystem::path& name) {
  auto doc = ParseSource(text, name);
  if (!doc) return tl::unexpected(doc.error());
  auto example = ParseExample(*doc);
  if (!example) return tl::unexpected(example.error());
  return AddParsed(std::move(*example));
}

Status Responder::AddParsed(Example parsed) {
  auto example = std::make_unique<Example>(std::move(parsed));
  const std::string file = example->file.string();
  if (!example->receive) {
    return Fail(Code::kInvalidArgument,
                file +
                    " (at /receive): the mock answers messages it receives; an example "
                    "without a 'receive' block has nothing to match");
  }
  std::optional<Error> first_error;
  for (const auto& spec : suite_.specs) {
    if (spec->contract->ChannelByAddress(example->receive->topic) == nullptr &&
        suite_.specs.size() > 1)
      continue;
    auto plan = PlanTest(*spec->contract, *example);
    if (!plan) {
      if (!first_error) first_error = plan.error();
      continue;
    }
    auto owned_plan = std::make_unique<TestPlan>(std::move(*plan));
    std::vector<std::string> problems = ValidateExampleMessage(
        *spec->schemas, owned_plan->input_messages, *example, *example->receive);
    for (const Expectation& e : owned_plan->expectations) {
      auto p = ValidateExampleMessage(*spec->schemas, e.messages, *example, *e.expected);
      problems.insert(problems.end(), p.begin(), p.end());
    }
    auto entry = MakeEntry(*example, *owned_plan, problems);
    if (!problems.empty() || entry == nullptr) {
      std::string text = std::to_string(problems.size()) + " problem(s) with the example:";
      for (const std::string& p : problems)
        text += "\n  " + p;
      return Fail(Code::kInvalidArgument, text);
    }
    entry->owned_example = std::move(example);
    entry->owned_plan = std::move(owned_plan);
    std::unique_lock lock(mu_);
    added_entries_.push_back(std::move(entry));
    return Ok();
  }
  if (first_error) return tl::unexpected(*first_error);
  return Fail(Code::kInvalidArgument, file + " (at " + example->receive->pointer +
                                          "/topic): no contract of the suite has channel '" +
                                          example->receive->topic + "'");
}

std::vector<const Channel*> Responder::InputChannels() const {
  std::vector<const Channel*> out;
  for (const auto& info : operations_) {
    if (std::find(out.begin(), out.end(), info->op->channel) == out.end())
      out.push_back(info->op->channel);
  }
  return out;
}

std::vector<const Channel*> Responder::OutputChannels() const {
  std::vector<const Channel*> out;
  for (const auto& info : operations_) {
    for (const Channel* c : info->op->OutputChannels()) {
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    }
  }
  return out;
}

std::vector<const Example*> Responder::Examples() const {
  std::vector<const Example*> out;
  for (const auto& entry : suite_entries_)
    out.push_back(entry->example);
  std::shared_lock lock(mu_);
  for (const auto& entry : added_entries_)
    out.push_back(entry->example);
  return out;
}

const Responder::ExampleEntry* Responder::MatchExample(const ObservedMessage& input) const {
  auto matches = [&](const ExampleEntry& entry) {
    return entry.plan->input == input.channel &&
           MatchesExample(entry.match_block, input, options_.match);
  };
  {
    std::shared_lock lock(mu_);
    for (auto it = added_entries_.rbegin(); it != added_entries_.rend(); ++it) {
      if (matches(**it)) return it->get();
    }
  }
  for (const auto& entry : suite_entries_) {
    if (matches(*entry)) return entry.get();
  }
  return nullptr;
}

Response Responder::Decide(const ObservedMessage& input, Clock::WallTime now) const {
  std::vector<const OperationInfo*> ops;
  for (const auto& info : operations_) {
    if (input.channel != nullptr && info->op->channel == input.channel) ops.push_back(info.get());
  }
  if (ops.empty()) {
    Response r;
    r.kind = Response::Kind::kNotConsumed;
    r.reason = input.channel == nullptr ? "the message has no channel"
                                        : "no receive operation on " + input.channel->Describe();
    return r;
  }
  if (const ExampleEntry* entry = MatchExample(input)) return ExampleFlow(*entry, input, now);

  // The operation whose dead letter a rejected input gets: `preferred`, else the first on the
  // channel that declares one.
  auto dead_letter_op = [&ops](const OperationInfo* preferred) {
    if (preferred->op->dead_letter) return preferred;
    for (const OperationInfo* info : ops) {
      if (info->op->dead_letter) return info;
    }
    return preferred;
  };
  if (!input.payload_is_json)
    return DeadLetterFlow(*dead_letter_op(ops.front()), input, now, "invalid-json",
                          "the payload is not JSON");

  const OperationInfo* chosen = nullptr;
  const OperationInfo* closest = nullptr;
  MessageVerdict verdict;
  MessageVerdict closest_verdict;
  for (const OperationInfo* info : ops) {
    MessageVerdict v =
        CheckMessage(*info->spec->schemas, info->op->messages, nullptr, input, options_.match);
    if (v.schema_ok()) {
      chosen = info;
      verdict = std::move(v);
      break;
    }
    if (closest == nullptr ||
        v.schema_mismatches.size() < closest_verdict.schema_mismatches.size()) {
      closest = info;
      closest_verdict = std::move(v);
    }
  }
  if (chosen == nullptr) {
    std::string why = "the payload conforms to none of " + MessageNames(closest->op->messages);
    if (!closest_verdict.schema_mismatches.empty()) {
      const Mismatch& m = closest_verdict.schema_mismatches.front();
      why += " (closest: " +
             (closest_verdict.message != nullptr ? closest_verdict.message->name : "?") + ", " +
             m.pointer + ": " + m.message + ")";
    }
    Response r = DeadLetterFlow(*dead_letter_op(closest), input, now, "schema-invalid", why);
    r.input_message = closest_verdict.message;
    return r;
  }

  const Operation& op = *chosen->op;
  const OperationInfo::Learned* learned = nullptr;
  if (auto it = chosen->learned.find(verdict.message); it != chosen->learned.end())
    learned = &it->second;
  const std::string name = verdict.message != nullptr ? verdict.message->name : "?";
  if (learned != nullptr && learned->has_dead_letter && !learned->has_reply) {
    Response r = DeadLetterFlow(
        *dead_letter_op(chosen), input, now, "rejected",
        "the payload is a " + name + ", which the contract's examples only ever dead-letter");
    r.input_message = verdict.message;
    return r;
  }

  Response r;
  r.operation = &op;
  r.input_message = verdict.message;
  const FoundCorrelationId id = FindInputCorrelationId(chosen->input_locations, input);
  r.correlation_id = id.id;
  r.correlation_id_generated = id.generated;
  if (!op.reply || op.reply->channel == nullptr) {
    r.kind = Response::Kind::kAccepted;
    r.reason = "conforms to " + name + "; no example matches and operation '" + op.id +
               "' declares no reply: nothing to send";
    return r;
  }
  const Message* reply = learned != nullptr && learned->reply != nullptr ? learned->reply
                         : op.reply->messages.empty()                    ? nullptr
                                                      : op.reply->messages.front();
  r.kind = Response::Kind::kGenerated;
  r.reason = "conforms to " + name + "; no example matches: a reply generated as " +
             (reply != nullptr ? reply->name : std::string("the reply channel's message"));
  r.outputs.push_back(
      BuildPlannedOutput(Role::kReply, op.reply->channel, reply, nullptr, now, input, id));
  return r;
}

Response Responder::ExampleFlow(const ExampleEntry& entry, const ObservedMessage& input,
                                Clock::WallTime now) const {
  const OperationInfo& info = *entry.op;
  const Operation& op = *info.op;
  const TestPlan& plan = *entry.plan;
  Response r;
  r.kind = Response::Kind::kExample;
  r.example = entry.example;
  r.operation = &op;
  r.input_message = entry.input_message;
  const FoundCorrelationId id = FindInputCorrelationId(info.input_locations, input);
  r.correlation_id = id.id;
  r.correlation_id_generated = id.generated;
  r.reason = "matches example '" + entry.example->name + "' (" +
             entry.example->file.filename().string() + ")";

  const Expectation* reply = plan.Find(Role::kReply);
  const Expectation* retry = plan.Find(Role::kRetry);
  const Expectation* dead = plan.Find(Role::kDeadLetter);
  auto build = [&](const Expectation& e, const Message* message, Clock::WallTime due) {
    return BuildPlannedOutput(e.role, e.channel, message, e.expected, due, input, id);
  };
  if (retry != nullptr && op.retry) {
    const RetryPath& policy = *op.retry;
    // Retries exhausted before a dead letter; a reply comes after the first envelope.
    const int last = dead != nullptr ? policy.max_attempts : 0;
    Clock::WallTime at = now;
    for (int n = 0;; ++n) {
      PlannedOutput envelope = build(*retry, entry.retry_message, at);
      envelope.retry_count = n;
      SetCountedMember(envelope, "retryCount", n);
      r.outputs.push_back(std::move(envelope));
      if (n >= last) break;
      at += policy.strategy.DelayBefore(n);
    }
    if (dead != nullptr) {
      PlannedOutput letter = build(*dead, entry.dead_letter_message, at + kRightAfter);
      letter.total_retries = policy.max_attempts;
      SetCountedMember(letter, "totalRetries", policy.max_attempts);
      r.outputs.push_back(std::move(letter));
    } else if (reply != nullptr) {
      r.outputs.push_back(
          build(*reply, entry.reply_message, at + policy.strategy.DelayBefore(last)));
    }
    return r;
  }
  if (reply != nullptr) r.outputs.push_back(build(*reply, entry.reply_message, now));
  if (dead != nullptr) {
    PlannedOutput letter =
        build(*dead, entry.dead_letter_message, reply != nullptr ? now + kRightAfter : now);
    letter.total_retries = 0;
    SetCountedMember(letter, "totalRetries", 0);
    r.outputs.push_back(std::move(letter));
  }
  return r;
}

Response Responder::DeadLetterFlow(const OperationInfo& info, const ObservedMessage& input,
                                   Clock::WallTime now, std::string tag, std::string why) const {
  const Operation& op = *info.op;
  Response r;
  r.kind = Response::Kind::kDeadLetter;
  r.operation = &op;
  const FoundCorrelationId id = FindInputCorrelationId(info.input_locations, input);
  r.correlation_id = id.id;
  r.correlation_id_generated = id.generated;
  r.reason = why;
  if (!op.dead_letter || op.dead_letter->channel == nullptr) {
    r.reason += "; operation '" + op.id + "' declares no dead-letter channel: nothing to send";
    return r;
  }
  const bool is_object = input.payload_is_json && input.payload.is_object();
  const ExampleEntry* shape = is_object ? info.dead_letter_for_object : info.dead_letter_for_other;
  if (shape == nullptr)
    shape = is_object ? info.dead_letter_for_other : info.dead_letter_for_object;
  if (shape == nullptr) shape = info.dead_letter_any;
  const Message* message = shape != nullptr                   ? shape->dead_letter_message
                           : op.dead_letter->messages.empty() ? nullptr
                                                              : op.dead_letter->messages.front();
  const ExampleMessage* block = shape != nullptr ? &*shape->example->dlq : nullptr;
  PlannedOutput o = BuildPlannedOutput(Role::kDeadLetter, op.dead_letter->channel, message, block,
                                       now, input, id);
  o.key = input.key;
  o.total_retries = 0;

  // The members order-service sets from the input, where the dead-letter schema has room.
  const json* schema = message != nullptr ? &message->payload_schema : nullptr;
  json overrides = json::object();
  auto allowed = [schema](const std::string& member) { return SchemaAllowsMember(schema, member); };
  if (allowed("originalMessage"))
    overrides["originalMessage"] = is_object ? input.payload : json::object();
  if (!is_object && allowed("rawMessageBase64")) {
    const std::string raw = !input.raw_payload.empty() || !input.payload_is_json
                                ? input.raw_payload
                                : input.payload.dump();
    overrides["rawMessageBase64"] = Base64Encode(raw);
  }
  if (allowed("messageKey")) {
    // The input member the example's messageKey echoed, else the record key.
    std::string key;
    if (shape != nullptr && shape->example->dlq->payload && shape->example->receive) {
      const json& dead_payload = *shape->example->dlq->payload;
      const json* echoed = dead_payload.is_object() ? FindAt(dead_payload, "/messageKey") : nullptr;
      const json& receive_payload =
          shape->example->receive->payload ? *shape->example->receive->payload : json();
      if (echoed != nullptr && echoed->is_string() && receive_payload.is_object() && is_object) {
        for (auto it = receive_payload.begin(); it != receive_payload.end() && key.empty(); ++it) {
          if (it.value() != *echoed) continue;
          auto own = input.payload.find(it.key());
          if (own != input.payload.end() && own->is_string()) key = own->get<std::string>();
        }
      }
    }
    if (key.empty() && input.key) key = *input.key;
    overrides["messageKey"] = key.empty() ? "unknown" : key;
  }
  if (allowed("totalRetries")) overrides["totalRetries"] = 0;
  if (allowed("failureReason")) overrides["failureReason"] = tag;
  if (allowed("finalErrorMessage")) overrides["finalErrorMessage"] = why;
  if (o.payload.is_object()) {
    if (is_object) o.payload.erase("rawMessageBase64");
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
      o.payload[it.key()] = it.value();
  }
  o.overrides = std::move(overrides);
  if (o.correlation_location)
    PlaceCorrelationId(*o.correlation_location, id.id, o.headers, o.payload);
  r.outputs.push_back(std::move(o));
  return r;
}

}  // namespace driftline::contract::mock
