#include "contract/spec/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "temp_dir.h"

namespace driftline::contract {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

constexpr const char* kLabShapedConfig = R"(version: 3
systemUnderTest:
  service:
    $ref: "#/components/services/svc"
    runOptions:
      $ref: "#/components/runOptions/test"
    data:
      examples:
        - directories:
            - spec/api_examples
    settings:
      strictMode: true
components:
  sources:
    contracts:
      git:
        url: https://github.com/example/team-contracts.git
        branch: main
  services:
    svc:
      definitions:
        - definition:
            source:
              $ref: "#/components/sources/contracts"
            specs:
              - asyncapi/api.yaml
  runOptions:
    test:
      asyncapi:
        type: test
        servers:
          - host: http://localstack:4566/000000000000
            protocol: sqs
            adminCredentials:
              region: us-east-1
              aws.access.key.id: test
              aws.secret.access.key: secret
          - host: kafka:9092
            protocol: kafka
)";

TEST(RepoNameTest, FromGitUrls) {
  EXPECT_EQ(RepoNameFromGitUrl("https://github.com/specmatic/labs-contracts.git"),
            "labs-contracts");
  EXPECT_EQ(RepoNameFromGitUrl("git@github.com:org/repo.git"), "repo");
  EXPECT_EQ(RepoNameFromGitUrl("https://example.com/a/b/"), "b");
}

TEST(LoadSuiteConfigTest, ResolvesTheLabLayout) {
  TempDir dir;
  const auto config_path = dir.Write("specmatic.yaml", kLabShapedConfig);
  dir.Write(".specmatic/repos/team-contracts/asyncapi/api.yaml", "asyncapi: 3.0.0\n");
  auto config = LoadSuiteConfig(config_path);
  ASSERT_TRUE(config) << config.error().message();
  ASSERT_EQ(config->specs.size(), 1u);
  EXPECT_EQ(config->specs[0],
            (dir.path() / ".specmatic/repos/team-contracts/asyncapi/api.yaml").lexically_normal());
  ASSERT_EQ(config->example_dirs.size(), 1u);
  EXPECT_EQ(config->example_dirs[0], (dir.path() / "spec/api_examples").lexically_normal());
  EXPECT_EQ(config->strict_mode, true);
  ASSERT_EQ(config->servers.size(), 2u);
  EXPECT_EQ(config->servers[0].protocol, Protocol::kSqs);
  EXPECT_EQ(config->servers[0].host, "http://localstack:4566/000000000000");
  EXPECT_EQ(config->servers[0].region, "us-east-1");
  EXPECT_EQ(config->servers[0].access_key_id, "test");
  EXPECT_EQ(config->servers[0].secret_access_key, "secret");
  EXPECT_EQ(config->servers[1].protocol, Protocol::kKafka);
  EXPECT_EQ(config->servers[1].host, "kafka:9092");
}

TEST(LoadSuiteConfigTest, MissingGitCheckoutSaysWhereItLooked) {
  TempDir dir;
  auto config = LoadSuiteConfig(dir.Write("specmatic.yaml", kLabShapedConfig));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code(), Code::kNotFound);
  EXPECT_THAT(config.error().message(), HasSubstr(".specmatic/repos/team-contracts"));
  EXPECT_THAT(config.error().message(), HasSubstr("does not clone"));
}

TEST(LoadSuiteConfigTest, FilesystemSource) {
  TempDir dir;
  dir.Write("contracts/api.yaml", "asyncapi: 3.0.0\n");
  auto config = LoadSuiteConfig(dir.Write("specmatic.yaml", R"(version: 3
systemUnderTest:
  service:
    definitions:
      - definition:
          source:
            filesystem:
              directory: contracts
          specs: [api.yaml]
)"));
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->specs[0], (dir.path() / "contracts/api.yaml").lexically_normal());
  EXPECT_TRUE(config->example_dirs.empty());
  EXPECT_FALSE(config->strict_mode);
  EXPECT_EQ(DefaultExamplesDir(config->specs[0]), dir.path() / "contracts/api_examples");
}

TEST(LoadSuiteConfigTest, WrongVersionNamesTheLine) {
  TempDir dir;
  auto config = LoadSuiteConfig(dir.Write("specmatic.yaml", "# comment\nversion: 2\n"));
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message(), HasSubstr("specmatic.yaml:2"));
  EXPECT_THAT(config.error().message(), HasSubstr("version 2 is not supported"));
}

