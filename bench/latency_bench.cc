// latency_bench: end-to-end latency of order-service at a fixed input rate, next to the raw path.
//
// For each rate and each path, a fresh topic whose records carry the broker's append time
// (message.timestamp.type=LogAppendTime) is fed at R orders/s for D seconds by a paced producer.
// A probe consumer reads the same topic and notes each record's append time by correlation id;
// receivers long-poll the queue and note when each message arrives. Latency = SQS receive -
// Kafka append, both from this machine's clock. The first second of each run (group join,
// connection set-up) is not counted.
//
// Two paths between the topic and the queue, measured with the same producer, probe and receive
// side, one after the other:
//   service  the real build/bin/order-service at its defaults (plus any --env), its RSS sampled;
//   raw      a forwarder with no logic, in this process: a librdkafka consumer assigned to the
//            topic (the service's prefetch settings) hands each record's bytes, with its
//            CorrelationId header as the attribute, to SendMessageBatch through the project's SQS
//            client — batches of 10, 5 ms linger, 8 requests in flight, the service's defaults. No
//            parsing, no transform, no routing, no offsets, no retries.
// Service p99 / raw p99 is the service's own share of the latency.
//
// The receive side: --receivers threads (one per 1,000 orders/s by default) long-poll
// (WaitTimeSeconds) for up to 10 messages each and hand the receipt handles to one deleter, which
// deletes them in DeleteMessageBatch requests of 10 (a partial one only when nothing more came for
// 100 ms). Deleting keeps the queue at the size of what is in flight (without it, every message
// would come back after its visibility timeout and the queue would grow through the run). Its own
// cost is reported: CPU of its threads, requests and messages per request; with the SQS server's
// CPU (--sqs-server-pid) and the machine's, over the paced window. GCC 12 reports a false
// -Wnull-dereference inside std::string when inlining this file at -O2.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "bench/support.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "sqs/curl_client.h"

namespace {

using Steady = std::chrono::steady_clock;
using nlohmann::json;
using namespace driftline;
using namespace driftline::bench;

std::int64_t NowEpochUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Threads whose CPU time is read from /proc/self/task/<tid>/stat.
class ThreadGroup {
 public:
  void Add(pid_t tid) {
    std::lock_guard lock(mu_);
    tids_.push_back(tid);
  }
  double CpuSeconds() const {
    std::lock_guard lock(mu_);
    double s = 0;
    for (pid_t t : tids_)
      s += CpuSecondsOfThread(t);
    return s;
  }

 private:
  mutable std::mutex mu_;
  std::vector<pid_t> tids_;
};

struct ForwarderOptions {
  std::size_t batch = 10;
  std::size_t in_flight = 8;
  std::chrono::milliseconds linger{5};
};

// The raw path: records' bytes straight into SendMessageBatch (see the top of the file). The
// sender threads batch as order-service's SqsSender does: wait for a message; with fewer than a
// batch ready, wait up to the linger for more; take up to a batch and send it.
class RawForwarder {
 public:
  RawForwarder(testkit::Topology& topo, const std::string& endpoint, ForwarderOptions options)
      : options_(options), queue_url_(topo.queue_url()) {
    sqs::SqsClientConfig sc;
    sc.endpoint_url = endpoint;
    sc.region = std::string(sqs::kLocalStackRegion);
    sc.credentials = sqs::LocalStackCredentials();
    sc.max_idle_connections = options.in_flight + 2;  // as the service
    auto sqs = sqs::CurlSqsClient::Create(sc);
    if (!sqs) Die(sqs.error().ToString());
    sqs_ = std::move(*sqs);
    auto consumer = kafka::Consumer::Create(kafka::Properties::Make(topo.options().kafka, {})
                                                .Set("queued.min.messages", "20000")
                                                .Set("queued.max.messages.kbytes", "8192"),
                                            topo.base() + "-raw-forwarder");
    if (!consumer) Die(consumer.error().ToString());
    consumer_ = std::move(*consumer);
    if (auto s = consumer_->Assign({{topo.main_topic(), 0, kafka::kOffsetBeginning}}); !s) {
      Die(s.error().ToString());
    }
    threads_.emplace_back([this] { Consume(); });
    for (std::size_t i = 0; i < options_.in_flight; ++i)
      threads_.emplace_back([this] { Send(); });
  }
  ~RawForwarder() { Stop(); }
  RawForwarder(const RawForwarder&) = delete;
  RawForwarder& operator=(const RawForwarder&) = delete;

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    work_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  double CpuSeconds() const { return threads_cpu_.CpuSeconds(); }
  std::size_t failed() const { return failed_.load(); }

