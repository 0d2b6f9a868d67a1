#include "common/strings.h"

#include <gtest/gtest.h>

namespace driftline {
namespace {

TEST(TrimTest, DropsAsciiWhitespaceAtBothEnds) {
  EXPECT_EQ(Trim("  a b  "), "a b");
  EXPECT_EQ(Trim("\t\r\n\v\fvalue\f\v\n\r\t"), "value");
  EXPECT_EQ(Trim("inner  space"), "inner  space");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim(" \t\r\n "), "");
  // Not whitespace: NUL and non-ASCII bytes (a no-break space in UTF-8).
  EXPECT_EQ(Trim(std::string_view("\0x\0", 3)), std::string_view("\0x\0", 3));
  EXPECT_EQ(Trim("\xC2\xA0x\xC2\xA0"), "\xC2\xA0x\xC2\xA0");
}

TEST(TrimTest, ReturnsAViewIntoTheInput) {
  const std::string text = "  key = value ";
  const std::string_view trimmed = Trim(text);
  EXPECT_EQ(trimmed, "key = value");
  EXPECT_EQ(trimmed.data(), text.data() + 2);
}

TEST(LowerTest, LowersAsciiLettersOnly) {
  EXPECT_EQ(Lower("X-Amzn-RequestId"), "x-amzn-requestid");
  EXPECT_EQ(Lower("already lower 123_-."), "already lower 123_-.");
  EXPECT_EQ(Lower(""), "");
  // UTF-8 is left as it is, byte for byte.
  EXPECT_EQ(Lower("GRÜẞE"), "grÜẞe");
}

TEST(ReplaceAllTest, ReplacesEveryOccurrenceWithoutRescanning) {
  EXPECT_EQ(ReplaceAll("a-b-c", "-", "+"), "a+b+c");
  EXPECT_EQ(ReplaceAll("secret and secret", "secret", "[REDACTED]"), "[REDACTED] and [REDACTED]");
  // A replacement containing the needle is not replaced again.
  EXPECT_EQ(ReplaceAll("aa", "a", "aa"), "aaaa");
  EXPECT_EQ(ReplaceAll("abc", "x", "y"), "abc");
  EXPECT_EQ(ReplaceAll("abc", "", "y"), "abc");
  EXPECT_EQ(ReplaceAll("", "a", "b"), "");
}

}  // namespace
}  // namespace driftline
