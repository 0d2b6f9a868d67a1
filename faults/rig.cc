#include "faults/rig.h"

#include <algorithm>
#include <cinttypes>
#include <fstream>
#include <sstream>

#include "testkit/child_process.h"
#include "testkit/eventually.h"

namespace driftline::faults {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testkit::Eventually;
using testkit::SqsCollector;
using testkit::TopicTail;
using testkit::Topology;

std::string Format(const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

double SecondsSince(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items)
    out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string OffsetsText(const std::map<std::int32_t, std::int64_t>& committed,
                        const std::map<std::int32_t, std::int64_t>& ends) {
  std::string out;
  for (const auto& [p, end] : ends) {
    auto c = committed.find(p);
    out += Format("%s%d:%" PRId64 "/%" PRId64, out.empty() ? "" : " ", p,
                  c == committed.end() ? std::int64_t{0} : c->second, end);
  }
  return out;
}

bool AtEnd(const std::map<std::int32_t, std::int64_t>& committed,
           const std::map<std::int32_t, std::int64_t>& ends) {
  for (const auto& [p, end] : ends) {
    auto c = committed.find(p);
    if ((c == committed.end() ? 0 : c->second) < end) return false;
  }
  return true;
}

// Ids for the service's test-fault lists; an empty list disables the lab's default ids.
std::vector<std::string> FaultEnv(const std::vector<std::string>& fail_once,
                                  const std::vector<std::string>& always_fail,
                                  const std::vector<std::string>& direct_dlq) {
  return {"ENABLE_TEST_FAILURE_SCENARIOS=true", "FAIL_ONCE_ORDER_IDS=" + Join(fail_once),
          "ALWAYS_FAIL_ORDER_IDS=" + Join(always_fail), "DIRECT_DLQ_ORDER_IDS=" + Join(direct_dlq)};
}

// A valid order, or about one in a hundred poison ones when `poison` is set.
OrderKind MixedKind(int i, bool poison) {
  return poison && i % 100 == 50 ? OrderKind::kPoison : OrderKind::kMixed;
}

std::int64_t DueInSqs(const std::vector<PlannedOrder>& orders) {
  return std::count_if(orders.begin(), orders.end(),
                       [](const PlannedOrder& o) { return o.destination == Destination::kSqs; });
}

Result<int> Stack(const Environment& env, const std::vector<std::string>& args,
                  const std::string& log, seconds limit) {
  std::vector<std::string> argv = {"/bin/bash", env.stack_script};
  argv.insert(argv.end(), args.begin(), args.end());
  return testkit::RunToCompletion(argv, {}, log, limit);
}

std::optional<pid_t> OurBrokerPid(Rig& rig, const Environment& env) {
  const std::string log = rig.LogPath("stack-status");
  (void)Stack(env, {"status"}, log, seconds(60));
  std::ifstream in(log);
  std::string line;
  const std::string port = env.kafka.substr(env.kafka.rfind(':') + 1);
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string svc, state, pid_word, pid, port_word, p;
    words >> svc >> state >> pid_word >> pid >> port_word >> p;
    if (svc == "kafka" && state == "running" && p == port &&
        pid.find_first_not_of("0123456789") == std::string::npos && !pid.empty()) {
      return static_cast<pid_t>(std::stol(pid));
    }
  }
  rig.Failed("the stack script manages the broker at " + env.kafka,
             "`" + env.stack_script + " status` shows no running kafka on port " + port +
                 "; run the campaign with the STACK_DIR/KAFKA_PORT the stack was started with "
                 "(see " +
                 log + ")");
  return std::nullopt;
}

void EndStream(Rig& rig, double rate, seconds finish_limit, seconds settle_limit) {
  const std::int64_t at_recovery = rig.sqs->Received();
  rig.Expect(
      "orders flow again after the fault",
      Eventually(
          [&] { return rig.sqs->Received() >= at_recovery + static_cast<std::int64_t>(rate * 3); },
          seconds(90)));
  if (Status s = rig.feed->Finish(finish_limit); !s) {
    rig.Failed("every order was accepted by Kafka (the campaign's producer)", s.error().ToString());
  }
  rig.Note(Format("%" PRId64 " orders sent in all", rig.feed->Sent()));
  rig.Settle(settle_limit);
}

void GracefulStop(Rig& rig, ServiceInstance& s, const std::string& name) {
  const auto code = s.Terminate();
  rig.Expect(name + " stops gracefully on SIGTERM (exit 0)", code == 0,
             code ? Format("exit %d", *code) : "did not exit within 30 s, or died of a signal");
}

bool Rig::Setup(const RigOptions& o) {
  const int partitions = o.partitions;
  const std::string sqs_endpoint = o.sqs_endpoint.empty() ? env_.sqs_endpoint : o.sqs_endpoint;
  testkit::TopologyOptions options;
  options.kafka = env_.kafka;
  options.sqs_endpoint = sqs_endpoint;
  options.sqs_credentials = o.sqs_credentials;
  options.prefix = "faults-" + result.name;
  options.partitions = partitions;
  options.queue_attributes["VisibilityTimeout"] = "180";
  auto topo = Topology::Create(options);
  if (!topo) return Failed("topology created", topo.error().ToString());
  topology = std::move(*topo);
  auto feed_or = OrderFeed::Create(*topology, ledger);
  if (!feed_or) return Failed("producer created", feed_or.error().ToString());
  feed = std::move(*feed_or);
  auto sqs_or = SqsCollector::Start(
      sqs_endpoint, topology->queue_url(), 3,
      [this](const std::string& id) { ledger.CountSqs(id); }, o.sqs_credentials);
  if (!sqs_or) return Failed("SQS collector started", sqs_or.error().ToString());
  sqs = std::move(*sqs_or);
  testkit::OnCorrelationId count_dead_letter = nullptr;
  if (o.count_dead_letters) {
    count_dead_letter = [this](const std::string& id) { ledger.CountDeadLetter(id); };
  }
  auto dlq_or = TopicTail::Start(env_.kafka, topology->dlq_topic(), partitions, count_dead_letter);
  if (!dlq_or) return Failed("dead-letter reader started", dlq_or.error().ToString());
  dlq = std::move(*dlq_or);
  auto retry_or = TopicTail::Start(env_.kafka, topology->retry_topic(), partitions);
  if (!retry_or) return Failed("retry-topic reader started", retry_or.error().ToString());
  retry = std::move(*retry_or);
  Say("topology %s (%d partition%s)", topology->base().c_str(), partitions,
      partitions == 1 ? "" : "s");
  return true;
}

std::unique_ptr<ServiceInstance> Rig::StartService(const std::vector<std::string>& env,
                                                   const std::string& name) {
  // The broker's minimum session timeout: a killed member's partitions move after about 6 s
  // instead of 45.
  std::vector<std::string> service_env = {"KAFKA_PROPERTY_SESSION_TIMEOUT_MS=6000",
                                          "KAFKA_PROPERTY_HEARTBEAT_INTERVAL_MS=500",
                                          "LOG_LEVEL=info"};
  service_env.insert(service_env.end(), env.begin(), env.end());
  auto s = ServiceInstance::Start(
      {env_.service_bin, topology->ServiceEnv(service_env), LogPath(name), true});
  if (!s) {
    Failed("order-service " + name + " started", s.error().ToString());
    return nullptr;
  }
  Say("order-service %s started (pid %d, log %s)", name.c_str(), static_cast<int>((*s)->pid()),
      (*s)->log().c_str());
  return std::move(*s);
}

bool Rig::WaitReady(ServiceInstance& s, const std::string& name, seconds limit) {
  const auto t0 = Steady::now();
  const bool ok = Eventually([&] { return s.Health() == 200; }, limit, milliseconds(100));
  Expect(name + " /healthz ready after start", ok,
         ok ? Format("%.1f s", SecondsSince(t0)) : "see " + s.log());
  return ok;
}

bool Rig::Settle(seconds limit) {
  std::map<std::int32_t, std::int64_t> main_end, main_committed, retry_end, retry_committed,
      dlq_end;
  auto settled = [&] {
    auto me = topology->EndOffsets(topology->main_topic());
    auto mc = topology->CommittedOffsets(topology->main_group(), topology->main_topic());
    auto re = topology->EndOffsets(topology->retry_topic());
    auto rc = topology->CommittedOffsets(topology->retry_group(), topology->retry_topic());
    auto de = topology->EndOffsets(topology->dlq_topic());
    if (!me || !mc || !re || !rc || !de) return false;
    main_end = *me, main_committed = *mc, retry_end = *re, retry_committed = *rc, dlq_end = *de;
    return AtEnd(main_committed, main_end) && AtEnd(retry_committed, retry_end) &&
           ledger.MissingInSqs() == 0 && dlq->CaughtUp(dlq_end);
  };
  const auto t0 = Steady::now();
  const bool ok = Eventually(settled, limit, milliseconds(250));
  Note("main group committed/end per partition: " + OffsetsText(main_committed, main_end));
  Note("retry group committed/end per partition: " + OffsetsText(retry_committed, retry_end));
  Expect(
      "every order finished (offsets committed to the end, outputs seen)", ok,
      ok ? Format("settled %.1f s after the last fault step", SecondsSince(t0))
         : Format("after %lld s: %" PRId64 " orders still missing in SQS, %" PRId64 " in the DLQ",
                  static_cast<long long>(limit.count()), ledger.MissingInSqs(),
                  ledger.MissingInDeadLetter()));
  // Late duplicates: the queue must stay empty for a moment before counting.
  Eventually([&] { return QueueDepth() == 0 && sqs->IdleMs() >= 2500; }, seconds(30),
             milliseconds(250));
  return ok;
}

void Rig::Say(const char* fmt, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  std::printf("[%s %6.1fs] %s\n", result.name.c_str(), SecondsSince(start_), buf);
  std::fflush(stdout);
}

ScenarioResult Rig::Finish() {
  result.tally = ledger.Summarize();
  result.seconds = SecondsSince(start_);
  if (result.tally.lost > 0) {
    Note("lost (first ids): " + Join(ledger.LostIds(10)));
  }
  if (result.tally.unknown > 0) {
    Note(Format("%" PRId64 " deliveries carried no correlation id of this scenario",
                result.tally.unknown));
  }
  // Stop the collectors before the topology goes away.
  sqs.reset();
  dlq.reset();
  retry.reset();
  feed.reset();
  topology.reset();
  return result;
}

}  // namespace driftline::faults
