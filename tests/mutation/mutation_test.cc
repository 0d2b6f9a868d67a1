// The mutation suite: contract-test's verdicts against a provider with one known defect at a
// time (testkit/mutant_provider). For every defect the runner must fail exactly the scenarios the
// defect breaks, each with a reason that names the defect; for the control ("none") it must pass
// every scenario. A runner that passes a defect has a blind spot; one that fails the control, or
// a scenario the defect leaves alone, accuses a provider of what it did not do.
//
// Each run gets its own Topology (unique topics and queue) and its own copy of the contract and
// examples with the channel addresses renamed to them; the lab's files are never edited. Runs
// share nothing, so they go in parallel (MUTATION_JOBS at once, default 5). Each run's files,
// the provider's log and contract-test's output land in build/tests/mutation-output/<run>/;
// verdicts.md there lists every run's verdict and reasons, with the run's channel names written
// back as {main}, {retry}, {dlq}, {queue} so they can be pasted into the table below.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "testkit/child_process.h"
#include "testkit/contract_copy.h"
#include "testkit/contract_output.h"
#include "testkit/eventually.h"
#include "testkit/mutant_provider/defects.h"
#include "testkit/stack_env.h"
#include "testkit/topology.h"

namespace driftline::mutation {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

const fs::path kRepo = DRIFTLINE_SOURCE_DIR;
const fs::path kLabDir = kRepo / "../shared/reference/kafka-sqs-retry-dlq";
const fs::path kOutput = DRIFTLINE_TEST_OUTPUT_DIR;

enum class Contract {
  kLab,      // the lab's contract and its six examples
  kProject,  // contracts/order-service.yaml (additionalProperties: false on replies), 8 examples
};

// The lab's scenarios.
constexpr const char* kStandard = "Standard_Order_Kafka_SQS";
constexpr const char* kPriority = "Priority_Order_Kafka_SQS";
constexpr const char* kBulk = "Bulk_Order_SQS_Kafka";
constexpr const char* kRetrySuccess = "Retry_Scenario_Standard_Order";
constexpr const char* kRetryDlq = "Receive_Retry_DLQ_Scenario_Priority_Order";
// The project's scenarios with a reply.
constexpr const char* kProjectStandard = "Standard order is in progress on the queue";
constexpr const char* kProjectPriority = "Priority order is delivered";
constexpr const char* kProjectBulk = "Bulk order of four orders counts every item";
constexpr const char* kProjectRetrySuccess =
    "A transient failure is retried once, then the order goes through";

struct ExpectedFailure {
  std::string scenario;
  // Pieces the scenario's Reason: text must contain, each; {main}, {retry}, {dlq} and {queue}
  // stand for the run's channel names.
  std::vector<std::string> reason;
};

// A run of the generated negative tests instead of the examples (`--generate negative
// --filter Negative_`, lab contract, seed 1): 74 scenarios. Those in `passes` must pass; every
// other one must fail with a reason holding one of `control_rejects_reason` when the control
// dead-letters it too (kRejectedByTheControl), else one of `other_reason`.
struct NegativeRun {
  std::set<std::string> passes;
  std::vector<std::string> control_rejects_reason;
  std::vector<std::string> other_reason;
  std::string somewhere;  // at least one failure's reason holds this ("" for none)
};

// One run: the mutant provider playing `defect`, contract-test on `contract`. No failures: the
// run must pass every scenario.
struct Expectation {
  std::string defect;
  Contract contract;
  std::vector<ExpectedFailure> failures;
  std::optional<NegativeRun> negative = std::nullopt;
};

// The lab contract's negative variants the control (like the lab's provider and order-service
// without ORDER_CONTRACT) dead-letters at once: what its parse and transform check (JSON, an
// object, orderType, the order's key, its items / orders). It replies to the other 46.
const std::set<std::string>& RejectedByTheControl() {
  static const std::set<std::string> names = {
      "Negative_sendOrder_payload_notJson",
      "Negative_sendOrder_payload_notUtf8",
      "Negative_sendOrder_payload_jsonArray",
      "Negative_sendOrder_payload_bareString",
      "Negative_sendOrder_payload_emptyObject",
      "Negative_sendOrder_PlaceOrderMessage.orderType_missing",
      "Negative_sendOrder_PlaceOrderMessage.orderId_missing",
      "Negative_sendOrder_PlaceOrderMessage.items_missing",
      "Negative_sendOrder_PlaceOrderMessage.items_wrongType",
      "Negative_sendOrder_PlaceOrderMessage.orderId_wrongType",
      "Negative_sendOrder_PlaceOrderMessage.orderType_wrongType",
      "Negative_sendOrder_PlaceOrderMessage.orderType_notInEnum",
      "Negative_sendOrder_PriorityPlaceOrderMessage.orderType_missing",
      "Negative_sendOrder_PriorityPlaceOrderMessage.orderId_missing",
      "Negative_sendOrder_PriorityPlaceOrderMessage.items_missing",
      "Negative_sendOrder_PriorityPlaceOrderMessage.items_wrongType",
      "Negative_sendOrder_PriorityPlaceOrderMessage.orderId_wrongType",
      "Negative_sendOrder_PriorityPlaceOrderMessage.orderType_wrongType",
      "Negative_sendOrder_PriorityPlaceOrderMessage.orderType_notInEnum",
      "Negative_sendOrder_BulkPlaceOrderMessage.orderType_missing",
      "Negative_sendOrder_BulkPlaceOrderMessage.batchId_missing",
      "Negative_sendOrder_BulkPlaceOrderMessage.orders_missing",
      "Negative_sendOrder_BulkPlaceOrderMessage.batchId_wrongType",
      "Negative_sendOrder_BulkPlaceOrderMessage.orderType_wrongType",
      "Negative_sendOrder_BulkPlaceOrderMessage.orderType_notInEnum",
      "Negative_sendOrder_BulkPlaceOrderMessage.orders_wrongType",
      "Negative_sendOrder_BulkPlaceOrderMessage.orders.0_wrongType",
      "Negative_sendOrder_BulkPlaceOrderMessage.orders.0.items_wrongType",
  };
  return names;
}
constexpr std::size_t kLabNegativeCount = 74;
constexpr const char* kReplied =
    "The provider replied to an input the contract refuses on queue '{queue}'";

// ---------------------------------------------------------------------------------------------
// THE TABLE: what contract-test must say about each defect. Every defect of the mutant provider
// has a row (a test checks that). Tune the reason pieces here, and nowhere else. Gaps between
// Kafka records are exact (the provider stamps each with its due time), so "4.00 s apart" is safe
// to expect; a reply's time is SQS's SentTimestamp, a few ms after its due time, so no exact
// figure for it.
// ---------------------------------------------------------------------------------------------
const std::vector<Expectation>& Table() {
  static const std::vector<Expectation> table = {
      {"none", Contract::kLab, {}},
      {"none", Contract::kProject, {}},
      {"chain-starts-at-1",
       Contract::kLab,
       {{kRetrySuccess, {"starts at retryCount 1"}}, {kRetryDlq, {"starts at retryCount 1"}}}},
      {"single-late-envelope",
       Contract::kLab,
       {{kRetryDlq, {"retryCount 0 was due at once after the publish"}}}},
      {"fixed-delay",
       Contract::kLab,
       {{kRetrySuccess, {"after retryCount 0", "the exponential strategy declares 1.0 s"}},
        {kRetryDlq, {"4.00 s apart; the exponential strategy declares 1.0 s"}}}},
      {"no-backoff",
       Contract::kLab,
       {{kRetrySuccess, {"after retryCount 0", "the exponential strategy declares 1.0 s"}},
        {kRetryDlq, {"0.00 s apart; the exponential strategy declares 1.0 s"}}}},
      {"one-retry-too-many",
       Contract::kLab,
       {{kRetryDlq,
         // The chain's own words ("goes on to retryCount 4") are not asserted: the last envelope
         // and the dead letter are written 1 ms apart on two topics, and the dead letter, which
         // fails the test at once, may arrive first (the same holds below).
         {"/payload/totalRetries: value differs (expected 3, actual 4)",
          "totalRetries 4; maxAttempts 3"}}}},
      {"one-retry-too-few",
       Contract::kLab,
       {{kRetryDlq,
         {"/payload/totalRetries: value differs (expected 3, actual 2)",
          "totalRetries 2; maxAttempts 3"}}}},
      {"total-retries-off-by-one",
       Contract::kLab,
       {{kRetryDlq,
         // Not "retries observed 3": envelope 3 and the dead letter are written 3 ms apart on
         // two topics, and the dead letter that fails the test at once may arrive first.
         {"/payload/totalRetries: value differs (expected 3, actual 4)",
          "totalRetries 4; maxAttempts 3"}}}},
      {"dlq-before-retries-finish",
       Contract::kLab,
       {{kRetryDlq,
         {"the dead letter came before the retries were exhausted: retryCount 2 followed it"}}}},
      {"dlq-on-success-path",
       Contract::kLab,
       {{kStandard, {"Unexpected message on topic '{dlq}'"}},
        {kPriority, {"Unexpected message on topic '{dlq}'"}},
        {kBulk, {"Unexpected message on topic '{dlq}'"}},
        {kRetrySuccess, {"Unexpected message on topic '{dlq}'"}}}},
      {"duplicate-sqs-reply",
       Contract::kLab,
       {{kStandard, {"A second message arrived on queue '{queue}'"}},
        {kPriority, {"A second message arrived on queue '{queue}'"}},
        {kBulk, {"A second message arrived on queue '{queue}'"}},
        {kRetrySuccess, {"A second message arrived on queue '{queue}'"}}}},
      {"late-second-reply",
       Contract::kLab,
       {{kStandard, {"A second message arrived on queue '{queue}'"}},
        {kPriority, {"A second message arrived on queue '{queue}'"}},
        {kBulk, {"A second message arrived on queue '{queue}'"}},
        {kRetrySuccess, {"A second message arrived on queue '{queue}'"}}}},
      {"wrong-enum",
       Contract::kLab,
       {{kStandard, {"does not conform to the contract", "SHIPPED"}},
        {kRetrySuccess, {"does not conform to the contract", "SHIPPED"}}}},
      {"wrong-value-for-type",
       Contract::kLab,
       {{kStandard, {"/status", "DELIVERED"}}, {kRetrySuccess, {"/status", "DELIVERED"}}}},
      {"items-count-string",
       Contract::kLab,
       {{kStandard, {"does not conform to the contract", "itemsCount"}},
        {kPriority, {"does not conform to the contract", "itemsCount"}},
        {kBulk, {"does not conform to the contract", "itemsCount"}},
        {kRetrySuccess, {"does not conform to the contract", "itemsCount"}}}},
      {"no-correlation-attribute",
       Contract::kLab,
       {{kStandard, {"without a CorrelationId", "{queue}"}},
        {kPriority, {"without a CorrelationId", "{queue}"}},
        {kBulk, {"without a CorrelationId", "{queue}"}},
        {kRetrySuccess, {"without a CorrelationId", "{queue}"}}}},
      {"no-correlation-header-on-retry",
       Contract::kLab,
       {{kRetrySuccess, {"without a CorrelationId", "{retry}"}},
        {kRetryDlq, {"without a CorrelationId", "{retry}"}}}},
      {"extra-property",
       Contract::kProject,
       {{kProjectStandard, {"does not conform to the contract", "note"}},
        {kProjectPriority, {"does not conform to the contract", "note"}},
        {kProjectBulk, {"does not conform to the contract", "note"}},
        {kProjectRetrySuccess, {"does not conform to the contract", "note"}}}},
      {"missing-required",
       Contract::kLab,
       {{kStandard, {"does not conform to the contract", "processingStartedAt"}},
        {kRetrySuccess, {"does not conform to the contract", "processingStartedAt"}}}},
      {"reply-on-wrong-channel",
       Contract::kLab,
       {{kStandard, {"Unexpected message on topic '{retry}'"}},
        {kPriority, {"Unexpected message on topic '{retry}'"}},
        {kBulk, {"Unexpected message on topic '{retry}'"}},
        {kRetrySuccess, {"retry envelope on topic '{retry}' does not conform to the contract"}}}},
      // The generated negative tests. The control parses without validating what it does not
      // need: it dead-letters what its transform cannot use and replies to the rest.
      {"none", Contract::kLab, {}, NegativeRun{RejectedByTheControl(), {}, {kReplied}, ""}},
      {"retries-invalid-input",
       Contract::kLab,
       {},
       NegativeRun{{},
                   {"The provider retried an input the contract refuses (a permanently bad "
                    "message): 1 retry envelope(s) on topic '{retry}'"},
                   {kReplied},
                   ""}},
      {"replies-to-invalid-input",
       Contract::kLab,
       {},
       NegativeRun{
           {"Negative_sendOrder_payload_notJson", "Negative_sendOrder_payload_notUtf8",
            "Negative_sendOrder_payload_jsonArray", "Negative_sendOrder_payload_bareString"},
           {kReplied},
           {kReplied},
           ""}},
      // Which orders the provider read before the first invalid one is up to the order the
      // tests published in; every one after it gets nothing.
      {"stops-on-invalid-input",
       Contract::kLab,
       {},
       NegativeRun{{},
                   {"The provider sent no dead letter for an input the contract refuses within "
                    "15.0 s: it ignored the input, or crashed or stopped consuming"},
                   {kReplied,
                    "The provider sent no dead letter for an input the contract "
                    "refuses within 15.0 s"},
                   "crashed or stopped consuming"}},
      {"dead-letters-invalid-input-twice",
       Contract::kLab,
       {},
       NegativeRun{{},
                   {"The provider dead-lettered an input the contract refuses 2 times"},
                   {kReplied},
                   ""}},
  };
  return table;
}

const char* ContractName(Contract c) {
  return c == Contract::kLab ? "lab" : "project";
}

std::size_t ScenarioCount(Contract c) {
  return c == Contract::kLab ? 6 : 8;
}

// "fixed-delay" on the lab's contract -> "fixed_delay_lab" (a valid test name and folder name);
// "_negative" after it for a run of the negative tests.
std::string RunName(const Expectation& e) {
  std::string name = e.defect + "_" + ContractName(e.contract) + (e.negative ? "_negative" : "");
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

// What one run produced.
struct RunResult {
  std::string setup_error;  // non-empty: the run could not be made (no verdict)
  testkit::CapturedRun contract_test;
  testkit::ContractTestOutput parsed;
  std::optional<int> provider_exit;
  std::map<std::string, std::string> placeholders;  // "{retry}" -> the run's retry topic, ...
  fs::path dir;
  milliseconds wall{};

  // `text` with the run's channel names written back as placeholders.
  std::string Generic(const std::string& text) const {
    std::map<std::string, std::string> back;
    for (const auto& [placeholder, name] : placeholders)
      back[name] = placeholder;
    return testkit::RenameWhole(text, back);
  }
  std::string Specific(std::string text) const {
    for (const auto& [placeholder, name] : placeholders) {
      for (std::size_t at = text.find(placeholder); at != std::string::npos;
           at = text.find(placeholder, at + name.size()))
        text.replace(at, placeholder.size(), name);
    }
    return text;
  }
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool HasLine(const std::string& text, std::string_view line) {
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    if (l == line) return true;
  }
  return false;
}

RunResult RunOne(const Expectation& e) {
  const auto started = std::chrono::steady_clock::now();
  RunResult r;
  r.dir = kOutput / RunName(e);
  testkit::TopologyOptions options;
  options.prefix = "mut-" + e.defect + (e.negative ? "-neg" : "");
  auto topology = testkit::Topology::Create(options);
  if (!topology) {
    r.setup_error =
        "cannot create the run's topics and queue (is the stack up? `make stack-up`): " +
        topology.error().ToString();
    return r;
  }
  const testkit::Topology& t = **topology;
  r.placeholders = {{"{main}", t.main_topic()},
                    {"{retry}", t.retry_topic()},
                    {"{dlq}", t.dlq_topic()},
                    {"{queue}", t.queue_name()}};
  const std::map<std::string, std::string> addresses = {
      {"place-order-topic", t.main_topic()},
      {"place-order-retry-topic", t.retry_topic()},
      {"place-order-dlq-topic", t.dlq_topic()},
      {"place-order-queue", t.queue_name()}};
  auto copy = e.contract == Contract::kLab
                  ? testkit::CopyContract(kLabDir /
                                              ".specmatic/repos/labs-contracts/asyncapi/"
                                              "kafka-sqs-retry-dlq/order-service-sqs-kafka.yaml",
                                          kLabDir / "spec/order-service-sqs-kafka_examples", {},
                                          r.dir / "contract", addresses)
                  : testkit::CopyContract(kRepo / "contracts/order-service.yaml",
                                          kRepo / "contracts/order-service_examples", {"schemas"},
                                          r.dir / "contract", addresses);
  if (!copy) {
    r.setup_error = "cannot copy the contract: " + copy.error().ToString();
    return r;
  }

  const fs::path provider_log = r.dir / "mutant-provider.log";
  auto provider = testkit::ChildProcess::Spawn(
      {DRIFTLINE_MUTANT_PROVIDER_BIN, "--defect", e.defect},
      t.ServiceEnv({"MAX_RETRIES=3", "ENABLE_TEST_FAILURE_SCENARIOS=true",
                    "FAIL_ONCE_ORDER_IDS=ORD-RETRY-90001", "ALWAYS_FAIL_ORDER_IDS=ORD-DLQ-90001",
                    "DIRECT_DLQ_ORDER_IDS=ORD-RECEIVE-DLQ-90001"}),
      provider_log.string());
  if (!provider) {
    r.setup_error = "cannot start mutant-provider: " + provider.error().ToString();
    return r;
  }
  testkit::Eventually(
      [&] { return HasLine(ReadFile(provider_log), "ready") || !(*provider)->Running(); },
      milliseconds(60000));
  if (!HasLine(ReadFile(provider_log), "ready")) {
    r.setup_error =
        std::string((*provider)->Running() ? "mutant-provider did not say ready within 60 s"
                                           : "mutant-provider exited before it was ready") +
        "; log " + provider_log.string() + ":\n" + ReadFile(provider_log);
    return r;
  }

  std::vector<std::string> argv = {DRIFTLINE_CONTRACT_TEST_BIN,
                                   "--contract",
                                   copy->contract.string(),
                                   "--examples",
                                   copy->examples.string(),
                                   "--kafka",
                                   testkit::KafkaBootstrap(),
                                   "--sqs",
                                   testkit::SqsEndpoint() + "/000000000000",
                                   "--strict",
                                   "--reply-timeout",
                                   "10",
                                   "--report-dir",
                                   (r.dir / "reports").string()};
  if (e.negative) {
    argv.insert(argv.end(),
                {"--generate", "negative", "--generate-seed", "1", "--filter", "Negative_"});
  }
  r.contract_test = testkit::RunCaptured(argv, milliseconds(150000));
  std::ofstream(r.dir / "contract-test.log") << r.contract_test.output;
  r.parsed = testkit::ParseContractTestOutput(r.contract_test.output);
  r.provider_exit = (*provider)->Terminate(milliseconds(10000));
  r.wall = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  return r;
}

// Every selected run, MUTATION_JOBS at a time, started once before the first test and awaited
// by each test on its own.
class Runs : public ::testing::Environment {
 public:
  static Runs& Instance() {
    static Runs* runs = new Runs;  // handed to GoogleTest, which deletes it
    return *runs;
  }

  // The result of Table()[index]; waits for it.
  const RunResult& Get(std::size_t index) { return results_.at(index).get(); }

  void SetUp() override {
    started_ = std::chrono::steady_clock::now();
    results_.clear();  // --gtest_repeat runs everything again
    selected_.clear();
    workers_.clear();
    std::vector<std::size_t> selected;
    const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
    std::set<std::string> wanted;
    for (int i = 0; i < unit.total_test_suite_count(); ++i) {
      const ::testing::TestSuite& suite = *unit.GetTestSuite(i);
      for (int j = 0; j < suite.total_test_count(); ++j) {
        if (suite.GetTestInfo(j)->should_run()) wanted.insert(suite.GetTestInfo(j)->name());
      }
    }
    const bool lab_present = fs::exists(kLabDir / "specmatic.yaml");
    for (std::size_t i = 0; i < Table().size(); ++i) {
      if (!wanted.contains("Verdict/" + RunName(Table()[i]))) continue;
      if (Table()[i].contract == Contract::kLab && !lab_present) continue;  // the test skips
      selected.push_back(i);
      selected_.insert(i);
    }
    std::vector<std::promise<RunResult>> promises(Table().size());
    for (std::size_t i = 0; i < Table().size(); ++i)
      results_.push_back(promises[i].get_future().share());
    int jobs = 5;
    if (const char* v = std::getenv("MUTATION_JOBS")) jobs = std::max(1, std::atoi(v));
    std::cout << "mutation: " << selected.size() << " run(s), " << jobs << " at a time\n";
    auto next = std::make_shared<std::atomic<std::size_t>>(0);
    auto shared = std::make_shared<std::vector<std::promise<RunResult>>>(std::move(promises));
    for (int w = 0; w < jobs; ++w) {
      workers_.emplace_back([next, shared, selected] {
        for (std::size_t k = (*next)++; k < selected.size(); k = (*next)++) {
          const std::size_t i = selected[k];
          (*shared)[i].set_value(RunOne(Table()[i]));
        }
      });
    }
  }

  void TearDown() override {
    for (std::thread& w : workers_)
      w.join();
    WriteVerdicts();
  }

 private:
  // verdicts.md: each finished run's verdict and reasons, channel names as placeholders.
  void WriteVerdicts() {
    std::ostringstream md;
    md << "# Mutation verdicts\n\n";
    for (std::size_t i = 0; i < Table().size(); ++i) {
      if (!selected_.contains(i)) continue;
      const RunResult& r = results_[i].get();
      md << "## " << Table()[i].defect << " (" << ContractName(Table()[i].contract) << ")\n\n";
      if (!r.setup_error.empty()) {
        md << "not run: " << r.setup_error << "\n\n";
        continue;
      }
      md << "exit " << r.contract_test.exit_code << "; "
         << r.parsed.summary.value_or("no summary line") << "; " << r.wall.count() << " ms\n\n";
      for (const testkit::UnsuccessfulScenario& s : r.parsed.unsuccessful)
        md << "- " << s.name << (s.error ? " (error)" : "") << ": " << r.Generic(s.ReasonText())
           << "\n";
      md << "\n";
    }
    md << "Whole selection: "
       << std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started_)
              .count()
       << " ms\n";
    fs::create_directories(kOutput);
    std::ofstream(kOutput / "verdicts.md") << md.str();
    std::cout << "mutation: verdicts in " << (kOutput / "verdicts.md").string() << "\n";
  }

  std::vector<std::shared_future<RunResult>> results_;  // one per row; unselected ones broken
  std::set<std::size_t> selected_;
  std::vector<std::thread> workers_;
  std::chrono::steady_clock::time_point started_;
};

[[maybe_unused]] ::testing::Environment* const kRuns =
    ::testing::AddGlobalTestEnvironment(&Runs::Instance());

// The verdicts of a run of the negative tests (NegativeRun).
void CheckNegative(const Expectation& e, const NegativeRun& n, const RunResult& r,
                   const std::string& log) {
  const std::size_t failing = kLabNegativeCount - n.passes.size();
  EXPECT_EQ(r.contract_test.exit_code, failing == 0 ? 0 : 1) << log;
  EXPECT_THAT(r.parsed.summary, ::testing::Optional(::testing::StartsWith(
                                    "Tests run: " + std::to_string(kLabNegativeCount) +
                                    ", Successes: " + std::to_string(n.passes.size()) + ",")))
      << e.defect << ": " << log;
  std::size_t seen = 0;
  bool somewhere = n.somewhere.empty();
  for (const testkit::UnsuccessfulScenario& s : r.parsed.unsuccessful) {
    EXPECT_TRUE(s.name.starts_with("Negative_")) << s.name;
    EXPECT_FALSE(n.passes.contains(s.name)) << s.name << " must pass against " << e.defect;
    EXPECT_FALSE(s.error) << s.name << " errored instead of failing";
    ++seen;
    const std::vector<std::string>& pieces =
        RejectedByTheControl().contains(s.name) ? n.control_rejects_reason : n.other_reason;
    const std::string reason = s.ReasonText();
    const bool said = std::any_of(pieces.begin(), pieces.end(), [&](const std::string& p) {
      return reason.find(r.Specific(p)) != std::string::npos;
    });
    EXPECT_TRUE(said) << s.name << ": the reason says none of " << ::testing::PrintToString(pieces)
                      << "; it says: " << r.Generic(reason);
    if (!n.somewhere.empty() && reason.find(n.somewhere) != std::string::npos) somewhere = true;
  }
  EXPECT_EQ(seen, failing) << e.defect << ": " << log;
  EXPECT_TRUE(somewhere) << "no failure's reason says \"" << n.somewhere << "\"";
}

class MutationTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(MutationTest, Verdict) {
  const Expectation& e = Table()[GetParam()];
  if (e.contract == Contract::kLab && !fs::exists(kLabDir / "specmatic.yaml"))
    GTEST_SKIP() << "skipped: ../shared is absent (" << kLabDir << "), so the lab's files are too";
  const RunResult& r = Runs::Instance().Get(GetParam());
  ASSERT_TRUE(r.setup_error.empty()) << r.setup_error;

