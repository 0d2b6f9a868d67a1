#include "contract/spec/example.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "temp_dir.h"

namespace driftline::contract {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::TempDir;

Result<Example> Parse(const std::string& text) {
  auto doc = ParseSource(text, "ex.json");
  if (!doc) return tl::unexpected(doc.error());
  return ParseExample(*doc);
}

TEST(ParseExampleTest, ReadsEveryBlock) {
  auto ex = Parse(R"J({"name": "All", "id": "e1",
    "receive": {"topic": "in", "payload": {"a": 1}, "headers": {"CorrelationId": "c-1"}, "key": "k"},
    "send": {"topic": "out", "payload": {"a": "(number)"}},
    "retry": {"topic": "retry", "payload": {}},
    "dlq": {"topic": "dlq", "payload": {}}})J");
  ASSERT_TRUE(ex) << ex.error().message();
  EXPECT_EQ(ex->name, "All");
  EXPECT_EQ(ex->id, "e1");
  ASSERT_TRUE(ex->receive);
  EXPECT_EQ(ex->receive->topic, "in");
  EXPECT_EQ(ex->receive->headers["CorrelationId"], "c-1");
  EXPECT_EQ(ex->receive->key, json("k"));
  EXPECT_EQ(ex->receive->pointer, "/receive");
  ASSERT_EQ(ex->Expected().size(), 3u);
  EXPECT_EQ(ex->Expected()[0]->role, Role::kReply);
  EXPECT_EQ(ex->Expected()[2]->role, Role::kDeadLetter);
  EXPECT_FALSE(ex->IsWip());
}

TEST(ParseExampleTest, BeforeAndAfterAreReportedUnsupported) {
  auto ex = Parse(R"({"name": "F", "receive": {"topic": "in", "payload": {}},
                      "before": [{"type": "x"}], "after": [], "extra": 1})");
  ASSERT_TRUE(ex) << ex.error().message();
  EXPECT_EQ(ex->unsupported, (std::vector<std::string>{"after", "before"}));
  ASSERT_EQ(ex->warnings.size(), 1u);
  EXPECT_THAT(ex->warnings[0], HasSubstr("'extra'"));
}

TEST(ParseExampleTest, Errors) {
  EXPECT_THAT(Parse(R"({"receive": {"topic": "in"}})").error().message(),
              HasSubstr("ex.json (at /name): the example needs a 'name'"));
  EXPECT_THAT(Parse(R"({"name": "x", "retry": {"topic": "r"}})").error().message(),
              HasSubstr("needs a 'receive' or a 'send' block"));
  EXPECT_THAT(Parse(R"({"name": "x", "receive": {"payload": {}}})").error().message(),
              HasSubstr("(at /receive): 'receive' needs a 'topic'"));
  EXPECT_THAT(Parse(R"({"name": "x", "receive": {"topic": "t", "headers": []}})").error().message(),
              HasSubstr("(at /receive/headers): headers must be an object"));
  EXPECT_THAT(Parse(R"({"name": "x", "receive": {"topic": "t", "body": 1}})").error().message(),
              HasSubstr("unknown member 'body'"));
}

TEST(ParseExampleTest, WipNames) {
  auto ex = Parse(R"({"name": "WIP: later", "receive": {"topic": "in"}})");
  ASSERT_TRUE(ex);
  EXPECT_TRUE(ex->IsWip());
}

TEST(LoadExamplesTest, SortedByFileNameAndMalformedFilesNamed) {
  TempDir dir;
  dir.Write("ex/b.json", R"({"name": "B", "receive": {"topic": "t"}})");
  dir.Write("ex/a.yaml", "name: A\nreceive:\n  topic: t\n");
  dir.Write("ex/notes.txt", "ignored");
  auto examples = LoadExamples(dir.path() / "ex");
  ASSERT_TRUE(examples) << examples.error().message();
  ASSERT_EQ(examples->size(), 2u);
  EXPECT_EQ((*examples)[0].name, "A");
  EXPECT_EQ((*examples)[1].name, "B");

  dir.Write("ex/c.json", "{\"name\": \"C\",\n \"receive\": {\"topic\": }\n}");
  auto bad = LoadExamples(dir.path() / "ex");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("c.json:2:"));
  EXPECT_FALSE(LoadExamples(dir.path() / "missing"));
}

}  // namespace
}  // namespace driftline::contract
