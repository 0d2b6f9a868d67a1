// drain_bench: how fast order-service drains a backlog into SQS, and how much memory it uses.
//
// Pre-loads N mixed orders (STANDARD/PRIORITY/BULK) into a fresh topic, optionally reads the
// backlog once with a bare librdkafka consumer (the Kafka side's own limit), starts the real
// build/bin/order-service on it and samples every 25 ms the group's committed offset and the
// queue depth; RSS is sampled every 100 ms. With --fail-once-percent P, P % of the orders fail
// once (retry isolation): the main path's rate is compared with a clean run and every retried
// order is checked to have reached SQS no earlier than its envelope's retry-due-at.
// GCC 12 reports a false -Wnull-dereference inside std::string when inlining this file at -O2.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/support.h"
#include "kafka/consumer.h"

namespace {

using Steady = std::chrono::steady_clock;
using nlohmann::json;
using namespace driftline;
using namespace driftline::bench;

double Since(Steady::time_point t0) {
  return std::chrono::duration<double>(Steady::now() - t0).count();
}

// Reads the whole backlog with a consumer doing nothing else, with the service's prefetch
// settings: messages/s from the first record to the last.
json RawConsume(testkit::Topology& topo, int n) {
  auto consumer = kafka::Consumer::Create(kafka::Properties::Make(topo.options().kafka, {})
                                              .Set("queued.min.messages", "20000")
                                              .Set("queued.max.messages.kbytes", "8192"),
                                          topo.base() + "-raw");
  if (!consumer) Die(consumer.error().ToString());
  if (auto s = (*consumer)->Assign({{topo.main_topic(), 0, kafka::kOffsetBeginning}}); !s) {
    Die(s.error().ToString());
  }
  const auto start = Steady::now();
  Steady::time_point first;
  int got = 0;
  std::size_t bytes = 0;
  while (got < n && Since(start) < 120) {
    auto m = (*consumer)->Poll(std::chrono::milliseconds(500));
    if (!m) Die(m.error().ToString());
    if (!m->has_value()) continue;
    if (got == 0) first = Steady::now();
    bytes += (*m)->payload.size();
    ++got;
  }
  const double secs = Since(first);
  return {{"messages", got},
          {"seconds", secs},
          {"msgs_per_s", got / secs},
          {"mb_per_s", static_cast<double>(bytes) / 1e6 / secs}};
}

// Every message of the queue with its CorrelationId → SentTimestamp (epoch ms).
std::map<std::string, std::int64_t> ReceiveAll(testkit::Topology& topo, int expected) {
  std::map<std::string, std::int64_t> sent;
  const auto start = Steady::now();
  while (static_cast<int>(sent.size()) < expected && Since(start) < 120) {
    sqs::ReceiveRequest r;
    r.queue_url = topo.queue_url();
    r.max_messages = 10;
    r.wait_time_seconds = 1;
    r.visibility_timeout = 600;
    auto got = topo.sqs().ReceiveMessage(r);
    if (!got) Die(got.error().ToString());
    if (got->empty()) break;
    for (const auto& m : *got) {
      auto c = m.message_attributes.find("CorrelationId");
      auto ts = m.attributes.find("SentTimestamp");
      if (c == m.message_attributes.end() || ts == m.attributes.end()) continue;
      sent.emplace(c->second.string_value, std::stoll(ts->second));
    }
  }
  return sent;
}

// CorrelationId → retry-due-at (epoch ms) of every envelope in the retry topic.
std::map<std::string, std::int64_t> RetryDueTimes(testkit::Topology& topo, int expected) {
  std::map<std::string, std::int64_t> due;
  auto consumer = kafka::Consumer::Create(kafka::Properties::Make(topo.options().kafka, {}),
                                          topo.base() + "-audit");
  if (!consumer) Die(consumer.error().ToString());
  if (auto s = (*consumer)->Assign({{topo.retry_topic(), 0, kafka::kOffsetBeginning}}); !s) {
    Die(s.error().ToString());
  }
  const auto start = Steady::now();
  while (static_cast<int>(due.size()) < expected && Since(start) < 60) {
    auto m = (*consumer)->Poll(std::chrono::milliseconds(500));
    if (!m) Die(m.error().ToString());
    if (!m->has_value()) continue;
    const auto* c = (*m)->headers.Find("CorrelationId");
    const auto* d = (*m)->headers.Find("retry-due-at");
    if (c && c->value && d && d->value) due.emplace(*c->value, std::stoll(*d->value));
  }
  return due;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 20000;
  testkit::TopologyOptions topo_options;
  std::string service = "build/bin/order-service";
  std::string json_out;
  std::string label;
  std::vector<std::string> extra_env;
  bool raw = false;
  int fail_percent = 0;
  CLI::App app{"drain_bench: order-service backlog drain rate and memory"};
  app.add_option("-n,--orders", n, "backlog size");
  app.add_option("--kafka", topo_options.kafka);
  app.add_option("--sqs-endpoint", topo_options.sqs_endpoint);
  app.add_option("--service", service, "order-service binary");
  app.add_option("--json", json_out, "write the result as JSON here");
  app.add_option("--label", label, "a name for this run in the table and JSON");
  app.add_option("--env", extra_env,
                 "NAME=VALUE for the service (repeatable), e.g. SQS_BATCH_SIZE=5");
  app.add_flag("--raw-consume", raw, "first read the backlog with a bare consumer (Kafka limit)");
  app.add_option("--fail-once-percent", fail_percent, "orders failing once (retry isolation)")
      ->check(CLI::Range(0, 100));
  CLI11_PARSE(app, argc, argv);

  const json machine = MachineInfo();
  auto topology = CreateTopology(topo_options);
  testkit::Topology& topo = *topology;
  Preload(topo, 0, n);
  json raw_result;
  if (raw) raw_result = RawConsume(topo, n);

  std::vector<std::string> env = ServiceEnv(topo);
  std::vector<std::string> failing;
  if (fail_percent > 0) {
    std::string ids;
    for (int i = 0; i < n; ++i) {
      if (i % 100 < fail_percent) {
        failing.push_back(CorrelationIdOf(i));
        ids += (ids.empty() ? "" : ",") + OrderIdOf(i);
      }
    }
    env.push_back("ENABLE_TEST_FAILURE_SCENARIOS=true");
    env.push_back("FAIL_ONCE_ORDER_IDS=" + ids);
    env.push_back("ALWAYS_FAIL_ORDER_IDS=");
    env.push_back("DIRECT_DLQ_ORDER_IDS=");
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());

  SampledService svc(service, env, ServiceLogPath(topo));
  json series = json::array();
  double first_s = -1, committed_s = -1, all_s = -1;
  std::int64_t committed = 0, depth = 0;
  while (Since(svc.started()) < 300) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    const double t = Since(svc.started());
    if (auto d = topo.QueueDepth(true); d >= 0) depth = d;
    if (auto c = topo.CommittedSum(topo.main_group(), topo.main_topic()); c >= 0) committed = c;
    series.push_back({t, committed, depth});
    if (first_s < 0 && depth > 0) first_s = t;
    if (committed_s < 0 && committed >= n) committed_s = t;
    if (committed >= n && depth >= n) {
      all_s = t;
      break;
    }
  }
  const auto rss = svc.RssSamples();
  const double peak_mb = static_cast<double>(svc.PeakRssKb()) / 1024.0;
  const double cpu_s = svc.CpuSeconds();
  svc.Stop();

