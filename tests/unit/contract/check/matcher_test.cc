#include "contract/check/matcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace driftline::contract {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::vector<Mismatch> Compare(const json& expected, const json& actual, MatchOptions options = {}) {
  std::vector<Mismatch> out;
  CompareValues(expected, actual, "/payload", options, out);
  return out;
}

TEST(ParseMatcherTest, Forms) {
  auto exact = ParseMatcher(json("$match(exact: 2)"));
  ASSERT_TRUE(exact && *exact);
  EXPECT_EQ((*exact)->kind, Matcher::Kind::kExact);
  EXPECT_EQ((*exact)->argument, "2");
  auto nospace = ParseMatcher(json("$match(exact:PROCESSING)"));
  ASSERT_TRUE(nospace && *nospace);
  EXPECT_EQ((*nospace)->argument, "PROCESSING");
  auto type = ParseMatcher(json("$match(dataType: datetime)"));
  ASSERT_TRUE(type && *type);
  EXPECT_EQ((*type)->data_type, DataType::kDateTime);
  auto pattern = ParseMatcher(json("$match(pattern: VRF-[0-9]{6})"));
  ASSERT_TRUE(pattern && *pattern);
  EXPECT_EQ((*pattern)->argument, "VRF-[0-9]{6}");
  auto bare = ParseMatcher(json("(uuid)"));
  ASSERT_TRUE(bare && *bare);
  EXPECT_EQ((*bare)->data_type, DataType::kUuid);
  // Literals.
  EXPECT_FALSE(*ParseMatcher(json("WIP")));
  EXPECT_FALSE(*ParseMatcher(json("(not a type)")));
  EXPECT_FALSE(*ParseMatcher(json(3)));
  // Malformed matchers are errors, not literals.
  EXPECT_FALSE(ParseMatcher(json("$match(exactly: 2)")));
  EXPECT_FALSE(ParseMatcher(json("$match(dataType: colour)")));
  EXPECT_FALSE(ParseMatcher(json("$match(pattern: [unclosed)")));
  EXPECT_FALSE(ParseMatcher(json("$match(exact 2)")));
}

// libstdc++'s regex compiler reads a back-reference or repetition number without an overflow
// check (matcher_fuzz, UBSan: signed overflow in regex_compiler.tcc): such numbers are refused
// before compiling, and the same digits elsewhere are left alone. The input the fuzzer found is
// kept in fuzz/corpus/matcher_fuzz/.
TEST(ParseMatcherTest, APatternNumberTooLargeForTheRegexCompilerIsAnError) {
  const std::string digits(62, '7');
  const std::vector<std::string> refused = {"a\\" + digits, "(a)\\1234567890", "a{" + digits + "}",
                                            "a{1," + digits + "}", "VRMMR\\\\\\" + digits};
  for (const std::string& pattern : refused) {
    auto m = ParseMatcher(json("$match(pattern: " + pattern + ")"));
    ASSERT_FALSE(m) << pattern;
    EXPECT_NE(m.error().message().find("too large"), std::string::npos) << m.error().message();
  }
  // An escaped backslash before digits, digits outside braces, small numbers: fine.
  const std::vector<std::string> accepted = {"a\\\\" + digits, digits, "a{2,3}"};
  for (const std::string& pattern : accepted) {
    auto m = ParseMatcher(json("$match(pattern: " + pattern + ")"));
    ASSERT_TRUE(m && *m) << pattern << ": " << (m ? "" : m.error().message());
  }
}

