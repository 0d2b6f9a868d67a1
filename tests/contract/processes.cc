#include "processes.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

namespace driftline::contract_tests {
namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// waitpid with a deadline; true when the child was reaped (status set).
bool WaitFor(pid_t pid, milliseconds timeout, int* status) {
  const auto deadline = Steady::now() + timeout;
  for (;;) {
    const pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0) return true;  // not ours any more
    if (Steady::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

// A /proc file of NUL-separated strings (cmdline, environ).
std::vector<std::string> NulSeparated(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::vector<std::string> out;
  std::string item;
  for (const char c : text.str()) {
    if (c == '\0') {
      out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = Loopback(0);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

int HttpGetStatus(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = Loopback(port);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return -1;
  }
  char buf[64] = {};
  const ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
  ::close(fd);
  if (n < 12 || std::strncmp(buf, "HTTP/1.", 7) != 0) return -1;
  return std::atoi(buf + 9);
}

std::vector<std::string> OrderServicesOnTopics(const std::set<std::string>& topics) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid == std::to_string(getpid()))
      continue;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink(entry.path() / "exe", ec);
    if (ec || exe.filename() != "order-service") continue;
    const std::vector<std::string> args = NulSeparated(entry.path() / "cmdline");
    const std::vector<std::string> env = NulSeparated(entry.path() / "environ");
    // The topics it uses: a flag wins over the variable, which wins over the default.
    auto setting = [&](const std::string& flag, const std::string& var, const std::string& dflt) {
      for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == flag) return args[i + 1];
        if (args[i].rfind(flag + "=", 0) == 0) return args[i].substr(flag.size() + 1);
      }
      for (const std::string& e : env) {
        if (e.rfind(var + "=", 0) == 0 && e.size() > var.size() + 1)
          return e.substr(var.size() + 1);
      }
      return dflt;
    };
    const std::string used[] = {setting("--topic", "KAFKA_TOPIC", "place-order-topic"),
                                setting("--retry-topic", "RETRY_TOPIC", "place-order-retry-topic"),
                                setting("--dlq-topic", "DLQ_TOPIC", "place-order-dlq-topic")};
    for (const std::string& t : used) {
      if (topics.count(t)) {
        std::string line = pid + ":";
        for (const std::string& a : args)
          line += " " + a;
        out.push_back(line + " (uses " + t + ")");
        break;
      }
    }
  }
  return out;
}

int RunQuietly(const std::string& command) {
  const RunResult r = RunCaptured({"/bin/sh", "-c", command}, milliseconds(60000));
  return r.exit_code;
}

OrderService::OrderService(const std::vector<std::string>& env, const std::filesystem::path& log) {
  std::vector<std::string> vars;
  for (char** e = environ; *e != nullptr; ++e)
    vars.emplace_back(*e);
  vars.insert(vars.end(), env.begin(), env.end());
  std::vector<char*> envp = Pointers(vars);
  std::filesystem::create_directories(log.parent_path());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> args = {DRIFTLINE_ORDER_SERVICE_BIN};
  std::vector<char*> argv = Pointers(args);
  if (posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, argv.data(), envp.data()) != 0)
    pid_ = -1;
  posix_spawn_file_actions_destroy(&actions);
}

OrderService::~OrderService() {
  if (pid_ > 0) Stop();
}

bool OrderService::WaitHealthy(int port, milliseconds timeout) {
  const auto deadline = Steady::now() + timeout;
  while (Steady::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;  // it exited
    }
    if (HttpGetStatus(port, "/healthz") == 200) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

int OrderService::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitFor(pid_, milliseconds(30000), &status)) {
    ::kill(pid_, SIGKILL);
    WaitFor(pid_, milliseconds(10000), &status);
    pid_ = -1;
    return -1;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

RunResult RunCaptured(const std::vector<std::string>& argv_in, milliseconds deadline) {
  RunResult result;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv = Pointers(args);
  pid_t pid = -1;
  const auto start = Steady::now();
  const int rc = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    result.output = "cannot start " + args[0] + ": " + std::strerror(rc);
    return result;
  }
  const auto end = start + deadline;
  bool killed = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(end - Steady::now()).count();
    if (left <= 0) {
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    pollfd p{pipe_fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long>(left, 500)));
    if (ready <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n <= 0) break;  // EOF: the child closed its output
    result.output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  WaitFor(pid, milliseconds(10000), &status);
  result.wall = std::chrono::duration_cast<milliseconds>(Steady::now() - start);
  result.exit_code = (!killed && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace driftline::contract_tests