TEST(LoadSuiteConfigTest, MalformedYamlNamesTheLine) {
  TempDir dir;
  auto config = LoadSuiteConfig(dir.Write("specmatic.yaml", "version: 3\nsystemUnderTest: [\n"));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code(), Code::kInvalidArgument);
  EXPECT_THAT(config.error().message(), HasSubstr("specmatic.yaml:"));
}

// A config of one local spec, up to its settings block (the settings follow, indented by 6).
constexpr const char* kSettingsHead = R"(version: 3
systemUnderTest:
  service:
    definitions:
      - definition:
          source: {filesystem: {directory: .}}
          specs: [api.yaml]
    settings:
)";

TEST(LoadSuiteConfigTest, StrictModeMustBeBoolean) {
  TempDir dir;
  dir.Write("api.yaml", "asyncapi: 3.0.0\n");
  auto config = LoadSuiteConfig(
      dir.Write("specmatic.yaml", std::string(kSettingsHead) + "      strictMode: maybe\n"));
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message(), HasSubstr("strictMode must be a boolean"));
}

// Ours, beside Specmatic's settings: the generated tests to run and their limit.
TEST(LoadSuiteConfigTest, GeneratedTestSettings) {
  TempDir dir;
  dir.Write("api.yaml", "asyncapi: 3.0.0\n");
  const std::string head = std::string(kSettingsHead) + "      strictMode: true\n";
  auto none = LoadSuiteConfig(dir.Write("none.yaml", head));
  ASSERT_TRUE(none) << none.error().message();
  EXPECT_TRUE(none->generate.empty());
  EXPECT_FALSE(none->generate_limit);

  auto list =
      LoadSuiteConfig(dir.Write("list.yaml", head + "      x-driftline-generate: [negative]\n"
                                                    "      x-driftline-generate-limit: 20\n"));
  ASSERT_TRUE(list) << list.error().message();
  EXPECT_EQ(list->generate, std::vector<std::string>{"negative"});
  EXPECT_EQ(list->generate_limit, std::optional<std::size_t>(20));

  auto one =
      LoadSuiteConfig(dir.Write("one.yaml", head + "      x-driftline-generate: negative\n"));
  ASSERT_TRUE(one) << one.error().message();
  EXPECT_EQ(one->generate, std::vector<std::string>{"negative"});

  auto unknown =
      LoadSuiteConfig(dir.Write("unknown.yaml", head + "      x-driftline-generate: [fuzz]\n"));
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error().message(), HasSubstr("unknown.yaml:"));
  EXPECT_THAT(unknown.error().message(),
              HasSubstr("unknown kind of generated tests \"fuzz\" (known: negative)"));

  auto limit =
      LoadSuiteConfig(dir.Write("limit.yaml", head + "      x-driftline-generate-limit: -1\n"));
  ASSERT_FALSE(limit);
  EXPECT_THAT(limit.error().message(),
              HasSubstr("x-driftline-generate-limit must be a whole number >= 0"));
}

TEST(LoadSuiteConfigTest, LoadsTheLabConfigUnchanged) {
  const std::filesystem::path lab = std::filesystem::path(DRIFTLINE_SOURCE_DIR) /
                                    "../shared/reference/kafka-sqs-retry-dlq/specmatic.yaml";
  if (!std::filesystem::exists(lab)) GTEST_SKIP() << "../shared is absent: " << lab;
  auto config = LoadSuiteConfig(lab);
  ASSERT_TRUE(config) << config.error().message();
  ASSERT_EQ(config->specs.size(), 1u);
  EXPECT_EQ(config->specs[0].filename(), "order-service-sqs-kafka.yaml");
  EXPECT_THAT(config->specs[0].string(), HasSubstr(".specmatic/repos/labs-contracts/"));
  ASSERT_EQ(config->example_dirs.size(), 1u);
  EXPECT_EQ(config->example_dirs[0].filename(), "order-service-sqs-kafka_examples");
  EXPECT_EQ(config->strict_mode, true);
  ASSERT_EQ(config->servers.size(), 2u);
}

}  // namespace
}  // namespace driftline::contract

namespace driftline::contract {
namespace {

TEST(LoadSuiteConfigTest, WrongTypesDeepInTheFileAreErrorsNotCrashes) {
  // Found by contract_fuzz: `definitions` entries and servers that are not mappings.
  testing::TempDir dir;
  const auto path = dir.Write("specmatic.yaml", R"(version: 3
systemUnderTest:
  service:
    definitions:
      - just a string
)");
  auto config = LoadSuiteConfig(path);
  ASSERT_FALSE(config.has_value());
  EXPECT_THAT(config.error().message(), ::testing::HasSubstr("specmatic.yaml"));
}

}  // namespace
}  // namespace driftline::contract
