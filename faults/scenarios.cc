#include "faults/scenarios.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "bridge/routing.h"
#include "faults/rig.h"
#include "faults/scenarios_endpoint.h"
#include "faults/scenarios_service.h"
#include "testkit/eventually.h"
#include "testkit/readers.h"
#include "testkit/service.h"
#include "testkit/tcp_proxy.h"

namespace driftline::faults {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testkit::Eventually;
using testkit::HeaderOf;
using testkit::RunToCompletion;
using testkit::SqsCollector;
using testkit::TcpProxy;
using testkit::TopicTail;
using testkit::Topology;

// ---- 1. kill -9 during a backlog ----

ScenarioResult KillNineBacklog(const Environment& env, const CampaignOptions& o) {
  Rig rig(env, "kill9-backlog");
  const int n = o.short_form ? 5000 : 50000;
  if (!rig.Setup(1)) return rig.Finish();
  const std::string prefix = rig.topology->base();
  std::vector<PlannedOrder> orders;
  std::vector<std::string> direct;
  int poison = 0;
  for (int i = 0; i < n; ++i) {
    OrderKind kind = MixedKind(i, true);
    if (kind == OrderKind::kMixed && i % (n / 5) == 17) kind = OrderKind::kDirectDlq;
    orders.push_back(MakeOrder(prefix, i, kind));
    if (kind == OrderKind::kDirectDlq) direct.push_back(orders.back().order_id);
    poison += kind == OrderKind::kPoison;
  }
  const std::int64_t due_sqs = DueInSqs(orders);
  rig.Say("producing a backlog of %d orders (%d poison, %zu direct-DLQ ids)", n, poison,
          direct.size());
  if (Status s = rig.feed->SendAll(orders, seconds(180)); !s) {
    rig.Failed("backlog produced", s.error().ToString());
    return rig.Finish();
  }

  // Three kill moments, one in each third of the drain, drawn from the seed.
  std::mt19937_64 rng(o.seed);
  const double windows[3][2] = {{0.10, 0.30}, {0.40, 0.60}, {0.70, 0.90}};
  double fractions[3];
  for (int k = 0; k < 3; ++k)
    fractions[k] = std::uniform_real_distribution<double>(windows[k][0], windows[k][1])(rng);
  rig.Note(Format("seed %" PRIu64 "; kill -9 when %.1f%%, %.1f%%, %.1f%% of the %" PRId64
                  " orders due in SQS have arrived",
                  o.seed, fractions[0] * 100, fractions[1] * 100, fractions[2] * 100, due_sqs));

  const auto env_extra = FaultEnv({}, {}, direct);
  auto svc = rig.StartService(env_extra, "run1");
  if (!svc) return rig.Finish();
  auto progress = [&] { return rig.sqs->Received() + rig.QueueDepth(); };
  for (int k = 0; k < 3; ++k) {
    const auto target = static_cast<std::int64_t>(fractions[k] * static_cast<double>(due_sqs));
    const bool reached =
        Eventually([&] { return progress() >= target; }, seconds(180), milliseconds(20));
    if (!reached) {
      rig.Failed(Format("kill moment %d reached", k + 1),
                 Format("only %" PRId64 " of %" PRId64 " in SQS; see %s", progress(), target,
                        svc->log().c_str()));
      return rig.Finish();
    }
    const pid_t pid = svc->pid();
    svc->Kill();
    rig.Note(Format("kill -9 #%d (pid %d) at %.1f s: %" PRId64 " messages in SQS (moment: %" PRId64
                    ")",
                    k + 1, static_cast<int>(pid), rig.Elapsed(), progress(), target));
    if (auto committed = rig.topology->CommittedOffsets(rig.topology->main_group(),
                                                        rig.topology->main_topic())) {
      // What lies between the committed offset and what reached SQS is replayed: duplicates.
      rig.Note(Format("  main group committed offset at the kill: %" PRId64,
                      committed->empty() ? std::int64_t{0} : committed->begin()->second));
    }
    svc = rig.StartService(env_extra, Format("run%d", k + 2));
    if (!svc) return rig.Finish();
  }
  rig.Settle(seconds(o.short_form ? 120 : 300));
  rig.Expect("nothing was sent to the retry topic (no retryable order in the mix)",
             rig.retry->Count() == 0, Format("%zu retry records", rig.retry->Count()));
  GracefulStop(rig, *svc, "the last instance");
  return rig.Finish();
}

// ---- 2. the Kafka broker stopped and restarted mid-stream ----

ScenarioResult BrokerOutage(const Environment& env, const CampaignOptions& o) {
  Rig rig(env, "broker-outage");
  const auto outage = seconds(o.short_form ? 8 : 20);
  const double rate = o.short_form ? 250 : 400;
  if (!rig.Setup(1)) return rig.Finish();
  if (!OurBrokerPid(rig, env)) return rig.Finish();
  auto svc = rig.StartService({}, "service");
  if (!svc || !rig.WaitReady(*svc, "order-service", seconds(60))) return rig.Finish();
  const pid_t pid = svc->pid();

  std::vector<PlannedOrder> orders;
  const int planned = static_cast<int>(rate * 600);  // more than enough; the stream is stopped
  for (int i = 0; i < planned; ++i)
    orders.push_back(MakeOrder(rig.topology->base(), i, MixedKind(i, true)));
  rig.feed->StartStream(std::move(orders), rate);
  rig.Say("streaming orders at %.0f/s", rate);
  if (!Eventually([&] { return rig.sqs->Received() >= static_cast<std::int64_t>(rate * 2); },
                  seconds(60))) {
    rig.Failed("orders flow before the fault", "see " + svc->log());
    return rig.Finish();
  }

  const std::string stack_log = rig.LogPath("stack");
  auto t0 = Steady::now();
  auto stopped = Stack(env, {"stop", "kafka"}, stack_log, seconds(120));
  if (!stopped || *stopped != 0) {
    rig.Failed("stack.sh stop kafka", stopped
                                          ? Format("exit %d; see %s", *stopped, stack_log.c_str())
                                          : stopped.error().ToString());
    return rig.Finish();
  }
  rig.Note(Format("broker stopped (took %.1f s) with %" PRId64 " orders sent, %" PRId64
                  " in SQS; down for %lld s",
                  SecondsSince(t0), rig.feed->Sent(), rig.sqs->Received(),
                  static_cast<long long>(outage.count())));
  const auto down_since = Steady::now();
  // The service probes Kafka every 2 s with a 1.5 s metadata request per produced-to topic.
  const bool went = Eventually([&] { return svc->Health() == 503; }, seconds(15));
  rig.Expect("/healthz goes not ready while the broker is down", went,
             went ? Format("%.1f s after the broker stopped", SecondsSince(down_since))
                  : "still ready 15 s into the outage");
  int samples = 0, ready_samples = 0;
  while (Steady::now() - down_since < outage) {
    ++samples;
    ready_samples += svc->Health() == 200;
    std::this_thread::sleep_for(milliseconds(250));
  }
  rig.Expect("/healthz stays not ready while the broker is down", went && ready_samples == 0,
             Format("%d of %d samples ready", ready_samples, samples));
  t0 = Steady::now();
  auto started = Stack(env, {"start", "kafka"}, stack_log, seconds(240));
  if (!started || *started != 0) {
    rig.Failed("stack.sh start kafka", started
                                           ? Format("exit %d; see %s", *started, stack_log.c_str())
                                           : started.error().ToString());
    return rig.Finish();
  }
  rig.Note(Format("broker back after %.1f s down (start took %.1f s)", SecondsSince(down_since),
                  SecondsSince(t0)));
  t0 = Steady::now();
  const bool ready = Eventually([&] { return svc->Health() == 200; }, seconds(120));
  rig.Expect(
      "/healthz back to ready without a restart", ready,
      ready ? Format("%.1f s after the broker answered", SecondsSince(t0)) : "see " + svc->log());
  rig.Expect("the same process throughout (no restart)", svc->Running() && svc->pid() == pid,
             Format("pid %d", static_cast<int>(pid)));
  EndStream(rig, rate, seconds(180), seconds(o.short_form ? 120 : 240));
  rig.Expect("nothing was sent to the retry topic", rig.retry->Count() == 0,
             Format("%zu retry records", rig.retry->Count()));
  GracefulStop(rig, *svc, "order-service");
  return rig.Finish();
}

// ---- 3. SQS unreachable mid-stream ----

ScenarioResult SqsOutage(const Environment& env, const CampaignOptions& o) {
  Rig rig(env, "sqs-outage");
  const auto outage = seconds(o.short_form ? 8 : 30);
  const double rate = o.short_form ? 250 : 400;
  if (!rig.Setup(1)) return rig.Finish();
  const std::string& endpoint = env.sqs_endpoint;  // http://HOST:PORT
  const std::string hostport = endpoint.substr(endpoint.find("//") + 2);
  auto proxy = TcpProxy::Start(hostport.substr(0, hostport.rfind(':')),
                               std::stoi(hostport.substr(hostport.rfind(':') + 1)));
  if (!proxy) {
    rig.Failed("loopback proxy to SQS started", proxy.error().ToString());
    return rig.Finish();
  }
  auto svc = rig.StartService({"SQS_ENDPOINT=http://127.0.0.1:" + std::to_string((*proxy)->port())},
                              "service");
  if (!svc || !rig.WaitReady(*svc, "order-service", seconds(60))) return rig.Finish();
  const pid_t pid = svc->pid();

  std::vector<PlannedOrder> orders;
  const int planned = static_cast<int>(rate * 600);
  for (int i = 0; i < planned; ++i)
    orders.push_back(MakeOrder(rig.topology->base(), i, OrderKind::kMixed));
  rig.feed->StartStream(std::move(orders), rate);
  rig.Say("streaming orders at %.0f/s through proxy port %d", rate, (*proxy)->port());
  if (!Eventually([&] { return rig.sqs->Received() >= static_cast<std::int64_t>(rate * 2); },
                  seconds(60))) {
    rig.Failed("orders flow before the fault", "see " + svc->log());
    return rig.Finish();
  }

  (*proxy)->SetDown(true);
  const auto down_since = Steady::now();
  rig.Note(Format("SQS unreachable for %lld s from here (%" PRId64 " orders sent, %" PRId64
                  " in SQS)",
                  static_cast<long long>(outage.count()), rig.feed->Sent(), rig.sqs->Received()));
  const bool went = Eventually([&] { return svc->Health() == 503; }, seconds(20));
  rig.Expect("/healthz goes not ready during the outage", went,
             went ? Format("%.1f s after the endpoint went away", SecondsSince(down_since))
                  : "still ready 20 s into the outage");
  int samples = 0, ready_samples = 0;
  while (Steady::now() - down_since < outage) {
    ++samples;
    ready_samples += svc->Health() == 200;
    std::this_thread::sleep_for(milliseconds(250));
  }
  rig.Expect("/healthz stays not ready while SQS is unreachable", went && ready_samples == 0,
             Format("%d of %d samples ready", ready_samples, samples));
  const std::size_t retried = rig.retry->Count();
  const std::size_t dead = rig.dlq->Count();
  (*proxy)->SetDown(false);
  const auto up_since = Steady::now();
  const bool back = Eventually([&] { return svc->Health() == 200; }, seconds(60));
  rig.Expect("/healthz back to ready once SQS answers", back,
             back ? Format("%.1f s after the endpoint came back", SecondsSince(up_since))
                  : "see " + svc->log());
  rig.Expect("nothing moved to the retry or dead-letter topic during the outage",
             retried == 0 && dead == 0,
             Format("%zu retry records, %zu dead letters", retried, dead));
  EndStream(rig, rate, seconds(120), seconds(o.short_form ? 120 : 240));
  rig.Expect("no retry records and no dead letters at all",
             rig.retry->Count() == 0 && rig.dlq->Count() == 0,
             Format("%zu retry records, %zu dead letters", rig.retry->Count(), rig.dlq->Count()));
  rig.Expect("the same process throughout", svc->Running() && svc->pid() == pid);
  GracefulStop(rig, *svc, "order-service");
  return rig.Finish();
}

// ---- 4. a restart while retries are pending ----

struct Envelope {
  std::string id;
  int retry_count = -1;
  std::int64_t due_ms = -1;
  std::int64_t timestamp_ms = -1;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
};

std::vector<Envelope> Envelopes(const TopicTail& tail) {
  std::vector<Envelope> out;
  for (const auto& m : tail.Records()) {
    Envelope e;
    e.id = HeaderOf(m, "CorrelationId");
    const std::string rc = HeaderOf(m, bridge::kRetryCountHeader);
    const std::string due = HeaderOf(m, bridge::kRetryDueAtHeader);
    e.retry_count = rc.empty() ? -1 : std::stoi(rc);
    e.due_ms = due.empty() ? -1 : std::stoll(due);
    e.timestamp_ms = m.timestamp_ms;
    e.partition = m.partition;
    e.offset = m.offset;
    out.push_back(e);
  }
  return out;
}

ScenarioResult RetryRestart(const Environment& env, const CampaignOptions& o) {
  Rig rig(env, "retry-restart");
  const int fail_once_n = o.short_form ? 40 : 200;
  const int always_n = o.short_form ? 5 : 20;
  const int normal_n = o.short_form ? 400 : 2000;
  constexpr int kMaxRetries = 4;  // delays 1, 2, 4, 8 s: the last retry waits past a restart
  if (!rig.Setup(1)) return rig.Finish();
  const std::string base = rig.topology->base();
  std::vector<PlannedOrder> always, second_wave;
  std::vector<std::string> always_ids, fail_once_ids;
  for (int i = 0; i < always_n; ++i) {
    always.push_back(MakeOrder(base + "-A", i, OrderKind::kAlwaysFail));
    always_ids.push_back(always.back().order_id);
  }
  for (int i = 0; i < normal_n + fail_once_n; ++i) {
    // One fail-once order in every (normal_n / fail_once_n + 1), the rest valid mixed orders.
    const bool fail_once = i % (normal_n / fail_once_n + 1) == 0 &&
                           static_cast<int>(fail_once_ids.size()) < fail_once_n;
    second_wave.push_back(MakeOrder(base + (fail_once ? "-F" : "-N"), i,
                                    fail_once ? OrderKind::kFailOnce : OrderKind::kMixed));
    if (fail_once) fail_once_ids.push_back(second_wave.back().order_id);
  }
  std::vector<std::string> extra = FaultEnv(fail_once_ids, always_ids, {});
  extra.push_back("MAX_RETRIES=" + std::to_string(kMaxRetries));
  auto svc = rig.StartService(extra, "first");
  if (!svc || !rig.WaitReady(*svc, "order-service", seconds(60))) return rig.Finish();

  auto count_envelopes = [&](const std::string& infix, int retry_count) {
    int n = 0;
    for (const auto& e : Envelopes(*rig.retry))
      n += e.retry_count == retry_count && e.id.find(infix) != std::string::npos;
    return n;
  };
  // Phase 1: the always-failing orders climb to their last retry (due 8 s after it is written).
  if (Status s = rig.feed->SendAll(always, seconds(60)); !s) {
    rig.Failed("always-failing orders produced", s.error().ToString());
    return rig.Finish();
  }
  if (!Eventually([&] { return count_envelopes(base + "-A-", kMaxRetries - 1) >= always_n; },
                  seconds(60))) {
    rig.Failed("always-failing orders reached retry " + std::to_string(kMaxRetries - 1),
               "see " + svc->log());
    return rig.Finish();
  }
  // Phase 2: fail-once orders among valid ones; kill as soon as all their envelopes are written
  // (each due 1 s later, so none of them can have been retried yet).
  if (Status s = rig.feed->SendAll(second_wave, seconds(60)); !s) {
    rig.Failed("second wave produced", s.error().ToString());
    return rig.Finish();
  }
  if (!Eventually([&] { return count_envelopes(base + "-F-", 0) >= fail_once_n; }, seconds(60),
                  milliseconds(20))) {
    rig.Failed("fail-once orders reached the retry topic", "see " + svc->log());
    return rig.Finish();
  }
  svc->Kill();
  rig.Note(Format("kill -9 at %.1f s, once %d fail-once envelopes were in the retry topic",
                  rig.Elapsed(), fail_once_n));
  auto ends = rig.topology->EndOffsets(rig.topology->retry_topic());
  auto committed =
      rig.topology->CommittedOffsets(rig.topology->retry_group(), rig.topology->retry_topic());
  auto main_ends = rig.topology->EndOffsets(rig.topology->main_topic());
  auto main_committed =
      rig.topology->CommittedOffsets(rig.topology->main_group(), rig.topology->main_topic());
  if (main_ends && main_committed) {
    rig.Note("at the kill: main group committed " + OffsetsText(*main_committed, *main_ends) +
             " (what is past it is consumed again: duplicates)");
  }
  svc = rig.StartService(extra, "second");
  const std::int64_t restart_ms = WallMs();
  if (!svc) return rig.Finish();
  if (!ends || !committed) {
    rig.Failed("retry offsets read at the kill", "the admin client did not answer");
    return rig.Finish();
  }
  // Pending: envelopes at or after the retry group's committed offset, i.e. not finished.
  Eventually([&] { return rig.retry->CaughtUp(*ends); }, seconds(30));
  int pending = 0, pending_not_due = 0;
  for (const auto& e : Envelopes(*rig.retry)) {
    auto c = committed->find(e.partition);
    if (e.offset >= (c == committed->end() ? 0 : c->second) && e.offset < ends->at(e.partition)) {
      ++pending;
      pending_not_due += e.due_ms > restart_ms;
    }
  }
  rig.Note(
      Format("at the kill: retry group committed %s; %d envelopes pending, %d of them due "
             "only after the restart",
             OffsetsText(*committed, *ends).c_str(), pending, pending_not_due));
  rig.Expect("retries were pending when the service was killed", pending > 0,
             Format("%d pending", pending));
  rig.Settle(seconds(o.short_form ? 120 : 240));

  // Every retry ran no earlier than its due time: an SQS message of a fail-once order is sent
  // after the due time of its retry envelope; the next envelope of an always-failing order is
  // written after the due time of the previous one. (After a replay an order can have several
  // envelopes with one retry count; the earliest due time is the binding one.)
  std::map<std::string, std::map<int, std::int64_t>> earliest_due;
  std::map<std::string, std::set<int>> counts_seen;
  const auto envelopes = Envelopes(*rig.retry);
  for (const auto& e : envelopes) {
    auto [it, fresh] = earliest_due[e.id].emplace(e.retry_count, e.due_ms);
    if (!fresh) it->second = std::min(it->second, e.due_ms);
    counts_seen[e.id].insert(e.retry_count);
  }
  int checked = 0, early = 0;
  std::int64_t min_margin = INT64_MAX;
  auto check = [&](std::int64_t happened_ms, std::int64_t due_ms) {
    ++checked;
    min_margin = std::min(min_margin, happened_ms - due_ms);
    early += happened_ms < due_ms;
  };
  const std::set<std::string> fail_once_set(fail_once_ids.begin(), fail_once_ids.end());
  for (const auto& d : rig.sqs->Deliveries()) {
    if (!fail_once_set.contains(d.correlation_id)) continue;
    auto due = earliest_due[d.correlation_id].find(0);
    if (due == earliest_due[d.correlation_id].end()) {
      ++early;  // in SQS without any retry envelope: the failure was skipped
      continue;
    }
    check(d.sent_ms, due->second);
  }
  for (const auto& e : envelopes) {
    if (e.retry_count < 1) continue;
    auto due = earliest_due[e.id].find(e.retry_count - 1);
    if (due != earliest_due[e.id].end()) check(e.timestamp_ms, due->second);
  }
  rig.Expect("no retry ran before its retry-due-at", early == 0 && checked > 0,
             Format("%d retries checked (SQS SentTimestamp / envelope timestamp vs retry-due-at), "
                    "%d early, smallest margin %" PRId64 " ms",
                    checked, early, checked > 0 ? min_margin : 0));
  int incomplete = 0;
  for (const auto& id : always_ids)
    incomplete += counts_seen[id].size() != kMaxRetries + 1;
  int wrong_total = 0;
  for (const auto& m : rig.dlq->Records()) {
    json body = json::parse(m.payload, nullptr, false);
    if (!body.is_object() || body.value("totalRetries", -1) != kMaxRetries) ++wrong_total;
  }
  rig.Expect("every always-failing order went through all its retries to the DLQ",
             incomplete == 0 && wrong_total == 0,
             Format("%d orders missing a retry count, %d dead letters without totalRetries=%d",
                    incomplete, wrong_total, kMaxRetries));
  GracefulStop(rig, *svc, "the restarted instance");
  return rig.Finish();
}

// ---- 5. three instances, one killed ----

ScenarioResult Rebalance(const Environment& env, const CampaignOptions& o) {
  Rig rig(env, "three-instances");
  constexpr int kPartitions = 6;
  const int n = o.short_form ? 6000 : 30000;
  const double rate = o.short_form ? 1500 : 3000;
  if (!rig.Setup(kPartitions)) return rig.Finish();
  auto a = rig.StartService({}, "a");
  auto b = rig.StartService({}, "b");
  auto c = rig.StartService({}, "c");
  if (!a || !b || !c) return rig.Finish();
  for (auto* s : {a.get(), b.get(), c.get()}) {
    if (!rig.WaitReady(*s, Format("instance pid %d", static_cast<int>(s->pid())), seconds(90)))
      return rig.Finish();
  }
  std::vector<PlannedOrder> orders;
  for (int i = 0; i < n; ++i) {
    orders.push_back(MakeOrder(rig.topology->base(), i, MixedKind(i, true)));
    orders.back().partition = i % kPartitions;
  }
  const std::int64_t due_sqs = DueInSqs(orders);
  rig.feed->StartStream(std::move(orders), rate);
  rig.Say("streaming %d orders at %.0f/s over %d partitions", n, rate, kPartitions);
  const auto target = static_cast<std::int64_t>(0.4 * static_cast<double>(due_sqs));
  if (!Eventually([&] { return rig.sqs->Received() >= target; }, seconds(120), milliseconds(20))) {
    rig.Failed("orders flow before the fault", "see the instances' logs");
    return rig.Finish();
  }
  const pid_t killed = b->pid();
  b->Kill();
  rig.Note(Format("kill -9 of instance b (pid %d) at %.1f s with %" PRId64 " orders sent, %" PRId64
                  " in SQS",
                  static_cast<int>(killed), rig.Elapsed(), rig.feed->Sent(), rig.sqs->Received()));
  Eventually([&] { return rig.feed->Sent() >= n; }, seconds(120));
  if (Status s = rig.feed->Finish(seconds(120)); !s) {
    rig.Failed("every order was accepted by Kafka (the campaign's producer)", s.error().ToString());
  }
  const bool settled = rig.Settle(seconds(o.short_form ? 120 : 240));
  rig.Expect(
      Format("committed offsets at the end on all %d partitions with b still dead", kPartitions),
      settled && !b->Running());
  GracefulStop(rig, *a, "instance a");
  GracefulStop(rig, *c, "instance c");
  return rig.Finish();
}

}  // namespace

