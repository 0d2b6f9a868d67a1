// The JSON-Schema-Test-Suite's draft-7 cases (Debian package json-schema-test-suite) for the
// keywords AsyncAPI schemas use, run through CompiledSchema exactly as message checks run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "contract/check/schema.h"

namespace driftline::contract {
namespace {

using nlohmann::json;

const std::filesystem::path kSuite = JSON_SCHEMA_TEST_SUITE_DIR;

// Cases where our documented behaviour differs from the suite, each with the reason. Run with
// SUITE_NO_SKIPS=1 to see them fail.
const std::map<std::string, std::string> kKnownDifferences = {
    // Remote references are refused by design: a contract check never touches the network.
    {"ref.json/remote ref, containing refs itself", "remote $ref (json-schema.org metaschema)"},
    {"ref.json/Recursive references between schemas", "remote $ref (http://localhost:1234/...)"},
};

bool Known(const std::string& file, const std::string& group, const std::string& test) {
  if (std::getenv("SUITE_NO_SKIPS") != nullptr) return false;
  for (const std::string& key :
       {file + "/" + group + "/" + test, file + "/" + group, file + "/" + test}) {
    if (kKnownDifferences.count(key)) return true;
  }
  return false;
}

class JsonSchemaTestSuite : public ::testing::TestWithParam<std::string> {};

TEST_P(JsonSchemaTestSuite, Draft7) {
  const std::filesystem::path file = kSuite / GetParam();
  if (!std::filesystem::exists(file))
    GTEST_SKIP() << "json-schema-test-suite is not installed: " << file;
  std::ifstream in(file);
  const json groups = json::parse(in);
  const std::string name = file.filename().string();
  int run = 0;
  for (const json& group : groups) {
    const std::string description = group["description"].get<std::string>();
    auto compiled = CompiledSchema::Compile(group["schema"], true, name + ": " + description);
    if (!compiled) {
      bool all_known = true;
      for (const json& t : group["tests"])
        all_known = all_known && Known(name, description, t["description"]);
      EXPECT_TRUE(all_known) << name << " / " << description << ": " << compiled.error().message();
      continue;
    }
    for (const json& t : group["tests"]) {
      const std::string test = t["description"].get<std::string>();
      if (Known(name, description, test)) continue;
      ++run;
      EXPECT_EQ((*compiled)->IsValid(t["data"]), t["valid"].get<bool>())
          << name << " / " << description << " / " << test << "\n  data: " << t["data"].dump();
    }
  }
  EXPECT_GT(run, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Keywords, JsonSchemaTestSuite,
    ::testing::Values("type.json", "properties.json", "required.json", "additionalProperties.json",
                      "items.json", "enum.json", "const.json", "minimum.json", "maximum.json",
                      "exclusiveMinimum.json", "exclusiveMaximum.json", "minLength.json",
                      "maxLength.json", "minItems.json", "maxItems.json", "pattern.json",
                      "oneOf.json", "anyOf.json", "allOf.json", "not.json", "ref.json",
                      "optional/format/date-time.json", "optional/format/date.json"),
    [](const ::testing::TestParamInfo<std::string>& param) {
      std::string n = param.param;
      for (char& c : n) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return n;
    });

}  // namespace
}  // namespace driftline::contract
