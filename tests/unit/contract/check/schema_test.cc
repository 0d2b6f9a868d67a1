#include "contract/check/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace driftline::contract {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const json kOrder = json::parse(R"({
  "type": "object",
  "properties": {
    "orderId": {"type": "string", "description": "id", "examples": ["ORD-1"]},
    "itemsCount": {"type": "integer", "minimum": 0},
    "status": {"type": "string", "enum": ["WIP"]},
    "at": {"type": "string", "format": "date-time"},
    "price": {"type": "number", "format": "float"},
    "items": {"type": "array", "items": {"type": "object",
              "properties": {"q": {"type": "integer"}}, "required": ["q"]}}
  },
  "required": ["orderId", "status"],
  "additionalProperties": false
})");

std::vector<Mismatch> Check(const json& schema, const json& value, bool strict = true) {
  auto compiled = CompiledSchema::Compile(schema, strict, "test");
  EXPECT_TRUE(compiled) << compiled.error().message();
  std::vector<Mismatch> out;
  (*compiled)->Validate(value, "/payload", out);
  return out;
}

TEST(CompiledSchemaTest, ValidMessagePasses) {
  EXPECT_TRUE(Check(kOrder, json::parse(R"({"orderId": "O", "itemsCount": 2, "status": "WIP",
      "at": "2026-01-19T10:00:05Z", "price": 1.5, "items": [{"q": 1}]})"))
                  .empty());
}

TEST(CompiledSchemaTest, EveryViolationHasPointerExpectedAndActual) {
  auto m = Check(kOrder, json::parse(R"({"orderId": 7, "itemsCount": 2.5, "status": "DONE",
      "at": "yesterday", "items": [{"q": "x"}, {}], "extra": 1})"));
  std::map<std::string, Mismatch> by_pointer;
  for (const Mismatch& x : m)
    by_pointer[x.pointer] = x;
  ASSERT_TRUE(by_pointer.count("/payload/orderId")) << m.size();
  EXPECT_EQ(by_pointer["/payload/orderId"].actual, "7");
  EXPECT_THAT(by_pointer["/payload/orderId"].expected, HasSubstr("\"type\":\"string\""));
  EXPECT_THAT(by_pointer["/payload/orderId"].expected, Not(HasSubstr("description")));
  ASSERT_TRUE(by_pointer.count("/payload/itemsCount"));
  ASSERT_TRUE(by_pointer.count("/payload/status"));
  EXPECT_THAT(by_pointer["/payload/status"].expected, HasSubstr("WIP"));
  EXPECT_EQ(by_pointer["/payload/status"].actual, "\"DONE\"");
  ASSERT_TRUE(by_pointer.count("/payload/at"));
  EXPECT_THAT(by_pointer["/payload/at"].expected, HasSubstr("date-time"));
  ASSERT_TRUE(by_pointer.count("/payload/items/0/q"));
  ASSERT_TRUE(by_pointer.count("/payload/items/1/q"));
  EXPECT_EQ(by_pointer["/payload/items/1/q"].actual, "(missing)");
  ASSERT_TRUE(by_pointer.count("/payload/extra"));
  EXPECT_THAT(by_pointer["/payload/extra"].message, HasSubstr("not allowed"));
  // Wrapper errors ("Failed to validate against schema associated with property") are gone.
  for (const Mismatch& x : m)
    EXPECT_THAT(x.message, Not(HasSubstr("associated with property"))) << x.pointer;
}

TEST(CompiledSchemaTest, MissingRequiredPointsAtTheMember) {
  auto m = Check(kOrder, json::parse(R"({"status": "WIP"})"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].pointer, "/payload/orderId");
  EXPECT_EQ(m[0].actual, "(missing)");
}

TEST(CompiledSchemaTest, LenientModeIgnoresRequiredAndAdditionalProperties) {
  EXPECT_TRUE(Check(kOrder, json::parse(R"({"extra": 1})"), false).empty());
  EXPECT_EQ(Check(kOrder, json::parse(R"({"status": "DONE"})"), false).size(), 1u);
  // A schema for extra members still applies.
  const json map = {{"type", "object"}, {"additionalProperties", {{"type", "integer"}}}};
  EXPECT_EQ(Check(map, json{{"a", "x"}}, false).size(), 1u);
}

