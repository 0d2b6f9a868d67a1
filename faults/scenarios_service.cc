#include "faults/scenarios_service.h"

#include <signal.h>

#include <cinttypes>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bridge/config.h"
#include "bridge/routing.h"
#include "common/clock.h"
#include "faults/rig.h"
#include "testkit/child_process.h"
#include "testkit/eventually.h"
#include "testkit/moto.h"
#include "testkit/tcp_proxy.h"

namespace driftline::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testkit::Eventually;
using testkit::TcpProxy;

// The service's /healthz text ("" when it does not answer).
std::string HealthText(const ServiceInstance& s) {
  return s.HealthReply().body;
}

// Samples /healthz every 250 ms for `how_long`; true when no sample was ready (200).
bool NeverReadyFor(Rig& rig, const ServiceInstance& s, Steady::duration how_long,
                   const std::string& what) {
  const auto until = Steady::now() + how_long;
  int samples = 0, ready = 0;
  while (Steady::now() < until) {
    ++samples;
    ready += s.Health() == 200;
    std::this_thread::sleep_for(milliseconds(250));
  }
  rig.Expect("/healthz stays not ready while " + what, ready == 0,
             Format("%d of %d samples ready", ready, samples));
  return ready == 0;
}

// Waits (up to 30 s) until /healthz is 503 and its text names `cause`.
void ExpectNotReadyNaming(Rig& rig, const ServiceInstance& s, const std::string& cause,
                          Steady::time_point since) {
  std::string text;
  const bool named = Eventually(
      [&] {
        if (s.Health() != 503) return false;
        text = HealthText(s);
        return text.find(cause) != std::string::npos;
      },
      seconds(30), milliseconds(100));
  std::string line = text.substr(0, text.find('\n', text.find("sqs queue")));
  if (auto at = text.find("sqs queue"); at != std::string::npos) line = line.substr(at);
  rig.Expect("/healthz goes not ready and names " + cause, named,
             named ? Format("%.1f s after the fault: \"%s\"", SecondsSince(since), line.c_str())
                   : "its text: " + text);
}

void ExpectReadyAgain(Rig& rig, ServiceInstance& s, const std::string& after) {
  const auto t0 = Steady::now();
  const bool back = Eventually([&] { return s.Health() == 200; }, seconds(90), milliseconds(100));
  rig.Expect("/healthz ready again after " + after, back,
             back ? Format("%.1f s", SecondsSince(t0)) : "see " + s.log());
}

// Messages in SQS plus those the collectors hold: how far the service has got.
std::int64_t Progress(Rig& rig) {
  return rig.sqs->Received() + rig.QueueDepth();
}

bool WaitProgress(Rig& rig, std::int64_t target, const ServiceInstance& s) {
  const bool ok =
      Eventually([&] { return Progress(rig) >= target; }, seconds(180), milliseconds(20));
  if (!ok) {
    rig.Failed("orders flow before the fault",
               Format("only %" PRId64 " of %" PRId64 " in SQS; see %s", Progress(rig), target,
                      s.log().c_str()));
  }
  return ok;
}

std::vector<PlannedOrder> Backlog(const std::string& prefix, int n, bool poison) {
  std::vector<PlannedOrder> orders;
  for (int i = 0; i < n; ++i)
    orders.push_back(MakeOrder(prefix, i, MixedKind(i, poison)));
  return orders;
}

Result<std::unique_ptr<TcpProxy>> ProxyTo(const std::string& endpoint) {
  const std::string hostport = endpoint.substr(endpoint.find("//") + 2);
  const auto colon = hostport.rfind(':');
  return TcpProxy::Start(hostport.substr(0, colon), std::stoi(hostport.substr(colon + 1)));
}

void ExpectNoRetries(Rig& rig) {
  rig.Expect("nothing was sent to the retry topic", rig.retry->Count() == 0,
             Format("%zu retry records", rig.retry->Count()));
}

// SIGCONT for a broker stopped with SIGSTOP, whatever happens to the scenario.
class Paused {
 public:
  explicit Paused(pid_t pid) : pid_(pid) { ::kill(pid_, SIGSTOP); }
  ~Paused() { Resume(); }
  Paused(const Paused&) = delete;
  Paused& operator=(const Paused&) = delete;
  void Resume() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
    pid_ = -1;
  }

 private:
  pid_t pid_;
};

}  // namespace

