#include "common/settings.h"

#include <gtest/gtest.h>

namespace driftline {
namespace {

constexpr Setting kTable[] = {
    {"COUNT", "--count", "how many", IntRange{1, 10}},
    {"NAME", "", "a name"},
    {"QUIET", "--quiet", "say less", std::nullopt, "true"},
};

MapEnvironment One(std::string name, std::string value) {
  return MapEnvironment(std::map<std::string, std::string>{{std::move(name), std::move(value)}});
}

TEST(SettingsTest, FindAndName) {
  ASSERT_NE(FindSetting(kTable, "COUNT"), nullptr);
  EXPECT_EQ(FindSetting(kTable, "NOPE"), nullptr);
  EXPECT_EQ(SettingName(*FindSetting(kTable, "COUNT")), "COUNT (--count)");
  EXPECT_EQ(SettingName(*FindSetting(kTable, "NAME")), "NAME");
}

TEST(SettingsTest, RangeErrorsNameSettingValueAndRange) {
  const Setting& count = *FindSetting(kTable, "COUNT");
  EXPECT_TRUE(CheckRange(count, 1).has_value());
  EXPECT_TRUE(CheckRange(count, 10).has_value());
  auto low = CheckRange(count, 0);
  ASSERT_FALSE(low.has_value());
  EXPECT_EQ(low.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(low.error().message(), "COUNT (--count) = 0 is out of range 1..10");
  EXPECT_FALSE(CheckRange(count, 11).has_value());
  EXPECT_TRUE(CheckRange(*FindSetting(kTable, "NAME"), -5).has_value()) << "no range: any value";
}

TEST(SettingsTest, SettingIntParsesAndChecks) {
  const Setting& count = *FindSetting(kTable, "COUNT");
  EXPECT_EQ(SettingInt(MapEnvironment(), count, 3), 3);
  EXPECT_EQ(SettingInt(One("COUNT", ""), count, 3), 3);
  EXPECT_EQ(SettingInt(One("COUNT", "7"), count, 3), 7);
  auto text = SettingInt(One("COUNT", "seven"), count, 3);
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().message(), "COUNT (--count) = 'seven' is not an integer (range 1..10)");
  auto big = SettingInt(One("COUNT", "99999999999999999999"), count, 3);
  ASSERT_FALSE(big.has_value()) << "overflow is not an integer";
  auto out = SettingInt(One("COUNT", "-2"), count, 3);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().message(), "COUNT (--count) = -2 is out of range 1..10");
}

TEST(SettingsTest, OverlayWinsOverTheBase) {
  MapEnvironment base({{"COUNT", "2"}, {"KAFKA_PROPERTY_A", "1"}, {"KAFKA_PROPERTY_B", "2"}});
  OverlayEnvironment env(base, {{"COUNT", "5"}, {"KAFKA_PROPERTY_B", "3"}, {"NAME", ""}});
  EXPECT_EQ(env.Get("COUNT"), "5");
  EXPECT_EQ(env.Get("NAME"), "") << "an empty override is still set";
  EXPECT_EQ(env.Get("QUIET"), std::nullopt);
  EXPECT_EQ(
      env.WithPrefix("KAFKA_PROPERTY_"),
      (std::map<std::string, std::string>{{"KAFKA_PROPERTY_A", "1"}, {"KAFKA_PROPERTY_B", "3"}}));
}

}  // namespace
}  // namespace driftline
