// sqs_limit_bench: the SQS endpoint's ingest limit on this machine — N messages of the
// order-service's output size sent with SendMessageBatch (10 a request) from T threads, the
// same concurrency the service uses. The service's drain rate is judged against this figure.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "common/uuid.h"
#include "sqs/curl_client.h"

int main(int argc, char** argv) {
  int n = 20000;
  int threads = 4;
  int batch = 10;
  std::string endpoint = "http://127.0.0.1:4566";
  std::string json_out;
  CLI::App app{"sqs_limit_bench: SendMessageBatch ingest rate of the SQS endpoint"};
  app.add_option("-n,--messages", n);
  app.add_option("-t,--threads", threads, "concurrent requests (order-service default: 4)");
  app.add_option("-b,--batch", batch, "entries per request (1..10)");
  app.add_option("--sqs-endpoint", endpoint);
  app.add_option("--json", json_out);
  CLI11_PARSE(app, argc, argv);

  driftline::sqs::SqsClientConfig sc;
  sc.endpoint_url = endpoint;
  sc.region = "us-east-1";
  sc.credentials = driftline::sqs::LocalStackCredentials();
  sc.max_idle_connections = static_cast<std::size_t>(threads) + 2;
  auto sqs = driftline::sqs::CurlSqsClient::Create(sc);
  if (!sqs) return std::fprintf(stderr, "%s\n", sqs.error().ToString().c_str()), 1;
  driftline::sqs::CreateQueueRequest q;
  q.queue_name = "bench-limit-" + driftline::NewUuid().substr(0, 8);
  auto url = (*sqs)->CreateQueue(q);
  if (!url) return std::fprintf(stderr, "%s\n", url.error().ToString().c_str()), 1;

  // The service's output for a STANDARD order, with its CorrelationId attribute.
  const std::string body =
      R"({"itemsCount":2,"orderId":"ORD-BENCH-0000000","processingStartedAt":"2026-01-19T10:00:05Z","status":"WIP"})";
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (;;) {
        const int first = next.fetch_add(batch);
        if (first >= n) return;
        std::vector<driftline::sqs::OutgoingMessage> msgs;
        for (int i = first; i < std::min(n, first + batch); ++i) {
          driftline::sqs::OutgoingMessage m;
          m.body = body;
          m.attributes.emplace("CorrelationId", driftline::sqs::MessageAttributeValue::String(
                                                    "bench-" + std::to_string(i)));
          msgs.push_back(std::move(m));
        }
        auto r = (*sqs)->SendMessageBatch(*url, msgs);
        failed += static_cast<int>(r.failed_count());
      }
    });
  }
  for (auto& t : pool)
    t.join();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double rate = static_cast<double>(n) / secs;
  std::printf("%-10s %-9s %-7s %-10s %-12s %-8s\n", "messages", "threads", "batch", "seconds",
              "msg/s", "failed");
  std::printf("%-10d %-9d %-7d %-10.2f %-12.0f %-8d\n", n, threads, batch, secs, rate,
              failed.load());
  if (!json_out.empty()) {
    std::ofstream(json_out) << nlohmann::json{{"messages", n},      {"threads", threads},
                                              {"batch", batch},     {"seconds", secs},
                                              {"msgs_per_s", rate}, {"failed", failed.load()}}
                                   .dump(2);
  }
  (void)(*sqs)->DeleteQueue(*url);
  return failed == 0 ? 0 : 1;
}