// ---- the queue deleted mid-backlog and created again ----

ScenarioResult QueueRecreated(const Environment& env, const CampaignOptions& o) {
  Rig rig(env, "queue-recreated");
  const int n = o.short_form ? 3000 : 20000;
  const auto outage = seconds(o.short_form ? 8 : 30);
  if (!rig.Setup(1)) return rig.Finish();
  auto proxy = ProxyTo(env.sqs_endpoint);
  if (!proxy) {
    rig.Failed("loopback proxy to SQS started", proxy.error().ToString());
    return rig.Finish();
  }
  auto orders = Backlog(rig.topology->base(), n, true);
  const std::int64_t due_sqs = DueInSqs(orders);
  if (Status s = rig.feed->SendAll(orders, seconds(180)); !s) {
    rig.Failed("backlog produced", s.error().ToString());
    return rig.Finish();
  }
  auto svc = rig.StartService({"SQS_ENDPOINT=http://127.0.0.1:" + std::to_string((*proxy)->port())},
                              "service");
  if (!svc || !rig.WaitReady(*svc, "order-service", seconds(60))) return rig.Finish();
  const pid_t pid = svc->pid();
  if (!WaitProgress(rig, due_sqs * 3 / 10, *svc)) return rig.Finish();

  // What is in the queue when it is deleted is gone with it, by anyone's account. So the
  // service is cut off for a moment, the collectors empty the queue, and only then is it
  // deleted: every order the service sent was counted, and the rest is the service's to keep.
  (*proxy)->SetDown(true);
  const bool drained =
      Eventually([&] { return rig.topology->QueueDepth(true) == 0 && rig.sqs->IdleMs() >= 2500; },
                 seconds(60), milliseconds(100));
  rig.Expect("the queue emptied by the collectors before it is deleted", drained);
  auto deleted = rig.topology->sqs().DeleteQueue(rig.topology->queue_url());
  if (!deleted) {
    rig.Failed("queue deleted", deleted.error().ToString());
    return rig.Finish();
  }
  (*proxy)->SetDown(false);
  const auto gone_since = Steady::now();
  const std::int64_t at_delete = rig.sqs->Received();
  rig.Note(Format("queue deleted at %.1f s with %" PRId64 " of %" PRId64
                  " orders in SQS; missing for %lld s",
                  rig.Elapsed(), at_delete, due_sqs, static_cast<long long>(outage.count())));
  ExpectNotReadyNaming(rig, *svc, "QueueDoesNotExist", gone_since);
  NeverReadyFor(rig, *svc, outage - (Steady::now() - gone_since), "the queue is missing");
  const std::size_t retried = rig.retry->Count();
  sqs::CreateQueueRequest create;
  create.queue_name = rig.topology->queue_name();
  create.attributes["VisibilityTimeout"] = "180";
  auto url = rig.topology->sqs().CreateQueue(create);
  if (!url || *url != rig.topology->queue_url()) {
    rig.Failed("queue created again under its URL",
               url ? "a different URL: " + *url : url.error().ToString());
    return rig.Finish();
  }
  ExpectReadyAgain(rig, *svc, "the queue is back");
  rig.Expect("nothing moved to the retry topic while the queue was missing", retried == 0,
             Format("%zu retry records", retried));
  rig.Settle(seconds(o.short_form ? 120 : 300));
  ExpectNoRetries(rig);
  rig.Expect("the same process throughout", svc->Running() && svc->pid() == pid);
  GracefulStop(rig, *svc, "order-service");
  return rig.Finish();
}

// ---- wrong credentials, then corrected; access revoked, then granted (moto) ----

