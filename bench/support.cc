#include "support.h"

#include <curl/curl.h>
#include <librdkafka/rdkafka.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/uuid.h"
#include "kafka/producer.h"
#include "sqs/curl_client.h"

namespace driftline::bench {

using nlohmann::json;

void Die(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(1);
}

std::string MakeOrder(int i) {
  const std::string id = OrderIdOf(i);
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

namespace {

std::string FirstLineField(const std::string& path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) {
      auto colon = line.find(':');
      auto v = colon == std::string::npos ? line.substr(prefix.size()) : line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  }
  return "";
}

long StatusKb(pid_t pid, const char* field) {
  const std::string v = FirstLineField("/proc/" + std::to_string(pid) + "/status", field);
  return v.empty() ? 0 : std::stol(v);
}

}  // namespace

json MachineInfo() {
  utsname u{};
  ::uname(&u);
  const long mem_kb = [] {
    const std::string v = FirstLineField("/proc/meminfo", "MemTotal:");
    return v.empty() ? 0L : std::stol(v);
  }();
  return json{{"cores", std::thread::hardware_concurrency()},
              {"cpu", FirstLineField("/proc/cpuinfo", "model name")},
              {"memory_gib", std::round(static_cast<double>(mem_kb) / 1048576.0 * 10) / 10},
              {"kernel", std::string(u.sysname) + " " + u.release},
              {"librdkafka", rd_kafka_version_str()},
              {"libcurl", curl_version_info(CURLVERSION_NOW)->version}};
}

void PrintMachine(const json& m) {
  std::printf("machine: %s cores, %s, %.1f GiB, %s; librdkafka %s, libcurl %s\n",
              m["cores"].dump().c_str(), m["cpu"].get<std::string>().c_str(),
              m["memory_gib"].get<double>(), m["kernel"].get<std::string>().c_str(),
              m["librdkafka"].get<std::string>().c_str(), m["libcurl"].get<std::string>().c_str());
}

Topology::Topology(Options options)
    : options_(std::move(options)), base_("bench-" + NewUuid().substr(0, 8)) {
  auto admin = kafka::Admin::Create(kafka::Properties::Make(options_.kafka, {}));
  if (!admin) Die(admin.error().ToString());
  admin_ = std::move(*admin);
  std::vector<kafka::NewTopic> topics{
      {orders_topic(), options_.partitions, 1, options_.orders_topic_configs},
      {retry_topic(), options_.partitions, 1, {}},
      {dlq_topic(), options_.partitions, 1, {}}};
  if (auto s = admin_->CreateTopics(topics, std::chrono::seconds(30)); !s) {
    Die(s.error().ToString());
  }
  sqs::SqsClientConfig sc;
  sc.endpoint_url = options_.sqs_endpoint;
  sc.region = "us-east-1";
  sc.credentials = sqs::LocalStackCredentials();
  sc.max_idle_connections = 8;
  auto client = sqs::CurlSqsClient::Create(sc);
  if (!client) Die(client.error().ToString());
  sqs_ = std::move(*client);
  sqs::CreateQueueRequest q;
  q.queue_name = base_ + "-queue";
  auto url = sqs_->CreateQueue(q);
  if (!url) Die(url.error().ToString());
  queue_url_ = *url;
}

Topology::~Topology() {
  (void)admin_->DeleteTopics({orders_topic(), retry_topic(), dlq_topic()},
                             std::chrono::seconds(30));
  (void)sqs_->DeleteQueue(queue_url_);
}

std::string Topology::ServiceLogPath() const {
  const char* dir = std::getenv("BENCH_LOG_DIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : "build/bench") + "/" + base_ +
         "-service.log";
}

std::vector<std::string> Topology::ServiceEnv() const {
  return {"KAFKA_BOOTSTRAP_SERVERS=" + options_.kafka,
          "KAFKA_TOPIC=" + orders_topic(),
          "RETRY_TOPIC=" + retry_topic(),
          "DLQ_TOPIC=" + dlq_topic(),
          "KAFKA_MAIN_GROUP_ID=" + main_group(),
          "KAFKA_RETRY_GROUP_ID=" + retry_group(),
          "SQS_ENDPOINT=" + options_.sqs_endpoint,
          "SQS_QUEUE_URL=" + queue_url_,
          "METRICS_ADDRESS=",
          "LOG_LEVEL=warn"};
}

std::int64_t Topology::QueueDepth() {
  auto a = sqs_->GetQueueAttributes(
      queue_url_, {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"});
  if (!a) return -1;
  return a->approximate_number_of_messages().value_or(0) +
         a->Int("ApproximateNumberOfMessagesNotVisible").value_or(0);
}

std::int64_t Topology::CommittedMain() {
  auto c = admin_->CommittedOffsets(main_group(), orders_topic(), std::chrono::seconds(5));
  if (!c) return -1;
  std::int64_t sum = 0;
  for (const auto& [p, off] : *c)
    sum += std::max<std::int64_t>(0, off);
  return sum;
}

void Topology::Preload(int first, int count) {
  std::mutex mu;
  std::condition_variable cv;
  int delivered = 0;
  int failed = 0;
  auto producer = kafka::Producer::Create(
      kafka::WithReliableDelivery(
          kafka::Properties::Make(options_.kafka, {}).Set("linger.ms", "20")),
      [&](kafka::DeliveryReport r) {
        std::lock_guard lock(mu);
        ++delivered;
        if (r.error) ++failed;
        cv.notify_all();
      });
  if (!producer) Die(producer.error().ToString());
  for (int i = first; i < first + count; ++i) {
    kafka::OutgoingMessage m{orders_topic(),
                             std::nullopt,
                             std::nullopt,
                             MakeOrder(i),
                             {{"CorrelationId", CorrelationIdOf(i)}}};
    if (auto s = (*producer)->Send(m, static_cast<std::uint64_t>(i)); !s) Die(s.error().ToString());
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return delivered == count; });
  if (failed > 0) Die(std::to_string(failed) + " orders were not delivered to Kafka");
}

ServiceProcess::ServiceProcess(const std::string& binary, const std::vector<std::string>& env,
                               const std::string& log_path) {
  started_ = std::chrono::steady_clock::now();
  auto child = faults::ChildProcess::Spawn({binary}, env, log_path);
  if (!child) Die(child.error().ToString());
  child_ = std::move(*child);
  sampler_ = std::thread([this] { Sample(); });
}

ServiceProcess::~ServiceProcess() {
  Stop();
}

int ServiceProcess::Stop() {
  stop_ = true;
  if (sampler_.joinable()) sampler_.join();
  if (!child_) return -1;
  const int code = child_->Terminate(std::chrono::seconds(30)).value_or(-1);
  child_.reset();
  return code;
}

void ServiceProcess::Sample() {
  while (!stop_) {
    const long rss = StatusKb(pid(), "VmRSS:");
    const long hwm = StatusKb(pid(), "VmHWM:");
    if (rss > 0) {
      std::lock_guard lock(mu_);
      samples_.push_back(rss);
    }
    peak_kb_ = std::max(peak_kb_.load(), hwm);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

double ServiceProcess::CpuSeconds() const {
  std::ifstream in("/proc/" + std::to_string(pid()) + "/stat");
  std::string stat;
  std::getline(in, stat);
  // Fields after the command name (which may contain spaces): state is field 3, utime 14.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(f);
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::vector<long> ServiceProcess::RssSamples() const {
  std::lock_guard lock(mu_);
  return samples_;
}

double SteadyRssMb(const std::vector<long>& samples) {
  if (samples.empty()) return 0;
  std::vector<long> mid(samples.begin() + static_cast<long>(samples.size() / 4),
                        samples.begin() + static_cast<long>(samples.size() * 3 / 4));
  if (mid.empty()) mid = samples;
  std::sort(mid.begin(), mid.end());
  return static_cast<double>(mid[mid.size() / 2]) / 1024.0;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank =
      static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace driftline::bench
