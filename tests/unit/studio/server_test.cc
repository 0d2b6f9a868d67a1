// The Studio server over HTTP (cpp-httplib's client against a server on a free loopback port),
// its runs over the fake service: every route with its success and error codes, the request
// checks (Host, Origin, Content-Type), confinement to the root, one run at a time, cancellation,
// the event stream live and replayed, reports, comparison.
#include "studio/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "studio_fixture.h"

namespace driftline::studio {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

// One SSE frame as the client read it.
struct Frame {
  std::int64_t id = 0;
  std::string event;
  json data;
};

// The frames of an event stream's text; comment lines (": keep-alive") are counted apart.
std::vector<Frame> ParseFrames(const std::string& text, int* comments = nullptr) {
  std::vector<Frame> frames;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find("\n\n", at);
    if (end == std::string::npos) break;
    const std::string block = text.substr(at, end - at);
    at = end + 2;
    if (block.rfind(":", 0) == 0) {
      if (comments != nullptr) ++*comments;
      continue;
    }
    Frame f;
    std::size_t line_at = 0;
    while (line_at <= block.size()) {
      std::size_t nl = block.find('\n', line_at);
      if (nl == std::string::npos) nl = block.size();
      const std::string line = block.substr(line_at, nl - line_at);
      if (line.rfind("id: ", 0) == 0) f.id = std::stoll(line.substr(4));
      if (line.rfind("event: ", 0) == 0) f.event = line.substr(7);
      if (line.rfind("data: ", 0) == 0) f.data = json::parse(line.substr(6));
      line_at = nl + 1;
    }
    frames.push_back(std::move(f));
  }
  return frames;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteSampleRoot(root_);
    root_.Write("contracts/broken.yaml", "asyncapi: 3.0.0\ninfo: [unclosed\n");
    root_.Write("specmatic.yaml", R"(version: 3
systemUnderTest:
  service:
    definitions:
      - definition:
          source:
            filesystem:
              directory: contracts
          specs: [orders.yaml]
)");
    outside_.Write("elsewhere.yaml", contract::testing::kSampleContract);
    outside_.Write("elsewhere_examples/a.json",
                   R"J({"name": "Far", "receive": {"topic": "orders-in",
        "payload": {"id": "F", "count": 1}, "headers": {"CorrelationId": "c-f"}}})J");
    fs::create_directory_symlink(outside_.path(), root_.path() / "link-out");
    StartServer();
  }

  void TearDown() override { StopServer(); }

  void StartServer(std::chrono::milliseconds keep_alive = std::chrono::seconds(15)) {
    auto root = Root::Open(root_.path());
    ASSERT_TRUE(root) << root.error().message();
    auto history = History::Open(db_.path() / "studio.sqlite");
    ASSERT_TRUE(history) << history.error().message();
    ServerOptions options;
    options.port = 0;
    options.runner = testing::QuickRunnerOptions();
    options.transports = fakes_.Factory();
    options.keep_alive = keep_alive;
    auto server = Server::Bind(std::move(*root), std::move(*history), options, Clock::System());
    ASSERT_TRUE(server) << server.error().message();
    server_ = std::move(*server);
    port_ = server_->port();
    serving_ = std::thread([this] {
      auto served = server_->Serve();
      EXPECT_TRUE(served) << served.error().message();
    });
  }

  void StopServer() {
    if (!server_) return;
    server_->Stop();
    serving_.join();
    server_.reset();
  }

  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60, 0);
    return client;
  }

  httplib::Result Get(const std::string& path) { return Client().Get(path.c_str()); }
  httplib::Result PostJson(const std::string& path, const json& body,
                           const httplib::Headers& headers = {}) {
    return Client().Post(path.c_str(), headers, body.dump(), "application/json");
  }

  static json Body(const httplib::Result& r) { return json::parse(r->body); }

  void Load() {
    auto r = PostJson("/api/load", {{"contract", "contracts/orders.yaml"}, {"examples", nullptr}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }

  std::int64_t StartRun(const json& body = json::object()) {
    auto r = PostJson("/api/runs", body);
    EXPECT_TRUE(r);
    if (!r) return 0;
    EXPECT_EQ(r->status, 202) << r->body;
    return Body(r).value("run_id", std::int64_t{0});
  }

  // The whole event stream of a run (returns once the server ends it).
  std::vector<Frame> Stream(std::int64_t id, httplib::Headers headers = {}) {
    auto r = Client().Get(("/api/runs/" + std::to_string(id) + "/events").c_str(), headers);
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
    return ParseFrames(r->body);
  }

  // Reads a live stream until `stop` says so (the client then hangs up); the frames so far.
  std::vector<Frame> StreamUntil(std::int64_t id,
                                 const std::function<bool(const std::vector<Frame>&, int)>& stop) {
    std::string text;
    std::vector<Frame> frames;
    Client().Get(("/api/runs/" + std::to_string(id) + "/events").c_str(),
                 [&](const char* data, std::size_t length) {
                   text.append(data, length);
                   int comments = 0;
                   frames = ParseFrames(text, &comments);
                   return !stop(frames, comments);
                 });
    return frames;
  }

  static bool Published(const std::vector<Frame>& frames, int n) {
    int published = 0;
    for (const Frame& f : frames)
      published += f.event == "message" && f.data["role"] == "publish" ? 1 : 0;
    return published >= n;
  }

  contract::testing::TempDir root_;
  contract::testing::TempDir outside_;
  contract::testing::TempDir db_;
  testing::FakeTransports fakes_;
  std::unique_ptr<Server> server_;
  std::thread serving_;
  int port_ = 0;
};

TEST_F(ServerTest, ServesThePageWithItsHeaders) {
  auto page = Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->get_header_value("Content-Security-Policy"), "default-src 'self'");
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_THAT(page->body, HasSubstr("/assets/app.js"));
  auto js = Get("/assets/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  auto css = Get("/assets/app.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");
}

TEST_F(ServerTest, UnknownPathsAreJson404s) {
  for (const char* path : {"/nope", "/assets/other.js", "/assets/index.html", "/assets/../x",
                           "/api/runs/x", "/api/nothing"}) {
    auto r = Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
    EXPECT_EQ(Body(r)["error"], "not found") << path;
  }
  auto post = PostJson("/api/nothing", json::object());
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
}

TEST_F(ServerTest, StateBeforeAndAfterALoad) {
  auto before = Get("/api/state");
  ASSERT_TRUE(before);
  ASSERT_EQ(before->status, 200);
  json state = Body(before);
  EXPECT_EQ(state["root"], fs::canonical(root_.path()).string());
  EXPECT_TRUE(state["loaded"].is_null());
  EXPECT_TRUE(state["running"].is_null());
  EXPECT_EQ(state["db"], (db_.path() / "studio.sqlite").string());
  auto contract = Get("/api/contract");
  ASSERT_TRUE(contract);
  EXPECT_EQ(contract->status, 404);
  EXPECT_EQ(Body(contract)["error"], "nothing loaded");

  Load();
  state = Body(Get("/api/state"));
  EXPECT_THAT(state["loaded"]["title"].get<std::string>(), HasSubstr("orders.yaml"));
  auto loaded = Get("/api/contract");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->status, 200);
  EXPECT_EQ(Body(loaded)["title"], state["loaded"]["title"]);
}