ScenarioResult WrongCredentials(const Environment& env, const CampaignOptions& o) {
  Rig rig(env, "wrong-credentials");
  const int n = o.short_form ? 400 : 3000;
  const auto outage = seconds(o.short_form ? 8 : 20);
  auto moto = testkit::MotoServer::Start(env.log_dir + "/wrong-credentials-moto.log");
  if (!moto) {
    rig.Failed("moto_server started", moto.error().ToString());
    return rig.Finish();
  }
  const std::string user = "order-service";
  auto good = (*moto)->CreateUser(user);
  auto admin = (*moto)->CreateAdmin("operator");
  if (!good || !admin) {
    rig.Failed("IAM users created on moto", (good ? admin.error() : good.error()).ToString());
    return rig.Finish();
  }
  if (Status s = (*moto)->EnableAuth(); !s) {
    rig.Failed("moto's IAM checks switched on", s.error().ToString());
    return rig.Finish();
  }
  RigOptions options;
  options.sqs_endpoint = (*moto)->url();
  options.sqs_credentials = *admin;
  if (!rig.Setup(options)) return rig.Finish();
  rig.Note("SQS is moto_server at " + (*moto)->url() + " with SigV4 and IAM checks on");
  auto orders = Backlog(rig.topology->base(), n, true);
  const std::int64_t due_sqs = DueInSqs(orders);
  if (Status s = rig.feed->SendAll(orders, seconds(120)); !s) {
    rig.Failed("backlog produced", s.error().ToString());
    return rig.Finish();
  }
  const std::vector<std::string> endpoint = {"SQS_ENDPOINT=" + (*moto)->url(),
                                             "AWS_ACCESS_KEY_ID=" + good->access_key_id};

  // 1. A wrong secret: nothing is consumed, nothing dead-lettered; corrected by a restart.
  auto wrong_env = endpoint;
  wrong_env.push_back("AWS_SECRET_ACCESS_KEY=wrong-secret-" + good->access_key_id);
  auto first = rig.StartService(wrong_env, "wrong-secret");
  if (!first) return rig.Finish();
  const auto started = Steady::now();
  ExpectNotReadyNaming(rig, *first, "SignatureDoesNotMatch", started);
  NeverReadyFor(rig, *first, outage, "the secret is wrong");
  const std::int64_t committed =
      rig.topology->CommittedSum(rig.topology->main_group(), rig.topology->main_topic());
  rig.Expect("nothing consumed, dead-lettered or retried with the wrong secret",
             committed == 0 && rig.dlq->Count() == 0 && rig.retry->Count() == 0,
             Format("main group committed %" PRId64 ", %zu dead letters, %zu retry records",
                    committed, rig.dlq->Count(), rig.retry->Count()));
  GracefulStop(rig, *first, "the instance with the wrong secret");

  auto right_env = endpoint;
  right_env.push_back("AWS_SECRET_ACCESS_KEY=" + good->secret_access_key);
  auto svc = rig.StartService(right_env, "corrected");
  if (!svc || !rig.WaitReady(*svc, "order-service with the secret corrected", seconds(60)))
    return rig.Finish();
  const pid_t pid = svc->pid();
  if (!WaitProgress(rig, due_sqs * 3 / 10, *svc)) return rig.Finish();

  // 2. sqs:* revoked mid-stream (AccessDenied), then granted again: no restart needed.
  if (Status s = (*moto)->DenySqs(user, *admin); !s) {
    rig.Failed("sqs:* revoked", s.error().ToString());
    return rig.Finish();
  }
  const auto revoked = Steady::now();
  rig.Note(Format("sqs:* revoked at %.1f s with %" PRId64 " of %" PRId64 " orders in SQS",
                  rig.Elapsed(), rig.sqs->Received(), due_sqs));
  ExpectNotReadyNaming(rig, *svc, "AccessDenied", revoked);
  NeverReadyFor(rig, *svc, outage - (Steady::now() - revoked), "sqs:* is denied");
  const std::size_t retried = rig.retry->Count();
  if (Status s = (*moto)->AllowSqs(user, *admin); !s) {
    rig.Failed("sqs:* granted again", s.error().ToString());
    return rig.Finish();
  }
  ExpectReadyAgain(rig, *svc, "sqs:* is granted again");
  rig.Expect("nothing moved to the retry topic while access was denied", retried == 0,
             Format("%zu retry records", retried));
  rig.Settle(seconds(o.short_form ? 120 : 300));
  ExpectNoRetries(rig);
  rig.Expect("the same process throughout the revocation", svc->Running() && svc->pid() == pid);
  GracefulStop(rig, *svc, "order-service");
  return rig.Finish();
}

// ---- SIGTERM while the broker does not answer ----

