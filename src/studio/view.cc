#include "studio/view.h"

#include <chrono>

#include "contract/report/console.h"
#include "contract/report/writers.h"

namespace driftline::studio {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

std::string ShownPath(const std::filesystem::path& p, const std::filesystem::path& root) {
  std::error_code ec;
  const std::filesystem::path rel = std::filesystem::relative(p, root, ec);
  if (ec || rel.empty() || *rel.begin() == "..") return p.generic_string();
  return rel.generic_string();
}

json ViewCounts(const contract::Counts& c) {
  return json{{"run", c.run},
              {"successes", c.successes},
              {"failures", c.failures},
              {"wip", c.wip},
              {"errors", c.errors}};
}

}  // namespace

json ContractView(const contract::Suite& suite, const std::filesystem::path& root,
                  const std::optional<std::filesystem::path>& config_file) {
  json contracts = json::array();
  json examples = json::array();
  json files = json::array();
  for (const auto& spec : suite.specs) {
    files.push_back(ShownPath(spec->contract->path, root));
    contracts.push_back(json{{"file", ShownPath(spec->contract->path, root)},
                             {"title", spec->contract->title},
                             {"version", spec->contract->version},
                             {"servers", json::array()},
                             {"channels", json::array()},
                             {"operations", json::array()}});
    for (const contract::TestPlan& plan : spec->plans) {
      examples.push_back(json{{"name", plan.example->name},
                              {"file", ShownPath(plan.example->file, root)},
                              {"operation", plan.operation->id},
                              {"correlation_id", plan.correlation_id},
                              {"flow", FlowKind(plan)},
                              {"expects", json::array()},
                              {"json", json::object()},
                              {"valid", true},
                              {"problems", json::array()}});
    }
  }
  return json{{"source",
               {{"config", config_file ? json(ShownPath(*config_file, root)) : json(nullptr)},
                {"contracts", files},
                {"examples", json::array()}}},
              {"title", suite.Title()},
              {"strict", suite.strict},
              {"warnings", suite.warnings},
              {"contracts", contracts},
              {"examples", examples}};
}

json TestJson(const contract::TestResult& result, const contract::TestPlan* plan) {
  (void)plan;
  json checks = json::array();
  for (const contract::Check& c : result.checks)
    checks.push_back(json{{"name", c.name},
                          {"passed", c.passed},
                          {"detail", c.detail},
                          {"mismatches", json::array()}});
  json flow = json::array();
  for (const contract::FlowEvent& f : result.flow) {
    flow.push_back(json{{"kind", f.kind == contract::FlowEvent::Kind::kPublished  ? "published"
                                 : f.kind == contract::FlowEvent::Kind::kReceived ? "received"
                                                                                  : "unexpected"},
                        {"role", f.role},
                        {"channel", f.channel},
                        {"address", f.address},
                        {"offset_ms", f.offset.count()},
                        {"at", report::FormatIsoMillis(f.at)},
                        {"coordinates", f.coordinates},
                        {"key", f.key ? json(*f.key) : json(nullptr)},
                        {"headers", f.headers},
                        {"payload", f.payload},
                        {"message_name", f.message_name},
                        {"ok", f.ok},
                        {"mismatches", json::array()},
                        {"retry_count", nullptr},
                        {"due_ms", nullptr}});
  }
  return json{{"name", result.name},
              {"file", result.file.generic_string()},
              {"operation", result.operation},
              {"correlation_id", result.correlation_id},
              {"outcome", std::string(contract::OutcomeName(result.outcome))},
              {"wip", result.wip},
              {"reasons", result.reasons},
              {"warnings", result.warnings},
              {"checks", checks},
              {"started_at", report::FormatIsoMillis(result.started)},
              {"duration_ms", result.duration.count()},
              {"flow", flow}};
}

json SuiteJson(const contract::SuiteResult& suite, const std::vector<contract::TestCase>& cases) {
  json tests = json::array();
  for (std::size_t i = 0; i < suite.tests.size(); ++i)
    tests.push_back(TestJson(suite.tests[i], i < cases.size() ? cases[i].plan : nullptr));
  json counts = json::array();
  for (const contract::ChannelCount& c : suite.MessageCounts())
    counts.push_back(json{{"channel", c.channel}, {"actual", c.actual}, {"expected", c.expected}});
  return json{{"title", suite.title},
              {"started_at", report::FormatIsoMillis(suite.started)},
              {"wall_ms", suite.wall_time.count()},
              {"startup_ms", suite.startup_time.count()},
              {"parallel", suite.parallel},
              {"counts", ViewCounts(suite.Tally())},
              {"summary_line", report::FormatSummaryLine(suite.Tally())},
              {"count_table", report::FormatMessageCountTable(suite.MessageCounts())},
              {"final_report", report::FormatFinalReport(suite)},
              {"message_counts", counts},
              {"exit_code", suite.ExitCode()},
              {"warnings", suite.warnings},
              {"tests", tests}};
}

std::string FlowKind(const contract::TestPlan& plan) {
  if (plan.input == nullptr) return "send-only";
  const bool retry = plan.Find(contract::Role::kRetry) != nullptr;
  const bool dlq = plan.Find(contract::Role::kDeadLetter) != nullptr;
  if (dlq) return retry ? "retry-then-dlq" : "direct-dlq";
  return retry ? "retry-then-success" : "success";
}

TimelineTracker::TimelineTracker(const contract::TestPlan& plan) : plan_(plan) {}

json TimelineTracker::Published(const std::string& coordinates,
                                std::optional<Clock::WallTime> produced_at, Clock::WallTime now) {
  published_at_ = produced_at.value_or(now);
  const contract::ExampleMessage* receive =
      plan_.example->receive ? &*plan_.example->receive : nullptr;
  return json{{"role", "publish"},
              {"channel", plan_.input != nullptr ? plan_.input->Describe() : ""},
              {"address", plan_.input != nullptr ? plan_.input->address : ""},
              {"offset_ms", 0},
              {"due_ms", nullptr},
              {"retry_count", nullptr},
              {"coordinates", coordinates},
              {"payload", receive != nullptr && receive->payload ? receive->payload->dump() : ""},
              {"headers", receive != nullptr ? receive->headers : json::object()}};
}

json TimelineTracker::Observed(const contract::ObservedMessage& message) {
  std::string role = "unexpected";
  for (const contract::Expectation& e : plan_.expectations) {
    if (e.channel == message.channel) role = std::string(contract::RoleKey(e.role));
  }
  json offset = nullptr;
  if (published_at_)
    offset = duration_cast<milliseconds>(message.produced_at - *published_at_).count();
  return json{{"role", role},
              {"channel", message.channel->Describe()},
              {"address", message.channel->address},
              {"offset_ms", offset},
              {"due_ms", nullptr},
              {"retry_count", nullptr},
              {"coordinates", message.coordinates},
              {"payload", message.raw_payload},
              {"headers", message.headers}};
}

}  // namespace driftline::studio
