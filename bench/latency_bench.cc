// latency_bench: end-to-end latency of order-service at a fixed input rate.
//
// For each rate, a fresh topic whose records carry the broker's append time
// (message.timestamp.type=LogAppendTime) is fed at R orders/s for D seconds by a paced producer.
// A probe consumer reads the same topic and notes each record's append time by correlation id;
// receivers long-poll the queue and note when each message arrives. Latency = SQS receive -
// Kafka append, both from this machine's clock. The first second of each run (group join,
// connection set-up) is not counted. Also samples the service's RSS.
// GCC 12 reports a false -Wnull-dereference inside std::string when inlining this file at -O2.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "bench/support.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"

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

struct Observations {
  std::mutex mu;
  std::unordered_map<std::string, std::int64_t> appended_ms;  // correlation id → append time
  std::unordered_map<std::string, std::int64_t> received_us;  // correlation id → receive time
  int duplicates = 0;
};

json RunRate(const testkit::TopologyOptions& base_options, const std::string& service, int rate,
             int seconds, int receivers, const std::vector<std::string>& extra_env) {
  testkit::TopologyOptions o = base_options;
  o.main_topic_configs["message.timestamp.type"] = "LogAppendTime";
  auto topology = CreateTopology(o);
  testkit::Topology& topo = *topology;
  Observations obs;
  std::atomic<bool> stop_probe{false}, stop_receivers{false};

  std::vector<std::string> env = ServiceEnv(topo);
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  SampledService svc(service, env, ServiceLogPath(topo));

  // The probe: the append time of every record, by correlation id.
  auto probe =
      kafka::Consumer::Create(kafka::Properties::Make(o.kafka, {}), topo.base() + "-probe");
  if (!probe) Die(probe.error().ToString());
  if (auto s = (*probe)->Assign({{topo.main_topic(), 0, kafka::kOffsetBeginning}}); !s) {
    Die(s.error().ToString());
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

  std::vector<std::thread> pool;
  for (int r = 0; r < receivers; ++r) {
    pool.emplace_back([&] {
      while (!stop_receivers) {
        sqs::ReceiveRequest req;
        req.queue_url = topo.queue_url();
        req.max_messages = 10;
        req.wait_time_seconds = 1;
        req.system_attribute_names = {};
        auto got = topo.sqs().ReceiveMessage(req);
        const std::int64_t now = NowEpochUs();
        if (!got || got->empty()) continue;
        std::vector<std::string> handles;
        {
          std::lock_guard lock(obs.mu);
          for (const auto& m : *got) {
            handles.push_back(m.receipt_handle);
            auto c = m.message_attributes.find("CorrelationId");
            if (c == m.message_attributes.end()) continue;
            if (!obs.received_us.emplace(c->second.string_value, now).second) ++obs.duplicates;
          }
        }
        (void)topo.sqs().DeleteMessageBatch(topo.queue_url(), handles);
      }
    });
  }

  // Wait until the service has joined (a first order makes it through), then pace.
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
    if (auto s = (*producer)->Send(m, static_cast<std::uint64_t>(i)); !s) Die(s.error().ToString());
  };
  const int warm_id = -1;
  send(warm_id);
  const auto wait_start = Steady::now();
  for (;;) {
    {
      std::lock_guard lock(obs.mu);
      if (obs.received_us.count(CorrelationIdOf(warm_id))) break;
    }
    if (Steady::now() - wait_start > std::chrono::seconds(60)) Die("the service never answered");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  const int total = rate * seconds;
  const auto start = Steady::now();
  for (int i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(1'000'000LL * i / rate));
    send(i);
  }
  const double send_s = std::chrono::duration<double>(Steady::now() - start).count();
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
  stop_receivers = true;
  for (auto& t : pool)
    t.join();
  const auto rss = svc.RssSamples();
  const double peak_mb = static_cast<double>(svc.PeakRssKb()) / 1024.0;
  svc.Stop();
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
  return {{"rate", rate},
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
          {"steady_rss_mb", SteadyRssMb(rss)},
          {"peak_rss_mb", peak_mb},
          {"cdf", cdf}};
}

}  // namespace

int main(int argc, char** argv) {
  testkit::TopologyOptions options;
  std::string service = "build/bin/order-service";
  std::string json_out;
  std::vector<int> rates{200, 1000, 5000};
  int seconds = 30;
  int receivers = 4;
  std::vector<std::string> extra_env;
  CLI::App app{"latency_bench: Kafka append -> SQS receive latency of order-service"};
  app.add_option("--rates", rates, "orders per second, one run each");
  app.add_option("-d,--seconds", seconds, "length of each run");
  app.add_option("--receivers", receivers, "SQS long-poll receivers");
  app.add_option("--kafka", options.kafka);
  app.add_option("--sqs-endpoint", options.sqs_endpoint);
  app.add_option("--service", service, "order-service binary");
  app.add_option("--env", extra_env, "NAME=VALUE for the service (repeatable)");
  app.add_option("--json", json_out, "write the results as JSON here");
  CLI11_PARSE(app, argc, argv);

  const json machine = MachineInfo();
  PrintMachine(machine);
  json runs = json::array();
  bool ok = true;
  std::printf("%-8s %-8s %-9s %-9s %-9s %-9s %-9s %-8s %-10s %-8s\n", "rate/s", "sent", "measured",
              "p50 ms", "p90 ms", "p99 ms", "max ms", "missing", "steady MB", "peak MB");
  for (int rate : rates) {
    json r = RunRate(options, service, rate, seconds, receivers, extra_env);
    std::printf("%-8d %-8d %-9s %-9.1f %-9.1f %-9.1f %-9.1f %-8s %-10.1f %-8.1f\n", rate,
                r["sent"].get<int>(), r["measured"].dump().c_str(), r["p50_ms"].get<double>(),
                r["p90_ms"].get<double>(), r["p99_ms"].get<double>(), r["max_ms"].get<double>(),
                r["missing"].dump().c_str(), r["steady_rss_mb"].get<double>(),
                r["peak_rss_mb"].get<double>());
    std::fflush(stdout);
    ok = ok && r["missing"].get<int>() == 0;
    runs.push_back(std::move(r));
  }
  if (!json_out.empty()) {
    std::ofstream(json_out) << json{{"machine", machine}, {"env", extra_env}, {"runs", runs}}.dump(
        1);
  }
  return ok ? 0 : 1;
}
