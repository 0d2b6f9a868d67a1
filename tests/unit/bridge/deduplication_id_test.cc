#include "bridge/deduplication_id.h"

#include <gtest/gtest.h>

#include <string>

#include "sqs/protocol/digest.h"

namespace driftline::bridge {
namespace {

TEST(DeduplicationIdTest, NamesTheRecord) {
  EXPECT_EQ(DeduplicationId("place-order-topic", 3, 42), "place-order-topic-3-42");
  EXPECT_NE(DeduplicationId("place-order-topic", 3, 42),
            DeduplicationId("place-order-retry-topic", 3, 42));
}

TEST(DeduplicationIdTest, ALongTopicIsReplacedByItsDigestToStayWithin128Characters) {
  const std::string position = "-7-9223372036854775807";
  const std::string fits(128 - position.size(), 't');
  EXPECT_EQ(DeduplicationId(fits, 7, 9223372036854775807), fits + position);

  const std::string longer = fits + "t";
  const std::string id = DeduplicationId(longer, 7, 9223372036854775807);
  EXPECT_EQ(id, sqs::Md5Hex(longer) + position);
  EXPECT_LE(id.size(), 128u);

  const std::string longest(249, 'x');  // Kafka's limit for a topic name
  EXPECT_LE(DeduplicationId(longest, 2147483647, 9223372036854775807).size(), 128u);
  EXPECT_NE(DeduplicationId(longest, 0, 1), DeduplicationId(longest + "y", 0, 1));
}

}  // namespace
}  // namespace driftline::bridge
