// The health and metrics listener is private unless the operator says otherwise: the default
// METRICS_ADDRESS is a loopback address, and a listener started on its host is bound to
// 127.0.0.1, so other machines cannot reach it.
#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "bridge/config.h"
#include "ops/http_server.h"

namespace driftline::bridge {
namespace {

std::string HostOf(const std::string& address) {
  return address.substr(0, address.rfind(':'));
}

std::string DefaultMetricsAddress() {
  MapEnvironment env;
  auto config = LoadBridgeConfig(env);
  EXPECT_TRUE(config.has_value());
  return config ? config->metrics_address : "";
}

// Inodes of the sockets this process holds open.
std::set<std::string> OwnSocketInodes() {
  std::set<std::string> inodes;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return inodes;
  while (const dirent* entry = ::readdir(dir)) {
    char target[256] = {0};
    const std::string link = std::string("/proc/self/fd/") + entry->d_name;
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    const std::string text(target, n > 0 ? static_cast<std::size_t>(n) : 0);
    if (text.rfind("socket:[", 0) == 0) inodes.insert(text.substr(8, text.size() - 9));
  }
  ::closedir(dir);
  return inodes;
}

// Local addresses ("0100007F" is 127.0.0.1; tcp6 rows have 32 hex digits) of this process's
// TCP sockets listening on `port`: what getsockname() on each listening socket would say.
std::vector<std::string> OwnListeningAddresses(int port) {
  const std::set<std::string> own = OwnSocketInodes();
  std::vector<std::string> found;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // column titles
    while (std::getline(in, line)) {
      std::istringstream row(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      row >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >>
          inode;
      const auto colon = local.rfind(':');
      if (state != "0A" || colon == std::string::npos) continue;  // 0A: LISTEN
      if (std::stoi(local.substr(colon + 1), nullptr, 16) != port) continue;
      if (own.count(inode) != 0) found.push_back(local.substr(0, colon));
    }
  }
  return found;
}

// An IPv4 address of this machine that is not a loopback address, if it has one.
std::optional<in_addr> NonLoopbackIpv4() {
  ifaddrs* all = nullptr;
  if (::getifaddrs(&all) != 0) return std::nullopt;
  std::optional<in_addr> found;
  for (const ifaddrs* i = all; i != nullptr && !found; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    const in_addr a = reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr;
    if ((ntohl(a.s_addr) >> 24) != 127) found = a;
  }
  ::freeifaddrs(all);
  return found;
}

bool Connects(in_addr address, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr = address;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
  ::close(fd);
  return ok;
}

in_addr Loopback() {
  in_addr a{};
  a.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

TEST(MetricsListenerTest, DefaultAddressIsLoopback) {
  const std::string address = DefaultMetricsAddress();
  EXPECT_EQ(HostOf(address), "127.0.0.1");
  EXPECT_TRUE(ops::IsLoopbackHost(HostOf(address)));
}

TEST(MetricsListenerTest, AWiderAddressIsAnExplicitChoiceWithAWarning) {
  MapEnvironment env(std::map<std::string, std::string>{{"METRICS_ADDRESS", "0.0.0.0:9555"}});
  auto config = LoadBridgeConfig(env);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->metrics_address, "0.0.0.0:9555");
  EXPECT_NE(MetricsExposureWarning(*config).find("METRICS_ADDRESS=0.0.0.0:9555 is not a loopback"),
            std::string::npos)
      << MetricsExposureWarning(*config);

  BridgeConfig defaults;
  EXPECT_EQ(MetricsExposureWarning(defaults), "");
  defaults.metrics_address = "";  // disabled
  EXPECT_EQ(MetricsExposureWarning(defaults), "");
  defaults.metrics_address = "192.168.1.10:9400";
  EXPECT_NE(MetricsExposureWarning(defaults), "");
}

TEST(MetricsListenerTest, ListenerOnTheDefaultHostIsBoundToLoopbackOnly) {
  // The default host with a free port: the default port may be taken by a running service.
  auto server = ops::HttpServer::Start(HostOf(DefaultMetricsAddress()) + ":0", {});
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  const int port = (*server)->port();
  ASSERT_GT(port, 0);
  EXPECT_EQ(OwnListeningAddresses(port), std::vector<std::string>{"0100007F"});
  EXPECT_TRUE(Connects(Loopback(), port));
}

// The other half, from outside: through this machine's own non-loopback address the default
// listener refuses while 127.0.0.1 answers. (No control listener on 0.0.0.0 here: test servers
// bind 127.0.0.1 only; the bound address itself is checked above.)
TEST(MetricsListenerTest, UnreachableThroughANonLoopbackAddress) {
  const auto external = NonLoopbackIpv4();
  if (!external) GTEST_SKIP() << "this machine has no non-loopback IPv4 address";
  char text[INET_ADDRSTRLEN] = {0};
  ::inet_ntop(AF_INET, &*external, text, sizeof text);

  auto server = ops::HttpServer::Start(HostOf(DefaultMetricsAddress()) + ":0", {});
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  EXPECT_TRUE(Connects(Loopback(), (*server)->port()));
  EXPECT_FALSE(Connects(*external, (*server)->port())) << "reachable through " << text;
}

}  // namespace
}  // namespace driftline::bridge
