#include "testkit/service.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "testkit/ports.h"

namespace driftline::testkit {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

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

Result<std::unique_ptr<ServiceProcess>> ServiceProcess::Start(ServiceOptions options) {
  std::unique_ptr<ServiceProcess> s(new ServiceProcess());
  std::vector<std::string> env = options.env;
  if (options.health_port) {
    s->port_ = FreeLoopbackPort();
    if (s->port_ <= 0) return Fail(Code::kUnavailable, "no free loopback port");
    env.push_back("METRICS_ADDRESS=127.0.0.1:" + std::to_string(s->port_));
  }
  auto child = ChildProcess::Spawn({options.binary}, env, options.log_path);
  if (!child) return tl::unexpected(child.error());
  s->process_ = std::move(*child);
  s->options_ = std::move(options);
  return s;
}

int ServiceProcess::Health() const {
  return port_ > 0 ? HttpGetStatus(port_, "/healthz") : -1;
}

HttpGetReply ServiceProcess::HealthReply() const {
  return port_ > 0 ? HttpGet(port_, "/healthz") : HttpGetReply{};
}

bool ServiceProcess::WaitHealthy(milliseconds limit) {
  const auto deadline = Steady::now() + limit;
  while (Steady::now() < deadline) {
    if (!Running()) return false;
    if (Health() == 200) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
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

}  // namespace driftline::testkit
