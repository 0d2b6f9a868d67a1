#include "contract/run/suite.h"

#include "contract/spec/asyncapi.h"

namespace driftline::contract {
namespace {

namespace fs = std::filesystem;

bool Selected(const Example& ex, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  for (const std::string& f : filters) {
    if (ex.name.find(f) != std::string::npos) return true;
  }
  return false;
}

// Does this example belong to this contract: is its trigger topic one of the contract's?
bool Belongs(const Example& ex, const Contract& contract) {
  const ExampleMessage* trigger = ex.receive ? &*ex.receive : &*ex.send;
  return contract.ChannelByAddress(trigger->topic) != nullptr;
}

}  // namespace

std::vector<TestCase> Suite::Cases() const {
  std::vector<TestCase> cases;
  for (const auto& spec : specs) {
    for (const TestPlan& plan : spec->plans) {
      const nlohmann::json* input_schema = nullptr;
      if (!plan.input_messages.empty()) {
        if (const CompiledSchema* s = spec->schemas->Payload(plan.input_messages.front()))
          input_schema = &s->schema();
      }
      cases.push_back(TestCase{&plan, spec->schemas.get(), input_schema});
    }
  }
  return cases;
}

std::string Suite::Title() const {
  std::string out;
  for (const auto& spec : specs) {
    out += (out.empty() ? "" : ", ") + fs::path(spec->contract->path).filename().string();
    if (!spec->contract->title.empty())
      out += " (" + spec->contract->title + " " + spec->contract->version + ")";
  }
  return out;
}

Result<Suite> LoadSuite(const SuiteOptions& options) {
  Suite suite;
  std::vector<fs::path> specs = options.contracts;
  std::vector<fs::path> example_dirs = options.example_dirs;
  if (options.config) {
    auto config = LoadSuiteConfig(*options.config);
    if (!config) return tl::unexpected(config.error());
    if (specs.empty()) specs = config->specs;
    if (example_dirs.empty()) example_dirs = config->example_dirs;
    suite.strict = config->strict_mode.value_or(false);
    suite.config = std::move(*config);
  }
  if (options.strict) suite.strict = *options.strict;
  suite.lenient = options.lenient;
  if (suite.lenient) suite.strict = false;
  if (specs.empty())
    return Fail(Code::kInvalidArgument, "no contract: give --config or --contract");

  std::vector<std::string> problems;
  for (const fs::path& spec_path : specs) {
    auto spec = std::make_unique<SpecSuite>();
    auto contract = LoadContract(spec_path);
    if (!contract) return tl::unexpected(contract.error());
    spec->contract = std::make_unique<Contract>(std::move(*contract));
    auto schemas = SchemaCatalog::Build(*spec->contract, !suite.lenient);
    if (!schemas) return tl::unexpected(schemas.error());
    spec->schemas = std::make_unique<SchemaCatalog>(std::move(*schemas));
    std::vector<fs::path> dirs = example_dirs;
    if (dirs.empty()) dirs.push_back(DefaultExamplesDir(spec_path));
    for (const fs::path& dir : dirs) {
      auto examples = LoadExamples(dir);
      if (!examples) return tl::unexpected(examples.error());
      for (Example& ex : *examples) {
        if (specs.size() > 1 && !Belongs(ex, *spec->contract)) continue;
        if (!Selected(ex, options.filters)) continue;
        spec->examples.push_back(std::make_unique<Example>(std::move(ex)));
      }
    }
    for (const auto& ex : spec->examples) {
      auto plan = PlanTest(*spec->contract, *ex);
      if (!plan) {
        problems.push_back(plan.error().message());
        continue;
      }
      if (suite.strict) {
        if (ex->receive) {
          auto p = ValidateExampleMessage(*spec->schemas, plan->input_messages, *ex, *ex->receive);
          problems.insert(problems.end(), p.begin(), p.end());
        }
        for (const Expectation& e : plan->expectations) {
          auto p = ValidateExampleMessage(*spec->schemas, e.messages, *ex, *e.expected);
          problems.insert(problems.end(), p.begin(), p.end());
        }
      }
      for (const std::string& w : ex->warnings)
        suite.warnings.push_back(ex->file.filename().string() + ": " + w);
      for (const std::string& u : ex->unsupported) {
        suite.warnings.push_back(ex->file.filename().string() + ": '" + u +
                                 "' fixtures are not supported and are ignored");
      }
      spec->plans.push_back(std::move(*plan));
    }
    suite.specs.push_back(std::move(spec));
  }
  if (!problems.empty()) {
    std::string text = std::to_string(problems.size()) + " problem(s) with the examples" +
                       (suite.strict ? " (strict mode)" : "") + ":";
    for (const std::string& p : problems)
      text += "\n  " + p;
    return Fail(Code::kInvalidArgument, text);
  }
  std::size_t count = 0;
  for (const auto& spec : suite.specs)
    count += spec->plans.size();
  if (count == 0 && !options.allow_no_examples)
    return Fail(Code::kInvalidArgument, "no examples to run");
  return suite;
}

namespace {

constexpr Setting kContractTestSettings[] = {
    {"CONTRACT_KAFKA", "--kafka",
     "Kafka bootstrap servers; unset: specmatic.yaml's Kafka server, else the contract's. A "
     "CONTRACT_KAFKA_PROPERTY_ variable sets one librdkafka property of the runner's clients "
     "(CONTRACT_KAFKA_PROPERTY_SECURITY_PROTOCOL=SSL: security.protocol=SSL)"},
    {"CONTRACT_SQS", "--sqs",
     "SQS host with the account path, e.g. http://127.0.0.1:4566/000000000000; unset: "
     "specmatic.yaml's SQS server, else the contract's"},
    {"CONTRACT_SQS_REGION", {}, "SQS signing region; wins over specmatic.yaml's and AWS_REGION"},
    {"AWS_ACCESS_KEY_ID",
     {},
     "SQS credentials, with AWS_SECRET_ACCESS_KEY, when specmatic.yaml gives none; unset: the "
     "local stack's test/test"},
    {"AWS_REGION",
     {},
     "SQS signing region when specmatic.yaml gives none",
     std::nullopt,
     {},
     "us-east-1"},
    {"AWS_CA_BUNDLE", {}, "CA bundle (PEM) for an https SQS endpoint; unset: the system's store"},
    {"XDG_DATA_HOME",
     {},
     "studio: its run history is $XDG_DATA_HOME/driftline/studio.sqlite (--db wins); unset: "
     "~/.local/share/driftline/studio.sqlite"},
};

}  // namespace

std::span<const Setting> ContractTestSettings() {
  return kContractTestSettings;
}

Endpoints ResolveEndpoints(const Suite& suite, const EndpointOverrides& overrides,
                           const Environment& env) {
  Endpoints e;
  auto pick = [&](Protocol protocol, const std::string& flag, const char* var, std::string& out,
                  std::string& source) {
    if (!flag.empty()) {
      out = flag;
      source = "command line";
      return;
    }
    if (auto v = env.Get(var); v && !v->empty()) {
      out = *v;
      source = var;
      return;
    }
    if (suite.config) {
      for (const ServerSetting& s : suite.config->servers) {
        if (s.protocol == protocol) {
          out = s.host;
          source = suite.config->path.filename().string();
          return;
        }
      }
    }
    for (const auto& spec : suite.specs) {
      if (const Server* s = spec->contract->ServerFor(protocol)) {
        out = s->host;
        source = fs::path(spec->contract->path).filename().string();
        return;
      }
    }
  };
  pick(Protocol::kKafka, overrides.kafka, "CONTRACT_KAFKA", e.kafka_bootstrap, e.kafka_source);
  pick(Protocol::kSqs, overrides.sqs, "CONTRACT_SQS", e.sqs_host, e.sqs_source);

  bool from_config = false;
  if (suite.config) {
    for (const ServerSetting& s : suite.config->servers) {
      if (s.protocol == Protocol::kSqs && !s.access_key_id.empty()) {
        e.sqs_access_key_id = s.access_key_id;
        e.sqs_secret_access_key = s.secret_access_key;
        if (!s.region.empty()) e.sqs_region = s.region;
        from_config = true;
      }
    }
  }
  if (!from_config) {
    auto key = env.Get("AWS_ACCESS_KEY_ID");
    auto secret = env.Get("AWS_SECRET_ACCESS_KEY");
    if (key && secret && !key->empty() && !secret->empty()) {
      e.sqs_access_key_id = *key;
      e.sqs_secret_access_key = *secret;
    }
    if (auto region = env.Get("AWS_REGION"); region && !region->empty()) e.sqs_region = *region;
  }
  if (auto region = env.Get("CONTRACT_SQS_REGION"); region && !region->empty())
    e.sqs_region = *region;
  e.sqs_ca_bundle = EnvString(env, "AWS_CA_BUNDLE", "");
  return e;
}

}  // namespace driftline::contract