 private:
  bool Stopping() {
    std::lock_guard lock(mu_);
    return stopping_;
  }
  void Consume() {
    threads_cpu_.Add(CurrentThreadId());
    while (!Stopping()) {
      auto m = consumer_->Poll(std::chrono::milliseconds(100));
      if (!m || !m->has_value()) continue;
      sqs::OutgoingMessage out;
      out.body = std::move((*m)->payload);
      if (const auto* c = (*m)->headers.Find("CorrelationId"); c != nullptr && c->value) {
        out.attributes.emplace("CorrelationId", sqs::MessageAttributeValue::String(*c->value));
      }
      {
        std::lock_guard lock(mu_);
        queue_.push_back(std::move(out));
      }
      work_.notify_one();
    }
  }
  void Send() {
    threads_cpu_.Add(CurrentThreadId());
    for (;;) {
      std::vector<sqs::OutgoingMessage> batch;
      {
        std::unique_lock lock(mu_);
        work_.wait(lock, [&] { return !queue_.empty() || stopping_; });
        if (stopping_) return;
        if (queue_.size() < options_.batch && options_.linger.count() > 0) {
          work_.wait_for(lock, options_.linger,
                         [&] { return queue_.size() >= options_.batch || stopping_; });
          if (queue_.empty()) continue;  // another thread took them
        }
        while (!queue_.empty() && batch.size() < options_.batch) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      failed_ += sqs_->SendMessageBatch(queue_url_, batch).failed_count();
    }
  }

  const ForwarderOptions options_;
  const std::string queue_url_;
  std::unique_ptr<sqs::SqsClient> sqs_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::mutex mu_;
  std::condition_variable work_;
  std::deque<sqs::OutgoingMessage> queue_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::atomic<std::size_t> failed_{0};
  ThreadGroup threads_cpu_;
  std::vector<std::thread> threads_;
};

struct Observations {
  std::mutex mu;
  std::unordered_map<std::string, std::int64_t> appended_ms;  // correlation id → append time
  std::unordered_map<std::string, std::int64_t> received_us;  // correlation id → receive time
  int duplicates = 0;
};

// Long-polling receivers and one batching deleter (see the top of the file).
class ReceiveSide {
 public:
  ReceiveSide(testkit::Topology& topo, Observations& obs, int receivers, int wait_seconds)
      : topo_(topo), obs_(obs), wait_seconds_(wait_seconds) {
    for (int r = 0; r < receivers; ++r)
      threads_.emplace_back([this] { Receive(); });
    threads_.emplace_back([this] { Delete(); });
  }
  ~ReceiveSide() { Stop(); }
  ReceiveSide(const ReceiveSide&) = delete;
  ReceiveSide& operator=(const ReceiveSide&) = delete;

  // Receivers end after their current long poll; the deleter deletes what is left.
  void Stop() {
    stop_receivers_ = true;
    for (std::size_t i = 0; i + 1 < threads_.size(); ++i)
      if (threads_[i].joinable()) threads_[i].join();
    {
      std::lock_guard lock(mu_);
      stop_deleter_ = true;
    }
    handles_cv_.notify_all();
    if (!threads_.empty() && threads_.back().joinable()) threads_.back().join();
  }
  double CpuSeconds() const { return threads_cpu_.CpuSeconds(); }

