#include "contract/check/check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sample_fixture.h"

namespace driftline::contract {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class CheckTest : public testing::SampleContractTest {
 protected:
  void SetUp() override {
    SampleContractTest::SetUp();
    op_ = contract_->operations[0].get();
  }

  ObservedMessage Observed(const Channel* channel, json payload, json headers = json::object()) {
    ObservedMessage m;
    m.channel = channel;
    m.payload = std::move(payload);
    m.raw_payload = m.payload.dump();
    m.headers = std::move(headers);
    return m;
  }

  const Operation* op_ = nullptr;
};

TEST_F(CheckTest, ConformingMessageMatchingTheExample) {
  ExampleMessage expected;
  expected.role = Role::kReply;
  expected.payload =
      json{{"id", "A-1"}, {"status", "$match(exact: ACCEPTED)"}, {"at", "(datetime)"}};
  expected.headers = json{{"CorrelationId", "c-1"}};
  auto v = CheckMessage(
      *schemas_, op_->reply->messages, &expected,
      Observed(op_->reply->channel,
               json{{"id", "A-1"}, {"status", "ACCEPTED"}, {"at", "2026-01-19T10:00:05Z"}},
               json{{"CorrelationId", "c-1"}}),
      {});
  EXPECT_TRUE(v.ok());
  ASSERT_NE(v.message, nullptr);
  EXPECT_EQ(v.message->name, "Accepted");
}

TEST_F(CheckTest, SchemaAndValueMismatchesAreSeparate) {
  ExampleMessage expected;
  expected.payload = json{{"id", "A-1"}};
  expected.headers = json{{"CorrelationId", "c-1"}};
  expected.key = json("K");
  ObservedMessage m = Observed(op_->reply->channel, json{{"id", "A-2"}, {"status", "NOPE"}},
                               json{{"CorrelationId", "c-2"}});
  m.key = "K";
  auto v = CheckMessage(*schemas_, op_->reply->messages, &expected, m, {});
  EXPECT_FALSE(v.schema_ok());
  EXPECT_FALSE(v.values_ok());
  std::vector<std::string> schema_pointers;
  for (const Mismatch& x : v.schema_mismatches)
    schema_pointers.push_back(x.pointer);
  EXPECT_THAT(schema_pointers, ::testing::UnorderedElementsAre("/payload/status", "/payload/at"));
  ASSERT_EQ(v.value_mismatches.size(), 2u);
  EXPECT_EQ(v.value_mismatches[0].pointer, "/payload/id");
  EXPECT_EQ(v.value_mismatches[1].pointer, "/headers/CorrelationId");
}

TEST_F(CheckTest, HeadersSchemaIsChecked) {
  auto v =
      CheckMessage(*schemas_, op_->messages, nullptr,
                   Observed(op_->channel, json{{"id", "x"}, {"count", 1}}, json::object()), {});
  ASSERT_EQ(v.schema_mismatches.size(), 1u);
  EXPECT_EQ(v.schema_mismatches[0].pointer, "/headers/CorrelationId");
}

TEST_F(CheckTest, NonJsonPayloadIsAMismatch) {
  ObservedMessage m = Observed(op_->reply->channel, json("not json {"));
  m.payload_is_json = false;
  auto v = CheckMessage(*schemas_, op_->reply->messages, nullptr, m, {});
  ASSERT_FALSE(v.schema_ok());
  EXPECT_THAT(v.schema_mismatches[0].message, HasSubstr("not JSON"));
}

TEST_F(CheckTest, KeyAndNumericHeaderLiteralsCompareAsText) {
  ExampleMessage expected;
  expected.headers = json{{"Attempt", 2}};
  expected.key = json("ORD-1");
  ObservedMessage m = Observed(op_->reply->channel, json::object(), json{{"Attempt", "2"}});
  m.key = "ORD-2";
  auto v = CheckMessage(*schemas_, {}, &expected, m, {});
  ASSERT_EQ(v.value_mismatches.size(), 1u);
  EXPECT_EQ(v.value_mismatches[0].pointer, "/key");
}

TEST(ExtractCorrelationIdTest, HeaderAndPayload) {
  const std::vector<CorrelationIdLocation> locations = {
      {CorrelationIdLocation::Source::kHeader, "/CorrelationId", ""},
      {CorrelationIdLocation::Source::kPayload, "/meta/id", ""}};
  EXPECT_EQ(ExtractCorrelationId(json{{"CorrelationId", "h"}}, json::object(), locations), "h");
  EXPECT_EQ(ExtractCorrelationId(json::object(), json{{"meta", {{"id", 42}}}}, locations), "42");
  EXPECT_FALSE(ExtractCorrelationId(json::object(), json("text"), locations));
}

TEST_F(CheckTest, StrictValidationAcceptsMatchersCompatibleWithTheSchema) {
  Example ex = MakeExample(R"J({"name": "ok",
    "receive": {"topic": "orders-in", "payload": {"id": "A", "count": 2, "placedAt": "(datetime)"},
                "headers": {"CorrelationId": "c"}},
    "send": {"topic": "orders-out", "payload": {"id": "A", "status": "$match(exact: ACCEPTED)",
             "at": "(datetime)"}, "headers": {"CorrelationId": "c"}},
    "retry": {"topic": "orders-retry", "payload": {"id": "A", "retryCount": "(number)"}}})J");
  EXPECT_THAT(ValidateExampleMessage(*schemas_, op_->messages, ex, *ex.receive),
              ::testing::IsEmpty());
  EXPECT_THAT(ValidateExampleMessage(*schemas_, op_->reply->messages, ex, *ex.send),
              ::testing::IsEmpty());
  EXPECT_THAT(ValidateExampleMessage(*schemas_, op_->retry->messages, ex, *ex.retry),
              ::testing::IsEmpty());
}

