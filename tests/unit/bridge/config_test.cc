#include "bridge/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace driftline::bridge {
namespace {

TEST(BridgeConfigTest, LabDefaults) {
  MapEnvironment env;
  auto c = LoadBridgeConfig(env);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->main_topic, "place-order-topic");
  EXPECT_EQ(c->retry_topic, "place-order-retry-topic");
  EXPECT_EQ(c->dlq_topic, "place-order-dlq-topic");
  EXPECT_EQ(c->main_group, "kafka-to-sqs-bridge-group");
  EXPECT_EQ(c->retry_group, "retry-consumer-group");
  EXPECT_EQ(c->retry_policy.max_retries, 3);
  EXPECT_FALSE(c->faults.enabled);
  EXPECT_EQ(c->faults.fail_once, std::set<std::string>{"ORD-RETRY-90001"});
  EXPECT_EQ(c->faults.always_fail, std::set<std::string>{"ORD-DLQ-90001"});
  EXPECT_EQ(c->faults.direct_dlq, std::set<std::string>{"ORD-RECEIVE-DLQ-90001"});
  EXPECT_TRUE(c->retry_consumer_enabled);
  EXPECT_EQ(c->metrics_address, "127.0.0.1:9400");
  EXPECT_TRUE(Validate(*c).has_value());
}

}  // namespace

namespace config_defaults_test {

// Everything LoadBridgeConfig reads from the environment, as text.
std::string Fingerprint(const BridgeConfig& c) {
  auto ids = [](const std::set<std::string>& s) {
    std::string out;
    for (const auto& id : s)
      out += id + ",";
    return out;
  };
  return c.Describe() + " fail_once=" + ids(c.faults.fail_once) +
         " always_fail=" + ids(c.faults.always_fail) + " direct_dlq=" + ids(c.faults.direct_dlq) +
         " held=" + std::to_string(c.retry_max_held_per_partition) +
         " shutdown=" + std::to_string(c.shutdown_timeout.count()) + " log=" + c.log_level + "/" +
         c.log_format + " region=" + c.aws_region;
}

// The defaults the table shows (--help, the README, the man page, the package's env file) are
// the ones the service uses: setting any variable to its shown default changes nothing.
TEST(BridgeConfigTest, EveryDefaultTheSettingsTableShowsIsTheOneUsed) {
  const auto unset = LoadBridgeConfig(MapEnvironment{});
  ASSERT_TRUE(unset.has_value());
  int with_default = 0;
  for (const Setting& s : BridgeSettings()) {
    if (s.default_value.empty()) continue;
    ++with_default;
    MapEnvironment env(std::map<std::string, std::string>{
        {std::string(s.variable), std::string(s.default_value)}});
    auto set = LoadBridgeConfig(env);
    ASSERT_TRUE(set.has_value()) << s.variable << ": " << set.error().ToString();
    EXPECT_EQ(Fingerprint(*set), Fingerprint(*unset)) << s.variable << "=" << s.default_value;
  }
  EXPECT_GE(with_default, 20);
  // And the fingerprint sees a change: a value other than the default does differ.
  MapEnvironment other(std::map<std::string, std::string>{{"SQS_BATCH_LINGER_MS", "6"}});
  EXPECT_NE(Fingerprint(LoadBridgeConfig(other).value()), Fingerprint(*unset));
  MapEnvironment held(std::map<std::string, std::string>{{"RETRY_MAX_HELD_PER_PARTITION", "7"}});
  EXPECT_NE(Fingerprint(LoadBridgeConfig(held).value()), Fingerprint(*unset));
}

}  // namespace config_defaults_test

namespace {

TEST(BridgeConfigTest, VariablesOverrideAndListsReplaceDefaults) {
  MapEnvironment env({{"MAX_RETRIES", "5"},
                      {"ENABLE_TEST_FAILURE_SCENARIOS", "true"},
                      {"FAIL_ONCE_ORDER_IDS", " A , B,,"},
                      {"ALWAYS_FAIL_ORDER_IDS", ""},
                      {"RETRY_CONSUMER_ENABLED", "false"},
                      {"KAFKA_PROPERTY_SECURITY_PROTOCOL", "SASL_SSL"},
                      {"KAFKA_PROPERTY_SASL_PASSWORD", "hunter2"}});
  auto c = LoadBridgeConfig(env);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->retry_policy.max_retries, 5);
  EXPECT_TRUE(c->faults.enabled);
  EXPECT_EQ(c->faults.fail_once, (std::set<std::string>{"A", "B"}));
  EXPECT_TRUE(c->faults.always_fail.empty());
  EXPECT_FALSE(c->retry_consumer_enabled);
  EXPECT_EQ(c->kafka_properties.Get("security.protocol"), "SASL_SSL");
  const std::string described = c->Describe();
  EXPECT_EQ(described.find("hunter2"), std::string::npos) << described;
  EXPECT_NE(described.find("retry_consumer=OFF"), std::string::npos);
}