// A contract's pattern must not take exponential time to match: against a backtracking
// executor each of these runs for minutes (matcher_fuzz: one input still running after
// ten). Back-references, which need backtracking, are refused with a reason.
// ValuesMatch (the mock's example matching) says "match" exactly when CompareValues finds no
// difference, for every kind of value and matcher, both literal modes.
TEST(ValuesMatchTest, AgreesWithCompareValues) {
  const json expected = json::parse(R"js({
    "id": "ORD-1", "n": 2, "price": 1.5, "ok": true, "none": null,
    "when": "(datetime)", "count": "$match(exact: 3)", "code": "$match(pattern: [A-Z]{3})",
    "kind": "$match(dataType: string)", "items": [{"sku": "A"}, {"sku": "(string)"}],
    "nested": {"deep": {"x": 1}}})js");
  const json base = json::parse(R"({
    "id": "ORD-1", "n": 2, "price": 1.5, "ok": true, "none": null,
    "when": "2026-01-19T10:00:05Z", "count": 3, "code": "ABC", "kind": "k",
    "items": [{"sku": "A"}, {"sku": "B"}], "nested": {"deep": {"x": 1}}, "extra": 0})");
  std::vector<json> actuals = {base, json::array(), json("text"), json::object()};
  for (const auto& [pointer, value] :
       std::vector<std::pair<std::string, json>>{{"/id", "ORD-2"},
                                                 {"/n", 2.0},
                                                 {"/n", "2"},
                                                 {"/ok", false},
                                                 {"/none", 0},
                                                 {"/when", "yesterday"},
                                                 {"/count", 4},
                                                 {"/code", "abc"},
                                                 {"/kind", 1},
                                                 {"/items", json::array({json{{"sku", "A"}}})},
                                                 {"/items/1/sku", 7},
                                                 {"/nested/deep/x", 2},
                                                 {"/nested/deep", json::array()}}) {
    json changed = base;
    changed[json::json_pointer(pointer)] = value;
    actuals.push_back(changed);
  }
  json missing = base;
  missing.erase("when");
  actuals.push_back(missing);
  for (bool by_value : {true, false}) {
    MatchOptions options;
    options.literals_by_value = by_value;
    for (const json& actual : actuals) {
      EXPECT_EQ(ValuesMatch(expected, actual, options), Compare(expected, actual, options).empty())
          << actual.dump() << " literals_by_value=" << by_value;
    }
  }
  EXPECT_TRUE(ValuesMatch(expected, base, {}));
}

TEST(CompareValuesTest, APatternIsMatchedWithoutExponentialBacktracking) {
  EXPECT_EQ(Compare("$match(pattern: (a|aa)*c)", std::string(40, 'a')).size(), 1u);
  EXPECT_EQ(Compare("$match(pattern: (x+x+)+y)", std::string(40, 'x')).size(), 1u);
  EXPECT_TRUE(Compare("$match(pattern: (x+x+)+y)", std::string(40, 'x') + "y").empty());
  auto backref = ParseMatcher(json("$match(pattern: (a)\\1)"));
  ASSERT_FALSE(backref);
  EXPECT_THAT(backref.error().message(), HasSubstr("back-references are not supported"));
}

TEST(CompareValuesTest, ExactReadsTheActualType) {
  EXPECT_TRUE(Compare("$match(exact: 2)", 2).empty());
  EXPECT_TRUE(Compare("$match(exact: 2)", 2.0).empty());
  EXPECT_TRUE(Compare("$match(exact: 2.50)", 2.5).empty());
  EXPECT_TRUE(Compare("$match(exact: WIP)", "WIP").empty());
  EXPECT_TRUE(Compare("$match(exact: true)", true).empty());
  EXPECT_TRUE(Compare("$match(exact: null)", nullptr).empty());
  EXPECT_TRUE(Compare("$match(exact: 'a b')", "a b").empty());
  EXPECT_TRUE(Compare("$match(exact: [1, 2])", json::array({1, 2})).empty());
  auto m = Compare("$match(exact: 2)", 3);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].pointer, "/payload");
  EXPECT_EQ(m[0].expected, "exactly 2");
  EXPECT_EQ(m[0].actual, "3");
  EXPECT_EQ(Compare("$match(exact: 2)", "2").size(), 0u);  // text "2" is exactly 2 as text
  EXPECT_EQ(Compare("$match(exact: '2')", 2).size(), 1u);  // quoted: a string only
  EXPECT_EQ(Compare("$match(exact: true)", "yes").size(), 1u);
  EXPECT_EQ(Compare("$match(exact: COMPLETED)", "WIP").size(), 1u);
}

