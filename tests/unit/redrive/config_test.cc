#include "redrive/config.h"

#include <gtest/gtest.h>

namespace driftline::redrive {
namespace {

TEST(RedriveConfigTest, DefaultsAreOrderServicesNames) {
  auto o = LoadRedriveOptions(MapEnvironment());
  ASSERT_TRUE(o.has_value()) << o.error().ToString();
  EXPECT_EQ(o->kafka.Get("bootstrap.servers"), "127.0.0.1:9092");
  EXPECT_EQ(o->dlq_topic, "place-order-dlq-topic");
  EXPECT_EQ(o->plan.main_topic, "place-order-topic");
  EXPECT_EQ(o->group, "dlq-redrive");
  EXPECT_EQ(o->plan.max_redrives, 3);
  EXPECT_FALSE(o->dry_run);
}

}  // namespace

namespace redrive_defaults_test {

std::string Fingerprint(const RedriveOptions& o) {
  return o.kafka.Redacted() + " dlq=" + o.dlq_topic + " main=" + o.plan.main_topic +
         " group=" + o.group + " max=" + std::to_string(o.plan.max_redrives) +
         " timeout=" + std::to_string(o.timeout.count());
}

// As order-service's: a variable set to the default the table shows changes nothing (LOG_LEVEL
// is read by the program's main from the same table).
TEST(RedriveConfigTest, EveryDefaultTheSettingsTableShowsIsTheOneUsed) {
  const auto unset = LoadRedriveOptions(MapEnvironment());
  ASSERT_TRUE(unset.has_value());
  int with_default = 0;
  for (const Setting& s : RedriveSettings()) {
    if (s.default_value.empty() || s.variable == "LOG_LEVEL") continue;
    ++with_default;
    auto set = LoadRedriveOptions(MapEnvironment(std::map<std::string, std::string>{
        {std::string(s.variable), std::string(s.default_value)}}));
    ASSERT_TRUE(set.has_value()) << s.variable << ": " << set.error().ToString();
    EXPECT_EQ(Fingerprint(*set), Fingerprint(*unset)) << s.variable << "=" << s.default_value;
  }
  EXPECT_EQ(with_default, 6);
  EXPECT_NE(Fingerprint(LoadRedriveOptions(MapEnvironment(std::map<std::string, std::string>{
                                               {"REDRIVE_TIMEOUT_MS", "5000"}}))
                            .value()),
            Fingerprint(*unset));
}

}  // namespace redrive_defaults_test

namespace {

TEST(RedriveConfigTest, VariablesAndFlagOverrides) {
  MapEnvironment env({{"KAFKA_BOOTSTRAP_SERVERS", "b:9092"},
                      {"KAFKA_TOPIC", "in"},
                      {"DLQ_TOPIC", "dead"},
                      {"REDRIVE_MAX_REDRIVES", "5"},
                      {"KAFKA_PROPERTY_SECURITY_PROTOCOL", "SASL_SSL"}});
  OverlayEnvironment flags(env,
                           {{"REDRIVE_GROUP_ID", "incident-42"}, {"REDRIVE_MAX_REDRIVES", "1"}});
  auto o = LoadRedriveOptions(flags);
  ASSERT_TRUE(o.has_value()) << o.error().ToString();
  EXPECT_EQ(o->kafka.Get("bootstrap.servers"), "b:9092");
  EXPECT_EQ(o->kafka.Get("security.protocol"), "SASL_SSL");
  EXPECT_EQ(o->plan.main_topic, "in");
  EXPECT_EQ(o->dlq_topic, "dead");
  EXPECT_EQ(o->group, "incident-42");
  EXPECT_EQ(o->plan.max_redrives, 1);
}

TEST(RedriveConfigTest, OutOfRangeAndContradictionsAreRefused) {
  auto o = LoadRedriveOptions(
      MapEnvironment(std::map<std::string, std::string>{{"REDRIVE_MAX_REDRIVES", "0"}}));
  ASSERT_FALSE(o.has_value());
  EXPECT_EQ(o.error().message(),
            "REDRIVE_MAX_REDRIVES (--max-redrives) = 0 is out of range 1..1000");
  o = LoadRedriveOptions(
      MapEnvironment(std::map<std::string, std::string>{{"REDRIVE_TIMEOUT_MS", "10"}}));
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message().find("--timeout-ms"), std::string::npos);
  o = LoadRedriveOptions(
      MapEnvironment(std::map<std::string, std::string>{{"KAFKA_TOPIC", "place-order-dlq-topic"}}));
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message().find("feed the dead-letter topic to itself"), std::string::npos);
}

TEST(RedriveConfigTest, FilterFlags) {
  FilterFlags flags;
  flags.reason = "Queue";
  flags.error_kinds = {"permanent", "permanent"};
  flags.since = "2026-01-19";
  flags.until = "2026-01-19T12:00:00Z";
  flags.order_ids = {"A", "B"};
  auto f = MakeFilter(flags);
  ASSERT_TRUE(f.has_value()) << f.error().ToString();
  EXPECT_EQ(f->reason_contains, "Queue");
  EXPECT_EQ(f->error_kinds, std::set<std::string>{"permanent"});
  EXPECT_EQ(f->since_ms, 1768780800000);
  EXPECT_EQ(f->until_ms, 1768824000000);
  EXPECT_EQ(f->order_ids, (std::set<std::string>{"A", "B"}));

  flags.until = "2026-01-18";
  f = MakeFilter(flags);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().message(), "--since 2026-01-19 is not before --until 2026-01-18");
  flags.until = "tomorrow";
  f = MakeFilter(flags);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().message().rfind("--until 'tomorrow' is not a UTC time", 0), 0u);
}

}  // namespace
}  // namespace driftline::redrive
