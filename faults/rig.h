// What every fault scenario runs on: the rig (its topology, ledger, feed and readers, the
// checks and notes it writes into the result) and the small helpers the scenarios share.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "faults/feed.h"
#include "faults/orders.h"
#include "faults/scenarios.h"
#include "sqs/credentials.h"
#include "testkit/readers.h"
#include "testkit/service.h"
#include "testkit/topology.h"

namespace driftline::faults {

using ServiceInstance = testkit::ServiceProcess;
using Steady = std::chrono::steady_clock;

std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
double SecondsSince(Steady::time_point t);
std::string Join(const std::vector<std::string>& items);
// "partition:committed/end" for each partition.
std::string OffsetsText(const std::map<std::int32_t, std::int64_t>& committed,
                        const std::map<std::int32_t, std::int64_t>& ends);
// True when `committed` has reached `ends` on every partition.
bool AtEnd(const std::map<std::int32_t, std::int64_t>& committed,
           const std::map<std::int32_t, std::int64_t>& ends);

// What a scenario may change about its rig.
struct RigOptions {
  int partitions = 1;
  std::string sqs_endpoint;  // the queue's server; env.sqs_endpoint when empty
  std::optional<sqs::Credentials> sqs_credentials;  // what the rig's own SQS clients sign with
  // Count the dead-letter topic's records into the ledger (off when the scenario writes dead
  // letters itself, as the redrive scenario does).
  bool count_dead_letters = true;
};

// Everything one scenario run holds: its topology, the ledger, the feed, the collectors and
// the result being written.
class Rig {
 public:
  Rig(const Environment& env, std::string name) : env_(env), start_(Steady::now()) {
    result.name = std::move(name);
  }

  // Topology, feed, SQS collector and tails of the retry and dead-letter topics.
  bool Setup(int partitions) {
    RigOptions options;
    options.partitions = partitions;
    return Setup(options);
  }
  bool Setup(const RigOptions& options);

  std::unique_ptr<ServiceInstance> StartService(const std::vector<std::string>& env,
                                                const std::string& name);

  bool WaitReady(ServiceInstance& s, const std::string& name, std::chrono::seconds limit);

  // Waits until everything the scenario produced is finished: both groups committed up to the
  // end of their topics on every partition, every order due in SQS received, every dead letter
  // read; then until the queue stays empty (late duplicates are counted too).
  bool Settle(std::chrono::seconds limit);

  std::string LogPath(const std::string& what) const {
    return env_.log_dir + "/" + topology->base() + "-" + what + ".log";
  }
  // The queue's ApproximateNumberOfMessages (0 when it does not answer).
  std::int64_t QueueDepth() { return std::max<std::int64_t>(0, topology->QueueDepth()); }

  void Expect(const std::string& what, bool ok, const std::string& detail = "") {
    result.checks.push_back({what, ok, detail});
    Say("%s %s%s%s", ok ? "ok  " : "FAIL", what.c_str(), detail.empty() ? "" : ": ",
        detail.c_str());
  }
  bool Failed(const std::string& what, const std::string& detail) {
    Expect(what, false, detail);
    return false;
  }
  void Note(const std::string& text) {
    result.notes.push_back(text);
    Say("%s", text.c_str());
  }
  void Say(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  double Elapsed() const { return SecondsSince(start_); }

  ScenarioResult Finish();

  ScenarioResult result;
  Ledger ledger;
  std::unique_ptr<testkit::Topology> topology;
  std::unique_ptr<OrderFeed> feed;
  std::unique_ptr<testkit::SqsCollector> sqs;
  std::unique_ptr<testkit::TopicTail> dlq;
  std::unique_ptr<testkit::TopicTail> retry;

 private:
  Environment env_;
  Steady::time_point start_;
};

// Ids for the service's test-fault lists; an empty list disables the lab's default ids.
std::vector<std::string> FaultEnv(const std::vector<std::string>& fail_once,
                                  const std::vector<std::string>& always_fail,
                                  const std::vector<std::string>& direct_dlq);
// A valid order, or about one in a hundred poison ones when `poison` is set.
OrderKind MixedKind(int i, bool poison);
std::int64_t DueInSqs(const std::vector<PlannedOrder>& orders);
// Runs `stack.sh ARGS...` with this process's environment (STACK_DIR and the ports).
Result<int> Stack(const Environment& env, const std::vector<std::string>& args,
                  const std::string& log, std::chrono::seconds limit);
// The pid of the broker this campaign talks to, when the stack script manages it (else a failed
// check: `stop kafka` or a signal would reach somebody else's broker).
std::optional<pid_t> OurBrokerPid(Rig& rig, const Environment& env);
// After a fault in a stream of orders at `rate`/s: checks they flow again (3 s worth reach SQS
// within 90 s), stops the stream, waits for Kafka to accept every order sent, and settles.
void EndStream(Rig& rig, double rate, std::chrono::seconds finish_limit,
               std::chrono::seconds settle_limit);
// SIGTERM, and the check that the instance exited 0.
void GracefulStop(Rig& rig, ServiceInstance& s, const std::string& name);

}  // namespace driftline::faults