  struct Counts {
    std::int64_t receives = 0, empty_receives = 0, received = 0, deletes = 0, deleted = 0;
  };
  Counts counts() const {
    std::lock_guard lock(mu_);
    return counts_;
  }

 private:
  void Receive() {
    threads_cpu_.Add(CurrentThreadId());
    while (!stop_receivers_) {
      sqs::ReceiveRequest req;
      req.queue_url = topo_.queue_url();
      req.max_messages = 10;
      req.wait_time_seconds = wait_seconds_;
      req.system_attribute_names = {};
      auto got = topo_.sqs().ReceiveMessage(req);
      const std::int64_t now = NowEpochUs();
      const std::size_t n = got ? got->size() : 0;
      {
        std::lock_guard lock(mu_);
        ++counts_.receives;
        if (n == 0) ++counts_.empty_receives;
        counts_.received += static_cast<std::int64_t>(n);
        for (std::size_t i = 0; i < n; ++i)
          handles_.push_back(std::move((*got)[i].receipt_handle));
      }
      if (n == 0) continue;
      if (handles_ready()) handles_cv_.notify_one();
      std::lock_guard lock(obs_.mu);
      for (const auto& m : *got) {
        auto c = m.message_attributes.find("CorrelationId");
        if (c == m.message_attributes.end()) continue;
        if (!obs_.received_us.emplace(c->second.string_value, now).second) ++obs_.duplicates;
      }
    }
  }
  bool handles_ready() {
    std::lock_guard lock(mu_);
    return handles_.size() >= 10;
  }
  void Delete() {
    threads_cpu_.Add(CurrentThreadId());
    for (;;) {
      std::vector<std::string> batch;
      {
        std::unique_lock lock(mu_);
        handles_cv_.wait_for(lock, std::chrono::milliseconds(100),
                             [&] { return handles_.size() >= 10 || stop_deleter_; });
        if (handles_.empty()) {
          if (stop_deleter_) return;
          continue;
        }
        // A partial batch only after 100 ms without ten, or when stopping.
        while (!handles_.empty() && batch.size() < 10) {
          batch.push_back(std::move(handles_.front()));
          handles_.pop_front();
        }
        ++counts_.deletes;
        counts_.deleted += static_cast<std::int64_t>(batch.size());
      }
      (void)topo_.sqs().DeleteMessageBatch(topo_.queue_url(), batch);
    }
  }