TEST_F(ServerTest, CandidatesListTheRoot) {
  auto r = Get("/api/candidates");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const json body = Body(r);
  EXPECT_EQ(body["root"], fs::canonical(root_.path()).string());
  bool config = false;
  bool orders = false;
  for (const json& c : body["candidates"]) {
    if (c["path"] == "specmatic.yaml") config = c["kind"] == "config";
    if (c["path"] == "contracts/orders.yaml") {
      orders = c["kind"] == "contract" && c["examples"] == "contracts/orders_examples";
    }
  }
  EXPECT_TRUE(config) << body.dump();
  EXPECT_TRUE(orders) << body.dump();
}

TEST_F(ServerTest, LoadsAConfigOrAContract) {
  auto by_config = PostJson("/api/load", {{"path", "specmatic.yaml"}});
  ASSERT_TRUE(by_config);
  ASSERT_EQ(by_config->status, 200) << by_config->body;
  EXPECT_EQ(Body(by_config)["examples"].size(), 2u);
  auto by_contract = PostJson("/api/load", {{"contract", "contracts/orders.yaml"},
                                            {"examples", "contracts/orders_examples"}});
  ASSERT_TRUE(by_contract);
  EXPECT_EQ(by_contract->status, 200) << by_contract->body;
  // Absolute inside the root is fine too.
  auto absolute =
      PostJson("/api/load", {{"contract", (root_.path() / "contracts/orders.yaml").string()}});
  ASSERT_TRUE(absolute);
  EXPECT_EQ(absolute->status, 200) << absolute->body;
}

