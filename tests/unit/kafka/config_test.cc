#include "kafka/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/env.h"

namespace driftline::kafka {
namespace {

TEST(PropertiesTest, MakeTakesBootstrapAndPassThroughFromEnv) {
  MapEnvironment env({{"KAFKA_PROPERTY_SECURITY_PROTOCOL", "SASL_SSL"},
                      {"KAFKA_PROPERTY_SASL_MECHANISM", "PLAIN"},
                      {"KAFKA_PROPERTY_SASL_PASSWORD", "hunter2"}});
  const Properties props =
      Properties::Make("b1:9092,b2:9092", PropertiesFromEnv(env, "KAFKA_PROPERTY_"));
  EXPECT_EQ(props.Get("bootstrap.servers"), "b1:9092,b2:9092");
  EXPECT_EQ(props.Get("security.protocol"), "SASL_SSL");
  EXPECT_EQ(props.Get("sasl.mechanism"), "PLAIN");
  EXPECT_EQ(props.Get("sasl.password"), "hunter2");
  EXPECT_EQ(props.values().size(), 4u);
}

TEST(PropertiesTest, PassThroughBootstrapWinsAndEmptyBootstrapIsSkipped) {
  EXPECT_EQ(Properties::Make("a:1", {{"bootstrap.servers", "b:2"}}).Get("bootstrap.servers"),
            "b:2");
  EXPECT_FALSE(Properties::Make("").Contains("bootstrap.servers"));
}

TEST(PropertiesTest, SetDefaultKeepsExistingValue) {
  Properties props;
  props.Set("acks", "1").SetDefault("acks", "all").SetDefault("linger.ms", "5");
  EXPECT_EQ(props.Get("acks"), "1");
  EXPECT_EQ(props.Get("linger.ms"), "5");
  EXPECT_EQ(props.Get("missing"), std::nullopt);
}

TEST(PropertiesTest, ParsesJavaStyleText) {
  auto props = Properties::Parse(
      "# client settings\n"
      "! also a comment\n"
      "\n"
      "  bootstrap.servers = broker:9092  \n"
      "sasl.jaas.config=a=b=c\r\n"
      "empty=\n"
      "acks=1\n"
      "acks=all",
      "client.properties");
  ASSERT_TRUE(props.has_value()) << props.error().message();
  EXPECT_EQ(props->Get("bootstrap.servers"), "broker:9092");
  EXPECT_EQ(props->Get("sasl.jaas.config"), "a=b=c");  // first '=' splits
  EXPECT_EQ(props->Get("empty"), "");
  EXPECT_EQ(props->Get("acks"), "all");  // later line wins
  EXPECT_EQ(props->values().size(), 4u);
}

TEST(PropertiesTest, ParseErrorsNameSourceAndLine) {
  struct ParseCase {
    const char* text;
    const char* where;
    const char* what;
  };
  for (const ParseCase& c :
       {ParseCase{"a=1\nno equals sign\n", "f.properties:2:", "expected name=value"},
        ParseCase{"a=1\n\n = value\n", "f.properties:3:", "empty property name"},
        ParseCase{"a=1 \\\n  b\n", "f.properties:1:", "continuation"}}) {
    auto props = Properties::Parse(c.text, "f.properties");
    ASSERT_FALSE(props.has_value()) << c.text;
    EXPECT_EQ(props.error().code(), Code::kInvalidArgument);
    EXPECT_EQ(props.error().message().rfind(c.where, 0), 0u) << props.error().message();
    EXPECT_NE(props.error().message().find(c.what), std::string::npos) << props.error().message();
  }
}

TEST(PropertiesTest, LoadsFileAndReportsFileLine) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("driftline-config-test-" +
                    std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  const auto good = dir / "good.properties";
  const auto bad = dir / "bad.properties";
  std::ofstream(good) << "security.protocol=SSL\nssl.ca.location=/etc/ca.pem\n";
  std::ofstream(bad) << "# header\nsecurity.protocol SSL\n";

  auto loaded = Properties::LoadFile(good);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message();
  EXPECT_EQ(loaded->Get("ssl.ca.location"), "/etc/ca.pem");

  auto failed = Properties::LoadFile(bad);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().message().rfind(bad.string() + ":2: ", 0), 0u)
      << failed.error().message();

