#include "contract/negative/negative.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "contract/check/check.h"
#include "contract/check/schema.h"
#include "contract/run/suite.h"
#include "contract/spec/asyncapi.h"
#include "testkit/lab_files.h"

namespace driftline::contract::negative {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

const testkit::LabFiles kFiles = testkit::LabFilesFrom(DRIFTLINE_SOURCE_DIR);

// A contract with the schemas compiled strictly, as `contract-test` checks messages.
struct Loaded {
  std::unique_ptr<Contract> contract;
  std::unique_ptr<SchemaCatalog> schemas;
};

Loaded Load(const fs::path& path) {
  Loaded out;
  auto contract = LoadContract(path);
  EXPECT_TRUE(contract) << contract.error().message();
  if (!contract) return out;
  out.contract = std::make_unique<Contract>(std::move(*contract));
  auto schemas = SchemaCatalog::Build(*out.contract, true);
  EXPECT_TRUE(schemas) << schemas.error().message();
  if (schemas) out.schemas = std::make_unique<SchemaCatalog>(std::move(*schemas));
  return out;
}

NegativeVariants Generate(const Loaded& loaded, NegativeOptions options = {}) {
  if (!loaded.contract || !loaded.schemas) return {};
  auto variants = GenerateNegativeVariants(*loaded.contract, *loaded.schemas, options);
  EXPECT_TRUE(variants) << variants.error().message();
  return variants ? std::move(*variants) : NegativeVariants{};
}

// A contract built in code: one receive operation with a dead-letter route, whose one message
// declares every keyword a variant breaks; the correlation id is in the payload.
std::unique_ptr<Contract> EveryKeywordContract(bool with_dead_letter = true) {
  auto contract = std::make_unique<Contract>();
  auto message = std::make_unique<Message>();
  message->key = "test#/components/messages/Measurement";
  message->name = "Measurement";
  message->content_type = "application/json";
  message->payload_schema = json::parse(R"({
    "type": "object",
    "additionalProperties": false,
    "required": ["id", "code", "when", "count", "ratio", "level", "tags", "meta"],
    "properties": {
      "id": {"type": "string", "minLength": 2, "maxLength": 8},
      "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
      "when": {"type": "string", "format": "date-time"},
      "count": {"type": "integer", "minimum": 1, "maximum": 10},
      "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
      "level": {"type": "string", "enum": ["LOW", "HIGH"]},
      "tags": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "string"}},
      "meta": {"type": "object", "required": ["cid"], "properties": {"cid": {"type": "string"}}}
    }
  })");
  message->headers_schema = json::parse(R"({
    "type": "object", "required": ["Trace"], "properties": {"Trace": {"type": "string"}}
  })");
  message->correlation_id = ParseCorrelationIdLocation("$message.payload#/meta/cid");
  message->where = "test:1";
  auto input = std::make_unique<Channel>();
  input->id = "measurements";
  input->address = "measurements";
  input->messages = {message.get()};
  auto dead = std::make_unique<Channel>();
  dead->id = "dead";
  dead->address = "measurements-dlq";
  auto operation = std::make_unique<Operation>();
  operation->id = "takeMeasurement";
  operation->action = Operation::Action::kReceive;
  operation->channel = input.get();
  operation->messages = {message.get()};
  if (with_dead_letter)
    operation->dead_letter = DeadLetterPath{dead.get(), {}, {}, "x-specmatic-dlq"};
  contract->messages.push_back(std::move(message));
  contract->channels.push_back(std::move(input));
  contract->channels.push_back(std::move(dead));
  contract->operations.push_back(std::move(operation));
  return contract;
}

Loaded Built(std::unique_ptr<Contract> contract) {
  Loaded out;
  out.contract = std::move(contract);
  auto schemas = SchemaCatalog::Build(*out.contract, true);
  EXPECT_TRUE(schemas) << schemas.error().message();
  if (schemas) out.schemas = std::make_unique<SchemaCatalog>(std::move(*schemas));
  return out;
}

std::set<NegativeKind> KindsOf(const NegativeVariants& v) {
  std::set<NegativeKind> kinds;
  for (const NegativeVariant& variant : v.variants)
    kinds.insert(variant.kind);
  return kinds;
}

const NegativeVariant* Named(const NegativeVariants& v, const std::string& name) {
  for (const NegativeVariant& variant : v.variants)
    if (variant.name == name) return &variant;
  return nullptr;
}

bool ValidUtf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xE  ? 3
                          : (c >> 3) == 0x1E ? 4
                                             : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += n;
  }
  return true;
}

