#include "sqs/protocol/digest.h"

#include <gtest/gtest.h>

#include "sqs/protocol/message.h"

namespace driftline::sqs {
namespace {

TEST(Md5Test, MatchesKnownDigests) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  // From the SQS API reference's SendMessage example.
  EXPECT_EQ(Md5Hex("This is a test message"), "fafb00f5732ab283681e124bf8747ed1");
  // UTF-8 bytes, as SQS hashes them (python3 hashlib.md5(s.encode()).hexdigest()).
  EXPECT_EQ(Md5Hex("Bestellung für Zoë — 東京 ✓"), "c238e16f8a6dea5077fc8a59b9d374d4");
}

TEST(Md5OfMessageAttributesTest, MatchesTheSqsApiReferenceExample) {
  // SendMessage example in the SQS API reference: two String attributes, documented
  // MD5OfMessageAttributes c48838208d2b4e14e3ca0093a8443f09.
  MessageAttributes attributes = {
      {"my_attribute_name_1", MessageAttributeValue::String("my_attribute_value_1")},
      {"my_attribute_name_2", MessageAttributeValue::String("my_attribute_value_2")}};
  EXPECT_EQ(Md5OfMessageAttributes(attributes), "c48838208d2b4e14e3ca0093a8443f09");
}

TEST(Md5OfMessageAttributesTest, MatchesMotoForAllTypes) {
  // Expected value from moto 5.1.22's Message.attribute_md5 with the same four attributes
  // (BinaryValue as raw bytes 00 01 02 fe ff).
  MessageAttributes attributes = {
      {"CorrelationId", MessageAttributeValue::String("corr-123")},
      {"Amount", MessageAttributeValue::Number("42.50")},
      {"Blob", MessageAttributeValue::Binary(std::string("\x00\x01\x02\xfe\xff", 5))},
      {"customer.name", MessageAttributeValue{"String.utf8", "Zoë Grüße", {}}}};
  EXPECT_EQ(Md5OfMessageAttributes(attributes), "ccfbc6ca5567f35ba66c0d51aaf53a93");
  EXPECT_EQ(Md5OfMessageAttributes({}), "");
}

}  // namespace
}  // namespace driftline::sqs
