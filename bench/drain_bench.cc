// drain_bench: how fast order-service drains a backlog into SQS, and how much memory it uses.
//
// Pre-loads N mixed orders (STANDARD/PRIORITY/BULK) into a fresh topic, starts the real
// build/bin/order-service on it, and samples every 100 ms: the group's committed offset, the
// queue depth and the service's RSS. Prints one table row per run and writes JSON.
// GCC 12 reports a false -Wnull-dereference inside std::string when inlining this file at -O2.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/uuid.h"
#include "kafka/admin.h"
#include "kafka/producer.h"
#include "sqs/curl_client.h"

extern char** environ;

namespace {

using Steady = std::chrono::steady_clock;
using nlohmann::json;

std::string MakeOrder(int i) {
  const std::string id = "BENCH-" + std::to_string(i);
  json items = json::array();
  for (int k = 0; k < 1 + i % 3; ++k)
    items.push_back({{"productId", "P"}, {"quantity", 1}, {"price", 9.5}});
  switch (i % 3) {
    case 0:
      return json{{"orderType", "STANDARD"}, {"orderId", id},
                  {"customerId", "C"},       {"items", items},
                  {"totalAmount", 9.5},      {"orderDate", "2026-01-19T10:00:00Z"}}
          .dump();
    case 1:
      return json{{"orderType", "PRIORITY"}, {"orderId", id},
                  {"customerId", "C"},       {"items", items},
                  {"totalAmount", 9.5},      {"orderDate", "2026-01-19T10:00:00Z"},
                  {"priorityLevel", "HIGH"}, {"expectedDeliveryDate", "2026-01-20T10:00:00Z"}}
          .dump();
    default:
      return json{{"orderType", "BULK"},
                  {"batchId", id},
                  {"customerId", "C"},
                  {"orders",
                   {{{"orderId", id + "-a"}, {"items", items}},
                    {{"orderId", id + "-b"}, {"items", items}}}},
                  {"totalOrderCount", 2},
                  {"batchTotalAmount", 19},
                  {"orderDate", "2026-01-19T10:00:00Z"}}
          .dump();
  }
}

long RssKb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  }
  return 0;
}