TEST_F(ServerTest, ALoadErrorIsTheCliMessage) {
  contract::SuiteOptions options;
  options.contracts.push_back(fs::canonical(root_.path() / "contracts/broken.yaml"));
  auto expected = contract::LoadSuite(options);
  ASSERT_FALSE(expected);
  auto r = PostJson("/api/load", {{"contract", "contracts/broken.yaml"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Body(r)["error"], expected.error().message());
  EXPECT_THAT(Body(r)["error"].get<std::string>(), HasSubstr("broken.yaml:"));
}

TEST_F(ServerTest, BadLoadRequestsAre400s) {
  for (const json& body :
       {json{{"contract", "contracts/missing.yaml"}}, json{{"nothing", 1}},
        json{{"contract", "contracts/orders.yaml"}, {"examples", 3}}, json{{"path", ""}}}) {
    auto r = PostJson("/api/load", body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << body.dump();
    EXPECT_TRUE(Body(r)["error"].is_string());
  }
  auto not_json = Client().Post("/api/load", "{not json", "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
}

TEST_F(ServerTest, PathsLeavingTheRootAre403s) {
  const std::string outside = (outside_.path() / "elsewhere.yaml").string();
  for (const std::string& path :
       {std::string("../") + outside_.path().filename().string() + "/elsewhere.yaml",
        std::string("contracts/../../x.yaml"), outside, std::string("link-out/elsewhere.yaml")}) {
    auto r = PostJson("/api/load", {{"contract", path}});
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 403) << path << ": " << r->body;
    EXPECT_THAT(Body(r)["error"].get<std::string>(), HasSubstr("outside the root")) << path;
  }
  auto examples = PostJson(
      "/api/load", {{"contract", "contracts/orders.yaml"}, {"examples", outside_.path().string()}});
  ASSERT_TRUE(examples);
  EXPECT_EQ(examples->status, 403);
  // A config inside the root naming a contract outside it.
  root_.Write("escape/specmatic.yaml", R"(version: 3
systemUnderTest:
  service:
    definitions:
      - definition:
          source:
            filesystem:
              directory: ../link-out
          specs: [elsewhere.yaml]
)");
  auto escape = PostJson("/api/load", {{"path", "escape/specmatic.yaml"}});
  ASSERT_TRUE(escape);
  EXPECT_EQ(escape->status, 403) << escape->body;
}

TEST_F(ServerTest, PostsMustBeJsonFromThisOrigin) {
  const json body{{"contract", "contracts/orders.yaml"}};
  auto text = Client().Post("/api/load", body.dump(), "text/plain");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 415);
  EXPECT_EQ(Body(text)["error"], "Content-Type must be application/json");
  auto form = Client().Post("/api/runs", "a=1", "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);

  auto foreign = PostJson("/api/load", body, {{"Origin", "http://evil.example"}});
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403);
  EXPECT_EQ(Body(foreign)["error"], "cross-origin request refused");
  auto other_port = PostJson("/api/load", body, {{"Origin", "http://127.0.0.1:1"}});
  ASSERT_TRUE(other_port);
  EXPECT_EQ(other_port->status, 403);

  for (const std::string& origin :
       {"http://127.0.0.1:" + std::to_string(port_), "http://localhost:" + std::to_string(port_)}) {
    auto same = PostJson("/api/load", body, {{"Origin", origin}});
    ASSERT_TRUE(same);
    EXPECT_EQ(same->status, 200) << origin;
  }
  auto charset = Client().Post("/api/load", body.dump(), "application/json; charset=utf-8");
  ASSERT_TRUE(charset);
  EXPECT_EQ(charset->status, 200);
}

TEST_F(ServerTest, AForeignHostIsRefused) {
  const std::string port = std::to_string(port_);
  for (const std::string& host :
       {"evil.example:" + port, std::string("127.0.0.1:1"), std::string("localhost")}) {
    auto get = Client().Get("/api/state", {{"Host", host}});
    ASSERT_TRUE(get) << host;
    EXPECT_EQ(get->status, 403) << host;
    auto page = Client().Get("/", {{"Host", host}});
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 403);
    auto post = PostJson("/api/load", {{"contract", "contracts/orders.yaml"}}, {{"Host", host}});
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 403);
  }
  for (const std::string& host : {"localhost:" + port, "[::1]:" + port}) {
    auto get = Client().Get("/api/state", {{"Host", host}});
    ASSERT_TRUE(get);
    EXPECT_EQ(get->status, 200) << host;
  }
}

