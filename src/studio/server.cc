// The only translation unit of the project's libraries that includes <httplib.h>.
#include "studio/server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "contract/run/suite.h"
#include "studio/assets.h"
#include "studio/view.h"

namespace driftline::studio {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxRequestBody = 1 << 20;
constexpr const char* kIdPattern = R"((\d{1,18}))";

std::string JsonText(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(JsonText(body), "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& message) {
  SendJson(res, status, json{{"error", message}});
}

// "application/json; charset=utf-8" -> "application/json"
std::string MediaType(const std::string& content_type) {
  return Lower(Trim(content_type.substr(0, content_type.find(';'))));
}

// The run id of a route's first group (at most 18 digits: it fits).
std::int64_t IdOf(const httplib::Request& req) {
  return std::stoll(req.matches[1].str());
}

std::string JoinNames(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : std::string(separator)) + items[i];
  return out;
}

// One SSE frame: "id: <seq>\nevent: <type>\ndata: <one-line JSON>\n\n".
std::string Frame(std::int64_t seq, const std::string& type, const std::string& data) {
  return "id: " + std::to_string(seq) + "\nevent: " + type + "\ndata: " + data + "\n\n";
}

json RunItem(const RunRecord& r) {
  return json{{"id", r.id},
              {"started_at", r.started_at},
              {"title", r.title},
              {"contract_key", r.contract_key},
              {"outcome", r.outcome},
              {"counts", r.counts},
              {"duration_ms", r.duration_ms},
              {"mode", r.mode},
              {"summary_line", r.summary_line}};
}

// The request's JSON body: an object; an empty body is {}.
Result<json> BodyObject(const httplib::Request& req) {
  if (Trim(req.body).empty()) return json::object();
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return Fail(Code::kInvalidArgument, "the body is not JSON");
  if (!body.is_object()) return Fail(Code::kInvalidArgument, "the body must be a JSON object");
  return body;
}

}  // namespace

class Server::Impl {
 public:
  // What POST /api/load produced.
  struct LoadedContract {
    std::shared_ptr<const contract::Suite> suite;
    json view;
    std::string contract_key;
  };

  Impl(Root root, std::unique_ptr<History> history, ServerOptions options, Clock& clock)
      : root_(std::move(root)),
        history_(std::move(history)),
        history_file_(fs::absolute(history_->file())),
        options_(std::move(options)),
        clock_(clock) {}

  Status Bind();
  void Routes();
  Status Serve();
  void Stop();

  Root root_;
  std::unique_ptr<History> history_;
  fs::path history_file_;
  ServerOptions options_;
  Clock& clock_;
  httplib::Server http_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> serving_{false};

  std::mutex mu_;
  std::shared_ptr<const LoadedContract> loaded_;  // guarded by mu_
  std::shared_ptr<Session> session_;              // guarded by mu_: the latest run

 private:
  using Handler = void (Impl::*)(const httplib::Request&, httplib::Response&);

  void Get(const std::string& pattern, Handler handler);
  void Post(const std::string& pattern, Handler handler);
  // The checks of server.h; false (the response set) when the request is refused.
  bool Admitted(const httplib::Request& req, httplib::Response& res, bool post) const;

  std::shared_ptr<Session> CurrentSession() {
    std::lock_guard<std::mutex> lock(mu_);
    return session_;
  }
  // The running session, or null.
  std::shared_ptr<Session> RunningSession() {
    std::shared_ptr<Session> s = CurrentSession();
    return s && s->running() ? s : nullptr;
  }

  void Page(const httplib::Request& req, httplib::Response& res);
  void AssetFile(const httplib::Request& req, httplib::Response& res);
  void State(const httplib::Request& req, httplib::Response& res);
  void Candidates(const httplib::Request& req, httplib::Response& res);
  void Load(const httplib::Request& req, httplib::Response& res);
  void ContractRoute(const httplib::Request& req, httplib::Response& res);
  void StartRun(const httplib::Request& req, httplib::Response& res);
  void CancelRun(const httplib::Request& req, httplib::Response& res);
  void Events(const httplib::Request& req, httplib::Response& res);
  void Runs(const httplib::Request& req, httplib::Response& res);
  void RunDetail(const httplib::Request& req, httplib::Response& res);
  void Report(const httplib::Request& req, httplib::Response& res);
  void Compare(const httplib::Request& req, httplib::Response& res);