int Die(const std::string& what) {
  std::fprintf(stderr, "drain_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 20000;
  std::string kafka = "127.0.0.1:9092";
  std::string endpoint = "http://127.0.0.1:4566";
  std::string service = "build/bin/order-service";
  std::string json_out;
  std::vector<std::string> extra_env;
  CLI::App app{"drain_bench: order-service backlog drain rate and memory"};
  app.add_option("-n,--orders", n, "backlog size");
  app.add_option("--kafka", kafka);
  app.add_option("--sqs-endpoint", endpoint);
  app.add_option("--service", service, "order-service binary");
  app.add_option("--json", json_out, "write the result as JSON here");
  app.add_option("--env", extra_env,
                 "NAME=VALUE for the service (repeatable), e.g. SQS_BATCH_SIZE=5");
  CLI11_PARSE(app, argc, argv);

  const std::string base = "bench-" + driftline::NewUuid().substr(0, 8);
  auto admin = driftline::kafka::Admin::Create(driftline::kafka::Properties::Make(kafka, {}));
  if (!admin) return Die(admin.error().ToString());
  if (auto s = (*admin)->CreateTopics(
          {{base + "-orders", 1, 1, {}}, {base + "-retry", 1, 1, {}}, {base + "-dlq", 1, 1, {}}},
          std::chrono::seconds(30));
      !s) {
    return Die(s.error().ToString());
  }
  driftline::sqs::SqsClientConfig sc;
  sc.endpoint_url = endpoint;
  sc.region = "us-east-1";
  sc.credentials = driftline::sqs::LocalStackCredentials();
  auto sqs = driftline::sqs::CurlSqsClient::Create(sc);
  if (!sqs) return Die(sqs.error().ToString());
  driftline::sqs::CreateQueueRequest q;
  q.queue_name = base + "-queue";
  auto queue_url = (*sqs)->CreateQueue(q);
  if (!queue_url) return Die(queue_url.error().ToString());

  // Pre-load the backlog.
  std::mutex mu;
  std::condition_variable cv;
  int delivered = 0;
  auto producer = driftline::kafka::Producer::Create(
      driftline::kafka::WithReliableDelivery(
          driftline::kafka::Properties::Make(kafka, {}).Set("linger.ms", "20")),
      [&](driftline::kafka::DeliveryReport) {
        std::lock_guard lock(mu);
        ++delivered;
        cv.notify_all();
      });
  if (!producer) return Die(producer.error().ToString());
  for (int i = 0; i < n; ++i) {
    driftline::kafka::OutgoingMessage m{base + "-orders",
                                        std::nullopt,
                                        std::nullopt,
                                        MakeOrder(i),
                                        {{"CorrelationId", "bench-" + std::to_string(i)}}};
    if (auto s = (*producer)->Send(m, static_cast<std::uint64_t>(i)); !s)
      return Die(s.error().ToString());
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return delivered == n; });
  }

  // Start the service.
  std::vector<std::string> vars;
  for (char** e = environ; *e != nullptr; ++e)
    vars.emplace_back(*e);
  for (const auto& v : std::vector<std::string>{
           "KAFKA_BOOTSTRAP_SERVERS=" + kafka, "KAFKA_TOPIC=" + base + "-orders",
           "RETRY_TOPIC=" + base + "-retry", "DLQ_TOPIC=" + base + "-dlq",
           "KAFKA_MAIN_GROUP_ID=" + base + "-main", "KAFKA_RETRY_GROUP_ID=" + base + "-retry",
           "SQS_ENDPOINT=" + endpoint, "SQS_QUEUE_URL=" + *queue_url,
           "METRICS_ADDRESS=", "LOG_LEVEL=warn"}) {
    vars.push_back(v);
  }
  vars.insert(vars.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& v : vars)
    envp.push_back(v.data());
  envp.push_back(nullptr);
  char* args[] = {service.data(), nullptr};
  pid_t pid = -1;
  const auto started = Steady::now();
  if (posix_spawn(&pid, service.c_str(), nullptr, nullptr, args, envp.data()) != 0) {
    return Die("cannot start " + service);
  }

  long peak_rss = 0;
  std::vector<long> rss_samples;
  std::int64_t committed = 0;
  std::int64_t depth = 0;
  double first_ms = -1;
  const auto limit = started + std::chrono::seconds(300);
  while (Steady::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const long rss = RssKb(pid, "VmRSS:");
    peak_rss = std::max(peak_rss, RssKb(pid, "VmHWM:"));
    rss_samples.push_back(rss);
    auto attrs = (*sqs)->GetQueueAttributes(*queue_url, {"ApproximateNumberOfMessages"});
    depth = attrs ? attrs->approximate_number_of_messages().value_or(0) : depth;
    if (first_ms < 0 && depth > 0) {
      first_ms = std::chrono::duration<double, std::milli>(Steady::now() - started).count();
    }
    auto c = (*admin)->CommittedOffsets(base + "-main", base + "-orders", std::chrono::seconds(5));
    committed = c && c->count(0) ? std::max<std::int64_t>(0, c->at(0)) : committed;
    if (committed >= n && depth >= n) break;
  }
  const double total_s = std::chrono::duration<double>(Steady::now() - started).count();
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);

  // Steady state: the median RSS over the middle half of the run.
  std::vector<long> mid(rss_samples.begin() + static_cast<long>(rss_samples.size() / 4),
                        rss_samples.begin() + static_cast<long>(rss_samples.size() * 3 / 4));
  std::sort(mid.begin(), mid.end());
  const long steady = mid.empty() ? 0 : mid[mid.size() / 2];
  const double drain_s = total_s - first_ms / 1000.0;
  const double rate = static_cast<double>(n) / drain_s;

  std::printf("%-10s %-12s %-14s %-14s %-14s %-12s %-12s\n", "orders", "total s", "first msg ms",
              "drain msg/s", "steady RSS MB", "peak RSS MB", "in SQS");
  std::printf("%-10d %-12.2f %-14.0f %-14.0f %-14.1f %-12.1f %-12lld\n", n, total_s, first_ms, rate,
              static_cast<double>(steady) / 1024.0, static_cast<double>(peak_rss) / 1024.0,
              static_cast<long long>(depth));
  if (!json_out.empty()) {
    std::ofstream(json_out) << json{
        {"orders", n},
        {"total_s", total_s},
        {"first_message_ms", first_ms},
        {"drain_msgs_per_s", rate},
        {"steady_rss_mb", static_cast<double>(steady) / 1024.0},
        {"peak_rss_mb", static_cast<double>(peak_rss) / 1024.0},
        {"in_sqs", depth},
        {"committed", committed},
        {"env", extra_env}}.dump(2);
  }
  (void)(*admin)->DeleteTopics({base + "-orders", base + "-retry", base + "-dlq"},
                               std::chrono::seconds(30));
  (void)(*sqs)->DeleteQueue(*queue_url);
  return committed >= n && depth >= n ? 0 : 1;
}