TEST_F(ServerTest, RunsNeedALoadedContractAndKnownExamples) {
  auto none = PostJson("/api/runs", json::object());
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 400);
  EXPECT_EQ(Body(none)["error"], "load a contract first");
  Load();
  auto unknown = PostJson("/api/runs", {{"examples", {"Order_A", "Nope"}}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(Body(unknown)["error"], "unknown example(s): Nope");
  auto mode = PostJson("/api/runs", {{"mode", "sideways"}});
  ASSERT_TRUE(mode);
  EXPECT_EQ(mode->status, 400);
  auto names = PostJson("/api/runs", {{"examples", "Order_A"}});
  ASSERT_TRUE(names);
  EXPECT_EQ(names->status, 400);
}

TEST_F(ServerTest, ARunStreamsEveryEventAndKeepsItsResult) {
  Load();
  const std::int64_t id = StartRun({{"examples", {"Order_A"}}, {"mode", "sequential"}});
  ASSERT_GT(id, 0);
  const std::vector<Frame> frames = Stream(id);
  ASSERT_FALSE(frames.empty());
  std::vector<std::string> types;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    types.push_back(frames[i].event);
    EXPECT_EQ(frames[i].id, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(frames[i].data["seq"], frames[i].id);
    EXPECT_EQ(frames[i].data["type"], frames[i].event);
    EXPECT_EQ(frames[i].data["run_id"], id);
  }
  EXPECT_THAT(types,
              ::testing::ElementsAre("started", "test", "message", "message", "finished", "done"));
  EXPECT_EQ(frames.back().data["outcome"], "passed");

  auto list = Get("/api/runs");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  const json item = Body(list)["runs"][0];
  EXPECT_EQ(item["id"], id);
  EXPECT_EQ(item["outcome"], "passed");
  EXPECT_EQ(item["mode"], "sequential");
  EXPECT_EQ(item["contract_key"], "contracts/orders.yaml");
  EXPECT_EQ(item["summary_line"], "Tests run: 1, Successes: 1, Failures: 0, WIP: 0, Errors: 0");
  EXPECT_EQ(item["counts"]["successes"], 1);
  EXPECT_THAT(item["started_at"].get<std::string>(), ::testing::EndsWith("Z"));

  auto detail = Get("/api/runs/" + std::to_string(id));
  ASSERT_TRUE(detail);
  ASSERT_EQ(detail->status, 200);
  const json run = Body(detail);
  EXPECT_EQ(run["run"], item);
  ASSERT_EQ(run["events"].size(), frames.size());
  EXPECT_EQ(run["events"][0]["type"], "started");
  EXPECT_EQ(run["result"]["tests"][0]["name"], "Order_A");
  auto unknown = Get("/api/runs/999");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(ServerTest, ReportsAreDownloadsOnceTheRunIsOver) {
  Load();
  const std::int64_t id = StartRun();
  Stream(id);
  const struct {
    const char* kind;
    const char* type;
    const char* file;
    const char* text;
  } reports[] = {{"junit", "application/xml", "junit.xml", "<testsuite"},
                 {"ctrf", "application/json", "ctrf.json", "\"summary\""},
                 {"html", "text/html; charset=utf-8", "report.html", "<html"}};
  for (const auto& report : reports) {
    auto r = Get("/api/runs/" + std::to_string(id) + "/report/" + report.kind);
    ASSERT_TRUE(r) << report.kind;
    EXPECT_EQ(r->status, 200) << report.kind;
    EXPECT_EQ(r->get_header_value("Content-Type"), report.type);
    EXPECT_EQ(r->get_header_value("Content-Disposition"),
              std::string("attachment; filename=\"") + report.file + "\"");
    EXPECT_THAT(r->body, HasSubstr(report.text));
  }
  for (const std::string& path : {std::string("/api/runs/999/report/junit"),
                                  "/api/runs/" + std::to_string(id) + "/report/pdf"}) {
    auto r = Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
  }
}

TEST_F(ServerTest, AScriptInAPayloadComesBackVerbatim) {
  Load();
  const std::int64_t id = StartRun({{"examples", {"Order_Script"}}});
  const std::vector<Frame> frames = Stream(id);
  bool published = false;
  for (const Frame& f : frames) {
    if (f.event == "message" && f.data["role"] == "publish") {
      published = true;
      EXPECT_THAT(f.data["payload"].get<std::string>(), HasSubstr("<script>alert(1)</script>"));
    }
  }
  EXPECT_TRUE(published);
  auto detail = Get("/api/runs/" + std::to_string(id));
  ASSERT_TRUE(detail);
  // In the JSON text itself: no \u003c escaping, no entities.
  EXPECT_THAT(detail->body, HasSubstr("<script>alert(1)</script>"));
  EXPECT_THAT(detail->body, ::testing::Not(HasSubstr("&lt;script")));
}

TEST_F(ServerTest, OneRunAtATimeCancelAndLoadsRefusedMeanwhile) {
  fakes_.Set(testing::Silent());
  Load();
  const std::int64_t id = StartRun();
  ASSERT_GT(id, 0);
  // Both tests have published and wait for replies that never come.
  StreamUntil(id, [](const std::vector<Frame>& frames, int) { return Published(frames, 2); });
  EXPECT_EQ(Body(Get("/api/state"))["running"], id);

  auto second = PostJson("/api/runs", json::object());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 409);
  EXPECT_EQ(Body(second)["error"], "a run is already in progress (run " + std::to_string(id) + ")");
  EXPECT_EQ(Body(second)["run_id"], id);
  auto load = PostJson("/api/load", {{"contract", "contracts/orders.yaml"}});
  ASSERT_TRUE(load);
  EXPECT_EQ(load->status, 409);
  auto report = Get("/api/runs/" + std::to_string(id) + "/report/junit");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->status, 404);
  auto compare = Get("/api/compare?a=" + std::to_string(id) + "&b=" + std::to_string(id));
  ASSERT_TRUE(compare);
  EXPECT_EQ(compare->status, 400);

  auto unknown = PostJson("/api/runs/999/cancel", json::object());
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto cancel = PostJson("/api/runs/" + std::to_string(id) + "/cancel", json::object());
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->status, 202);
  EXPECT_EQ(Body(cancel)["run_id"], id);

  const std::vector<Frame> frames = Stream(id);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().event, "done");
  EXPECT_EQ(frames.back().data["outcome"], "cancelled");
  auto again = PostJson("/api/runs/" + std::to_string(id) + "/cancel", json::object());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(Body(Get("/api/runs"))["runs"][0]["outcome"], "cancelled");
  EXPECT_TRUE(Body(Get("/api/state"))["running"].is_null());
  // The next run may start.
  fakes_.Set({});
  const std::int64_t next = StartRun();
  EXPECT_GT(next, id);
  EXPECT_EQ(Stream(next).back().data["outcome"], "passed");
}