ScenarioResult SlowBrokerSigterm(const Environment& env, const CampaignOptions& o) {
  Rig rig(env, "slow-broker-sigterm");
  const int n = o.short_form ? 2000 : 10000;
  const auto pause = seconds(o.short_form ? 12 : 20);
  if (!rig.Setup(1)) return rig.Finish();
  const auto broker = OurBrokerPid(rig, env);
  if (!broker) return rig.Finish();
  // One order in five fails once: retry envelopes are being produced when the broker stalls.
  std::vector<PlannedOrder> orders;
  std::vector<std::string> fail_once;
  for (int i = 0; i < n; ++i) {
    const bool fails = i % 5 == 2;
    orders.push_back(
        MakeOrder(rig.topology->base(), i, fails ? OrderKind::kFailOnce : MixedKind(i, true)));
    if (fails) fail_once.push_back(orders.back().order_id);
  }
  const std::int64_t due_sqs = DueInSqs(orders);
  const auto extra = FaultEnv(fail_once, {}, {});
  auto svc = rig.StartService(extra, "first");
  if (!svc || !rig.WaitReady(*svc, "order-service", seconds(60))) return rig.Finish();
  if (Status s = rig.feed->SendAll(orders, seconds(180)); !s) {
    rig.Failed("orders produced", s.error().ToString());
    return rig.Finish();
  }
  if (!WaitProgress(rig, due_sqs / 4, *svc)) return rig.Finish();

  const pid_t service_pid = svc->pid();
  std::optional<int> code;
  double stopped_after = 0;
  {
    Paused paused(*broker);
    const auto t0 = Steady::now();
    rig.Note(
        Format("broker (pid %d) stopped with SIGSTOP at %.1f s, %zu retry records and "
               "%" PRId64 " orders in SQS so far; SIGTERM to order-service (pid %d)",
               static_cast<int>(*broker), rig.Elapsed(), rig.retry->Count(), rig.sqs->Received(),
               static_cast<int>(service_pid)));
    std::thread stopper([&] {
      code = svc->Terminate(seconds(120));
      stopped_after = SecondsSince(t0);
    });
    std::this_thread::sleep_for(pause);  // the fault: how long the broker does not answer
    paused.Resume();
    rig.Note(Format("broker resumed after %.1f s", SecondsSince(t0)));
    stopper.join();
  }
  rig.Expect("order-service exits by itself on SIGTERM with the broker stalled (exit 0, no crash)",
             code && *code == 0,
             code ? Format("exit %d after %.1f s", *code, stopped_after)
                  : "killed after 120 s, or died of a signal; see " + svc->log());
  if (auto committed =
          rig.topology->CommittedOffsets(rig.topology->main_group(), rig.topology->main_topic())) {
    rig.Note(Format("main group committed offset when the first instance exited: %" PRId64
                    " of %d (what it sent past that while its commits could not reach the "
                    "broker is sent again by the next instance: duplicates)",
                    committed->empty() ? std::int64_t{0} : committed->begin()->second, n));
  }
  auto second = rig.StartService(extra, "second");
  if (!second || !rig.WaitReady(*second, "the restarted instance", seconds(90)))
    return rig.Finish();
  rig.Settle(seconds(o.short_form ? 120 : 300));
  GracefulStop(rig, *second, "the restarted instance");
  return rig.Finish();
}

// ---- redrive after an older build's outage ----

