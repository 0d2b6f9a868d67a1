// Which client each librdkafka property goes to (Properties::For), checked against the linked
// librdkafka itself: a property it scopes to one role makes the other role's client log a
// CONFWARN at creation ("... is a consumer property and will be ignored by this producer
// instance"). No broker is contacted: the warning is logged by rd_kafka_new().
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "kafka/client.h"
#include "kafka/config.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "testkit/captured_log.h"

namespace driftline::kafka {
namespace {

// What the linked librdkafka says about `name` set to `value`: the CONFWARN lines a raw
// producer and a raw consumer log at creation (no filtering by Properties::For).
struct RawWarnings {
  bool created = false;  // both clients could be created with it
  std::string producer;
  std::string consumer;
};

RawWarnings WarningsOf(const std::string& name, const std::string& value) {
  RawWarnings out;
  out.created = true;
  for (const auto type : {RD_KAFKA_PRODUCER, RD_KAFKA_CONSUMER}) {
    testkit::CapturedLog log;
    Properties props;
    props.Set("bootstrap.servers", "127.0.0.1:1");
    props.Set(name, value);
    auto conf = props.ToConf();
    if (!conf) {  // not settable with this value on its own
      out.created = false;
      continue;
    }
    if (type == RD_KAFKA_CONSUMER) rd_kafka_conf_set(conf->get(), "group.id", "g", nullptr, 0);
    internal::RouteLogsAndErrors(conf->get());
    auto rk = internal::NewClient(type, std::move(*conf));
    out.created = out.created && rk.has_value();
    (type == RD_KAFKA_PRODUCER ? out.producer : out.consumer) = log.text();
  }
  return out;
}

bool Warns(const std::string& log, const std::string& name) {
  return log.find("CONFWARN") != std::string::npos &&
         log.find("property " + name + " is a") != std::string::npos;
}

// Every global and default-topic property of the linked librdkafka with its default value.
std::vector<std::pair<std::string, std::string>> AllDefaults() {
  std::vector<std::pair<std::string, std::string>> out;
  ConfHandle conf(rd_kafka_conf_new());
  auto add = [&](const char** dump, size_t count) {
    for (size_t i = 0; i + 1 < count; i += 2)
      out.emplace_back(dump[i], dump[i + 1]);
  };
  size_t count = 0;
  const char** dump = rd_kafka_conf_dump(conf.get(), &count);
  add(dump, count);
  rd_kafka_conf_dump_free(dump, count);
  rd_kafka_topic_conf_t* topic = rd_kafka_conf_get_default_topic_conf(conf.get());
  if (topic == nullptr) {
    topic = rd_kafka_topic_conf_new();
    rd_kafka_conf_set_default_topic_conf(conf.get(), topic);  // takes it
  }
  dump = rd_kafka_topic_conf_dump(topic, &count);
  add(dump, count);
  rd_kafka_conf_dump_free(dump, count);
  return out;
}

TEST(PropertyScopeTest, KnownScopes) {
  EXPECT_EQ(ScopeOf("auto.offset.reset"), PropertyScope::kConsumer);
  EXPECT_EQ(ScopeOf("session.timeout.ms"), PropertyScope::kConsumer);
  EXPECT_EQ(ScopeOf("queued.min.messages"), PropertyScope::kConsumer);
  EXPECT_EQ(ScopeOf("linger.ms"), PropertyScope::kProducer);
  EXPECT_EQ(ScopeOf("enable.idempotence"), PropertyScope::kProducer);
  EXPECT_EQ(ScopeOf("acks"), PropertyScope::kProducer);
  EXPECT_EQ(ScopeOf("bootstrap.servers"), PropertyScope::kAny);
  EXPECT_EQ(ScopeOf("security.protocol"), PropertyScope::kAny);
  EXPECT_EQ(ScopeOf("sasl.password"), PropertyScope::kAny);
  EXPECT_EQ(ScopeOf("no.such.property"), PropertyScope::kAny);
}

TEST(PropertyScopeTest, ForKeepsTheCommonAndTheRolesOwn) {
  Properties all;
  all.Set("bootstrap.servers", "b:9092")
      .Set("security.protocol", "SASL_SSL")
      .Set("auto.offset.reset", "latest")
      .Set("session.timeout.ms", "6000")
      .Set("linger.ms", "5")
      .Set("acks", "all")
      .Set("no.such.property", "1");
  Properties consumer;
  consumer.Set("bootstrap.servers", "b:9092")
      .Set("security.protocol", "SASL_SSL")
      .Set("auto.offset.reset", "latest")
      .Set("session.timeout.ms", "6000")
      .Set("no.such.property", "1");
  Properties producer;
  producer.Set("bootstrap.servers", "b:9092")
      .Set("security.protocol", "SASL_SSL")
      .Set("linger.ms", "5")
      .Set("acks", "all")
      .Set("no.such.property", "1");  // unknown: librdkafka judges it, for both
  EXPECT_EQ(all.For(ClientRole::kConsumer), consumer);
  EXPECT_EQ(all.For(ClientRole::kProducer), producer);
}

// The table agrees with the linked librdkafka on every property it knows: scoped to the
// consumer exactly when a producer warns about it, to the producer exactly when a consumer does.
TEST(PropertyScopeTest, TableMatchesTheLinkedLibrdkafka) {
  int consumer_only = 0;
  int producer_only = 0;
  for (const auto& [name, value] : AllDefaults()) {
    const RawWarnings w = WarningsOf(name, value);
    const bool for_consumer_only = Warns(w.producer, name);
    const bool for_producer_only = Warns(w.consumer, name);
    if (!w.created) continue;  // not usable with its dumped value alone (a callback pointer)
    consumer_only += for_consumer_only;
    producer_only += for_producer_only;
    const PropertyScope expected = for_consumer_only   ? PropertyScope::kConsumer
                                   : for_producer_only ? PropertyScope::kProducer
                                                       : PropertyScope::kAny;
    EXPECT_EQ(ScopeOf(name), expected) << name << "=" << value;
  }
  // The comparison above ran on both kinds (a librdkafka that stopped warning would pass it).
  EXPECT_GT(consumer_only, 10);
  EXPECT_GT(producer_only, 10);
}

TEST(PropertyScopeTest, ClientsLogNoConfwarnForTheOtherRolesProperties) {
  Properties mixed;
  mixed.Set("bootstrap.servers", "127.0.0.1:1")
      .Set("auto.offset.reset", "latest")
      .Set("session.timeout.ms", "6000")
      .Set("heartbeat.interval.ms", "500")
      .Set("linger.ms", "5")
      .Set("acks", "all");
  // The control: handed unfiltered to librdkafka, these warn.
  const RawWarnings raw = WarningsOf("auto.offset.reset", "latest");
  ASSERT_TRUE(Warns(raw.producer, "auto.offset.reset")) << raw.producer;

  testkit::CapturedLog log;
  {
    auto producer = Producer::Create(mixed, [](DeliveryReport) {});
    ASSERT_TRUE(producer.has_value()) << producer.error().ToString();
    auto consumer = Consumer::Create(mixed, "scope-test");
    ASSERT_TRUE(consumer.has_value()) << consumer.error().ToString();
  }
  EXPECT_EQ(log.text().find("CONFWARN"), std::string::npos) << log.text();
}

}  // namespace
}  // namespace driftline::kafka