  auto missing = Properties::LoadFile(dir / "missing.properties");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  EXPECT_NE(missing.error().message().find("missing.properties"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(PropertiesTest, SensitiveNames) {
  for (const char* name : {"sasl.password", "ssl.key.password", "ssl.keystore.password",
                           "ssl.key.pem", "SSL.KEY.LOCATION", "sasl.oauthbearer.config",
                           "sasl.oauthbearer.client.secret", "my.Secret.thing"}) {
    EXPECT_TRUE(IsSensitiveProperty(name)) << name;
  }
  for (const char* name : {"bootstrap.servers", "sasl.username", "sasl.mechanism",
                           "ssl.ca.location", "ssl.certificate.location", "security.protocol"}) {
    EXPECT_FALSE(IsSensitiveProperty(name)) << name;
  }
}

TEST(PropertiesTest, RedactedHidesSecretValuesOnly) {
  Properties props;
  props.Set("bootstrap.servers", "b:9092")
      .Set("sasl.username", "svc")
      .Set("sasl.password", "hunter2")
      .Set("ssl.key.pem", "-----BEGIN PRIVATE KEY-----")
      .Set("sasl.oauthbearer.config", "principal=x secret=y");
  const std::string text = props.Redacted();
  EXPECT_EQ(text,
            "bootstrap.servers=b:9092, sasl.oauthbearer.config=[redacted], "
            "sasl.password=[redacted], sasl.username=svc, ssl.key.pem=[redacted]");
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
}

TEST(PropertiesTest, ToConfAcceptsAnyLibrdkafkaProperty) {
  Properties props;
  props.Set("bootstrap.servers", "b:9092")
      .Set("security.protocol", "SASL_PLAINTEXT")
      .Set("sasl.mechanisms", "SCRAM-SHA-256")
      .Set("sasl.username", "u")
      .Set("sasl.password", "p")
      .Set("linger.ms", "20");
  auto conf = props.ToConf();
  ASSERT_TRUE(conf.has_value()) << conf.error().message();
  std::array<char, 64> value{};
  std::size_t size = value.size();
  ASSERT_EQ(rd_kafka_conf_get(conf->get(), "linger.ms", value.data(), &size), RD_KAFKA_CONF_OK);
  EXPECT_STREQ(value.data(), "20");
}

TEST(PropertiesTest, ToConfNamesTheRejectedProperty) {
  Properties unknown;
  unknown.Set("no.such.property", "1");
  auto conf = unknown.ToConf();
  ASSERT_FALSE(conf.has_value());
  EXPECT_EQ(conf.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(conf.error().message().rfind("kafka property 'no.such.property': ", 0), 0u)
      << conf.error().message();

  Properties bad_value;
  bad_value.Set("acks", "sometimes");
  conf = bad_value.ToConf();
  ASSERT_FALSE(conf.has_value());
  EXPECT_EQ(conf.error().message().rfind("kafka property 'acks': Invalid value", 0), 0u)
      << "librdkafka's reason is kept: " << conf.error().message();
}

TEST(PropertiesTest, ToConfErrorNeverEchoesASecretValue) {
  // No real librdkafka secret property validates its value, so use an unknown one: the error
  // must name it without its value.
  Properties props;
  props.Set("sasl.password", "fine").Set("my.secret.value", "s3cr3t-s3cr3t");
  auto conf = props.ToConf();
  ASSERT_FALSE(conf.has_value());
  EXPECT_NE(conf.error().message().find("my.secret.value"), std::string::npos);
  EXPECT_EQ(conf.error().message().find("s3cr3t-s3cr3t"), std::string::npos);
}

}  // namespace
}  // namespace driftline::kafka
