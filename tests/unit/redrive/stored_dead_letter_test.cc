#include "redrive/stored_dead_letter.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dead_letters.h"

namespace driftline::redrive {
namespace {

using testing::DeadLetterWriter;

constexpr const char* kUnknownType =
    R"({"orderType":"RETURN","orderId":"ORD-R1","items":[{"productId":"P"}]})";

std::string OrderJson(const char* id) {
  return std::string(R"({"orderType":"STANDARD","orderId":")") + id +
         R"(","items":[{"productId":"P"}]})";
}

// Poison input comes back byte for byte, under the record's key, with the order's headers.
TEST(StoredDeadLetterTest, PoisonInputKeepsItsExactBytes) {
  DeadLetterWriter writer;
  const std::string poison("\xff\xfe not json \0 at all", 19);
  const kafka::Message in =
      writer.Input(poison, "the-key", {{"CorrelationId", "corr-7"}, {"traceparent", "00-ab"}});
  const kafka::OutgoingMessage dl = writer.DeadLetterFor(in);
  ASSERT_EQ(dl.topic, "orders-dlq");
  auto read = ReadDeadLetter(DeadLetterWriter::AsStored(dl, 2, 40));
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  EXPECT_EQ(read->original_payload, poison);
  EXPECT_EQ(read->key, "the-key");
  EXPECT_EQ(read->order_id, "the-key") << "no order: the messageKey";
  EXPECT_EQ(read->correlation_id, "corr-7");
  EXPECT_EQ(read->error_kind, "permanent");
  EXPECT_EQ(read->failure_reason, "not-utf8");
  EXPECT_EQ(read->failed_timestamp, "2026-01-19T10:00:00Z");
  EXPECT_EQ(read->failed_at_ms, 1768816800000);
  EXPECT_EQ(read->redrive_count, 0);
  EXPECT_EQ(read->partition, 2);
  EXPECT_EQ(read->offset, 40);
  const kafka::Headers expected{{"CorrelationId", "corr-7"}, {"traceparent", "00-ab"}};
  EXPECT_EQ(read->original_headers, expected) << "no dlq-* header goes back to the main topic";
}

TEST(StoredDeadLetterTest, AnUndecodableObjectTravelsAsTheOrder) {
  DeadLetterWriter writer;
  const kafka::OutgoingMessage dl = writer.DeadLetterFor(writer.Input(kUnknownType, "k"));
  auto read = ReadDeadLetter(DeadLetterWriter::AsStored(dl, 0, 1));
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  ASSERT_TRUE(read->original_payload.has_value());
  EXPECT_EQ(nlohmann::json::parse(*read->original_payload), nlohmann::json::parse(kUnknownType));
  EXPECT_EQ(read->order_id, "ORD-R1");
  EXPECT_EQ(read->failure_reason, "unknown-order-type");
}

TEST(StoredDeadLetterTest, ExhaustedRetriesKeepTheOrderAndTheRedriveCount) {
  DeadLetterWriter writer;
  const kafka::Message in = writer.Input(OrderJson("ORD-ALWAYS"), "ORD-ALWAYS",
                                         {{"CorrelationId", "c"}, {"redrive-count", "2"}});
  const kafka::OutgoingMessage dl = writer.DeadLetterFor(in);
  ASSERT_EQ(dl.topic, "orders-dlq");
  auto read = ReadDeadLetter(DeadLetterWriter::AsStored(dl, 0, 5));
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  EXPECT_EQ(read->error_kind, "retries-exhausted");
  EXPECT_EQ(read->total_retries, 1);
  EXPECT_EQ(read->redrive_count, 2) << "carried by the bridge through the retries";
  EXPECT_EQ(read->order_id, "ORD-ALWAYS");
  EXPECT_EQ(nlohmann::json::parse(*read->original_payload), nlohmann::json::parse(in.payload));
  EXPECT_EQ(read->original_headers, (kafka::Headers{{"CorrelationId", "c"}}))
      << "neither retry-* nor the old redrive-count";
}

