#include "kafka/message.h"

#include <gtest/gtest.h>

namespace driftline::kafka {
namespace {

TEST(HeadersTest, FindReturnsTheLastHeaderWithTheKey) {
  Headers headers{{"CorrelationId", "first"}, {"other", "x"}, {"CorrelationId", "second"}};
  const Header* found = headers.Find("CorrelationId");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->value, "second");
  EXPECT_EQ(headers.Find("missing"), nullptr);
  EXPECT_EQ(headers.size(), 3u);
}

TEST(HeadersTest, NullValueIsDistinctFromAbsentAndEmpty) {
  Headers headers;
  headers.Add("null", std::nullopt);
  headers.Add("empty", "");
  ASSERT_NE(headers.Find("null"), nullptr);
  EXPECT_FALSE(headers.Find("null")->value.has_value());
  EXPECT_EQ(headers.Find("empty")->value, "");
}

TEST(HeadersTest, RoundTripThroughLibrdkafkaKeepsOrderNullsAndBytes) {
  const std::string binary("a\0b\xff", 4);
  Headers headers{{"k1", "v1"}, {"nul", std::nullopt}, {"bin", binary}, {"k1", "v2"}};
  HeadersHandle raw = ToKafkaHeaders(headers);
  ASSERT_EQ(rd_kafka_header_cnt(raw.get()), 4u);

  const void* value = nullptr;
  std::size_t size = 0;
  ASSERT_EQ(rd_kafka_header_get_last(raw.get(), "k1", &value, &size), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(std::string(static_cast<const char*>(value), size), "v2");
  ASSERT_EQ(rd_kafka_header_get_last(raw.get(), "nul", &value, &size), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(value, nullptr);
  ASSERT_EQ(rd_kafka_header_get_last(raw.get(), "bin", &value, &size), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(std::string(static_cast<const char*>(value), size), binary);
}

}  // namespace
}  // namespace driftline::kafka