  // A path of POST /api/load resolved under the root; false (the response set) when refused.
  bool ResolveInRoot(const std::string& requested, httplib::Response& res, fs::path& out) const;
};

Status Server::Impl::Bind() {
  // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second server share the port
  // instead of failing to listen on it.
  http_.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const std::size_t threads = std::max<std::size_t>(options_.threads, 2);
  http_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_.set_payload_max_length(kMaxRequestBody);
  http_.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                             {"Referrer-Policy", "no-referrer"},
                             {"X-Frame-Options", "DENY"}});
  errno = 0;
  if (options_.port == 0) {
    port_ = http_.bind_to_any_port(options_.host);
  } else {
    port_ = http_.bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    const int error = errno;
    return Fail(Code::kUnavailable,
                "cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                    (error != 0 ? std::strerror(error) : "the address cannot be bound"));
  }
  Routes();
  return Ok();
}

void Server::Impl::Get(const std::string& pattern, Handler handler) {
  http_.Get(pattern, [this, handler](const httplib::Request& req, httplib::Response& res) {
    if (Admitted(req, res, false)) (this->*handler)(req, res);
  });
}

void Server::Impl::Post(const std::string& pattern, Handler handler) {
  http_.Post(pattern, [this, handler](const httplib::Request& req, httplib::Response& res) {
    if (Admitted(req, res, true)) (this->*handler)(req, res);
  });
}

void Server::Impl::Routes() {
  Get("/", &Impl::Page);
  Get(R"(/assets/([A-Za-z0-9_-][A-Za-z0-9._-]*))", &Impl::AssetFile);
  Get("/api/state", &Impl::State);
  Get("/api/candidates", &Impl::Candidates);
  Post("/api/load", &Impl::Load);
  Get("/api/contract", &Impl::ContractRoute);
  Post("/api/runs", &Impl::StartRun);
  Get("/api/runs", &Impl::Runs);
  Get(std::string("/api/runs/") + kIdPattern, &Impl::RunDetail);
  Post(std::string("/api/runs/") + kIdPattern + "/cancel", &Impl::CancelRun);
  Get(std::string("/api/runs/") + kIdPattern + "/events", &Impl::Events);
  Get(std::string("/api/runs/") + kIdPattern + "/report/(junit|ctrf|html)", &Impl::Report);
  Get("/api/compare", &Impl::Compare);
  // Unknown paths, unknown methods and httplib's own refusals (a malformed request, a body over
  // the limit): a JSON error body when the route gave none.
  http_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    SendError(res, res.status,
              res.status == 404 ? "not found"
              : res.status == 413
                  ? "the request body is too large"
                  : "the request was refused (HTTP " + std::to_string(res.status) + ")");
  });
  http_.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("studio: {} {}: {}", req.method, req.path, what);
        SendError(res, 500, "internal error: " + what);
      });
}

bool Server::Impl::Admitted(const httplib::Request& req, httplib::Response& res, bool post) const {
  const std::string port = ":" + std::to_string(port_);
  const std::string host = Lower(req.get_header_value("Host"));
  if (host != "127.0.0.1" + port && host != "localhost" + port && host != "[::1]" + port) {
    SendError(res, 403, "refused: the Host header must name this server on the loopback");
    return false;
  }
  if (!post) return true;
  if (req.has_header("Origin")) {
    const std::string origin = Lower(req.get_header_value("Origin"));
    if (origin != "http://127.0.0.1" + port && origin != "http://localhost" + port) {
      SendError(res, 403, "cross-origin request refused");
      return false;
    }
  }
  if (MediaType(req.get_header_value("Content-Type")) != "application/json") {
    SendError(res, 415, "Content-Type must be application/json");
    return false;
  }
  return true;
}

void Server::Impl::Page(const httplib::Request&, httplib::Response& res) {
  const Asset* page = FindAsset("index.html");
  if (page == nullptr) return SendError(res, 404, "not found");
  res.set_header("Content-Security-Policy", "default-src 'self'");
  res.set_header("Cache-Control", "no-store");
  res.set_content(std::string(page->body), std::string(page->content_type));
}

