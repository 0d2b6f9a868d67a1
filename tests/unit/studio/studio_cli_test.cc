// `contract-test studio` as a process: the line it prints once listening, SIGINT and SIGTERM
// (exit 0), a port in use and a missing root (exit 2 with the message). No broker is needed: no
// run is started.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "testkit/child_process.h"
#include "testkit/ports.h"

namespace driftline::studio {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class StudioCliTest : public ::testing::Test {
 protected:
  std::vector<std::string> Argv(int port) const {
    return {DRIFTLINE_CONTRACT_TEST_BIN,
            "studio",
            "--port",
            std::to_string(port),
            "--root",
            root_.path().string(),
            "--db",
            (db_.path() / "studio.sqlite").string()};
  }

  // Starts a studio on a free port and reads its output up to the first line.
  void Start() {
    port_ = testkit::FreeLoopbackPort();
    ASSERT_GT(port_, 0);
    auto child = testkit::ChildProcess::SpawnCaptured(Argv(port_), {}, &output_);
    ASSERT_TRUE(child) << child.error().message();
    child_ = std::move(*child);
    char c = 0;
    while (::read(output_.get(), &c, 1) == 1 && c != '\n')
      line_ += c;
  }

  contract::testing::TempDir root_;
  contract::testing::TempDir db_;
  int port_ = 0;
  testkit::UniqueFd output_;
  std::unique_ptr<testkit::ChildProcess> child_;
  std::string line_;
};

TEST_F(StudioCliTest, PrintsWhereItListensAndStopsOnSigterm) {
  Start();
  ASSERT_TRUE(child_);
  EXPECT_EQ(line_, "contract-test studio: http://127.0.0.1:" + std::to_string(port_) + "/ (root " +
                       std::filesystem::canonical(root_.path()).string() + ", history " +
                       (db_.path() / "studio.sqlite").string() + ")");
  httplib::Client client("127.0.0.1", port_);
  auto state = client.Get("/api/state");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status, 200);
  EXPECT_EQ(child_->Terminate(60s), 0);
}

TEST_F(StudioCliTest, StopsOnSigint) {
  Start();
  ASSERT_TRUE(child_);
  ASSERT_EQ(::kill(child_->pid(), SIGINT), 0);
  EXPECT_EQ(child_->Wait(60s), 0);
}

TEST_F(StudioCliTest, APortInUseExitsTwo) {
  Start();
  ASSERT_TRUE(child_);
  const testkit::CapturedRun second = testkit::RunCaptured(Argv(port_), 60s);
  EXPECT_EQ(second.exit_code, 2) << second.output;
  EXPECT_THAT(second.output, HasSubstr("contract-test studio: cannot listen on 127.0.0.1:" +
                                       std::to_string(port_) + ": Address already in use"));
  EXPECT_EQ(child_->Terminate(60s), 0);
}

TEST_F(StudioCliTest, AMissingRootExitsTwo) {
  std::vector<std::string> argv = Argv(0);
  argv[5] = (root_.path() / "missing").string();
  const testkit::CapturedRun run = testkit::RunCaptured(argv, 60s);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_THAT(run.output, HasSubstr("contract-test studio: "));
  EXPECT_THAT(run.output, HasSubstr("missing"));
}

}  // namespace
}  // namespace driftline::studio