// Every keyword a variant kind breaks, as found anywhere in `schema`.
void DeclaredKinds(const json& schema, std::set<NegativeKind>& out) {
  if (schema.is_array()) {
    for (const json& item : schema)
      DeclaredKinds(item, out);
    return;
  }
  if (!schema.is_object()) return;
  const std::map<std::string, NegativeKind> kinds = {
      {"required", NegativeKind::kMissingRequired}, {"type", NegativeKind::kWrongType},
      {"enum", NegativeKind::kNotInEnum},           {"const", NegativeKind::kNotInEnum},
      {"minLength", NegativeKind::kTooShort},       {"maxLength", NegativeKind::kTooLong},
      {"minimum", NegativeKind::kBelowMinimum},     {"maximum", NegativeKind::kAboveMaximum},
      {"pattern", NegativeKind::kPatternMismatch},  {"minItems", NegativeKind::kTooFewItems},
      {"maxItems", NegativeKind::kTooManyItems}};
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    if (auto k = kinds.find(it.key()); k != kinds.end()) {
      const bool breakable = it.key() == "minLength" || it.key() == "minItems"
                                 ? it.value().is_number() && it.value().get<double>() > 0
                                 : true;
      if (breakable) out.insert(k->second);
    }
    if (it.key() == "format" && it.value().is_string() &&
        (it.value() == "date-time" || it.value() == "date" || it.value() == "time"))
      out.insert(NegativeKind::kBadFormat);
    if (it.key() == "additionalProperties" && it.value() == json(false))
      out.insert(NegativeKind::kAdditionalProperty);
    if (it.key() == "exclusiveMinimum" && it.value().is_number())
      out.insert(NegativeKind::kAtExclusiveMinimum);
    if (it.key() == "exclusiveMaximum" && it.value().is_number())
      out.insert(NegativeKind::kAtExclusiveMaximum);
    if (it.value().is_structured()) DeclaredKinds(it.value(), out);
  }
}

// The kinds each contract's input schemas declare something for, checked against the list.
void ExpectEveryDeclaredKind(const Loaded& loaded, const NegativeVariants& v) {
  std::set<NegativeKind> declared = {NegativeKind::kNotJson, NegativeKind::kNotUtf8,
                                     NegativeKind::kEmptyObject};
  for (const auto& op : loaded.contract->operations) {
    if (op->action != Operation::Action::kReceive || !op->dead_letter) continue;
    for (const Message* m : op->messages) {
      DeclaredKinds(m->payload_schema, declared);
      if (m->headers_schema && m->headers_schema->dump().find("\"required\"") != std::string::npos)
        declared.insert(NegativeKind::kMissingHeader);
    }
  }
  const std::set<NegativeKind> present = KindsOf(v);
  for (NegativeKind k : declared) {
    // An array and a bare string are dropped where a message declares such input (checked in
    // ProjectContractDropsWhatRejectedOrderAccepts); every other declared kind must be there.
    EXPECT_TRUE(present.contains(k)) << NegativeKindName(k);
  }
}

// Checks against schemas compiled here, strictly, not the catalog the generator used.
void ExpectEveryVariantInvalidForEveryMessage(const Loaded& loaded, const NegativeVariants& v) {
  std::map<const Message*, std::shared_ptr<const CompiledSchema>> payloads, headers;
  for (const auto& m : loaded.contract->messages) {
    auto p = CompiledSchema::Compile(m->payload_schema, true, m->name);
    ASSERT_TRUE(p) << p.error().message();
    payloads[m.get()] = *p;
    if (m->headers_schema) {
      auto h = CompiledSchema::Compile(*m->headers_schema, true, m->name);
      ASSERT_TRUE(h) << h.error().message();
      headers[m.get()] = *h;
    }
  }
  ASSERT_FALSE(v.variants.empty());
  for (const NegativeVariant& variant : v.variants) {
    if (!variant.is_json()) {
      EXPECT_FALSE(json::accept(variant.payload)) << variant.name;
      // Not UTF-8 only where that is the point; plain text otherwise.
      EXPECT_EQ(ValidUtf8(variant.payload), variant.kind == NegativeKind::kNotJson) << variant.name;
      continue;
    }
    ASSERT_TRUE(json::accept(variant.payload)) << variant.name;
    const json payload = json::parse(variant.payload);
    for (const Message* m : variant.operation->messages) {
      const bool payload_ok = payloads.at(m)->IsValid(payload);
      const bool headers_ok = !headers.contains(m) || headers.at(m)->IsValid(variant.headers);
      EXPECT_FALSE(payload_ok && headers_ok)
          << variant.name << " is valid for " << m->name << ": " << variant.payload;
    }
  }
}