bool ScenarioResult::Passed() const {
  if (tally.lost > 0 || tally.misrouted > 0) return false;
  return std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.ok; });
}

const std::vector<Scenario>& AllScenarios() {
  static const std::vector<Scenario> kAll = {
      {"kill9-backlog",
       "mixed backlog with poison and direct-DLQ orders; kill -9 at three seeded moments",
       KillNineBacklog},
      {"broker-outage", "the Kafka broker stopped and restarted mid-stream", BrokerOutage},
      {"sqs-outage", "SQS unreachable mid-stream (loopback proxy)", SqsOutage},
      {"retry-restart", "kill -9 and restart while retries wait in the retry topic", RetryRestart},
      {"three-instances", "three instances on six partitions, one killed mid-stream", Rebalance},
      {"queue-recreated", "the queue deleted mid-backlog and created again", QueueRecreated},
      {"wrong-credentials",
       "a wrong secret corrected by a restart, then sqs:* revoked and granted again (moto)",
       WrongCredentials},
      {"slow-broker-sigterm", "SIGTERM while the broker does not answer, then a restart",
       SlowBrokerSigterm},
      {"redrive", "an older build's outage dead letters redriven with dlq-redrive, twice",
       RedriveAfterOutage},
      {"sqs-bad-tls", "SQS over https presents an untrusted certificate mid-stream", SqsBadTls},
      {"sqs-garbage-200", "SQS applies each request but replies 200 with an HTML page",
       SqsGarbage200},
  };
  return kAll;
}