void Server::Impl::AssetFile(const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1].str();
  const Asset* asset = name == "index.html" ? nullptr : FindAsset(name);  // the page is at /
  if (asset == nullptr) return SendError(res, 404, "not found");
  res.set_header("Cache-Control", "no-store");
  res.set_content(std::string(asset->body), std::string(asset->content_type));
}

void Server::Impl::State(const httplib::Request&, httplib::Response& res) {
  std::shared_ptr<const LoadedContract> loaded;
  std::shared_ptr<Session> session;
  {
    std::lock_guard<std::mutex> lock(mu_);
    loaded = loaded_;
    session = session_;
  }
  SendJson(res, 200,
           json{{"root", root_.path().string()},
                {"loaded", loaded ? loaded->view : json(nullptr)},
                {"running", session && session->running() ? json(session->id()) : json(nullptr)},
                {"db", history_file_.string()}});
}

void Server::Impl::Candidates(const httplib::Request&, httplib::Response& res) {
  json list = json::array();
  for (const Root::Candidate& c : root_.Candidates()) {
    json item{{"path", c.path}, {"kind", c.kind}};
    if (c.kind == "contract") item["examples"] = c.examples ? json(*c.examples) : json(nullptr);
    list.push_back(std::move(item));
  }
  SendJson(res, 200, json{{"root", root_.path().string()}, {"candidates", std::move(list)}});
}

bool Server::Impl::ResolveInRoot(const std::string& requested, httplib::Response& res,
                                 fs::path& out) const {
  auto resolved = root_.Resolve(requested);
  if (!resolved) {
    SendError(res, resolved.error().code() == Code::kPermissionDenied ? 403 : 400,
              resolved.error().message());
    return false;
  }
  out = *resolved;
  return true;
}

void Server::Impl::Load(const httplib::Request& req, httplib::Response& res) {
  auto body = BodyObject(req);
  if (!body) return SendError(res, 400, body.error().message());
  if (auto running = RunningSession()) {
    return SendError(res, 409,
                     "a run is in progress (run " + std::to_string(running->id()) +
                         "): load again once it has ended");
  }
  contract::SuiteOptions options;
  std::optional<fs::path> config_file;
  const json& path = (*body)["path"];
  const json& contract = (*body)["contract"];
  const json& examples = (*body)["examples"];
  if (path.is_string()) {
    fs::path config;
    if (!ResolveInRoot(path.get<std::string>(), res, config)) return;
    options.config = config;
    config_file = config;
  } else if (contract.is_string()) {
    fs::path spec;
    if (!ResolveInRoot(contract.get<std::string>(), res, spec)) return;
    options.contracts.push_back(spec);
    if (examples.is_string()) {
      fs::path dir;
      if (!ResolveInRoot(examples.get<std::string>(), res, dir)) return;
      options.example_dirs.push_back(dir);
    } else if (!examples.is_null()) {
      return SendError(res, 400, "\"examples\" must be a path or null");
    }
  } else {
    return SendError(res, 400,
                     "give {\"path\": <a specmatic.yaml>} or {\"contract\": <an AsyncAPI file>, "
                     "\"examples\": <a folder> | null}");
  }

  auto suite = contract::LoadSuite(options);
  if (!suite) return SendError(res, 400, suite.error().message());
  // A config may name contracts and examples anywhere: what it loaded must lie inside the root
  // too.
  std::vector<std::string> contract_files;
  for (const auto& spec : suite->specs) {
    std::vector<fs::path> files{fs::path(spec->contract->path)};
    for (const auto& example : spec->examples)
      files.push_back(example->file);
    for (const fs::path& file : files) {
      auto inside = root_.Resolve(file.string());
      if (!inside && inside.error().code() == Code::kPermissionDenied)
        return SendError(res, 403, inside.error().message());
    }
    contract_files.push_back(root_.Relative(spec->contract->path));
  }
  std::sort(contract_files.begin(), contract_files.end());
  auto loaded = std::make_shared<LoadedContract>();
  loaded->contract_key = JoinNames(contract_files, "\n");
  loaded->suite = std::make_shared<const contract::Suite>(std::move(*suite));
  loaded->view = ContractView(*loaded->suite, root_.path(), config_file);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (session_ && session_->running()) {
      return SendError(res, 409,
                       "a run is in progress (run " + std::to_string(session_->id()) +
                           "): load again once it has ended");
    }
    loaded_ = loaded;
  }
  SendJson(res, 200, loaded->view);
  TrimHeap();  // loading parses and compiles far more than the loaded contract keeps
}

