#include "faults/scenarios_endpoint.h"

#include <cinttypes>
#include <functional>
#include <set>
#include <thread>

#include "faults/rig.h"
#include "sqs/protocol/errors.h"
#include "testkit/eventually.h"
#include "testkit/tcp_proxy.h"
#include "testkit/temp_dir.h"
#include "testkit/tls_front.h"
#include "testkit/topology.h"

namespace driftline::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testkit::Eventually;

// One fault of an SQS endpoint that still answers, played on a running service.
struct EndpointFault {
  std::string what;   // "the endpoint presents a self-signed certificate", for the notes
  std::string cause;  // what /healthz must name while it lasts (sqs/protocol/errors.h)
  std::function<void()> begin;
  std::function<void()> end;
  std::function<std::string()> observed;  // what the fault did, for a note at its end
};

// host and port of an http://HOST:PORT endpoint.
std::pair<std::string, int> HostPortOf(const std::string& endpoint) {
  const std::string hostport = endpoint.substr(endpoint.find("//") + 2);
  return {hostport.substr(0, hostport.rfind(':')),
          std::stoi(hostport.substr(hostport.rfind(':') + 1))};
}

// The line of a /healthz report about SQS ("sqs queue: NOT READY (...)"), for the notes.
std::string SqsLineOf(const std::string& report) {
  const auto start = report.find("sqs queue:");
  if (start == std::string::npos) return report;
  const std::string line = report.substr(start, report.find('\n', start) - start);
  return line.size() > 300 ? line.substr(0, 300) + "..." : line;
}

// Streams orders (one in a hundred poison: they must still reach the DLQ), plays `fault` for
// the outage's length once they flow, and checks what SqsOutage checks plus the cause /healthz
// names: not ready throughout, ready after, nothing retried, no dead letter but the poison
// orders', every order accounted for, the same process, a graceful stop. False when it could
// not get as far as the fault (the failure is in the result).
bool RunEndpointFault(Rig& rig, const CampaignOptions& o, const std::vector<std::string>& env,
                      const EndpointFault& fault) {
  const auto outage = seconds(o.short_form ? 8 : 30);
  const double rate = o.short_form ? 250 : 400;
  auto svc = rig.StartService(env, "service");
  if (!svc || !rig.WaitReady(*svc, "order-service", seconds(60))) return false;
  const pid_t pid = svc->pid();

  std::vector<PlannedOrder> orders;
  std::set<std::string> poison;
  const int planned = static_cast<int>(rate * 600);  // more than enough; the stream is stopped
  for (int i = 0; i < planned; ++i) {
    orders.push_back(MakeOrder(rig.topology->base(), i, MixedKind(i, true)));
    if (orders.back().destination == Destination::kDeadLetter)
      poison.insert(orders.back().order_id);
  }
  // Dead letters for anything but a poison order: an order dead-lettered for the endpoint.
  auto wrongly_dead = [&] {
    std::size_t n = 0;
    for (const auto& m : rig.dlq->Records())
      n += poison.count(testkit::HeaderOf(m, "CorrelationId")) == 0;
    return n;
  };
  rig.feed->StartStream(std::move(orders), rate);
  rig.Say("streaming orders at %.0f/s (1%% poison)", rate);
  if (!Eventually([&] { return rig.sqs->Received() >= static_cast<std::int64_t>(rate * 2); },
                  seconds(60))) {
    return rig.Failed("orders flow before the fault", "see " + svc->log());
  }

  fault.begin();
  const auto since = Steady::now();
  rig.Note(Format("%s for %lld s (%" PRId64 " orders sent, %" PRId64 " in SQS)", fault.what.c_str(),
                  static_cast<long long>(outage.count()), rig.feed->Sent(), rig.sqs->Received()));
  const bool went = Eventually([&] { return svc->Health() == 503; }, seconds(20));
  rig.Expect("/healthz goes not ready during the fault", went,
             went ? Format("%.1f s after it began", SecondsSince(since))
                  : "still ready 20 s into the fault");
  const std::string named = "infrastructure: " + fault.cause;
  int samples = 0, ready_samples = 0, naming = 0;
  std::string first_naming;
  while (Steady::now() - since < outage) {
    const testkit::HttpGetReply health = svc->HealthReply();
    ++samples;
    ready_samples += health.status == 200;
    if (health.body.find(named) != std::string::npos) {
      if (naming++ == 0) first_naming = Format("%.1f s", SecondsSince(since));
    }
    std::this_thread::sleep_for(milliseconds(250));
  }
  rig.Expect("/healthz stays not ready during the fault", went && ready_samples == 0,
             Format("%d of %d samples ready", ready_samples, samples));
  const std::string last = svc->HealthReply().body;
  rig.Expect("/healthz names the cause (" + named + ")", naming > 0,
             naming > 0 ? Format("%d of %d samples, the first %s after the fault began; %s", naming,
                                 samples, first_naming.c_str(), SqsLineOf(last).c_str())
                        : "never; last report: " + SqsLineOf(last));
  const std::size_t retried = rig.retry->Count();
  const std::size_t dead = wrongly_dead();
  if (fault.observed) rig.Note(fault.observed());
  fault.end();
  const auto back_since = Steady::now();
  const bool back = Eventually([&] { return svc->Health() == 200; }, seconds(60));
  rig.Expect("/healthz back to ready once the endpoint is right again", back,
             back ? Format("%.1f s after", SecondsSince(back_since)) : "see " + svc->log());
  rig.Expect("nothing moved to the retry topic, no valid order dead-lettered during the fault",
             retried == 0 && dead == 0,
             Format("%zu retry records, %zu dead letters of valid orders", retried, dead));
  EndStream(rig, rate, seconds(120), seconds(o.short_form ? 120 : 240));
  const std::size_t all_dead = rig.dlq->Count(), wrong = wrongly_dead();
  rig.Expect("no retry records, and dead letters only for poison orders",
             rig.retry->Count() == 0 && wrong == 0,
             Format("%zu retry records, %zu dead letters of valid orders, %zu of poison ones",
                    rig.retry->Count(), wrong, all_dead - wrong));
  rig.Expect("the same process throughout", svc->Running() && svc->pid() == pid);
  GracefulStop(rig, *svc, "order-service");
  return true;
}

}  // namespace