TEST(BridgeConfigTest, BadValuesNameTheVariable) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"MAX_RETRIES", "three"},
                                                        {"MAX_RETRIES", "-1"},
                                                        {"RETRY_CONSUMER_ENABLED", "sometimes"},
                                                        {"SQS_BATCH_SIZE", "0"},
                                                        {"SQS_BATCH_SIZE", "11"}}) {
    MapEnvironment env(std::map<std::string, std::string>{{name, value}});
    auto c = LoadBridgeConfig(env);
    ASSERT_FALSE(c.has_value()) << name << "=" << value;
    EXPECT_NE(c.error().message().find(name), std::string::npos) << c.error().message();
    EXPECT_NE(c.error().message().find(value), std::string::npos) << c.error().message();
  }
}

// Every integer setting, just outside its range on either side: refused with the variable, its
// flag, the value and the range; the bounds themselves are accepted.
TEST(BridgeConfigTest, EveryIntegerIsHeldToItsRange) {
  int ranged = 0;
  for (const Setting& s : BridgeSettings()) {
    if (!s.range) continue;
    ++ranged;
    const std::string variable(s.variable);
    const std::string range = std::to_string(s.range->min) + ".." + std::to_string(s.range->max);
    for (const std::int64_t bad : {s.range->min - 1, s.range->max + 1}) {
      MapEnvironment env(std::map<std::string, std::string>{{variable, std::to_string(bad)}});
      auto c = LoadBridgeConfig(env);
      ASSERT_FALSE(c.has_value()) << variable << "=" << bad;
      EXPECT_EQ(c.error().message(), variable + " (" + std::string(s.flag) + ") = " +
                                         std::to_string(bad) + " is out of range " + range);
    }
    for (const std::int64_t good : {s.range->min, s.range->max}) {
      MapEnvironment env(std::map<std::string, std::string>{{variable, std::to_string(good)}});
      auto c = LoadBridgeConfig(env);
      ASSERT_TRUE(c.has_value()) << variable << "=" << good << ": " << c.error().message();
      EXPECT_TRUE(Validate(*c).has_value()) << variable << "=" << good;
    }
  }
  EXPECT_EQ(ranged, 7);
}

// order-service hands its flags over as overrides of their variables: a flag is refused exactly
// like the variable, and wins over it.
TEST(BridgeConfigTest, FlagsGoThroughTheSameChecks) {
  MapEnvironment process({{"MAX_IN_FLIGHT_MESSAGES", "500"}, {"MAX_RETRIES", "2"}});
  {
    OverlayEnvironment flags(process, {{"MAX_IN_FLIGHT_MESSAGES", "0"}});
    auto c = LoadBridgeConfig(flags);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().message(),
              "MAX_IN_FLIGHT_MESSAGES (--max-in-flight) = 0 is out of range 1..1000000");
  }
  {
    OverlayEnvironment flags(process, {{"MAX_RETRIES", "-1"}});
    auto c = LoadBridgeConfig(flags);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().message(), "MAX_RETRIES (--max-retries) = -1 is out of range 0..1000");
  }
  OverlayEnvironment flags(process, {{"MAX_IN_FLIGHT_MESSAGES", "64"}});
  auto c = LoadBridgeConfig(flags);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->max_in_flight_messages, 64u);
  EXPECT_EQ(c->retry_policy.max_retries, 2);
}

// A folder of CA bundles for one test, removed with it.
class CaBundleDir {
 public:
  CaBundleDir()
      : path_(std::filesystem::temp_directory_path() /
              ("bridge-ca-" + std::to_string(::getpid()) + "-" +
               std::to_string(std::random_device{}()))) {
    std::filesystem::create_directories(path_);
  }
  ~CaBundleDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return (path_ / name).string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Not a real certificate: the start-up check only looks for a PEM certificate block; the TLS
// library parses it at the first https request.
constexpr char kPemBundle[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

TEST(BridgeConfigTest, CaBundleIsReadFromTheVariableOrTheFlag) {
  CaBundleDir dir;
  const std::string bundle = dir.Write("ca.pem", kPemBundle);
  {
    MapEnvironment env;
    auto c = LoadBridgeConfig(env);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->aws_ca_bundle, "");  // the system's store
    EXPECT_NE(c->Describe().find("ca_bundle=system"), std::string::npos) << c->Describe();
  }
  MapEnvironment process(std::map<std::string, std::string>{{"AWS_CA_BUNDLE", bundle}});
  auto c = LoadBridgeConfig(process);
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->aws_ca_bundle, bundle);
  EXPECT_NE(c->Describe().find("ca_bundle=" + bundle), std::string::npos) << c->Describe();
  // --ca-bundle is an override of the variable.
  const std::string other = dir.Write("other.pem", kPemBundle);
  OverlayEnvironment flags(process, {{"AWS_CA_BUNDLE", other}});
  c = LoadBridgeConfig(flags);
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->aws_ca_bundle, other);
}