TEST(CompareValuesTest, DataTypes) {
  EXPECT_TRUE(Compare("(datetime)", "2026-01-19T10:00:05Z").empty());
  EXPECT_TRUE(Compare("(datetime)", "2026-01-19T10:00:05.123+02:00").empty());
  EXPECT_EQ(Compare("(datetime)", "2026-02-30T10:00:05Z").size(), 1u);
  EXPECT_EQ(Compare("(datetime)", "2026-01-19 10:00:05").size(), 1u);
  EXPECT_EQ(Compare("(datetime)", 5).size(), 1u);
  EXPECT_TRUE(Compare("(date)", "2024-02-29").empty());
  EXPECT_EQ(Compare("(date)", "2023-02-29").size(), 1u);
  EXPECT_TRUE(Compare("(string)", "").empty());
  EXPECT_EQ(Compare("(string)", 1).size(), 1u);
  EXPECT_TRUE(Compare("(number)", 1).empty());
  EXPECT_TRUE(Compare("(number)", 1.5).empty());
  EXPECT_EQ(Compare("(number)", "1").size(), 1u);
  EXPECT_TRUE(Compare("(integer)", 3).empty());
  EXPECT_TRUE(Compare("(integer)", 3.0).empty());
  EXPECT_EQ(Compare("(integer)", 3.5).size(), 1u);
  EXPECT_TRUE(Compare("(boolean)", false).empty());
  EXPECT_EQ(Compare("(boolean)", "false").size(), 1u);
  EXPECT_TRUE(Compare("(uuid)", "123e4567-e89b-42d3-a456-426614174000").empty());
  EXPECT_EQ(Compare("(uuid)", "123e4567-e89b-42d3-a456").size(), 1u);
  EXPECT_TRUE(Compare("$match(dataType: integer)", 7).empty());
  auto m = Compare("(datetime)", "soon");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].expected, "a datetime");
  EXPECT_EQ(m[0].actual, "\"soon\"");
}

TEST(CompareValuesTest, Pattern) {
  EXPECT_TRUE(Compare("$match(pattern: VRF-[0-9]{6})", "VRF-123456").empty());
  EXPECT_EQ(Compare("$match(pattern: VRF-[0-9]{6})", "VRF-12345").size(), 1u);
  EXPECT_EQ(Compare("$match(pattern: VRF-[0-9]{6})", "xVRF-123456").size(), 1u);
  EXPECT_EQ(Compare("$match(pattern: [0-9]+)", 123).size(), 1u);
}

TEST(CompareValuesTest, LiteralsByValueDeeply) {
  const json expected = {
      {"orderId", "ORD-1"}, {"total", 455.00}, {"items", json::array({{{"q", 1}}, {{"q", 2}}})}};
  const json actual = {{"orderId", "ORD-1"},
                       {"total", 455},
                       {"items", json::array({{{"q", 1}}, {{"q", 2}}})},
                       {"extra", true}};
  EXPECT_TRUE(Compare(expected, actual).empty());
  json wrong = actual;
  wrong["items"][1]["q"] = 3;
  wrong.erase("orderId");
  auto m = Compare(expected, wrong);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].pointer, "/payload/items/1/q");
  EXPECT_EQ(m[0].expected, "2");
  EXPECT_EQ(m[0].actual, "3");
  EXPECT_EQ(m[1].pointer, "/payload/orderId");
  EXPECT_EQ(m[1].actual, "(missing)");
  auto size = Compare(json::array({1, 2}), json::array({1}));
  ASSERT_EQ(size.size(), 1u);
  EXPECT_THAT(size[0].message, HasSubstr("expected 2 items, got 1"));
  EXPECT_EQ(Compare(json{{"a", 1}}, json::array()).size(), 1u);
  EXPECT_EQ(Compare("WIP", "DONE").size(), 1u);
}

TEST(CompareValuesTest, SchemaOnlyLiteralsCompareTypesOnly) {
  MatchOptions loose;
  loose.literals_by_value = false;
  EXPECT_TRUE(Compare("WIP", "DONE", loose).empty());
  EXPECT_TRUE(Compare(1, 2.5, loose).empty());
  EXPECT_EQ(Compare("WIP", 1, loose).size(), 1u);
  // Matchers still apply.
  EXPECT_EQ(Compare("$match(exact: WIP)", "DONE", loose).size(), 1u);
  // Structure is still compared.
  EXPECT_EQ(Compare(json{{"a", "x"}}, json::object(), loose).size(), 1u);
}

TEST(CompareValuesTest, PointerTokensAreEscaped) {
  auto m = Compare(json{{"a/b", 1}}, json{{"a/b", 2}});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].pointer, "/payload/a~1b");
}

TEST(JsonEqualTest, NumbersNumerically) {
  EXPECT_TRUE(JsonEqual(json(2), json(2.0)));
  EXPECT_TRUE(JsonEqual(json(2u), json(2)));
  EXPECT_FALSE(JsonEqual(json(2), json("2")));
  EXPECT_TRUE(JsonEqual(json{{"a", {1, 2.0}}}, json{{"a", {1.0, 2}}}));
}

TEST(AbbreviateTest, Cuts) {
  EXPECT_EQ(Abbreviate(json("abc"), 3), "\"ab…");
  EXPECT_EQ(Abbreviate(json{{"a", 1}}), "{\"a\":1}");
}

}  // namespace
}  // namespace driftline::contract
