// ChildProcess and RunToCompletion and RunCaptured with /bin/sh: exit codes, the environment a
// child sees, the log it writes, SIGTERM with a bound and SIGKILL.
#include "testkit/child_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace driftline::testkit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class ChildProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = (std::filesystem::temp_directory_path() /
            ("child-process-test-" + std::to_string(::getpid()) + ".log"))
               .string();
    std::filesystem::remove(log_);
  }
  void TearDown() override { std::filesystem::remove(log_); }
  std::string Log() const {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // Waits (at most 10 s) until the child has written `text` to its log.
  bool LogSays(const std::string& text) const {
    const auto limit = std::chrono::steady_clock::now() + seconds(10);
    while (std::chrono::steady_clock::now() < limit) {
      if (Log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return false;
  }
  std::string log_;
};

TEST_F(ChildProcessTest, RunToCompletionGivesTheExitCodeAndAppendsOutputToTheLog) {
  auto code =
      RunToCompletion({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, {}, log_, seconds(10));
  ASSERT_TRUE(code) << code.error().ToString();
  EXPECT_EQ(*code, 3);
  EXPECT_EQ(Log(), "out\nerr\n");
}

TEST_F(ChildProcessTest, AVariableGivenReplacesTheInheritedOne) {
  ::setenv("DRIFTLINE_CHILD_TEST", "inherited", 1);
  auto code = RunToCompletion({"/bin/sh", "-c", "echo \"$DRIFTLINE_CHILD_TEST\""},
                              {"DRIFTLINE_CHILD_TEST=given"}, log_, seconds(10));
  ::unsetenv("DRIFTLINE_CHILD_TEST");
  ASSERT_TRUE(code) << code.error().ToString();
  EXPECT_EQ(Log(), "given\n");
}

TEST_F(ChildProcessTest, TerminateStopsAChildThatHandlesSigterm) {
  auto child = ChildProcess::Spawn(
      {"/bin/sh", "-c", "trap 'exit 7' TERM; echo ready; while :; do sleep 0.05; done"}, {}, log_);
  ASSERT_TRUE(child) << child.error().ToString();
  ASSERT_TRUE(LogSays("ready"));  // the trap is set
  EXPECT_TRUE((*child)->Running());
  EXPECT_EQ((*child)->Terminate(seconds(10)), 7);
  EXPECT_FALSE((*child)->Running());
}

TEST_F(ChildProcessTest, KillStopsAChildThatIgnoresSigterm) {
  // It notes SIGTERM and carries on.
  auto child = ChildProcess::Spawn(
      {"/bin/sh", "-c", "trap 'echo term' TERM; echo ready; while :; do sleep 0.05; done"}, {},
      log_);
  ASSERT_TRUE(child) << child.error().ToString();
  ASSERT_TRUE(LogSays("ready"));
  // No exit within the bound: killed, so no exit code.
  EXPECT_EQ((*child)->Terminate(milliseconds(300)), std::nullopt);
  EXPECT_FALSE((*child)->Running());
  EXPECT_NE(Log().find("term"), std::string::npos) << "SIGTERM came first";
}

TEST_F(ChildProcessTest, AProgramThatDoesNotExistIsAnError) {
  auto code = RunToCompletion({"/nonexistent/program"}, {}, log_, seconds(10));
  ASSERT_FALSE(code.has_value());
  EXPECT_EQ(code.error().code(), Code::kUnavailable);
}

TEST_F(ChildProcessTest, TheChildInheritsNoOtherDescriptor) {
  // As a flock(1) lock would be: an open descriptor of this process beyond 0-2.
  const int fd = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 3);
  auto code = RunToCompletion({"/bin/sh", "-c", "test -e /proc/self/fd/" + std::to_string(fd)}, {},
                              log_, seconds(10));
  ::close(fd);
  ASSERT_TRUE(code.has_value()) << code.error().ToString();
  EXPECT_EQ(*code, 1) << "the child could see descriptor " << fd;
}

TEST(RunCapturedTest, CapturesBothStreamsAndTheExitCode) {
  const CapturedRun run =
      RunCaptured({"/bin/sh", "-c", "echo out; echo err >&2; exit 4"}, seconds(10));
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_NE(run.output.find("out\n"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("err\n"), std::string::npos) << run.output;
}

TEST(RunCapturedTest, KillsAProgramAtTheDeadline) {
  const CapturedRun run =
      RunCaptured({"/bin/sh", "-c", "echo started; exec sleep 30"}, milliseconds(300));
  EXPECT_EQ(run.exit_code, -1);
  EXPECT_LT(run.wall, seconds(10));
  EXPECT_NE(run.output.find("started"), std::string::npos) << run.output;
}

TEST(RunCapturedTest, AProgramThatDoesNotExistSaysSo) {
  const CapturedRun run = RunCaptured({"/nonexistent/program"}, seconds(10));
  EXPECT_EQ(run.exit_code, -1);
  EXPECT_NE(run.output.find("cannot start /nonexistent/program"), std::string::npos);
  EXPECT_EQ(RunQuietly("exit 7"), 7);
}

}  // namespace
}  // namespace driftline::testkit