void ExpectNamesUniqueAndWellFormed(const NegativeVariants& v) {
  std::set<std::string> names;
  for (const NegativeVariant& variant : v.variants) {
    EXPECT_TRUE(names.insert(variant.name).second) << "repeated: " << variant.name;
    const std::regex form("Negative_" + variant.operation_id + "_[A-Za-z0-9.-][A-Za-z0-9._-]*_" +
                          std::string(NegativeKindName(variant.kind)));
    EXPECT_TRUE(std::regex_match(variant.name, form)) << variant.name;
    EXPECT_FALSE(variant.why.empty()) << variant.name;
    EXPECT_EQ(variant.why.find('\n'), std::string::npos) << variant.name;
    EXPECT_EQ(variant.channel, variant.operation->channel) << variant.name;
  }
}

// Name, bytes, headers and correlation id of every variant, in order.
std::vector<std::string> Fingerprint(const NegativeVariants& v) {
  std::vector<std::string> out;
  for (const NegativeVariant& variant : v.variants)
    out.push_back(variant.name + "|" + variant.payload + "|" + variant.headers.dump() + "|" +
                  variant.correlation_id + "|" + variant.why);
  for (const DroppedVariant& d : v.dropped)
    out.push_back("dropped " + d.name + " " + d.accepted_by);
  return out;
}

TEST(NegativeVariantsTest, SameContractGivesTheSameListInTheSameOrder) {
  for (const fs::path& path : {kFiles.contract, kFiles.project_contract}) {
    const Loaded loaded = Load(path);
    const NegativeVariants first = Generate(loaded);
    const NegativeVariants second = Generate(loaded);
    EXPECT_FALSE(first.variants.empty()) << path;
    EXPECT_EQ(Fingerprint(first), Fingerprint(second)) << path;
    // A second load of the file, too: nothing depends on addresses.
    EXPECT_EQ(Fingerprint(first), Fingerprint(Generate(Load(path)))) << path;
  }
}

TEST(NegativeVariantsTest, TheSeedIsReportedAndChangesTheCorrelationIds) {
  const Loaded loaded = Load(kFiles.contract);
  const NegativeVariants a = Generate(loaded, {.limit = std::nullopt, .seed = 7});
  const NegativeVariants b = Generate(loaded, {.limit = std::nullopt, .seed = 8});
  EXPECT_EQ(a.seed, 7u);
  EXPECT_EQ(b.seed, 8u);
  ASSERT_EQ(a.variants.size(), b.variants.size());
  std::size_t differing = 0;
  for (std::size_t i = 0; i < a.variants.size(); ++i) {
    EXPECT_EQ(a.variants[i].name, b.variants[i].name);
    if (!a.variants[i].correlation_id.empty())
      differing += a.variants[i].correlation_id != b.variants[i].correlation_id;
  }
  EXPECT_GT(differing, 0u);
}

TEST(NegativeVariantsTest, LabContractEveryDeclaredKindIsPresent) {
  const Loaded loaded = Load(kFiles.contract);
  const NegativeVariants v = Generate(loaded);
  ExpectEveryDeclaredKind(loaded, v);
  // The lab's input messages declare what these break; the array and the bare string are refused
  // by every one of them.
  for (NegativeKind k :
       {NegativeKind::kJsonArray, NegativeKind::kBareString, NegativeKind::kMissingHeader,
        NegativeKind::kBadFormat, NegativeKind::kNotInEnum})
    EXPECT_TRUE(KindsOf(v).contains(k)) << NegativeKindName(k);
  EXPECT_NE(Named(v, "Negative_sendOrder_PlaceOrderMessage.orderDate_badFormat"), nullptr);
  EXPECT_NE(Named(v, "Negative_sendOrder_PriorityPlaceOrderMessage.priorityLevel_notInEnum"),
            nullptr);
  EXPECT_NE(
      Named(v, "Negative_sendOrder_BulkPlaceOrderMessage.orders.0.items.0.quantity_wrongType"),
      nullptr);
  EXPECT_NE(Named(v, "Negative_sendOrder_payload_notUtf8"), nullptr);
}

TEST(NegativeVariantsTest, ProjectContractEveryDeclaredKindIsPresent) {
  const Loaded loaded = Load(kFiles.project_contract);
  const NegativeVariants v = Generate(loaded);
  ExpectEveryDeclaredKind(loaded, v);
  EXPECT_NE(Named(v, "Negative_processOrder_StandardOrder.items_tooFewItems"), nullptr);
  EXPECT_NE(Named(v, "Negative_processOrder_StandardOrder.items.0.quantity_belowMinimum"), nullptr);
  EXPECT_NE(Named(v, "Negative_processOrder_BulkOrder.batchId_tooShort"), nullptr);
}

