// A child process this program started and owns: order-service instances killed with SIGKILL
// or stopped with SIGTERM, contract-test runs, the stack script. The destructor kills and reaps
// a child that is still running, so no process outlives its owner by accident. Every program a
// test, benchmark or the fault campaign starts is started here (the one posix_spawn).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "testkit/unique_fd.h"

namespace driftline::testkit {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with this process's environment plus `extra_env` ("NAME=VALUE";
  // a later entry wins over an inherited one by the same name), stdin from /dev/null, stdout
  // and stderr appended to `log_path`, and no other descriptor of this process. Errors:
  // kUnavailable when the program cannot be started.
  static Result<std::unique_ptr<ChildProcess>> Spawn(const std::vector<std::string>& argv,
                                                     const std::vector<std::string>& extra_env,
                                                     const std::string& log_path);
  // As Spawn(), with stdout and stderr written to a pipe whose read end goes to `*output`.
  static Result<std::unique_ptr<ChildProcess>> SpawnCaptured(
      const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
      UniqueFd* output);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // True while the child has not exited (reaps it when it has).
  bool Running();
  // SIGKILL and reap.
  void Kill();
  // SIGTERM, then waits up to `limit` for the exit. The exit code; nullopt when it did not exit
  // in time (it is then killed) or died of a signal.
  std::optional<int> Terminate(std::chrono::milliseconds limit);
  // Waits up to `limit` for the child to exit by itself. The exit code as for Terminate().
  std::optional<int> Wait(std::chrono::milliseconds limit);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;             // -1 once reaped
  std::optional<int> status_;  // the wait status, once reaped
};

// Runs a program to completion (bounded by `limit`, killed after it) and returns its exit code.
// Errors: kUnavailable (cannot start), kDeadlineExceeded (still running after `limit`).
Result<int> RunToCompletion(const std::vector<std::string>& argv,
                            const std::vector<std::string>& extra_env, const std::string& log_path,
                            std::chrono::milliseconds limit);

struct CapturedRun {
  int exit_code = -1;  // -1: could not start, killed at the deadline, or died of a signal
  std::string output;  // stdout and stderr, interleaved ("cannot start ..." when it did not)
  std::chrono::milliseconds wall{};
};

// Runs `argv` (argv[0] a path) with this process's environment and its output captured; kills
// it at `deadline`.
CapturedRun RunCaptured(const std::vector<std::string>& argv, std::chrono::milliseconds deadline);

// Exit code of `command` run through /bin/sh with its output discarded (-1 as for RunCaptured).
int RunQuietly(const std::string& command);

}  // namespace driftline::testkit
