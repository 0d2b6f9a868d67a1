#include "studio/view.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "contract/check/check.h"
#include "contract/report/console.h"
#include "contract/report/writers.h"
#include "contract/spec/example.h"
#include "contract/spec/model.h"

namespace driftline::studio {
namespace {

namespace fs = std::filesystem;
using contract::Role;
using nlohmann::json;

// A path as the page shows it: relative to `root` with '/', or absolute when outside it.
std::string ViewPath(const fs::path& path, const fs::path& root) {
  std::error_code ec;
  fs::path abs = path.is_absolute() ? path : fs::absolute(path, ec);
  if (ec) abs = path;
  abs = abs.lexically_normal();
  fs::path base = root.is_absolute() ? root : fs::absolute(root, ec);
  if (ec) return abs.generic_string();
  const fs::path rel = abs.lexically_relative(base.lexically_normal());
  if (rel.empty() || *rel.begin() == "..") return abs.generic_string();
  return rel.generic_string();
}

json JsonOrNull(const std::optional<json>& value) {
  return value ? *value : json(nullptr);
}

template <typename T>
json ViewOptional(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

std::string ViewStrategyName(contract::RetryStrategy::Type type) {
  switch (type) {
    case contract::RetryStrategy::Type::kFixed:
      return "fixed";
    case contract::RetryStrategy::Type::kLinear:
      return "linear";
    case contract::RetryStrategy::Type::kExponential:
      return "exponential";
  }
  return "exponential";
}

// "1 s" for whole seconds, else "1500 ms".
std::string ViewDelayText(std::chrono::milliseconds delay) {
  const std::int64_t ms = delay.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

json ViewChannelRef(const contract::Channel* channel) {
  if (channel == nullptr) return {{"channel", nullptr}, {"address", nullptr}};
  return {{"channel", channel->id}, {"address", channel->address}};
}

json ViewMessage(const contract::Message& m) {
  return {
      {"name", m.name},
      {"title", m.title},
      {"content_type", m.content_type},
      {"payload", m.payload_schema},
      {"headers", JsonOrNull(m.headers_schema)},
      {"correlation_id", m.correlation_id ? json(m.correlation_id->expression) : json(nullptr)}};
}

json ViewChannel(const contract::Channel& c) {
  json messages = json::array();
  for (const contract::Message* m : c.messages) {
    if (m != nullptr) messages.push_back(ViewMessage(*m));
  }
  return {{"id", c.id},
          {"address", c.address},
          {"protocol", std::string(contract::ProtocolName(c.protocol))},
          {"describe", c.Describe()},
          {"messages", std::move(messages)}};
}

json ViewRetry(const contract::RetryPath& retry) {
  json out = ViewChannelRef(retry.channel);
  json schedule = json::array();
  std::string text;
  for (int k = 0; k < retry.max_attempts; ++k) {
    const std::chrono::milliseconds delay = retry.strategy.DelayBefore(k);
    schedule.push_back(delay.count());
    text += (text.empty() ? "" : ", ") + ViewDelayText(delay);
  }
  out["max_attempts"] = retry.max_attempts;
  out["strategy"] = ViewStrategyName(retry.strategy.type);
  out["schedule_ms"] = std::move(schedule);
  out["schedule_text"] = std::move(text);
  out["source"] = retry.source;
  return out;
}

json ViewOperation(const contract::Operation& op) {
  json messages = json::array();
  for (const contract::Message* m : op.messages) {
    if (m != nullptr) messages.push_back(m->name);
  }
  json out = ViewChannelRef(op.channel);
  out["id"] = op.id;
  out["action"] = op.action == contract::Operation::Action::kSend ? "send" : "receive";
  out["messages"] = std::move(messages);
  out["reply"] = op.reply ? ViewChannelRef(op.reply->channel) : json(nullptr);
  out["retry"] = op.retry ? ViewRetry(*op.retry) : json(nullptr);
  if (op.dead_letter) {
    json dead = ViewChannelRef(op.dead_letter->channel);
    dead["wait_ms"] = op.dead_letter->wait_time.count();
    out["dead_letter"] = std::move(dead);
  } else {
    out["dead_letter"] = nullptr;
  }
  return out;
}

json ViewContract(const contract::Contract& c, const fs::path& root) {
  json servers = json::array();
  for (const auto& s : c.servers)
    servers.push_back({{"name", s->id}, {"protocol", s->protocol_name}, {"host", s->host}});
  json channels = json::array();
  for (const auto& ch : c.channels)
    channels.push_back(ViewChannel(*ch));
  json operations = json::array();
  for (const auto& op : c.operations)
    operations.push_back(ViewOperation(*op));
  return {{"file", ViewPath(c.path, root)},
          {"title", c.title},
          {"version", c.version},
          {"servers", std::move(servers)},
          {"channels", std::move(channels)},
          {"operations", std::move(operations)}};
}

// An example block as the file has it (what the loader keeps of it).
json ViewExampleBlock(const contract::ExampleMessage& m) {
  json out = {{"topic", m.topic}};
  if (m.payload) out["payload"] = *m.payload;
  if (!m.headers.empty()) out["headers"] = m.headers;
  if (m.key) out["key"] = *m.key;
  return out;
}

json ViewExampleJson(const contract::Example& ex) {
  json out = {{"name", ex.name}};
  if (!ex.id.empty()) out["id"] = ex.id;
  const std::pair<Role, const std::optional<contract::ExampleMessage>*> blocks[] = {
      {Role::kReceive, &ex.receive},
      {Role::kReply, &ex.send},
      {Role::kRetry, &ex.retry},
      {Role::kDeadLetter, &ex.dlq}};
  for (const auto& [role, block] : blocks) {
    if (*block) out[std::string(contract::RoleKey(role))] = ViewExampleBlock(**block);
  }
  return out;
}

// One line of ValidateExampleMessage ("<file> (at <pointer>): <message>") as
// {"pointer", "message"}; a line of another shape is all message.
json ViewProblem(const contract::Example& ex, const std::string& line) {
  const std::string prefix = ex.file.string() + " (at ";
  if (line.rfind(prefix, 0) == 0) {
    const std::size_t end = line.find("): ", prefix.size());
    if (end != std::string::npos) {
      return {{"pointer", line.substr(prefix.size(), end - prefix.size())},
              {"message", line.substr(end + 3)}};
    }
  }
  return {{"pointer", ""}, {"message", line}};
}

// The strict-mode validation of LoadSuite, for one example.
json ViewProblems(const contract::SchemaCatalog& schemas, const contract::TestPlan& plan) {
  const contract::Example& ex = *plan.example;
  std::vector<std::string> lines;
  if (ex.receive) {
    auto p = contract::ValidateExampleMessage(schemas, plan.input_messages, ex, *ex.receive);
    lines.insert(lines.end(), p.begin(), p.end());
  }
  for (const contract::Expectation& e : plan.expectations) {
    if (e.expected == nullptr) continue;
    auto p = contract::ValidateExampleMessage(schemas, e.messages, ex, *e.expected);
    lines.insert(lines.end(), p.begin(), p.end());
  }
  json out = json::array();
  for (const std::string& line : lines)
    out.push_back(ViewProblem(ex, line));
  return out;
}

json ViewExample(const contract::SpecSuite& spec, const contract::TestPlan& plan,
                 const fs::path& root) {
  const contract::Example& ex = *plan.example;
  json expects = json::array();
  for (const contract::Expectation& e : plan.expectations) {
    expects.push_back(
        {{"role", std::string(contract::RoleKey(e.role))},
         {"address", e.channel != nullptr ? json(e.channel->address) : json(nullptr)}});
  }
  json problems = spec.schemas != nullptr ? ViewProblems(*spec.schemas, plan) : json::array();
  const bool valid = problems.empty();
  return {{"name", ex.name},
          {"file", ViewPath(ex.file, root)},
          {"operation", plan.operation != nullptr ? json(plan.operation->id) : json(nullptr)},
          {"correlation_id", plan.correlation_id},
          {"flow", FlowKind(plan)},
          {"expects", std::move(expects)},
          {"json", ViewExampleJson(ex)},
          {"valid", valid},
          {"problems", std::move(problems)}};
}

json ViewMismatches(const std::vector<contract::Mismatch>& mismatches) {
  json out = json::array();
  for (const contract::Mismatch& m : mismatches)
    out.push_back({{"pointer", m.pointer}, {"message", m.message}});
  return out;
}

json ViewCounts(const contract::Counts& c) {
  return {{"run", c.run},
          {"successes", c.successes},
          {"failures", c.failures},
          {"wip", c.wip},
          {"errors", c.errors}};
}

std::string ViewFlowKind(contract::FlowEvent::Kind kind) {
  switch (kind) {
    case contract::FlowEvent::Kind::kPublished:
      return "published";
    case contract::FlowEvent::Kind::kReceived:
      return "received";
    case contract::FlowEvent::Kind::kUnexpected:
      return "unexpected";
  }
  return "received";
}

// The role of a flow event in the "message" event's words.
std::string ViewFlowRole(const contract::FlowEvent& e) {
  if (e.kind == contract::FlowEvent::Kind::kPublished) return "publish";
  if (e.kind == contract::FlowEvent::Kind::kUnexpected || e.role.empty()) return "unexpected";
  return e.role;
}

// retryCount of an envelope: its payload's when that is an integer that fits, else `position`.
int ViewRetryCount(const json& payload, std::size_t position) {
  if (payload.is_object()) {
    auto it = payload.find("retryCount");
    if (it != payload.end() && it->is_number_integer()) {
      const auto wide = it->get<std::int64_t>();
      if (wide >= std::numeric_limits<int>::min() && wide <= std::numeric_limits<int>::max())
        return static_cast<int>(wide);
    }
  }
  return static_cast<int>(std::min<std::size_t>(position, std::numeric_limits<int>::max()));
}

// `b` - `a` in milliseconds, from their epoch milliseconds (no overflow at the clock's ends).
std::int64_t ViewMillisBetween(Clock::WallTime a, Clock::WallTime b) {
  return ToEpochMillis(b) - ToEpochMillis(a);
}

std::string ViewPayloadText(const json& payload) {
  return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

json ContractView(const contract::Suite& suite, const fs::path& root,
                  const std::optional<fs::path>& config_file) {
  json contract_files = json::array();
  json example_dirs = json::array();
  json contracts = json::array();
  json examples = json::array();
  for (const auto& spec : suite.specs) {
    if (spec == nullptr || spec->contract == nullptr) continue;
    contract_files.push_back(ViewPath(spec->contract->path, root));
    contracts.push_back(ViewContract(*spec->contract, root));
    for (const auto& ex : spec->examples) {
      const std::string dir = ViewPath(ex->file.parent_path(), root);
      if (std::find(example_dirs.begin(), example_dirs.end(), json(dir)) == example_dirs.end())
        example_dirs.push_back(dir);
    }
    for (const contract::TestPlan& plan : spec->plans) {
      if (plan.example != nullptr) examples.push_back(ViewExample(*spec, plan, root));
    }
  }
  return {{"source",
           {{"config", config_file ? json(ViewPath(*config_file, root)) : json(nullptr)},
            {"contracts", std::move(contract_files)},
            {"examples", std::move(example_dirs)}}},
          {"title", suite.Title()},
          {"strict", suite.strict},
          {"warnings", suite.warnings},
          {"contracts", std::move(contracts)},
          {"examples", std::move(examples)}};
}

std::string FlowKind(const contract::TestPlan& plan) {
  if (plan.input == nullptr) return "send-only";
  const bool retry = plan.Find(Role::kRetry) != nullptr;
  const bool dlq = plan.Find(Role::kDeadLetter) != nullptr;
  if (dlq) return retry ? "retry-then-dlq" : "direct-dlq";
  if (retry) return "retry-then-success";
  return "success";
}

json TestJson(const contract::TestResult& result, const contract::TestPlan* plan) {
  std::optional<TimelineTracker> tracker;
  if (plan != nullptr) tracker.emplace(*plan);
  std::size_t envelopes = 0;
  json flow = json::array();
  for (const contract::FlowEvent& e : result.flow) {
    const std::string role = ViewFlowRole(e);
    TimelineTracker::Schedule schedule;
    if (e.kind != contract::FlowEvent::Kind::kPublished) {
      const json payload = json::parse(e.payload, nullptr, false);
      if (tracker) {
        schedule = tracker->Next(role, payload, e.offset.count());
      } else if (role == "retry") {
        schedule.retry_count = ViewRetryCount(payload, envelopes);
      }
      if (role == "retry") ++envelopes;
    }
    flow.push_back({{"kind", ViewFlowKind(e.kind)},
                    {"role", role},
                    {"channel", e.channel},
                    {"address", e.address},
                    {"offset_ms", e.offset.count()},
                    {"at", report::FormatIsoMillis(e.at)},
                    {"coordinates", e.coordinates},
                    {"key", ViewOptional(e.key)},
                    {"headers", e.headers},
                    {"payload", e.payload},
                    {"message_name", e.message_name},
                    {"ok", e.ok},
                    {"mismatches", ViewMismatches(e.mismatches)},
                    {"retry_count", ViewOptional(schedule.retry_count)},
                    {"due_ms", ViewOptional(schedule.due_ms)}});
  }
  json checks = json::array();
  for (const contract::Check& c : result.checks) {
    checks.push_back({{"name", c.name},
                      {"passed", c.passed},
                      {"detail", c.detail},
                      {"mismatches", ViewMismatches(c.mismatches)}});
  }
  return {{"name", result.name},
          {"file", result.file.generic_string()},
          {"operation", result.operation},
          {"correlation_id", result.correlation_id},
          {"outcome", std::string(contract::OutcomeName(result.outcome))},
          {"wip", result.wip},
          {"reasons", result.reasons},
          {"warnings", result.warnings},
          {"checks", std::move(checks)},
          {"started_at", report::FormatIsoMillis(result.started)},
          {"duration_ms", result.duration.count()},
          {"flow", std::move(flow)}};
}

json SuiteJson(const contract::SuiteResult& suite, const std::vector<contract::TestCase>& cases) {
  auto plan_named = [&](std::size_t index, const std::string& name) -> const contract::TestPlan* {
    auto named = [&name](const contract::TestCase& tc) {
      return tc.plan != nullptr && tc.plan->example != nullptr && tc.plan->example->name == name;
    };
    if (index < cases.size() && named(cases[index])) return cases[index].plan;
    auto it = std::find_if(cases.begin(), cases.end(), named);
    return it == cases.end() ? nullptr : it->plan;
  };
  json tests = json::array();
  for (std::size_t i = 0; i < suite.tests.size(); ++i)
    tests.push_back(TestJson(suite.tests[i], plan_named(i, suite.tests[i].name)));
  const std::vector<contract::ChannelCount> counts = suite.MessageCounts();
  json message_counts = json::array();
  for (const contract::ChannelCount& c : counts) {
    message_counts.push_back(
        {{"channel", c.channel}, {"actual", c.actual}, {"expected", c.expected}});
  }
  const contract::Counts tally = suite.Tally();
  return {{"title", suite.title},
          {"started_at", report::FormatIsoMillis(suite.started)},
          {"wall_ms", suite.wall_time.count()},
          {"startup_ms", suite.startup_time.count()},
          {"parallel", suite.parallel},
          {"counts", ViewCounts(tally)},
          {"summary_line", report::FormatSummaryLine(tally)},
          {"count_table", report::FormatMessageCountTable(counts)},
          {"final_report", report::FormatFinalReport(suite)},
          {"message_counts", std::move(message_counts)},
          {"exit_code", suite.ExitCode()},
          {"warnings", suite.warnings},
          {"tests", std::move(tests)}};
}

TimelineTracker::TimelineTracker(const contract::TestPlan& plan) : plan_(plan) {}

json TimelineTracker::Published(const std::string& coordinates,
                                std::optional<Clock::WallTime> produced_at, Clock::WallTime now) {
  published_at_ = produced_at.value_or(now);
  const contract::Channel* input = plan_.input;
  const contract::ExampleMessage* receive =
      plan_.example != nullptr && plan_.example->receive ? &*plan_.example->receive : nullptr;
  return {{"role", "publish"},
          {"channel", input != nullptr ? json(input->Describe()) : json(nullptr)},
          {"address", input != nullptr ? json(input->address) : json(nullptr)},
          {"offset_ms", 0},
          {"due_ms", nullptr},
          {"retry_count", nullptr},
          {"coordinates", coordinates},
          {"payload", receive != nullptr ? ViewPayloadText(receive->payload.value_or(json(nullptr)))
                                         : std::string()},
          {"headers", receive != nullptr ? receive->headers : json::object()}};
}

json TimelineTracker::Observed(const contract::ObservedMessage& message) {
  const contract::Expectation* expectation = nullptr;
  for (const contract::Expectation& e : plan_.expectations) {
    if (e.channel != nullptr && e.channel == message.channel) expectation = &e;
  }
  std::string role = "unexpected";
  if (expectation != nullptr) {
    const bool repeat = (expectation->role == Role::kReply && reply_seen_) ||
                        (expectation->role == Role::kDeadLetter && dead_letter_seen_);
    if (!repeat) role = std::string(contract::RoleKey(expectation->role));
  }
  std::optional<std::int64_t> offset;
  if (published_at_ && message.produced_at != Clock::WallTime{})
    offset = ViewMillisBetween(*published_at_, message.produced_at);
  const Schedule schedule = Next(role, message.payload, offset);
  const contract::Channel* channel = message.channel;
  return {{"role", role},
          {"channel", channel != nullptr ? json(channel->Describe()) : json(nullptr)},
          {"address", channel != nullptr ? json(channel->address) : json(nullptr)},
          {"offset_ms", ViewOptional(offset)},
          {"due_ms", ViewOptional(schedule.due_ms)},
          {"retry_count", ViewOptional(schedule.retry_count)},
          {"coordinates", message.coordinates},
          {"payload", message.raw_payload},
          {"headers", message.headers}};
}

TimelineTracker::Schedule TimelineTracker::Next(std::string_view role, const json& payload,
                                                std::optional<std::int64_t> offset_ms) {
  const contract::RetryPath* policy =
      plan_.operation != nullptr && plan_.operation->retry ? &*plan_.operation->retry : nullptr;
  // offset(envelope) + DelayBefore(its retryCount); null without the offset or a policy.
  auto after_delay = [policy](const Envelope& e) -> std::optional<std::int64_t> {
    if (!e.offset_ms || policy == nullptr) return std::nullopt;
    const int k = std::clamp(e.retry_count, 0, std::max(policy->max_attempts, 0));
    return SaturatingAdd(*e.offset_ms, policy->strategy.DelayBefore(k).count());
  };
  Schedule out;
  if (role == contract::RoleKey(Role::kRetry)) {
    const int count = ViewRetryCount(payload, envelopes_.size());
    out.retry_count = count;
    out.due_ms =
        envelopes_.empty() ? std::optional<std::int64_t>(0) : after_delay(envelopes_.back());
    envelopes_.push_back(Envelope{offset_ms, count});
  } else if (role == contract::RoleKey(Role::kReply)) {
    reply_seen_ = true;
    if (!envelopes_.empty()) out.due_ms = after_delay(envelopes_.back());
  } else if (role == contract::RoleKey(Role::kDeadLetter)) {
    dead_letter_seen_ = true;
    if (!envelopes_.empty()) out.due_ms = envelopes_.back().offset_ms;
  }
  return out;
}

}  // namespace driftline::studio
