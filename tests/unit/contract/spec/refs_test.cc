#include "contract/spec/refs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace driftline::contract {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// Documents served from memory through the reader seam.
DocumentSet InMemory(std::map<std::string, std::string> files) {
  return DocumentSet([files](const std::filesystem::path& p) -> Result<std::string> {
    auto it = files.find(p.string());
    if (it == files.end()) return Fail(Code::kNotFound, p.string() + ": cannot read the file");
    return it->second;
  });
}

TEST(DocumentSetTest, InlinesLocalAndRelativeFileReferences) {
  auto docs =
      InMemory({{"/c/main.yaml", R"(a:
  $ref: '#/defs/x'
b:
  $ref: 'common.yaml#/shared/y'
defs:
  x: {type: string}
)"},
                {"/c/common.yaml", "shared:\n  y:\n    inner:\n      $ref: '#/z'\nz: 5\n"}});
  auto main = docs.Load("/c/main.yaml");
  ASSERT_TRUE(main) << main.error().message();
  auto a = docs.Inline(**main, "/a");
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(*a, json({{"type", "string"}}));
  auto b = docs.Inline(**main, "/b");
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(*b, json({{"inner", 5}}));
}

TEST(DocumentSetTest, DanglingReferenceNamesFileLineAndPointer) {
  auto docs = InMemory({{"/c/main.yaml", "a:\n  b:\n    $ref: '#/nowhere/x'\n"}});
  auto main = docs.Load("/c/main.yaml");
  ASSERT_TRUE(main);
  auto a = docs.Inline(**main, "/a");
  ASSERT_FALSE(a);
  EXPECT_THAT(a.error().message(), HasSubstr("/c/main.yaml:3"));
  EXPECT_THAT(a.error().message(), HasSubstr("'#/nowhere/x' points at nothing"));
}

TEST(DocumentSetTest, MissingReferencedFileIsAnError) {
  auto docs = InMemory({{"/c/main.yaml", "a:\n  $ref: 'other.yaml#/x'\n"}});
  auto main = docs.Load("/c/main.yaml");
  ASSERT_TRUE(main);
  auto a = docs.Inline(**main, "/a");
  ASSERT_FALSE(a);
  EXPECT_THAT(a.error().message(), HasSubstr("/c/main.yaml:2"));
  EXPECT_THAT(a.error().message(), HasSubstr("/c/other.yaml: cannot read"));
}

TEST(DocumentSetTest, ReferenceCycleIsAnError) {
  auto docs = InMemory({{"/c/main.yaml", "a:\n  $ref: '#/b'\nb:\n  $ref: '#/a'\n"}});
  auto main = docs.Load("/c/main.yaml");
  ASSERT_TRUE(main);
  auto a = docs.Follow(**main, "/a");
  ASSERT_FALSE(a);
  EXPECT_THAT(a.error().message(), HasSubstr("$ref cycle"));
  EXPECT_THAT(a.error().message(), HasSubstr("/c/main.yaml#/a -> /c/main.yaml#/b"));
}

TEST(DocumentSetTest, SchemaContainingItselfIsACycle) {
  auto docs = InMemory({{"/c/main.yaml", R"(node:
  type: object
  properties:
    children:
      type: array
      items:
        $ref: '#/node'
)"}});
  auto main = docs.Load("/c/main.yaml");
  ASSERT_TRUE(main);
  auto node = docs.Inline(**main, "/node");
  ASSERT_FALSE(node);
  EXPECT_THAT(node.error().message(), HasSubstr("/c/main.yaml:7"));
  EXPECT_THAT(node.error().message(), HasSubstr("cycle"));
}

TEST(DocumentSetTest, CrossFileCycleIsAnError) {
  auto docs = InMemory(
      {{"/c/a.yaml", "x:\n  $ref: 'b.yaml#/y'\n"}, {"/c/b.yaml", "y:\n  $ref: 'a.yaml#/x'\n"}});
  auto a = docs.Load("/c/a.yaml");
  ASSERT_TRUE(a);
  auto x = docs.Inline(**a, "/x");
  ASSERT_FALSE(x);
  EXPECT_THAT(x.error().message(), HasSubstr("cycle"));
}

TEST(DocumentSetTest, RemoteReferencesAreRefused) {
  auto docs = InMemory({{"/c/main.yaml", "a:\n  $ref: 'https://example.com/s.yaml#/x'\n"}});
  auto main = docs.Load("/c/main.yaml");
  ASSERT_TRUE(main);
  auto a = docs.Inline(**main, "/a");
  ASSERT_FALSE(a);
  EXPECT_THAT(a.error().message(), HasSubstr("remote reference"));
}

TEST(DocumentSetTest, SharedTargetsAreNotCycles) {
  auto docs = InMemory({{"/c/main.yaml", R"(a:
  one: {$ref: '#/s'}
  two: {$ref: '#/s'}
s: {type: integer}
)"}});
  auto main = docs.Load("/c/main.yaml");
  ASSERT_TRUE(main);
  auto a = docs.Inline(**main, "/a");
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ((*a)["two"], json({{"type", "integer"}}));
}

}  // namespace
}  // namespace driftline::contract
