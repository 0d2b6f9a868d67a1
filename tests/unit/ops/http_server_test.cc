#include "ops/http_server.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <prometheus/counter.h>

#include <atomic>

#include "ops/metrics_text.h"

namespace driftline::ops {
namespace {

struct Got {
  long status = 0;
  std::string body;
};

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

Got Get(const std::string& url, const char* method = "GET") {
  Got got;
  CURL* c = curl_easy_init();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &got.body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &got.status);
  curl_easy_cleanup(c);
  return got;
}

TEST(HttpServerTest, ServesRoutesOnLoopback) {
  std::atomic<bool> ready{false};
  prometheus::Registry registry;
  auto& family =
      prometheus::BuildCounter().Name("driftline_test_total").Help("t").Register(registry);
  family.Add({{"kind", "x"}}).Increment(3);

  auto server = HttpServer::Start(
      "127.0.0.1:0", {{"/healthz",
                       [&] {
                         return ready ? HttpReply{200, "text/plain", "ready\n"}
                                      : HttpReply{503, "text/plain", "not ready\n"};
                       }},
                      {"/metrics", [&] {
                         return HttpReply{200, kPrometheusContentType, MetricsText(registry)};
                       }}});
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  ASSERT_GT((*server)->port(), 0);
  const std::string base = "http://127.0.0.1:" + std::to_string((*server)->port());

  EXPECT_EQ(Get(base + "/healthz").status, 503);
  ready = true;
  Got health = Get(base + "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ready\n");

  Got metrics = Get(base + "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("driftline_test_total{kind=\"x\"} 3"), std::string::npos)
      << metrics.body;

  EXPECT_EQ(Get(base + "/nope").status, 404);
  EXPECT_EQ(Get(base + "/healthz", "POST").status, 405);
}

TEST(HttpServerTest, PortInUseIsAClearError) {
  auto first = HttpServer::Start("127.0.0.1:0", {});
  ASSERT_TRUE(first.has_value());
  auto second = HttpServer::Start("127.0.0.1:" + std::to_string((*first)->port()), {});
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), Code::kUnavailable);
  EXPECT_NE(second.error().message().find("cannot listen"), std::string::npos);
}

TEST(IsLoopbackHostTest, OnlyAddressesOfThisMachine) {
  for (const char* host :
       {"127.0.0.1", "127.1.2.3", "127.255.255.255", "localhost", "::1", "[::1]"})
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  for (const char* host : {"0.0.0.0", "[::]", "::", "", "10.0.0.5", "192.168.1.10", "127.0.0",
                           "127.0.0.256", "127.0.0.1.5", "127..0.1", "1127.0.0.1", "127.0.0.1x",
                           "localhost.example.com", "example.com"})
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
}

TEST(HttpServerTest, MalformedAddress) {
  auto bad = HttpServer::Start("9400", {});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace driftline::ops
