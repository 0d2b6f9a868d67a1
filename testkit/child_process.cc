#include "testkit/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

extern char** environ;

namespace driftline::testkit {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

// posix_spawn file actions, destroyed on every path.
struct FileActions {
  posix_spawn_file_actions_t actions;
  FileActions() { posix_spawn_file_actions_init(&actions); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
};

std::optional<int> ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return std::nullopt;
}

}  // namespace

namespace {

// Starts argv with this process's environment plus `extra_env`, stdin from /dev/null, stdout and
// stderr appended to `log_path`, or (when `pipe_write` >= 0) written to that pipe, whose other
// end `pipe_read` the child closes.
Result<pid_t> SpawnProcess(const std::vector<std::string>& argv,
                           const std::vector<std::string>& extra_env, const std::string& log_path,
                           int pipe_write, int pipe_read) {
  if (argv.empty()) return Fail(Code::kInvalidArgument, "no program to start");
  // One entry per name: the inherited environment, then the extra variables over it.
  std::map<std::string, std::string> by_name;
  std::vector<std::string> order;
  auto put = [&](const std::string& entry) {
    const std::string name = entry.substr(0, entry.find('='));
    if (by_name.find(name) == by_name.end()) order.push_back(name);
    by_name[name] = entry;
  };
  for (char** e = environ; *e != nullptr; ++e)
    put(*e);
  for (const auto& e : extra_env)
    put(e);
  std::vector<std::string> vars;
  for (const auto& name : order)
    vars.push_back(by_name[name]);
  std::vector<char*> envp;
  for (auto& v : vars)
    envp.push_back(v.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_ptrs;
  for (auto& a : args)
    arg_ptrs.push_back(a.data());
  arg_ptrs.push_back(nullptr);

  FileActions fa;
  posix_spawn_file_actions_addopen(&fa.actions, 0, "/dev/null", O_RDONLY, 0);
  if (pipe_write >= 0) {
    posix_spawn_file_actions_adddup2(&fa.actions, pipe_write, 1);
    posix_spawn_file_actions_addclose(&fa.actions, pipe_read);
  } else {
    posix_spawn_file_actions_addopen(&fa.actions, 1, log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  posix_spawn_file_actions_adddup2(&fa.actions, 1, 2);
  // Nothing else is inherited: a daemon the child starts (the stack script's broker) would
  // otherwise hold this process's descriptors, such as a flock(1) lock, for its whole life.
  posix_spawn_file_actions_addclosefrom_np(&fa.actions, 3);
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, args[0].c_str(), &fa.actions, nullptr, arg_ptrs.data(), envp.data());
  if (rc != 0) {
    return Fail(Code::kUnavailable, "cannot start " + args[0] + ": " + std::strerror(rc));
  }
  return pid;
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(const std::vector<std::string>& argv,
                                                          const std::vector<std::string>& extra_env,
                                                          const std::string& log_path) {
  auto pid = SpawnProcess(argv, extra_env, log_path, -1, -1);
  if (!pid) return tl::unexpected(pid.error());
  return std::unique_ptr<ChildProcess>(new ChildProcess(*pid));
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::SpawnCaptured(
    const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
    UniqueFd* output) {
  int fds[2];
  if (::pipe(fds) != 0) return Fail(Code::kUnavailable, "pipe: " + std::string(strerror(errno)));
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  auto pid = SpawnProcess(argv, extra_env, "", write_end.get(), read_end.get());
  if (!pid) return tl::unexpected(pid.error());
  *output = std::move(read_end);  // the write end closes here: EOF once the child is done
  return std::unique_ptr<ChildProcess>(new ChildProcess(*pid));
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) Kill();
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    pid_ = -1;
    return false;
  }
  return true;
}

void ChildProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  status_ = status;
  pid_ = -1;
}

std::optional<int> ChildProcess::Wait(milliseconds limit) {
  const auto deadline = Steady::now() + limit;
  while (Running()) {
    if (Steady::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return status_ ? ExitCode(*status_) : std::nullopt;
}

std::optional<int> ChildProcess::Terminate(milliseconds limit) {
  if (pid_ > 0) ::kill(pid_, SIGTERM);
  auto code = Wait(limit);
  if (Running()) {
    Kill();
    return std::nullopt;
  }
  return code;
}

Result<int> RunToCompletion(const std::vector<std::string>& argv,
                            const std::vector<std::string>& extra_env, const std::string& log_path,
                            milliseconds limit) {
  auto child = ChildProcess::Spawn(argv, extra_env, log_path);
  if (!child) return tl::unexpected(child.error());
  auto code = (*child)->Wait(limit);
  if ((*child)->Running()) {
    (*child)->Kill();
    return Fail(Code::kDeadlineExceeded,
                argv[0] + " still running after " + std::to_string(limit.count()) + " ms; killed");
  }
  return code.value_or(-1);
}

CapturedRun RunCaptured(const std::vector<std::string>& argv, milliseconds deadline) {
  CapturedRun result;
  const auto start = Steady::now();
  UniqueFd output;
  auto child = ChildProcess::SpawnCaptured(argv, {}, &output);
  if (!child) {
    result.output = child.error().message();
    return result;
  }
  const auto end = start + deadline;
  bool killed = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(end - Steady::now()).count();
    if (left <= 0) {
      (*child)->Kill();
      killed = true;
      break;
    }
    pollfd p{output.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long>(left, 500))) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(output.get(), buf, sizeof buf);
    if (n <= 0) break;  // EOF: the child closed its output
    result.output.append(buf, static_cast<std::size_t>(n));
  }
  const auto code = (*child)->Wait(milliseconds(10000));
  result.wall = std::chrono::duration_cast<milliseconds>(Steady::now() - start);
  result.exit_code = !killed && code ? *code : -1;
  return result;
}

int RunQuietly(const std::string& command) {
  return RunCaptured({"/bin/sh", "-c", command}, milliseconds(60000)).exit_code;
}

}  // namespace driftline::testkit