  // The runner's words, for quoting (channel names as placeholders).
  std::cout << "[" << e.defect << " on the " << ContractName(e.contract) << " contract] exit "
            << r.contract_test.exit_code << ", " << r.parsed.summary.value_or("no summary line")
            << ", " << r.wall.count() << " ms (files: " << r.dir.string() << ")\n";
  for (const testkit::UnsuccessfulScenario& s : r.parsed.unsuccessful)
    std::cout << "  " << s.name << (s.error ? " (error)" : "")
              << "\n    Reason: " << r.Generic(s.ReasonText()) << "\n";

  const std::string log = "contract-test output: " + (r.dir / "contract-test.log").string();
  EXPECT_EQ(r.provider_exit, std::optional<int>(0))
      << "mutant-provider did not stop cleanly; log " << (r.dir / "mutant-provider.log").string();
  const std::string total = std::to_string(ScenarioCount(e.contract));
  if (e.negative) {
    CheckNegative(e, *e.negative, r, log);
  } else if (e.failures.empty()) {
    EXPECT_EQ(r.contract_test.exit_code, 0) << log;
    EXPECT_EQ(r.parsed.summary,
              "Tests run: " + total + ", Successes: " + total + ", Failures: 0, WIP: 0, Errors: 0")
        << log;
    EXPECT_THAT(r.parsed.UnsuccessfulNames(), ::testing::IsEmpty()) << log;
  } else {
    std::set<std::string> expected;
    for (const ExpectedFailure& f : e.failures)
      expected.insert(f.scenario);
    EXPECT_EQ(r.contract_test.exit_code, 1) << "(1: a test failed) " << log;
    EXPECT_THAT(r.parsed.summary,
                ::testing::Optional(::testing::StartsWith(
                    "Tests run: " + total + ", Successes: " +
                    std::to_string(ScenarioCount(e.contract) - expected.size()) + ",")))
        << log;
    EXPECT_EQ(r.parsed.UnsuccessfulNames(), expected) << log;
    for (const ExpectedFailure& f : e.failures) {
      const testkit::UnsuccessfulScenario* s = r.parsed.Find(f.scenario);
      if (s == nullptr) continue;  // reported above
      EXPECT_FALSE(s->error) << f.scenario << " errored instead of failing";
      for (const std::string& piece : f.reason) {
        EXPECT_THAT(s->ReasonText(), ::testing::HasSubstr(r.Specific(piece)))
            << f.scenario << ": the reason does not say \"" << piece << "\"";
      }
    }
  }
  if (HasFailure()) std::cout << "contract-test's whole output:\n" << r.contract_test.output;
}

std::vector<std::size_t> AllRows() {
  std::vector<std::size_t> rows(Table().size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    rows[i] = i;
  return rows;
}

INSTANTIATE_TEST_SUITE_P(Defects, MutationTest, ::testing::ValuesIn(AllRows()),
                         [](const ::testing::TestParamInfo<std::size_t>& row) {
                           return RunName(Table()[row.param]);
                         });

// The table covers every defect the mutant provider knows, and the control on both contracts.
TEST(MutationTable, CoversEveryDefect) {
  std::set<std::string> in_table;
  for (const Expectation& e : Table())
    in_table.insert(e.defect);
  std::set<std::string> known;
  for (const testkit::mutant::Defect& d : testkit::mutant::Defects())
    known.emplace(d.name);
  EXPECT_EQ(in_table, known);
  std::set<Contract> control;
  for (const Expectation& e : Table()) {
    if (e.defect == "none") control.insert(e.contract);
  }
  EXPECT_EQ(control, (std::set<Contract>{Contract::kLab, Contract::kProject}));
}

}  // namespace
}  // namespace driftline::mutation
