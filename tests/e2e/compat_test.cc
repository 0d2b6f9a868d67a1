// contract-test compat as a user runs it: the exit code (0 compatible, 1 breaking, 2 unreadable),
// the table and summary line, and --format json. No server is needed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "e2e_support.h"
#include "testkit/child_process.h"

namespace driftline::contract::compat_e2e {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

const fs::path kProject = e2e_support::kRepo / "contracts/order-service.yaml";

testkit::CapturedRun Compat(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {DRIFTLINE_CONTRACT_TEST_BIN, "compat"};
  argv.insert(argv.end(), args.begin(), args.end());
  testkit::CapturedRun r = testkit::RunCaptured(argv, milliseconds(30000));
  std::cout << r.output << "(exit " << r.exit_code << ")\n";
  return r;
}

class CompatCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = e2e_support::kOutput / ("compat-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy(e2e_support::kRepo / "contracts", dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The copy of the project's contract with `from` replaced by `to` (once, which must exist).
  fs::path Changed(const std::string& from, const std::string& to) {
    std::ifstream in(dir_ / "order-service.yaml");
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    std::ofstream(dir_ / "order-service.yaml") << s;
    return dir_ / "order-service.yaml";
  }

  fs::path dir_;
};

TEST_F(CompatCommandTest, TheSameContractIsCompatible) {
  const auto r = Compat({kProject.string(), (dir_ / "order-service.yaml").string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("compat: compatible — 0 breaking, 0 behavioural"));
}

TEST_F(CompatCommandTest, FewerRetriesAreABreakingBehaviourChange) {
  const auto r = Compat({kProject.string(), Changed("maxAttempts: 3", "maxAttempts: 2").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("compat: BREAKING — 0 breaking, 1 behavioural"));
  EXPECT_THAT(r.output, HasSubstr("maxAttempts"));
  EXPECT_THAT(r.output, HasSubstr("3 -> 2"));
}

TEST_F(CompatCommandTest, JsonNamesTheVerdictAndEachFindingsPointers) {
  const auto r = Compat({kProject.string(), Changed("maxAttempts: 3", "maxAttempts: 5").string(),
                         "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  const auto report = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_TRUE(report.is_object()) << r.output;
  EXPECT_EQ(report["verdict"], "breaking");
  ASSERT_EQ(report["findings"].size(), 1u);
  EXPECT_EQ(report["findings"][0]["severity"], "behaviour");
  EXPECT_THAT(report["findings"][0]["new"]["pointer"].get<std::string>(), HasSubstr("maxAttempts"));
}

TEST_F(CompatCommandTest, AnUnreadableContractIsExitTwoNamingTheFile) {
  const auto missing = Compat({kProject.string(), (dir_ / "no-such.yaml").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.output, HasSubstr("no-such.yaml"));
  std::ofstream(dir_ / "broken.yaml") << "asyncapi: 3.0.0\nchannels: [unclosed\n";
  const auto broken = Compat({kProject.string(), (dir_ / "broken.yaml").string()});
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_THAT(broken.output, HasSubstr("broken.yaml"));
}

}  // namespace
}  // namespace driftline::contract::compat_e2e