  const bool done = all_s > 0;
  const double drain_rate = done ? n / (all_s - first_s) : 0;
  const double main_rate = committed_s > 0 ? n / (committed_s - first_s) : 0;
  json result{{"label", label},
              {"orders", n},
              {"machine", machine},
              {"env", extra_env},
              {"first_message_s", first_s},
              {"main_committed_s", committed_s},
              {"all_in_sqs_s", all_s},
              {"drain_msgs_per_s", drain_rate},
              {"main_path_msgs_per_s", main_rate},
              {"steady_rss_mb", SteadyRssMb(rss)},
              {"peak_rss_mb", peak_mb},
              {"service_cpu_s", cpu_s},
              {"service_cpu_us_per_order", cpu_s * 1e6 / n},
              {"in_sqs", depth},
              {"committed", committed},
              {"series", series}};
  if (raw) result["raw_consume"] = raw_result;

  bool ok = done;
  if (fail_percent > 0 && done) {
    const auto due = RetryDueTimes(topo, static_cast<int>(failing.size()));
    const auto sent = ReceiveAll(topo, n);
    int early = 0, missing = 0;
    std::vector<double> slack;
    for (const auto& id : failing) {
      auto d = due.find(id);
      auto s = sent.find(id);
      if (d == due.end() || s == sent.end()) {
        ++missing;
        continue;
      }
      if (s->second < d->second) ++early;
      slack.push_back(static_cast<double>(s->second - d->second));
    }
    std::sort(slack.begin(), slack.end());
    result["retry"] = {{"fail_once_percent", fail_percent},
                       {"retried", failing.size()},
                       {"envelopes_seen", due.size()},
                       {"delivered_total", sent.size()},
                       {"missing", missing},
                       {"before_due", early},
                       {"after_due_ms_min", slack.empty() ? 0 : slack.front()},
                       {"after_due_ms_p50", Percentile(slack, 50)},
                       {"after_due_ms_max", slack.empty() ? 0 : slack.back()}};
    ok = ok && missing == 0 && early == 0 && static_cast<int>(sent.size()) == n;
  }

  PrintMachine(machine);
  std::printf("%-22s %-8s %-9s %-10s %-12s %-12s %-10s %-10s %-10s %-8s\n", "run", "orders",
              "first s", "drain s", "drain msg/s", "main msg/s", "steady MB", "peak MB",
              "CPU us/msg", "in SQS");
  std::printf("%-22s %-8d %-9.2f %-10.2f %-12.0f %-12.0f %-10.1f %-10.1f %-10.1f %-8lld\n",
              label.empty() ? "drain" : label.c_str(), n, first_s, done ? all_s - first_s : -1,
              drain_rate, main_rate, SteadyRssMb(rss), peak_mb, cpu_s * 1e6 / n,
              static_cast<long long>(depth));
  if (raw) {
    std::printf("raw librdkafka consume of the same backlog: %.0f msg/s (%.1f MB/s)\n",
                raw_result["msgs_per_s"].get<double>(), raw_result["mb_per_s"].get<double>());
  }
  if (result.contains("retry")) {
    const auto& r = result["retry"];
    std::printf(
        "retried %s (%d %%): missing %s, before due %s, after due by %s..%s ms (median %s)\n",
        r["retried"].dump().c_str(), fail_percent, r["missing"].dump().c_str(),
        r["before_due"].dump().c_str(), r["after_due_ms_min"].dump().c_str(),
        r["after_due_ms_max"].dump().c_str(), r["after_due_ms_p50"].dump().c_str());
  }
  if (!json_out.empty()) std::ofstream(json_out) << result.dump(1);
  if (!ok) std::fprintf(stderr, "drain_bench: the run did not complete as expected\n");
  return ok ? 0 : 1;
}
