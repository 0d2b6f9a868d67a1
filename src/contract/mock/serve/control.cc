// The only translation unit of the mock that includes <httplib.h>.
#include "contract/mock/serve/control.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include "common/strings.h"

namespace driftline::contract::mock {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxBody = 1 << 20;  // an example file is a few kB
constexpr std::size_t kDefaultLogLimit = 100;

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(2, ' ', false, json::error_handler_t::replace) + "\n",
                  "application/json");
}

void ReplyError(httplib::Response& res, int status, const std::string& message) {
  Reply(res, status, json{{"error", message}});
}

}  // namespace

struct ControlServer::Impl {
  MockProvider& provider;
  ControlOptions options;
  httplib::Server http;
  int port = -1;
  std::thread thread;

  Impl(MockProvider& p, ControlOptions o) : provider(p), options(std::move(o)) {}

  bool Admitted(const httplib::Request& req, httplib::Response& res) const {
    // Only the loopback by name (with this port or none): a page elsewhere cannot reach this
    // API through DNS rebinding.
    std::string host = Lower(req.get_header_value("Host"));
    const std::string suffix = ":" + std::to_string(port);
    if (host.size() > suffix.size() &&
        host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0)
      host.resize(host.size() - suffix.size());
    if (host == "127.0.0.1" || host == "localhost" || host == "[::1]") return true;
    ReplyError(res, 403, "refused: the Host header must name this server on the loopback");
    return false;
  }

  void Routes() {
    http.Get("/_mock/health", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Admitted(req, res)) return;
      const MockProvider::State state = provider.state();
      json body{{"status", std::string(MockProvider::StateName(state))}};
      if (state == MockProvider::State::kReady) {
        json inputs = json::array();
        for (const Channel* c : provider.inputs())
          inputs.push_back(c->address);
        body["inputs"] = std::move(inputs);
      }
      Reply(res, state == MockProvider::State::kReady ? 200 : 503, body);
    });
    http.Get("/_mock/verify", [this](const httplib::Request& req, httplib::Response& res) {
      if (Admitted(req, res)) Reply(res, 200, provider.Verify());
    });
    http.Post("/_mock/reset", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Admitted(req, res)) return;
      provider.Reset();
      Reply(res, 200, json{{"status", "reset"}});
    });
    http.Post("/_mock/expectations", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Admitted(req, res)) return;
      auto added = provider.AddExpectation(req.body);
      if (!added) {
        ReplyError(res, 400, added.error().message());
        return;
      }
      Reply(res, 201, json{{"added", *added}});
    });
    http.Get("/_mock/log", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Admitted(req, res)) return;
      std::size_t limit = kDefaultLogLimit;
      if (req.has_param("limit")) {
        const std::string text = req.get_param_value("limit");
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (ec != std::errc() || end != text.data() + text.size()) {
          ReplyError(res, 400, "limit must be a whole number, got '" + text + "'");
          return;
        }
      }
      Reply(res, 200, provider.Log(limit));
    });
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      ReplyError(res, res.status,
                 res.status == 404   ? "not found: the API is under /_mock/"
                 : res.status == 413 ? "the request body is too large"
                                     : "refused (HTTP " + std::to_string(res.status) + ")");
    });
    http.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
          std::string what = "unknown";
          try {
            std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          spdlog::error("contract-test mock: {} {}: {}", req.method, req.path, what);
          ReplyError(res, 500, "internal error: " + what);
        });
  }
};

ControlServer::ControlServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ControlServer::~ControlServer() {
  Stop();
}

Result<std::unique_ptr<ControlServer>> ControlServer::Bind(MockProvider& provider,
                                                           ControlOptions options) {
  auto impl = std::make_unique<Impl>(provider, std::move(options));
  Impl& s = *impl;
  // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second mock share the port
  // instead of failing to listen on it.
  s.http.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const std::size_t threads = static_cast<std::size_t>(std::max(s.options.threads, 1));
  s.http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.http.set_payload_max_length(kMaxBody);
  errno = 0;
  if (s.options.port == 0) {
    s.port = s.http.bind_to_any_port(s.options.host);
  } else {
    s.port = s.http.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1;
  }
  if (s.port <= 0) {
    const int error = errno;
    return Fail(Code::kUnavailable,
                "cannot listen on " + s.options.host + ":" + std::to_string(s.options.port) + ": " +
                    (error != 0 ? std::strerror(error) : "the address cannot be bound"));
  }
  s.Routes();
  return std::unique_ptr<ControlServer>(new ControlServer(std::move(impl)));
}

int ControlServer::port() const {
  return impl_->port;
}

std::string ControlServer::Url() const {
  return "http://" + impl_->options.host + ":" + std::to_string(impl_->port);
}

void ControlServer::Start() {
  if (impl_->thread.joinable()) return;
  impl_->thread = std::thread([this] { impl_->http.listen_after_bind(); });
  // Requests are accepted by the listening socket already; this only makes Stop() safe at once.
  for (int i = 0; i < 1000 && !impl_->http.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void ControlServer::Stop() {
  if (!impl_) return;
  impl_->http.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace driftline::contract::mock