ScenarioResult RedriveAfterOutage(const Environment& env, const CampaignOptions& o) {
  Rig rig(env, "redrive");
  const int n = o.short_form ? 300 : 3000;
  RigOptions options;
  options.partitions = 2;
  options.count_dead_letters = false;  // this scenario writes the dead letters itself
  if (!rig.Setup(options)) return rig.Finish();

  // What an older build wrote while the queue did not exist: every good order dead-lettered
  // with the queue's error; besides them, poison input, which stays where it is.
  bridge::BridgeConfig config;
  config.main_topic = rig.topology->main_topic();
  config.retry_topic = rig.topology->retry_topic();
  config.dlq_topic = rig.topology->dlq_topic();
  config.main_group = rig.topology->main_group();
  config.retry_group = rig.topology->retry_group();
  config.sqs_queue_url = rig.topology->queue_url();
  const bridge::RouteContext ctx{config, Clock::System()};
  const Error missing(Code::kNotFound,
                      "AWS.SimpleQueueService.NonExistentQueue: The specified queue does not "
                      "exist for this wsdl version.");
  std::vector<kafka::OutgoingMessage> dead_letters;
  int good = 0, poison = 0;
  for (int i = 0; i < n; ++i) {
    PlannedOrder order = MakeOrder(rig.topology->base(), i, MixedKind(i, true));
    kafka::Message in;
    in.topic = config.main_topic;
    in.partition = i % 2;
    in.offset = i / 2;
    in.key = order.order_id;
    in.payload = order.payload;
    in.headers.Add("CorrelationId", order.order_id);
    if (order.destination == Destination::kSqs) {
      rig.ledger.Add(order);  // due in SQS once redriven
      dead_letters.push_back(bridge::RouteSqsRejection(in, missing, ctx).message);
      ++good;
    } else {
      auto route = bridge::RouteMain(in, ctx);
      dead_letters.push_back(std::get<bridge::KafkaOutput>(route).message);
      ++poison;
    }
  }
  if (Status s = rig.topology->Produce(dead_letters, seconds(120)); !s) {
    rig.Failed("the older build's dead letters written", s.error().ToString());
    return rig.Finish();
  }
  rig.Note(
      Format("%d dead letters written as the older build wrote them: %d good orders the "
             "missing queue was blamed for, %d poison",
             n, good, poison));
  auto svc = rig.StartService({}, "service");
  if (!svc || !rig.WaitReady(*svc, "order-service", seconds(60))) return rig.Finish();

  auto redrive = [&](const std::vector<std::string>& args, const std::string& name) {
    std::vector<std::string> argv = {"/usr/bin/env"};
    for (const auto& e :
         rig.topology->ServiceEnv({"REDRIVE_GROUP_ID=" + rig.topology->base() + "-redrive"}))
      argv.push_back(e);
    argv.push_back(env.redrive_bin);
    argv.insert(argv.end(), args.begin(), args.end());
    testkit::CapturedRun run = testkit::RunCaptured(argv, seconds(180));
    std::ofstream(rig.LogPath(name)) << run.output;
    return run;
  };
  auto summary = [](const testkit::CapturedRun& run) {
    const auto at = run.output.rfind("read ");
    return at == std::string::npos ? run.output.substr(0, 300)
                                   : run.output.substr(at, run.output.find('\n', at) - at);
  };
  const std::vector<std::string> filter = {"--reason", "queue does not exist"};
  auto args = filter;
  args.insert(args.begin(), "--dry-run");
  auto dry = redrive(args, "redrive-dry-run");
  const std::string would = Format("would redrive %d, refused 0, skipped %d", good, poison);
  rig.Expect("a dry run shows every good order and moves nothing",
             dry.exit_code == 0 && dry.output.find(would) != std::string::npos &&
                 rig.topology->EndOffsetSum(rig.topology->main_topic()) == 0,
             summary(dry));
  auto first = redrive(filter, "redrive-1");
  const std::string redriven = Format("redriven %d, refused 0, skipped %d", good, poison);
  rig.Expect("the redrive re-publishes every good order once",
             first.exit_code == 0 && first.output.find(redriven) != std::string::npos &&
                 rig.topology->EndOffsetSum(rig.topology->main_topic()) == good,
             summary(first));
  rig.Settle(seconds(o.short_form ? 120 : 300));
  auto second = redrive(filter, "redrive-2");
  rig.Expect("a second run redrives nothing (its group committed the first run)",
             second.exit_code == 0 && second.output.find("redriven 0,") != std::string::npos &&
                 rig.topology->EndOffsetSum(rig.topology->main_topic()) == good,
             summary(second));
  const Tally tally = rig.ledger.Summarize();
  rig.Expect("every redriven order reached SQS exactly once",
             tally.in_sqs == good && tally.duplicates == 0,
             Format("%" PRId64 " of %d in SQS, %" PRId64 " duplicates", tally.in_sqs, good,
                    tally.duplicates));
  const std::int64_t dlq_end = rig.topology->EndOffsetSum(rig.topology->dlq_topic());
  rig.Expect("no new dead letter", dlq_end == n,
             Format("%" PRId64 " records on the dead-letter topic, %d written", dlq_end, n));
  ExpectNoRetries(rig);
  GracefulStop(rig, *svc, "order-service");
  return rig.Finish();
}

}  // namespace driftline::faults