TEST(NegativeVariantsTest, EveryKindOnAContractThatDeclaresEverything) {
  const Loaded loaded = Built(EveryKeywordContract());
  const NegativeVariants v = Generate(loaded);
  for (NegativeKind k : AllNegativeKinds())
    EXPECT_TRUE(KindsOf(v).contains(k)) << NegativeKindName(k);
  ExpectEveryVariantInvalidForEveryMessage(loaded, v);
  ExpectNamesUniqueAndWellFormed(v);
  EXPECT_TRUE(v.dropped.empty());
  // One message: no message name in the path.
  EXPECT_NE(Named(v, "Negative_takeMeasurement_ratio_atExclusiveMaximum"), nullptr);
  EXPECT_NE(Named(v, "Negative_takeMeasurement_payload_additionalProperty"), nullptr);
  EXPECT_NE(Named(v, "Negative_takeMeasurement_headers.Trace_missingHeader"), nullptr);
}

TEST(NegativeVariantsTest, EveryJsonVariantIsInvalidForEveryMessageOfItsOperation) {
  for (const fs::path& path : {kFiles.contract, kFiles.project_contract}) {
    SCOPED_TRACE(path.string());
    const Loaded loaded = Load(path);
    ExpectEveryVariantInvalidForEveryMessage(loaded, Generate(loaded));
  }
}

TEST(NegativeVariantsTest, NamesAreUniqueAndOfTheStatedForm) {
  for (const fs::path& path : {kFiles.contract, kFiles.project_contract}) {
    SCOPED_TRACE(path.string());
    ExpectNamesUniqueAndWellFormed(Generate(Load(path)));
  }
}

TEST(NegativeVariantsTest, TheLimitKeepsTheFirstVariants) {
  const Loaded loaded = Load(kFiles.contract);
  const NegativeVariants all = Generate(loaded);
  ASSERT_GT(all.variants.size(), 7u);
  EXPECT_EQ(all.beyond_limit, 0u);
  const NegativeVariants seven = Generate(loaded, {.limit = 7, .seed = 1});
  ASSERT_EQ(seven.variants.size(), 7u);
  EXPECT_EQ(seven.beyond_limit, all.variants.size() - 7);
  for (std::size_t i = 0; i < 7; ++i)
    EXPECT_EQ(seven.variants[i].name, all.variants[i].name);
  const NegativeVariants none = Generate(loaded, {.limit = 0, .seed = 1});
  EXPECT_TRUE(none.variants.empty());
  EXPECT_EQ(none.beyond_limit, all.variants.size());
}

TEST(NegativeVariantsTest, MissingHeaderVariantLacksOnlyThatHeader) {
  const Loaded loaded = Load(kFiles.contract);
  const NegativeVariants v = Generate(loaded);
  std::size_t seen = 0;
  for (const NegativeVariant& variant : v.variants) {
    if (variant.kind != NegativeKind::kMissingHeader) continue;
    ++seen;
    ASSERT_NE(variant.message, nullptr);
    const json::json_pointer header(variant.pointer);
    EXPECT_FALSE(variant.headers.contains(header)) << variant.name;
    // The payload is a valid one of its message: the header is the one thing broken.
    EXPECT_TRUE(loaded.schemas->Payload(variant.message)->IsValid(json::parse(variant.payload)))
        << variant.name;
    EXPECT_FALSE(loaded.schemas->Headers(variant.message)->IsValid(variant.headers))
        << variant.name;
  }
  EXPECT_EQ(seen, 3u);  // CorrelationId, required by each of the three input messages
}

TEST(NegativeVariantsTest, CorrelationIdInTheHeaderWhereTheContractSaysSo) {
  const Loaded loaded = Load(kFiles.contract);
  const NegativeVariants v = Generate(loaded);
  std::set<std::string> ids;
  for (const NegativeVariant& variant : v.variants) {
    if (variant.kind == NegativeKind::kMissingHeader && variant.pointer == "/CorrelationId") {
      EXPECT_TRUE(variant.correlation_id.empty()) << variant.name;
      EXPECT_FALSE(variant.headers.contains("CorrelationId")) << variant.name;
      continue;
    }
    ASSERT_FALSE(variant.correlation_id.empty()) << variant.name;
    EXPECT_EQ(variant.headers.value("CorrelationId", ""), variant.correlation_id) << variant.name;
    EXPECT_TRUE(ids.insert(variant.correlation_id).second) << "repeated id in " << variant.name;
  }
}

