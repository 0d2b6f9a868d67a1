#include "contract/mock/serve/faults.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace driftline::contract::mock {
namespace {

using ::testing::HasSubstr;

TEST(ParseDropPercentTest, ReadsChannelAndPercent) {
  auto parsed = ParseDropPercent("place-order-queue=12.5");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->first, "place-order-queue");
  EXPECT_DOUBLE_EQ(parsed->second, 12.5);
}

TEST(ParseDropPercentTest, RefusesWhatIsNotChannelEqualsPercent) {
  for (const char* bad : {"place-order-queue", "=5", "q=", "q=abc", "q=101", "q=-1", "q=5x"}) {
    auto parsed = ParseDropPercent(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_THAT(parsed.error().message(), HasSubstr("--drop-percent")) << bad;
  }
}

class FaultInjectorTest : public ::testing::Test {
 protected:
  FaultInjectorTest() {
    queue_.id = "orderReplies";
    queue_.address = "place-order-queue";
    queue_.protocol = Protocol::kSqs;
    topic_.id = "dlq";
    topic_.address = "place-order-dlq-topic";
    topic_.protocol = Protocol::kKafka;
  }
  std::unique_ptr<FaultInjector> Make(FaultOptions options) {
    auto f = FaultInjector::Create(std::move(options), {&queue_, &topic_});
    EXPECT_TRUE(f) << f.error().message();
    return f ? std::move(*f) : nullptr;
  }
  Channel queue_;
  Channel topic_;
};

TEST_F(FaultInjectorTest, AnUnknownChannelIsRefusedListingTheKnownOnes) {
  FaultOptions o;
  o.drop_percent["no-such-queue"] = 50;
  auto f = FaultInjector::Create(o, {&queue_, &topic_});
  ASSERT_FALSE(f);
  EXPECT_THAT(f.error().message(), HasSubstr("no-such-queue"));
  EXPECT_THAT(f.error().message(), HasSubstr("place-order-queue, place-order-dlq-topic"));
}

TEST_F(FaultInjectorTest, AChannelIsNamedByAddressOrById) {
  FaultOptions o;
  o.drop_percent["orderReplies"] = 100;
  auto f = Make(o);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->Decide(queue_), FaultInjector::Fate::kDrop);
  EXPECT_EQ(f->Decide(topic_), FaultInjector::Fate::kSend);
}

TEST_F(FaultInjectorTest, HundredDropsEverythingAndZeroNothing) {
  FaultOptions o;
  o.drop_percent["place-order-queue"] = 100;
  o.drop_percent["place-order-dlq-topic"] = 0;
  auto f = Make(o);
  ASSERT_NE(f, nullptr);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(f->Decide(queue_), FaultInjector::Fate::kDrop);
    ASSERT_EQ(f->Decide(topic_), FaultInjector::Fate::kSend);
  }
}

TEST_F(FaultInjectorTest, SharesFollowThePercentAndTheSeedRepeatsThem) {
  FaultOptions o;
  o.drop_percent["place-order-queue"] = 30;
  o.duplicate_percent = 50;
  o.seed = 7;
  auto a = Make(o);
  auto b = Make(o);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  int dropped = 0;
  int duplicated = 0;
  for (int i = 0; i < 10000; ++i) {
    const auto fate = a->Decide(queue_);
    ASSERT_EQ(fate, b->Decide(queue_)) << "draw " << i;
    dropped += fate == FaultInjector::Fate::kDrop;
    duplicated += fate == FaultInjector::Fate::kDuplicate;
  }
  // 30 % dropped, then half of the rest duplicated: 3,000 and 3,500 expected; the bounds are
  // far beyond what a fair generator misses by (standard deviations about 46 and 48).
  EXPECT_GT(dropped, 2700);
  EXPECT_LT(dropped, 3300);
  EXPECT_GT(duplicated, 3200);
  EXPECT_LT(duplicated, 3800);
}

TEST_F(FaultInjectorTest, BadNumbersAreRefused) {
  FaultOptions o;
  o.duplicate_percent = 150;
  EXPECT_FALSE(FaultInjector::Create(o, {&queue_}));
  o.duplicate_percent = 0;
  o.delay = std::chrono::milliseconds(-1);
  EXPECT_FALSE(FaultInjector::Create(o, {&queue_}));
}

TEST_F(FaultInjectorTest, DescribesItselfForVerify) {
  FaultOptions o;
  o.delay = std::chrono::milliseconds(250);
  o.drop_percent["orderReplies"] = 100;
  auto f = Make(o);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->ToJson()["delay_ms"], 250);
  EXPECT_EQ(f->ToJson()["drop_percent"]["place-order-queue"], 100.0);
  EXPECT_TRUE(f->any());
}

}  // namespace
}  // namespace driftline::contract::mock
