#include "contract/mock/pattern_sample.h"

#include <gtest/gtest.h>

#include <regex>

namespace driftline::contract::mock {
namespace {

TEST(PatternSampleTest, TheExamplesPatterns) {
  EXPECT_EQ(SampleMatching(".*ORD-RETRY-90001.*"), "ORD-RETRY-90001");
  EXPECT_EQ(SampleMatching("Retries exhausted after 3 attempts.*"),
            "Retries exhausted after 3 attempts");
  EXPECT_EQ(SampleMatching(".*RETURN.*"), "RETURN");
  EXPECT_EQ(SampleMatching("VRF-[0-9]+"), "VRF-0");
  EXPECT_EQ(SampleMatching("^[a-z][a-z0-9-]*$"), "a");
}

TEST(PatternSampleTest, QuantifiersTakeTheirLeastCount) {
  EXPECT_EQ(SampleMatching("a{3}"), "aaa");
  EXPECT_EQ(SampleMatching("[A-Z]{2,5}-\\d{4}"), "AA-0000");
  EXPECT_EQ(SampleMatching("x?y*z+"), "z");
  EXPECT_EQ(SampleMatching("a{2,}?"), "aa");
  EXPECT_EQ(SampleMatching("^[A-Za-z0-9+/]*={0,2}$"), "");
}

TEST(PatternSampleTest, GroupsAlternationsClassesAndEscapes) {
  EXPECT_EQ(SampleMatching("(ab|cd)+"), "ab");
  EXPECT_EQ(SampleMatching("(?:HIGH|URGENT)"), "HIGH");
  EXPECT_EQ(SampleMatching("[^a-z0-9]"), "A");
  EXPECT_EQ(SampleMatching("\\w+@\\w+\\.com"), "a@a.com");
  EXPECT_EQ(SampleMatching("[\\d.]+"), "0");
  EXPECT_EQ(SampleMatching("\\x41\\s\\S"), "A a");
  EXPECT_EQ(SampleMatching("\\{x\\}"), "{x}");
}

TEST(PatternSampleTest, EverySampleMatchesItsPattern) {
  for (const char* p : {"[0-9a-f]{8}-[0-9a-f]{4}", "(foo|bar)?baz", "\\d+(\\.\\d{2})?", "[^\\s]+",
                        "^(ORD|BULK)-[0-9]{3,}$", "[-a]", "a|b|c"}) {
    auto s = SampleMatching(p);
    ASSERT_TRUE(s) << p;
    EXPECT_TRUE(std::regex_match(*s, std::regex(p, std::regex::ECMAScript))) << p << " -> " << *s;
  }
}

TEST(PatternSampleTest, WhatItCannotFollowIsNullopt) {
  EXPECT_FALSE(SampleMatching("(a)\\1"));  // back-reference
  EXPECT_FALSE(SampleMatching("(?=x)x"));  // lookahead
  EXPECT_FALSE(SampleMatching("[z-a"));    // not a valid expression
  EXPECT_FALSE(SampleMatching("a\\bb"));   // a boundary the shortest text breaks
}

}  // namespace
}  // namespace driftline::contract::mock