TEST_F(ServerTest, AWaitingStreamGetsKeepAliveComments) {
  StopServer();
  StartServer(std::chrono::milliseconds(20));
  fakes_.Set(testing::Silent());
  Load();
  const std::int64_t id = StartRun();
  std::vector<Frame> frames = StreamUntil(id, [](const std::vector<Frame>& f, int comments) {
    return Published(f, 2) && comments > 0;
  });
  EXPECT_TRUE(Published(frames, 2));
  PostJson("/api/runs/" + std::to_string(id) + "/cancel", json::object());
  EXPECT_EQ(Stream(id).back().data["outcome"], "cancelled");
}

TEST_F(ServerTest, AClientThatHangsUpDoesNotHoldTheRun) {
  Load();
  const std::int64_t id = StartRun();
  // Hang up after the first frame, long before the run ends.
  StreamUntil(id, [](const std::vector<Frame>& frames, int) { return !frames.empty(); });
  const std::vector<Frame> frames = Stream(id);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().data["outcome"], "passed");
}

TEST_F(ServerTest, ReplayAfterTheRunGivesEveryEventAndEnds) {
  Load();
  const std::int64_t id = StartRun();
  const std::vector<Frame> live = Stream(id);
  const std::vector<Frame> again = Stream(id);
  ASSERT_EQ(again.size(), live.size());
  for (std::size_t i = 0; i < live.size(); ++i)
    EXPECT_EQ(again[i].data, live[i].data);
  // An EventSource reconnecting after event 3 gets the rest only.
  const std::vector<Frame> rest = Stream(id, {{"Last-Event-ID", "3"}});
  ASSERT_EQ(rest.size(), live.size() - 3);
  EXPECT_EQ(rest.front().id, 4);
  // After a restart the run is in the history only: the same events.
  StopServer();
  StartServer();
  const std::vector<Frame> stored = Stream(id);
  ASSERT_EQ(stored.size(), live.size());
  for (std::size_t i = 0; i < live.size(); ++i) {
    EXPECT_EQ(stored[i].id, live[i].id);
    EXPECT_EQ(stored[i].event, live[i].event);
    EXPECT_EQ(stored[i].data, live[i].data);
  }
  auto unknown = Client().Get("/api/runs/999/events");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(ServerTest, ARunWhoseTransportsFailEndsWithTheError) {
  fakes_.Set(testing::FailingFactory("no Kafka server: give --kafka or CONTRACT_KAFKA"));
  Load();
  const std::int64_t id = StartRun();
  ASSERT_GT(id, 0);
  const std::vector<Frame> frames = Stream(id);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1].data["outcome"], "error");
  EXPECT_EQ(frames[1].data["error"], "no Kafka server: give --kafka or CONTRACT_KAFKA");
  EXPECT_EQ(Body(Get("/api/runs"))["runs"][0]["outcome"], "error");
  auto report = Get("/api/runs/" + std::to_string(id) + "/report/html");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->status, 404);
}