std::string FormatTable(const std::vector<ScenarioResult>& results) {
  std::string out = Format("%-20s %8s %8s %8s %6s %10s %8s  %s\n", "scenario", "orders", "in SQS",
                           "in DLQ", "lost", "duplicates", "seconds", "verdict");
  for (const auto& r : results) {
    out += Format("%-20s %8" PRId64 " %8" PRId64 " %8" PRId64 " %6" PRId64 " %10" PRId64
                  " %8.1f  %s\n",
                  r.name.c_str(), r.tally.orders, r.tally.in_sqs, r.tally.in_dlq, r.tally.lost,
                  r.tally.duplicates, r.seconds, r.Passed() ? "PASS" : "FAIL");
  }
  return out;
}

json ToJson(const ScenarioResult& r) {
  json checks = json::array();
  for (const auto& c : r.checks)
    checks.push_back({{"what", c.what}, {"ok", c.ok}, {"detail", c.detail}});
  return {{"scenario", r.name},
          {"orders", r.tally.orders},
          {"in_sqs", r.tally.in_sqs},
          {"in_dlq", r.tally.in_dlq},
          {"lost", r.tally.lost},
          {"duplicates", r.tally.duplicates},
          {"misrouted", r.tally.misrouted},
          {"unknown_deliveries", r.tally.unknown},
          {"seconds", r.seconds},
          {"verdict", r.Passed() ? "PASS" : "FAIL"},
          {"checks", checks},
          {"notes", r.notes}};
}

}  // namespace driftline::faults