TEST(CompiledSchemaTest, FormatsOnlyApplyToStrings) {
  const json schema = {{"format", "date-time"}};
  EXPECT_TRUE(Check(schema, json{{"an", "object"}}).empty());
  EXPECT_TRUE(Check(schema, 12).empty());
  EXPECT_EQ(Check(schema, "12").size(), 1u);
  // Unknown formats are annotations.
  EXPECT_TRUE(Check(json{{"type", "number"}, {"format", "float"}}, 1.5).empty());
  EXPECT_TRUE(Check(json{{"type", "string"}, {"format", "email"}}, "not an email").empty());
}

// date, time and date-time are checked as patterns compiled once (valijson's own check builds a
// regular expression per value); what they accept and what a failure says are valijson's.
TEST(CompiledSchemaTest, DateFormatsAcceptWhatValijsonAcceptsAndSaySoWhenBroken) {
  const json at = {{"type", "string"}, {"format", "date-time"}};
  for (const char* ok : {"2026-01-19T10:00:05Z", "2024-02-29T23:59:60.123+02:00",
                         "2026-04-30t00:00:00z", "99999-12-31T00:00:00-11:30"})
    EXPECT_TRUE(Check(at, ok).empty()) << ok;
  for (const char* bad : {"2026-02-30T10:00:00Z", "2026-04-31T10:00:00Z", "2026-13-01T10:00:00Z",
                          "2026-01-19 10:00:05Z", "2026-01-19T24:00:00Z", "2026-01-19T10:00:05",
                          "x2026-01-19T10:00:05Z", "2026-01-19T10:00:05Zx"}) {
    const auto m = Check(at, bad);
    ASSERT_EQ(m.size(), 1u) << bad;
    EXPECT_EQ(m[0].message, "String should be a valid date-time") << bad;
    EXPECT_THAT(m[0].expected, HasSubstr("date-time")) << bad;
  }
  EXPECT_TRUE(Check(json{{"type", "string"}, {"format", "date"}}, "2026-06-30").empty());
  EXPECT_EQ(Check(json{{"type", "string"}, {"format", "date"}}, "2026-06-31")[0].message,
            "String should be a valid date");
  EXPECT_TRUE(Check(json{{"type", "string"}, {"format", "time"}}, "16:52:45Z").empty());
  EXPECT_EQ(Check(json{{"type", "string"}, {"format", "time"}}, "16:52Z")[0].message,
            "String should be a valid time");
  // A schema's own pattern that a valid date-time breaks keeps the pattern's words.
  const json mine = {{"type", "string"}, {"format", "date-time"}, {"pattern", "^2025-"}};
  const auto m = Check(mine, "2026-01-19T10:00:05Z");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_THAT(m[0].message, HasSubstr("pattern"));
}

TEST(CompiledSchemaTest, PropertyNamedRequiredIsNotAKeyword) {
  const json schema = json::parse(
      R"({"type": "object", "properties": {"required": {"type": "string"}}, "required": ["required"]})");
  auto prepared = PrepareSchema(schema, false);
  EXPECT_TRUE(prepared["properties"].contains("required"));
  EXPECT_FALSE(prepared.contains("required"));
}

TEST(CompiledSchemaTest, StrongTypes) {
  EXPECT_EQ(Check(json{{"type", "integer"}}, "2").size(), 1u);
  EXPECT_EQ(Check(json{{"type", "boolean"}}, "true").size(), 1u);
}

TEST(CompiledSchemaTest, BadSchemaIsAnErrorNamingWhere) {
  auto compiled = CompiledSchema::Compile(json{{"type", 12}}, true, "api.yaml:3 payload of X");
  ASSERT_FALSE(compiled);
  EXPECT_THAT(compiled.error().message(), HasSubstr("api.yaml:3 payload of X"));
}

TEST(SubschemaAtTest, Walks) {
  ASSERT_NE(SubschemaAt(kOrder, "/items/3/q"), nullptr);
  EXPECT_EQ((*SubschemaAt(kOrder, "/items/3/q"))["type"], "integer");
  EXPECT_EQ(SubschemaAt(kOrder, "/nope"), nullptr);
  const json one_of = json::parse(R"({"oneOf": [{"properties": {"a": {"type": "string"}}}]})");
  ASSERT_NE(SubschemaAt(one_of, "/a"), nullptr);
}

}  // namespace
}  // namespace driftline::contract