TEST_F(ServerTest, ComparesTwoRunsOfOneContract) {
  Load();
  const std::int64_t a = StartRun();
  Stream(a);
  const std::int64_t b = StartRun({{"examples", {"Order_A"}}});
  Stream(b);
  auto r = Get("/api/compare?a=" + std::to_string(a) + "&b=" + std::to_string(b));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json diff = Body(r);
  EXPECT_EQ(diff["a"], a);
  EXPECT_EQ(diff["b"], b);
  EXPECT_EQ(diff["contract_key"], "contracts/orders.yaml");
  ASSERT_EQ(diff["unchanged"].size(), 1u);
  EXPECT_EQ(diff["unchanged"][0]["test"], "Order_A");
  ASSERT_EQ(diff["only_in_a"].size(), 1u);

  // A run of another contract.
  root_.Write("other/other.yaml", contract::testing::kSampleContract);
  root_.Write("other/other_examples/a.json",
              R"J({"name": "Other", "receive": {"topic": "orders-in",
        "payload": {"id": "O", "count": 1}, "headers": {"CorrelationId": "c-o"}},
        "send": {"topic": "orders-out", "payload": {"id": "O"}}})J");
  auto load = PostJson("/api/load", {{"contract", "other/other.yaml"}});
  ASSERT_TRUE(load);
  ASSERT_EQ(load->status, 200) << load->body;
  const std::int64_t c = StartRun();
  Stream(c);
  auto different = Get("/api/compare?a=" + std::to_string(a) + "&b=" + std::to_string(c));
  ASSERT_TRUE(different);
  EXPECT_EQ(different->status, 400);
  EXPECT_EQ(Body(different)["error"], "runs " + std::to_string(a) + " and " + std::to_string(c) +
                                          " are of different contracts");
  for (const char* query : {"a=1", "a=x&b=2", ""}) {
    auto bad = Get(std::string("/api/compare?") + query);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << query;
  }
  auto unknown = Get("/api/compare?a=" + std::to_string(a) + "&b=999");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(ServerTest, APortInUseCannotBeBound) {
  auto root = Root::Open(root_.path());
  ASSERT_TRUE(root);
  auto history = History::Open(db_.path() / "other.sqlite");
  ASSERT_TRUE(history);
  ServerOptions options;
  options.port = port_;
  options.transports = fakes_.Factory();
  auto second = Server::Bind(std::move(*root), std::move(*history), options, Clock::System());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message(),
            "cannot listen on 127.0.0.1:" + std::to_string(port_) + ": Address already in use");
}

TEST_F(ServerTest, StopEndsOpenStreamsAndCancelsTheRun) {
  fakes_.Set(testing::Silent());
  Load();
  const std::int64_t id = StartRun();
  std::mutex mu;
  std::condition_variable waiting;
  bool published = false;
  std::string text;
  std::thread reader([&] {
    // Reads until the server ends the stream.
    Client().Get(("/api/runs/" + std::to_string(id) + "/events").c_str(),
                 [&](const char* data, std::size_t length) {
                   std::lock_guard<std::mutex> lock(mu);
                   text.append(data, length);
                   if (Published(ParseFrames(text), 2)) {
                     published = true;
                     waiting.notify_all();
                   }
                   return true;
                 });
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    waiting.wait(lock, [&] { return published; });
  }
  StopServer();
  reader.join();
  auto history = History::Open(db_.path() / "studio.sqlite");
  ASSERT_TRUE(history);
  auto run = (*history)->Get(id);
  ASSERT_TRUE(run && *run);
  EXPECT_EQ((*run)->outcome, "cancelled");
}

}  // namespace
}  // namespace driftline::studio