  testkit::Topology& topo_;
  Observations& obs_;
  const int wait_seconds_;
  std::atomic<bool> stop_receivers_{false};
  mutable std::mutex mu_;
  std::condition_variable handles_cv_;
  std::deque<std::string> handles_;  // guarded by mu_
  bool stop_deleter_ = false;        // guarded by mu_
  Counts counts_;                    // guarded by mu_
  ThreadGroup threads_cpu_;
  std::vector<std::thread> threads_;  // receivers, then the deleter
};

struct RunSettings {
  testkit::TopologyOptions options;
  std::string service;
  std::vector<std::string> extra_env;
  int receivers = 0;  // 0: one per 1,000 orders/s
  int wait_seconds = 1;
  pid_t sqs_server_pid = 0;
};

// CPU seconds of each party at one moment (for the paced window).
struct CpuSnapshot {
  double path = 0, receive_side = 0, sqs_server = 0;
  MachineCpu machine;
};

json RunPath(const RunSettings& s, const std::string& path, int rate, int seconds) {
  testkit::TopologyOptions o = s.options;
  o.main_topic_configs["message.timestamp.type"] = "LogAppendTime";
  auto topology = CreateTopology(o);
  testkit::Topology& topo = *topology;
  Observations obs;
  std::atomic<bool> stop_probe{false};

  std::unique_ptr<SampledService> svc;
  std::unique_ptr<RawForwarder> raw;
  if (path == "service") {
    std::vector<std::string> env = ServiceEnv(topo);
    env.insert(env.end(), s.extra_env.begin(), s.extra_env.end());
    svc = std::make_unique<SampledService>(s.service, env, ServiceLogPath(topo));
  } else {
    raw = std::make_unique<RawForwarder>(topo, o.sqs_endpoint, ForwarderOptions{});
  }
  auto path_cpu = [&] { return svc ? svc->CpuSeconds() : raw->CpuSeconds(); };

  // The probe: the append time of every record, by correlation id.
  auto probe =
      kafka::Consumer::Create(kafka::Properties::Make(o.kafka, {}), topo.base() + "-probe");
  if (!probe) Die(probe.error().ToString());
  if (auto st = (*probe)->Assign({{topo.main_topic(), 0, kafka::kOffsetBeginning}}); !st) {
    Die(st.error().ToString());
  }
  std::thread probe_thread([&] {
    while (!stop_probe) {
      auto m = (*probe)->Poll(std::chrono::milliseconds(100));
      if (!m || !m->has_value()) continue;
      const auto* c = (*m)->headers.Find("CorrelationId");
      if (c == nullptr || !c->value) continue;
      std::lock_guard lock(obs.mu);
      obs.appended_ms[*c->value] = (*m)->timestamp_ms;
    }
  });

  // One receiver per 1,000 orders/s unless told: each long poll returns as soon as a message is
  // there, so more receivers mean more, emptier receives (more load on the SQS server), fewer
  // ones a backlog of their own. One receiver carries about 2,500 msg/s on this machine.
  const int receivers = s.receivers > 0 ? s.receivers : std::max(1, (rate + 999) / 1000);
  ReceiveSide receive(topo, obs, receivers, s.wait_seconds);

  // Wait until the path answers (a first order makes it through), then pace.
  std::mutex mu;
  int delivered = 0, failed = 0;
  auto producer = kafka::Producer::Create(
      kafka::WithReliableDelivery(kafka::Properties::Make(o.kafka, {}).Set("linger.ms", "0")),
      [&](kafka::DeliveryReport r) {
        std::lock_guard lock(mu);
        ++delivered;
        if (r.error) ++failed;
      });
  if (!producer) Die(producer.error().ToString());
  auto send = [&](int i) {
    kafka::OutgoingMessage m{
        topo.main_topic(), 0, std::nullopt, MakeOrder(i), {{"CorrelationId", CorrelationIdOf(i)}}};
    if (auto st = (*producer)->Send(m, static_cast<std::uint64_t>(i)); !st) {
      Die(st.error().ToString());
    }
  };
  const int warm_id = -1;
  send(warm_id);
  const auto wait_start = Steady::now();
  for (;;) {
    {
      std::lock_guard lock(obs.mu);
      if (obs.received_us.count(CorrelationIdOf(warm_id))) break;
    }
    if (Steady::now() - wait_start > std::chrono::seconds(60)) Die(path + " never answered");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  auto snapshot = [&] {
    CpuSnapshot c;
    c.path = path_cpu();
    c.receive_side = receive.CpuSeconds();
    if (s.sqs_server_pid > 0) {
      c.sqs_server = CpuSecondsFromStat("/proc/" + std::to_string(s.sqs_server_pid) + "/stat");
    }
    c.machine = ReadMachineCpu();
    return c;
  };
  const int total = rate * seconds;
  const auto counts_before = receive.counts();
  const CpuSnapshot cpu0 = snapshot();
  const auto start = Steady::now();
  for (int i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(1'000'000LL * i / rate));
    send(i);
  }
  const double send_s = std::chrono::duration<double>(Steady::now() - start).count();
  const CpuSnapshot cpu1 = snapshot();
  const auto counts_after = receive.counts();
  // Let the last orders arrive (bounded).
  const auto drain_start = Steady::now();
  for (;;) {
    std::size_t got;
    {
      std::lock_guard lock(obs.mu);
      got = obs.received_us.size();
    }
    if (static_cast<int>(got) >= total + 1) break;
    if (Steady::now() - drain_start > std::chrono::seconds(30)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  receive.Stop();
  json rss = nullptr;
  if (svc) {
    rss = {{"steady_rss_mb", SteadyRssMb(svc->RssSamples())},
           {"peak_rss_mb", static_cast<double>(svc->PeakRssKb()) / 1024.0}};
    svc->Stop();
  } else {
    raw->Stop();
  }
  // Every append time is known once the probe has read up to the end (bounded).
  for (const auto probe_start = Steady::now();
       Steady::now() - probe_start < std::chrono::seconds(10);) {
    {
      std::lock_guard lock(obs.mu);
      if (static_cast<int>(obs.appended_ms.size()) >= total + 1) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop_probe = true;
  probe_thread.join();

  std::vector<double> lat;
  int missing = 0;
  const int skip = rate;  // the first second
  for (int i = 0; i < total; ++i) {
    const auto id = CorrelationIdOf(i);
    auto a = obs.appended_ms.find(id);
    auto r = obs.received_us.find(id);
    if (a == obs.appended_ms.end() || r == obs.received_us.end()) {
      ++missing;
      continue;
    }
    if (i < skip) continue;
    lat.push_back(static_cast<double>(r->second - a->second * 1000) / 1000.0);
  }
  std::sort(lat.begin(), lat.end());
  json cdf = json::array();
  for (int k = 0; k <= 200 && !lat.empty(); ++k) {
    const double p = k * 0.5;
    cdf.push_back({Percentile(lat, p), p});
  }

  // The paced window: who used how much CPU, and what the receive side asked of SQS.
  const double window_s = send_s;
  const auto orders = static_cast<double>(total);
  const double machine_total = cpu1.machine.total_s - cpu0.machine.total_s;
  const double receive_cpu = cpu1.receive_side - cpu0.receive_side;
  const auto d_receives = counts_after.receives - counts_before.receives;
  const auto d_received = counts_after.received - counts_before.received;
  const auto d_deletes = counts_after.deletes - counts_before.deletes;
  const auto d_deleted = counts_after.deleted - counts_before.deleted;
  auto per = [](std::int64_t a, std::int64_t b) {
    return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
  };
  json cpu{{"window_s", window_s},
           {"path_cpu_s", cpu1.path - cpu0.path},
           {"path_cpu_us_per_order", (cpu1.path - cpu0.path) * 1e6 / orders},
           {"path_cores", (cpu1.path - cpu0.path) / window_s},
           {"receive_side_cpu_s", receive_cpu},
           {"receive_side_cpu_us_per_msg",
            d_received > 0 ? receive_cpu * 1e6 / static_cast<double>(d_received) : 0.0},
           {"receive_side_cores", receive_cpu / window_s},
           {"sqs_server_cores",
            s.sqs_server_pid > 0 ? json((cpu1.sqs_server - cpu0.sqs_server) / window_s) : json()},
           {"machine_busy",
            machine_total > 0 ? (cpu1.machine.busy_s - cpu0.machine.busy_s) / machine_total : 0.0},
           {"machine_cores", machine_total / window_s}};
  json receive_side{{"receivers", receivers},
                    {"wait_time_seconds", s.wait_seconds},
                    {"receives_per_s", static_cast<double>(d_receives) / window_s},
                    {"empty_receives", counts_after.empty_receives - counts_before.empty_receives},
                    {"msgs_per_receive", per(d_received, d_receives)},
                    {"deletes_per_s", static_cast<double>(d_deletes) / window_s},
                    {"msgs_per_delete", per(d_deleted, d_deletes)}};
  json result{{"path", path},
              {"rate", rate},
              {"seconds", seconds},
              {"sent", total},
              {"send_s", send_s},
              {"measured", lat.size()},
              {"missing", missing},
              {"duplicates", obs.duplicates},
              {"p50_ms", Percentile(lat, 50)},
              {"p90_ms", Percentile(lat, 90)},
              {"p99_ms", Percentile(lat, 99)},
              {"max_ms", lat.empty() ? 0 : lat.back()},
              {"cpu", cpu},
              {"receive_side", receive_side},
              {"cdf", cdf}};
  if (svc) result.update(rss);
  if (raw) result["raw_send_failed"] = raw->failed();
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  RunSettings s;
  s.service = "build/bin/order-service";
  std::string json_out;
  std::vector<int> rates{1000, 2000, 5000};
  std::vector<std::string> paths{"service", "raw"};
  int seconds = 30;
  int sqs_server_pid = 0;
  CLI::App app{"latency_bench: Kafka append -> SQS receive latency of order-service and raw"};
  app.add_option("--rates", rates, "orders per second, one run each");
  app.add_option("-d,--seconds", seconds, "length of each run");
  app.add_option("--paths", paths, "service and/or raw, run in this order at each rate")
      ->check(CLI::IsMember({"service", "raw"}));
  app.add_option("--receivers", s.receivers,
                 "SQS long-poll receivers (default: one per 1,000 orders/s, at least one)");
  app.add_option("--wait-seconds", s.wait_seconds, "WaitTimeSeconds of each receive")
      ->check(CLI::Range(1, 20));
  app.add_option("--sqs-server-pid", sqs_server_pid, "the SQS server's pid, for its CPU share");
  app.add_option("--kafka", s.options.kafka);
  app.add_option("--sqs-endpoint", s.options.sqs_endpoint);
  app.add_option("--service", s.service, "order-service binary");
  app.add_option("--env", s.extra_env, "NAME=VALUE for the service (repeatable)");
  app.add_option("--json", json_out, "write the results as JSON here");
  CLI11_PARSE(app, argc, argv);
  s.sqs_server_pid = static_cast<pid_t>(sqs_server_pid);

  const json machine = MachineInfo();
  PrintMachine(machine);
  json runs = json::array();
  bool ok = true;
  std::printf("%-8s %-8s %-7s %-9s %-8s %-8s %-8s %-9s %-8s %-11s %-10s %-9s %-8s\n", "path",
              "rate/s", "sent", "measured", "p50 ms", "p90 ms", "p99 ms", "max ms", "missing",
              "us CPU/ord", "recv cores", "SQS cores", "busy");
  for (int rate : rates) {
    for (const auto& path : paths) {
      json r = RunPath(s, path, rate, seconds);
      const auto& c = r["cpu"];
      std::printf(
          "%-8s %-8d %-7d %-9s %-8.1f %-8.1f %-8.1f %-9.1f %-8s %-11.1f %-10.2f %-9s %-8.0f\n",
          path.c_str(), rate, r["sent"].get<int>(), r["measured"].dump().c_str(),
          r["p50_ms"].get<double>(), r["p90_ms"].get<double>(), r["p99_ms"].get<double>(),
          r["max_ms"].get<double>(), r["missing"].dump().c_str(),
          c["path_cpu_us_per_order"].get<double>(), c["receive_side_cores"].get<double>(),
          c["sqs_server_cores"].is_null()
              ? "-"
              : std::to_string(c["sqs_server_cores"].get<double>()).substr(0, 4).c_str(),
          c["machine_busy"].get<double>() * 100);
      std::fflush(stdout);
      ok = ok && r["missing"].get<int>() == 0;
      runs.push_back(std::move(r));
    }
  }
  if (!json_out.empty()) {
    std::ofstream(json_out) << json{
        {"machine", machine},
        {"env", s.extra_env},
        {"runs", runs}}.dump(1);
  }
  return ok ? 0 : 1;
}