TEST(StoredDeadLetterTest, AShrunkDeadLetterSaysWhatIsMissing) {
  DeadLetterWriter writer;
  const kafka::OutgoingMessage dl = writer.DeadLetterFor(writer.Input("not json", "k"));
  const auto smaller = bridge::ShrinkDeadLetter(dl);
  ASSERT_TRUE(smaller.has_value());
  auto read = ReadDeadLetter(DeadLetterWriter::AsStored(*smaller, 0, 1));
  ASSERT_TRUE(read.has_value());
  EXPECT_FALSE(read->original_payload.has_value());
  EXPECT_NE(read->missing_original.find("raw bytes were dropped"), std::string::npos);

  const kafka::OutgoingMessage order_dl = writer.DeadLetterFor(writer.Input(kUnknownType, "k"));
  const auto no_order = bridge::ShrinkDeadLetter(order_dl);
  ASSERT_TRUE(no_order.has_value());
  read = ReadDeadLetter(DeadLetterWriter::AsStored(*no_order, 0, 2));
  ASSERT_TRUE(read.has_value());
  EXPECT_FALSE(read->original_payload.has_value());
  EXPECT_NE(read->missing_original.find("original message was dropped"), std::string::npos);
  EXPECT_EQ(read->order_id, "ORD-R1") << "what identifies the order is kept";
}

TEST(StoredDeadLetterTest, UnreadableRecordsNameThemselves) {
  kafka::Message m;
  m.topic = "orders-dlq";
  m.partition = 1;
  m.offset = 9;
  m.payload = "[1,2]";
  auto read = ReadDeadLetter(m);
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().message(),
            "orders-dlq/1/9: not a dead letter (the value is not a JSON object)");

  m.payload = R"({"rawMessageBase64":"***"})";
  read = ReadDeadLetter(m);
  ASSERT_FALSE(read.has_value());
  EXPECT_NE(read.error().message().find("rawMessageBase64"), std::string::npos);

  for (const char* bad : {"-1", "two", "", "99999999999"}) {
    m.payload = "{}";
    m.headers = {{"redrive-count", bad}};
    read = ReadDeadLetter(m);
    ASSERT_FALSE(read.has_value()) << bad;
    EXPECT_NE(read.error().message().find("redrive-count"), std::string::npos);
  }
  m.headers = {{"redrive-count", std::nullopt}};
  EXPECT_FALSE(ReadDeadLetter(m).has_value());
}

TEST(StoredDeadLetterTest, WithoutAFailedTimestampTheRecordTimeCounts) {
  kafka::Message m;
  m.payload = R"({"failedTimestamp":"soon","originalMessage":{}})";
  m.timestamp_ms = 1234;
  auto read = ReadDeadLetter(m);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->failed_at_ms, 1234);
  EXPECT_EQ(read->missing_original, "it holds no original message");
  m.timestamp_ms = -1;
  read = ReadDeadLetter(m);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->failed_at_ms, std::nullopt);
}

TEST(ParseUtcMillisTest, AcceptedForms) {
  EXPECT_EQ(ParseUtcMillis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseUtcMillis("2026-01-19T10:00:05Z"), 1768816805000);
  EXPECT_EQ(ParseUtcMillis("2026-01-19T10:00:05.25Z"), 1768816805250);
  EXPECT_EQ(ParseUtcMillis("2026-01-19T10:00:05.123456789Z"), 1768816805123);
  EXPECT_EQ(ParseUtcMillis("2026-01-19"), 1768780800000);
  EXPECT_EQ(ParseUtcMillis("2024-02-29"), 1709164800000);
  // Far-future years are numbers like any other: no overflow (nanosecond time_points end in
  // 2262).
  EXPECT_EQ(ParseUtcMillis("5902-01-19T10:00:00Z"), 124083482400000);
  EXPECT_EQ(ParseUtcMillis("9999-12-31T23:59:59Z"), 253402300799000);
}

TEST(ParseUtcMillisTest, RefusedForms) {
  for (const char* bad :
       {"", "2026", "2026-1-19", "2026-01-19T10:00Z", "2026-01-19T10:00:05", "2026-01-19 10:00:05Z",
        "2026-02-30", "2025-02-29", "2026-13-01", "2026-01-19T24:00:00Z", "2026-01-19T10:60:00Z",
        "2026-01-19T10:00:05.Z", "2026-01-19T10:00:05ZZ", "1969-12-31", "10000-01-01",
        "2026-01-19T10:00:05+01:00", "+026-01-19", "2026-01-19T10:00:05.1234567890Z"}) {
    EXPECT_EQ(ParseUtcMillis(bad), std::nullopt) << bad;
  }
}

TEST(ParseUtcMillisTest, FormatRoundTrips) {
  for (const char* t : {"1970-01-01T00:00:00Z", "2026-01-19T10:00:05Z", "2000-02-29T23:59:59Z",
                        "9999-12-31T23:59:59Z"}) {
    EXPECT_EQ(FormatUtcMillis(*ParseUtcMillis(t)), t);
  }
}

}  // namespace
}  // namespace driftline::redrive
