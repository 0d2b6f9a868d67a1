#include "contract/spec/document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace driftline::contract {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(ParseSourceTest, YamlScalarsFollowTheCoreSchema) {
  auto doc = ParseSource(R"(a: 3
b: 2.5
c: '2025-12-08T10:30:00Z'
d: true
e: ~
f: "3"
g: hello
h: -7
i: 1e3
j: |
  block text
)",
                         "x.yaml");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(doc->root["a"], json(3));
  EXPECT_TRUE(doc->root["a"].is_number_integer());
  EXPECT_EQ(doc->root["b"], json(2.5));
  EXPECT_EQ(doc->root["c"], json("2025-12-08T10:30:00Z"));
  EXPECT_EQ(doc->root["d"], json(true));
  EXPECT_TRUE(doc->root["e"].is_null());
  EXPECT_EQ(doc->root["f"], json("3"));
  EXPECT_EQ(doc->root["g"], json("hello"));
  EXPECT_EQ(doc->root["h"], json(-7));
  EXPECT_EQ(doc->root["i"], json(1000.0));
  EXPECT_EQ(doc->root["j"], json("block text\n"));
}

TEST(ParseSourceTest, YamlKeepsLinesPerPointer) {
  auto doc = ParseSource("top:\n  list:\n    - one\n    - two: 2\n", "x.yaml");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->LineOf("/top"), 2);
  EXPECT_EQ(doc->LineOf("/top/list/1/two"), 4);
  // Unknown pointers fall back to the nearest ancestor.
  EXPECT_EQ(doc->LineOf("/top/list/1/missing"), 4);
  EXPECT_EQ(doc->Where("/top/list/0"), "x.yaml:3");
}

TEST(ParseSourceTest, MalformedYamlNamesFileLineAndColumn) {
  auto doc = ParseSource("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code(), Code::kInvalidArgument);
  EXPECT_THAT(doc.error().message(), ::testing::StartsWith("bad.yaml:"));
}

TEST(ParseSourceTest, DuplicateYamlKeysAreErrors) {
  auto doc = ParseSource("a: 1\nb: 2\na: 3\n", "dup.yaml");
  ASSERT_FALSE(doc);
  EXPECT_THAT(doc.error().message(), HasSubstr("dup.yaml:3:1: duplicate key 'a'"));
}

TEST(ParseSourceTest, MalformedJsonNamesFileLineAndColumn) {
  auto doc = ParseSource("{\n  \"a\": 1,\n  \"b\": ]\n}\n", "bad.json");
  ASSERT_FALSE(doc);
  EXPECT_THAT(doc.error().message(), ::testing::StartsWith("bad.json:3:"));
  EXPECT_THAT(doc.error().message(), Not(HasSubstr("json.exception")));
}

TEST(ParseSourceTest, JsonNumberOverflowIsAnErrorNotACrash) {
  auto doc = ParseSource("{\"a\": 1E510}", "big.json");
  ASSERT_FALSE(doc);
  EXPECT_THAT(doc.error().message(), ::testing::StartsWith("big.json:"));
}

TEST(ParseSourceTest, JsonKeepsNumberKinds) {
  auto doc = ParseSource(R"({"i": 2, "f": 45.50, "s": "x"})", "x.json");
  ASSERT_TRUE(doc);
  EXPECT_TRUE(doc->root["i"].is_number_integer());
  EXPECT_TRUE(doc->root["f"].is_number_float());
  EXPECT_EQ(doc->Where("/s"), "x.json (at /s)");
}

TEST(PointerTest, EscapesAndSplits) {
  EXPECT_EQ(AppendPointer("/a", "b/c~d"), "/a/b~1c~0d");
  auto tokens = SplitPointer("/a/b~1c~0d/0");
  ASSERT_TRUE(tokens);
  EXPECT_EQ(*tokens, (std::vector<std::string>{"a", "b/c~d", "0"}));
  EXPECT_FALSE(SplitPointer("a/b"));
  const json doc = {{"a", {{"b/c~d", json::array({10, 20})}}}};
  ASSERT_NE(FindAt(doc, "/a/b~1c~0d/1"), nullptr);
  EXPECT_EQ(*FindAt(doc, "/a/b~1c~0d/1"), json(20));
  EXPECT_EQ(FindAt(doc, "/a/missing"), nullptr);
  EXPECT_EQ(FindAt(doc, "/a/b~1c~0d/2"), nullptr);
  EXPECT_EQ(FindAt(doc, "/a/b~1c~0d/01"), nullptr);
}

}  // namespace
}  // namespace driftline::contract
