#include "order/envelope.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace driftline::order {
namespace {

using nlohmann::json;

TEST(RetryEnvelopeTest, RoundTripsThroughJson) {
  RetryEnvelope e;
  e.original_message = json::parse(R"({"orderType":"STANDARD","orderId":"O"})");
  e.message_key = "O";
  e.retry_count = 2;
  e.first_attempt_timestamp = "2026-01-19T10:00:00Z";
  e.last_attempt_timestamp = "2026-01-19T10:00:03Z";
  e.error_message = "boom";
  e.error_stack_trace = "transform: boom";
  const json j = e.ToJson();
  for (const char* k : {"originalMessage", "messageKey", "retryCount", "firstAttemptTimestamp",
                        "lastAttemptTimestamp", "errorMessage", "errorStackTrace"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  auto back = ParseRetryEnvelope(j.dump());
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->ToJson(), j);
}

TEST(RetryEnvelopeTest, MalformedEnvelopesArePermanent) {
  for (const char* bad :
       {"not json", "[]", R"({"messageKey":"k","retryCount":0})",
        R"({"originalMessage":{},"messageKey":"k","retryCount":-1,
            "firstAttemptTimestamp":"a","lastAttemptTimestamp":"b"})",
        R"({"originalMessage":{},"messageKey":"k","retryCount":"1",
            "firstAttemptTimestamp":"a","lastAttemptTimestamp":"b"})",
        R"({"originalMessage":{},"messageKey":"k","retryCount":1,"firstAttemptTimestamp":"a"})"}) {
    auto r = ParseRetryEnvelope(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_FALSE(r.error().retryable);
    EXPECT_EQ(r.error().reason, "invalid-envelope");
  }
}

TEST(DeadLetterTest, HasEveryFieldTheContractRequires) {
  DeadLetter d;
  d.original_message = json::parse(R"({"orderId":"O"})");
  d.message_key = "O";
  d.total_retries = 3;
  d.first_attempt_timestamp = "2026-01-19T10:00:00Z";
  d.failed_timestamp = "2026-01-19T10:00:07Z";
  d.final_error_message = "still failing";
  d.final_error_stack_trace = "trace";
  d.reason = "injected-always";
  const json j = d.ToJson();
  EXPECT_EQ(j["totalRetries"], 3);
  EXPECT_EQ(j["originalMessage"]["orderId"], "O");
  EXPECT_EQ(j["failureReason"], "injected-always");
  EXPECT_FALSE(j.contains("rawMessageBase64"));
}

TEST(DeadLetterTest, PoisonInputKeepsItsBytes) {
  DeadLetter d;
  d.raw_message = std::string("\xff\x00{not json", 11);
  d.message_key = "unknown";
  const json j = d.ToJson();
  EXPECT_TRUE(j["originalMessage"].is_object());
  EXPECT_EQ(Base64Decode(j["rawMessageBase64"].get<std::string>()).value(), *d.raw_message);
}

TEST(TraceTest, BoundedAndKeepsBothEnds) {
  const std::string longtext = "HEAD" + std::string(10000, 'x') + "TAIL";
  const std::string b = Bound(longtext, 200);
  EXPECT_LE(b.size(), 200u);
  EXPECT_EQ(b.substr(0, 4), "HEAD");
  EXPECT_EQ(b.substr(b.size() - 4), "TAIL");
  EXPECT_NE(b.find("bytes elided"), std::string::npos);
  EXPECT_EQ(Bound("short", 200), "short");
}

TEST(TraceTest, CutDoesNotSplitUtf8) {
  std::string text;
  for (int i = 0; i < 500; ++i)
    text += "\xc3\xa9";  // é
  const std::string b = Bound(text, 101);
  // Every byte sequence must still be whole: re-encode through nlohmann, which rejects bad UTF-8.
  EXPECT_NO_THROW((void)json(b).dump());
}

TEST(TraceTest, FormatsWhereMessageAndContext) {
  Failure f{true, "injected-once", "Simulated failure", "transform STANDARD order O (attempt 1)"};
  EXPECT_EQ(FormatTrace(f, "consumed from place-order-topic[0]@5"),
            "transform STANDARD order O (attempt 1): Simulated failure\n"
            "consumed from place-order-topic[0]@5");
}

}  // namespace
}  // namespace driftline::order