void Server::Impl::ContractRoute(const httplib::Request&, httplib::Response& res) {
  std::shared_ptr<const LoadedContract> loaded;
  {
    std::lock_guard<std::mutex> lock(mu_);
    loaded = loaded_;
  }
  if (!loaded) return SendError(res, 404, "nothing loaded");
  SendJson(res, 200, loaded->view);
}

void Server::Impl::StartRun(const httplib::Request& req, httplib::Response& res) {
  auto body = BodyObject(req);
  if (!body) return SendError(res, 400, body.error().message());
  std::lock_guard<std::mutex> lock(mu_);
  if (session_ && session_->running()) {
    const std::int64_t id = session_->id();
    return SendJson(res, 409,
                    json{{"error", "a run is already in progress (run " + std::to_string(id) + ")"},
                         {"run_id", id}});
  }
  if (stopping_.load()) return SendError(res, 503, "the server is stopping");
  if (!loaded_) return SendError(res, 400, "load a contract first");

  const json& mode = (*body)["mode"];
  bool parallel = true;
  if (mode.is_string() && (mode == "parallel" || mode == "sequential")) {
    parallel = mode == "parallel";
  } else if (!mode.is_null()) {
    return SendError(res, 400, "\"mode\" must be \"parallel\" or \"sequential\"");
  }
  const json& names = (*body)["examples"];
  std::vector<std::string> wanted;
  if (names.is_array()) {
    for (const json& n : names) {
      if (!n.is_string()) return SendError(res, 400, "\"examples\" must be a list of names");
      wanted.push_back(n.get<std::string>());
    }
  } else if (!names.is_null()) {
    return SendError(res, 400, "\"examples\" must be a list of names");
  }

  std::vector<contract::TestCase> cases;
  std::vector<std::string> unknown = wanted;
  for (const contract::TestCase& tc : loaded_->suite->Cases()) {
    const std::string& name = tc.plan->example->name;
    if (wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end()) {
      cases.push_back(tc);
      unknown.erase(std::remove(unknown.begin(), unknown.end(), name), unknown.end());
    }
  }
  if (!unknown.empty())
    return SendError(res, 400, "unknown example(s): " + JoinNames(unknown, ", "));
  if (cases.empty()) return SendError(res, 400, "the loaded contract has no example to run");

  SessionSetup setup;
  setup.suite = loaded_->suite;
  setup.cases = std::move(cases);
  setup.contract_key = loaded_->contract_key;
  setup.runner = options_.runner;
  setup.runner.parallel = parallel;
  auto session = Session::Start(std::move(setup), options_.transports, *history_, clock_);
  if (!session) return SendError(res, 500, session.error().message());
  session_ = std::move(*session);
  // The reply carries the run's first events (its "started" is emitted as the run's thread
  // starts): the page shows them at once instead of after its event stream has connected.
  json first = json::array();
  for (const RunEvent& e : session_->EventsAfter(0, std::chrono::milliseconds(50)).events)
    first.push_back(json::parse(e.json));
  SendJson(res, 202, json{{"run_id", session_->id()}, {"events", std::move(first)}});
}

void Server::Impl::CancelRun(const httplib::Request& req, httplib::Response& res) {
  const std::int64_t id = IdOf(req);
  std::shared_ptr<Session> session = CurrentSession();
  if (session && session->id() == id) {
    if (session->Cancel()) return SendJson(res, 202, json{{"run_id", id}});
    return SendError(res, 409, "run " + std::to_string(id) + " is not running");
  }
  auto run = history_->Get(id);
  if (!run) return SendError(res, 500, run.error().message());
  if (!*run) return SendError(res, 404, "no run " + std::to_string(id));
  SendError(res, 409, "run " + std::to_string(id) + " is not running");
}