ScenarioResult SqsBadTls(const Environment& env, const CampaignOptions& o) {
  Rig rig(env, "sqs-bad-tls");
  if (!rig.Setup(1)) return rig.Finish();
  auto dir = testkit::TempDir::Create("faults-sqs-bad-tls");
  if (!dir) {
    rig.Failed("certificate directory created", dir.error().ToString());
    return rig.Finish();
  }
  auto certs = testkit::MakeTestCertificates((*dir)->path());
  if (!certs) {
    rig.Failed("test CA and certificates made (openssl)", certs.error().ToString());
    return rig.Finish();
  }
  const auto [host, port] = HostPortOf(env.sqs_endpoint);
  auto good = testkit::TlsFront::Start(certs->good_cert, certs->good_key, host, port);
  auto bad = testkit::TlsFront::Start(certs->bad_cert, certs->bad_key, host, port);
  if (!good || !bad) {
    rig.Failed("TLS fronts to SQS started", (good ? bad : good).error().ToString());
    return rig.Finish();
  }
  auto proxy = testkit::TcpProxy::Start("127.0.0.1", (*good)->port());
  if (!proxy) {
    rig.Failed("loopback proxy to the TLS front started", proxy.error().ToString());
    return rig.Finish();
  }
  rig.Say("https://127.0.0.1:%d (proxy) -> TLS front :%d (CA-signed) or :%d (self-signed) -> %s",
          (*proxy)->port(), (*good)->port(), (*bad)->port(), env.sqs_endpoint.c_str());
  EndpointFault fault;
  fault.what = "the endpoint presents a self-signed certificate (not signed by AWS_CA_BUNDLE's CA)";
  fault.cause = std::string(sqs::cause::kTls);
  fault.begin = [&] { (*proxy)->SetUpstreamPort((*bad)->port()); };
  fault.end = [&] { (*proxy)->SetUpstreamPort((*good)->port()); };
  const std::vector<std::string> service_env = {
      "SQS_ENDPOINT=https://127.0.0.1:" + std::to_string((*proxy)->port()),
      "AWS_CA_BUNDLE=" + certs->ca_cert};
  if (!RunEndpointFault(rig, o, service_env, fault)) return rig.Finish();
  rig.Note(Format("the CA-signed front completed %" PRIu64
                  " handshakes, before and after the fault",
                  (*good)->handshakes()));
  const std::uint64_t refused = (*bad)->failed_handshakes();
  rig.Expect("the service refused the self-signed certificate every time",
             refused > 0 && (*bad)->handshakes() == 0,
             Format("%" PRIu64 " handshakes refused, %" PRIu64 " completed", refused,
                    (*bad)->handshakes()));
  return rig.Finish();
}

ScenarioResult SqsGarbage200(const Environment& env, const CampaignOptions& o) {
  Rig rig(env, "sqs-garbage-200");
  if (!rig.Setup(1)) return rig.Finish();
  const auto [host, port] = HostPortOf(env.sqs_endpoint);
  auto proxy = testkit::TcpProxy::Start(host, port);
  if (!proxy) {
    rig.Failed("loopback proxy to SQS started", proxy.error().ToString());
    return rig.Finish();
  }
  EndpointFault fault;
  fault.what = "every request reaches SQS, every reply is 200 OK with an HTML page";
  fault.cause = std::string(sqs::cause::kUnreadableResponse);
  fault.begin = [&] { (*proxy)->SetGarbage(true); };
  fault.end = [&] { (*proxy)->SetGarbage(false); };
  fault.observed = [&] {
    return Format("%" PRIu64 " requests applied by SQS and answered with the page",
                  (*proxy)->garbage_replies());
  };
  if (!RunEndpointFault(
          rig, o, {"SQS_ENDPOINT=http://127.0.0.1:" + std::to_string((*proxy)->port())}, fault)) {
    return rig.Finish();
  }
  const Tally tally = rig.ledger.Summarize();
  rig.Note(Format("%" PRId64 " duplicates: messages SQS enqueued while its replies were garbage, "
                  "resent (each one counted in the table)",
                  tally.duplicates));
  rig.Expect("the garbage replies hid applied sends: resends duplicated orders",
             (*proxy)->garbage_replies() > 0 && tally.duplicates > 0,
             Format("%" PRIu64 " garbage replies, %" PRId64 " duplicates",
                    (*proxy)->garbage_replies(), tally.duplicates));
  return rig.Finish();
}

}  // namespace driftline::faults