// A bundle that cannot serve stops the start, naming the variable, the flag and the path; found
// only at the first request it would look like a TLS outage that never ends.
TEST(BridgeConfigTest, UnusableCaBundleIsAConfigurationError) {
  CaBundleDir dir;
  const std::string missing = dir.path() + "/missing.pem";
  const std::string empty = dir.Write("empty.pem", "");
  const std::string key_only =
      dir.Write("key.pem", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
  const std::pair<std::string, std::string> cases[] = {
      {missing, "cannot be read (no such file)"},
      {dir.path(), "cannot be read (not a regular file)"},
      {empty, "holds no PEM certificate"},
      {key_only, "holds no PEM certificate"},
  };
  for (const auto& [path, why] : cases) {
    MapEnvironment env(std::map<std::string, std::string>{{"AWS_CA_BUNDLE", path}});
    auto c = LoadBridgeConfig(env);
    ASSERT_FALSE(c.has_value()) << path;
    EXPECT_EQ(c.error().code(), Code::kInvalidArgument);
    EXPECT_EQ(c.error().message(), "AWS_CA_BUNDLE (--ca-bundle) = " + path + ": " + why);
  }
  // Empty means unset: the system's store.
  MapEnvironment unset(std::map<std::string, std::string>{{"AWS_CA_BUNDLE", ""}});
  auto c = LoadBridgeConfig(unset);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->aws_ca_bundle, "");
}

// A configuration built in code is held to the same table.
TEST(BridgeConfigTest, ValidateUsesTheSameRanges) {
  BridgeConfig c;
  ASSERT_TRUE(Validate(c).has_value());
  c.max_in_flight_messages = 0;
  auto s = Validate(c);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message(),
            "MAX_IN_FLIGHT_MESSAGES (--max-in-flight) = 0 is out of range 1..1000000");
  c = BridgeConfig{};
  c.retry_policy.max_retries = -1;
  EXPECT_FALSE(Validate(c).has_value());
  c = BridgeConfig{};
  c.sqs_batch_size = 11;
  EXPECT_FALSE(Validate(c).has_value());
}

TEST(BridgeConfigTest, WithoutOrderContractNothingIsCheckedBeyondTheTransform) {
  MapEnvironment env;
  auto c = LoadBridgeConfig(env);
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->contract_path.empty());
  EXPECT_EQ(c->input_check, nullptr);
  EXPECT_NE(c->Describe().find(" contract=off"), std::string::npos) << c->Describe();
  // An empty variable is unset.
  MapEnvironment empty(std::map<std::string, std::string>{{"ORDER_CONTRACT", ""}});
  auto e = LoadBridgeConfig(empty);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->contract_path.empty());
  EXPECT_TRUE(Validate(*e).has_value());
}

TEST(BridgeConfigTest, OrderContractIsReadFromTheVariableOrTheFlag) {
  MapEnvironment process(
      std::map<std::string, std::string>{{"ORDER_CONTRACT", "/from/variable.yaml"}});
  auto c = LoadBridgeConfig(process);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->contract_path, "/from/variable.yaml");
  EXPECT_NE(c->Describe().find(" contract=/from/variable.yaml"), std::string::npos);
  OverlayEnvironment flags(process, {{"ORDER_CONTRACT", "/from/flag.yaml"}});
  auto f = LoadBridgeConfig(flags);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->contract_path, "/from/flag.yaml");
  const Setting* setting = FindSetting(BridgeSettings(), "ORDER_CONTRACT");
  ASSERT_NE(setting, nullptr);
  EXPECT_EQ(setting->flag, "--contract");
}

TEST(BridgeConfigTest, AContractPathWithoutItsCheckIsRefused) {
  // The bridge reads the path; the check is built outside it (bridge/contract_input). A
  // configuration that names a contract but holds no check would silently check nothing.
  BridgeConfig c;
  c.contract_path = "/some/contract.yaml";
  auto s = Validate(c);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message(),
            "ORDER_CONTRACT (--contract) = /some/contract.yaml: the input check was not built "
            "from the contract");
}

}  // namespace
}  // namespace driftline::bridge