void Server::Impl::Events(const httplib::Request& req, httplib::Response& res) {
  const std::int64_t id = IdOf(req);
  std::int64_t after = 0;  // an EventSource reconnecting says where it was
  if (req.has_header("Last-Event-ID")) {
    try {
      after = std::stoll(req.get_header_value("Last-Event-ID"));
    } catch (const std::exception&) {
      after = 0;
    }
  }
  std::shared_ptr<Session> session = CurrentSession();
  if (!session || session->id() != id) {
    // A run of the past: its stored events, then the end.
    auto run = history_->Get(id);
    if (!run) return SendError(res, 500, run.error().message());
    if (!*run) return SendError(res, 404, "no run " + std::to_string(id));
    auto events = history_->Events(id);
    if (!events) return SendError(res, 500, events.error().message());
    std::string text;
    for (const std::string& e : *events) {
      const json event = json::parse(e, nullptr, false);
      if (!event.is_object() || !event.contains("seq") || !event.contains("type") ||
          !event.at("seq").is_number_integer() || !event.at("type").is_string())
        continue;
      const auto seq = event.at("seq").get<std::int64_t>();
      if (seq > after) text += Frame(seq, event.at("type").get<std::string>(), e);
    }
    res.status = 200;
    res.set_header("Cache-Control", "no-cache");
    res.set_content(text, "text/event-stream");
    return;
  }
  // The live run: what it has emitted so far, then each event as it comes, until "done". The run
  // never waits for a stream: a stream that cannot write ends, a slow one catches up.
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  auto last = std::make_shared<std::int64_t>(after);
  res.set_chunked_content_provider(
      "text/event-stream", [this, session, last](std::size_t, httplib::DataSink& sink) {
        if (stopping_.load()) {
          sink.done();
          return true;
        }
        const Session::Batch batch = session->EventsAfter(*last, options_.keep_alive);
        std::string text;
        for (const RunEvent& e : batch.events) {
          text += Frame(e.seq, e.type, e.json);
          *last = e.seq;
        }
        if (text.empty() && !batch.complete) text = ": keep-alive\n\n";
        if (!text.empty() && !sink.write(text.data(), text.size())) return false;
        if (batch.complete || stopping_.load()) sink.done();
        return true;
      });
}

void Server::Impl::Runs(const httplib::Request&, httplib::Response& res) {
  auto runs = history_->List();
  if (!runs) return SendError(res, 500, runs.error().message());
  json list = json::array();
  for (const RunRecord& r : *runs)
    list.push_back(RunItem(r));
  SendJson(res, 200, json{{"runs", std::move(list)}});
}

void Server::Impl::RunDetail(const httplib::Request& req, httplib::Response& res) {
  const std::int64_t id = IdOf(req);
  auto run = history_->Get(id);
  if (!run) return SendError(res, 500, run.error().message());
  if (!*run) return SendError(res, 404, "no run " + std::to_string(id));
  auto events = history_->Events(id);
  if (!events) return SendError(res, 500, events.error().message());
  auto suite = history_->SuiteJson(id);
  if (!suite) return SendError(res, 500, suite.error().message());
  json list = json::array();
  for (const std::string& e : *events) {
    json event = json::parse(e, nullptr, false);
    if (!event.is_discarded()) list.push_back(std::move(event));
  }
  json result = nullptr;
  if (*suite) {
    result = json::parse(**suite, nullptr, false);
    if (result.is_discarded()) result = nullptr;
  }
  SendJson(res, 200,
           json{{"run", RunItem(**run)}, {"events", std::move(list)}, {"result", result}});
}

void Server::Impl::Report(const httplib::Request& req, httplib::Response& res) {
  const std::int64_t id = IdOf(req);
  const std::string kind = req.matches[2].str();
  if (auto running = RunningSession(); running && running->id() == id)
    return SendError(res, 404, "run " + std::to_string(id) + " is still running");
  auto report = history_->Report(id, kind);
  if (!report) return SendError(res, 500, report.error().message());
  if (!*report || (*report)->empty())
    return SendError(res, 404, "run " + std::to_string(id) + " has no " + kind + " report");
  const char* type = kind == "junit"  ? "application/xml"
                     : kind == "ctrf" ? "application/json"
                                      : "text/html; charset=utf-8";
  const char* file = kind == "junit" ? "junit.xml" : kind == "ctrf" ? "ctrf.json" : "report.html";
  res.status = 200;
  res.set_header("Content-Disposition", std::string("attachment; filename=\"") + file + "\"");
  // Opened in place anyway, the HTML report runs nothing and loads nothing.
  res.set_header("Content-Security-Policy",
                 "sandbox; default-src 'none'; style-src 'unsafe-inline'");
  res.set_header("Cache-Control", "no-store");
  res.set_content(**report, type);
}