TEST(NegativeVariantsTest, CorrelationIdInThePayloadWhereTheContractSaysSo) {
  const Loaded loaded = Built(EveryKeywordContract());
  const NegativeVariants v = Generate(loaded);
  const json::json_pointer cid("/meta/cid");
  std::size_t placed = 0;
  for (const NegativeVariant& variant : v.variants) {
    const bool broke_it = variant.pointer == "/meta" || variant.pointer == "/meta/cid";
    const bool no_object = !variant.is_json() || variant.kind == NegativeKind::kJsonArray ||
                           variant.kind == NegativeKind::kBareString ||
                           variant.kind == NegativeKind::kEmptyObject;
    if (broke_it || no_object) {
      EXPECT_TRUE(variant.correlation_id.empty()) << variant.name;
      continue;
    }
    const json payload = json::parse(variant.payload);
    ASSERT_TRUE(payload.contains(cid)) << variant.name;
    EXPECT_EQ(payload.at(cid), variant.correlation_id) << variant.name;
    EXPECT_FALSE(variant.headers.contains("CorrelationId")) << variant.name;
    ++placed;
  }
  EXPECT_GT(placed, 10u);
}

TEST(NegativeVariantsTest, NoneWithoutADeadLetterRoute) {
  const NegativeVariants v = Generate(Built(EveryKeywordContract(false)));
  EXPECT_TRUE(v.variants.empty());
  EXPECT_TRUE(v.dropped.empty());
}

TEST(NegativeVariantsTest, ProjectContractDropsWhatRejectedOrderAccepts) {
  // RejectedOrder declares arrays, strings and unknown order types as input of the operation,
  // so those cannot be negative variants there.
  const NegativeVariants v = Generate(Load(kFiles.project_contract));
  std::map<std::string, std::string> dropped;
  for (const DroppedVariant& d : v.dropped)
    dropped[d.name] = d.accepted_by;
  EXPECT_EQ(dropped["Negative_processOrder_payload_jsonArray"], "RejectedOrder");
  EXPECT_EQ(dropped["Negative_processOrder_payload_bareString"], "RejectedOrder");
  EXPECT_EQ(dropped["Negative_processOrder_StandardOrder.orderType_notInEnum"], "RejectedOrder");
  std::cout << "project contract: " << v.variants.size() << " variants, " << v.dropped.size()
            << " dropped\n";
  for (const DroppedVariant& d : v.dropped)
    std::cout << "  dropped " << d.name << " (accepted by " << d.accepted_by << ")\n";
  EXPECT_EQ(Named(v, "Negative_processOrder_payload_jsonArray"), nullptr);
  EXPECT_NE(Named(v, "Negative_processOrder_payload_emptyObject"), nullptr);
}

TEST(NegativeVariantsTest, UnsatisfiableSchemaIsAnErrorNamingTheOperationAndMessage) {
  auto contract = EveryKeywordContract();
  contract->messages[0]->payload_schema = json::parse(R"({"type": "string", "minLength": 5,
                                                          "maxLength": 2})");
  const Loaded loaded = Built(std::move(contract));
  auto result = GenerateNegativeVariants(*loaded.contract, *loaded.schemas, {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), Code::kInvalidArgument);
  EXPECT_THAT(result.error().Trace(), HasSubstr("takeMeasurement Measurement"));
}

TEST(NegativeVariantsTest, LabSuiteGivesTheSameListAsTheContractFile) {
  SuiteOptions options;
  options.config = kFiles.dir / "specmatic.yaml";
  auto suite = LoadSuite(options);
  ASSERT_TRUE(suite) << suite.error().message();
  ASSERT_EQ(suite->specs.size(), 1u);
  const SpecSuite& spec = *suite->specs[0];
  auto from_suite = GenerateNegativeVariants(*spec.contract, *spec.schemas, {});
  ASSERT_TRUE(from_suite) << from_suite.error().message();
  const NegativeVariants from_file = Generate(Load(kFiles.contract));
  EXPECT_EQ(Fingerprint(*from_suite), Fingerprint(from_file));

  std::map<std::string, int> per_kind;
  for (const NegativeVariant& variant : from_suite->variants)
    ++per_kind[std::string(NegativeKindName(variant.kind))];
  std::cout << "lab contract: " << from_suite->variants.size() << " variants, "
            << from_suite->dropped.size() << " dropped, seed " << from_suite->seed << "\n";
  for (const auto& [kind, count] : per_kind)
    std::cout << "  " << kind << ": " << count << "\n";
  ::testing::Test::RecordProperty("lab_variants", static_cast<int>(from_suite->variants.size()));
}

}  // namespace
}  // namespace driftline::contract::negative