TEST_F(CheckTest, StrictValidationNamesFileAndPointer) {
  Example ex = MakeExample(R"J({"name": "bad",
    "receive": {"topic": "orders-in", "payload": {"id": "A", "count": 0, "color": "red"},
                "headers": {"CorrelationId": "c"}},
    "send": {"topic": "orders-out", "payload": {"id": "A", "status": "$match(exact: DONE)",
             "at": "(boolean)"}}})J");
  auto receive = ValidateExampleMessage(*schemas_, op_->messages, ex, *ex.receive);
  ASSERT_EQ(receive.size(), 2u);
  EXPECT_THAT(receive, ::testing::Contains(HasSubstr("ex.json (at /receive/payload/color)")));
  EXPECT_THAT(receive, ::testing::Contains(HasSubstr("(at /receive/payload/count)")));
  auto send = ValidateExampleMessage(*schemas_, op_->reply->messages, ex, *ex.send);
  ASSERT_EQ(send.size(), 2u);
  EXPECT_THAT(send,
              ::testing::Contains(AllOf(HasSubstr("(at /send/payload/at)"),
                                        HasSubstr("not compatible with schema type string"))));
  EXPECT_THAT(send, ::testing::Contains(HasSubstr("(at /send/payload/status)")));
}

TEST(MaterializeForPublishTest, MatchersBecomeValues) {
  const json schema = json::parse(
      R"({"properties": {"n": {"type": "integer"}, "s": {"type": "string"}, "b": {"type": "boolean"}}})");
  const json out = MaterializeForPublish(json{{"n", "$match(exact: 4)"},
                                              {"s", "$match(exact: 4)"},
                                              {"b", "(boolean)"},
                                              {"t", "(datetime)"},
                                              {"plain", "x"}},
                                         &schema, Clock::WallTime{} + std::chrono::hours(24));
  EXPECT_EQ(out["n"], json(4));
  EXPECT_EQ(out["s"], json("4"));
  EXPECT_EQ(out["b"], json(true));
  EXPECT_EQ(out["t"], json("1970-01-02T00:00:00Z"));
  EXPECT_EQ(out["plain"], json("x"));
}

}  // namespace
}  // namespace driftline::contract