void Server::Impl::Compare(const httplib::Request& req, httplib::Response& res) {
  std::int64_t ids[2] = {0, 0};
  const char* names[2] = {"a", "b"};
  for (int i = 0; i < 2; ++i) {
    const std::string value = req.get_param_value(names[i]);
    if (value.empty() || value.size() > 18 ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return SendError(res, 400, "give two run ids: /api/compare?a=N&b=M");
    }
    ids[i] = std::stoll(value);
  }
  RunRecord runs[2];
  json suites[2];
  for (int i = 0; i < 2; ++i) {
    auto run = history_->Get(ids[i]);
    if (!run) return SendError(res, 500, run.error().message());
    if (!*run) return SendError(res, 404, "no run " + std::to_string(ids[i]));
    runs[i] = **run;
  }
  if (runs[0].contract_key != runs[1].contract_key) {
    return SendError(res, 400,
                     "runs " + std::to_string(ids[0]) + " and " + std::to_string(ids[1]) +
                         " are of different contracts");
  }
  for (int i = 0; i < 2; ++i) {
    auto suite = history_->SuiteJson(ids[i]);
    if (!suite) return SendError(res, 500, suite.error().message());
    if (*suite) suites[i] = json::parse(**suite, nullptr, false);
    if (!*suite || !suites[i].is_object()) {
      return SendError(res, 400,
                       "run " + std::to_string(ids[i]) +
                           " has no result to compare (running, or it never ran a test)");
    }
  }
  json out = CompareRuns(ids[0], suites[0], ids[1], suites[1]);
  out["contract_key"] = runs[0].contract_key;
  SendJson(res, 200, out);
}

Status Server::Impl::Serve() {
  serving_.store(true);
  bool served = true;
  if (!stopping_.load()) served = http_.listen_after_bind();
  serving_.store(false);
  if (!served && !stopping_.load())
    return Fail(Code::kUnavailable, "studio: accepting connections failed");
  return Ok();
}

void Server::Impl::Stop() {
  if (stopping_.exchange(true)) return;
  if (std::shared_ptr<Session> session = CurrentSession()) {
    session->Cancel();
    session->ReleaseSubscribers();
  }
  // Serve() may be between its check of stopping_ and httplib's accept loop, where stop() would
  // do nothing: wait until the loop runs (a few instructions away) or Serve() has returned.
  while (serving_.load() && !http_.is_running())
    std::this_thread::yield();
  http_.stop();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Server>> Server::Bind(Root root, std::unique_ptr<History> history,
                                             ServerOptions options, Clock& clock) {
  if (!options.transports) return Fail(Code::kInvalidArgument, "studio: no transport factory");
  if (auto marked = history->MarkInterrupted(); !marked) return tl::unexpected(marked.error());
  auto impl =
      std::make_unique<Impl>(std::move(root), std::move(history), std::move(options), clock);
  if (auto bound = impl->Bind(); !bound) return tl::unexpected(bound.error());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::~Server() {
  impl_->Stop();
  std::shared_ptr<Session> session;
  {
    std::lock_guard<std::mutex> lock(impl_->mu_);
    session = std::move(impl_->session_);
  }
  if (session) session->Wait();
}

int Server::port() const {
  return impl_->port_;
}

std::string Server::Url() const {
  const std::string& host = impl_->options_.host;
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(impl_->port_) + "/";
}

const Root& Server::root() const {
  return impl_->root_;
}

std::filesystem::path Server::HistoryFile() const {
  return impl_->history_file_;
}

Status Server::Serve() {
  return impl_->Serve();
}

void Server::Stop() {
  impl_->Stop();
}

}  // namespace driftline::studio
