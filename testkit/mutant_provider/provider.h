// The mutant provider: a stand-in for the lab's order provider that behaves like it from the
// outside (same channels, transform rules, fault-injection ids, envelopes) except for one named
// defect (defects.h). It exists to check a contract runner's verdicts, not to carry orders: it
// reads its main topic from the beginning with a manual assignment (no group, no commits), plans
// each order's whole timeline at once (plan.h) and carries it out on one scheduler thread; it
// never reads its retry topic.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/env.h"
#include "common/status.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "sqs/client.h"
#include "sqs/credentials.h"
#include "testkit/mutant_provider/plan.h"

namespace driftline::testkit::mutant {

struct ProviderConfig {
  std::string kafka_bootstrap = "127.0.0.1:9092";      // KAFKA_BOOTSTRAP_SERVERS
  kafka::Properties kafka_properties;                  // KAFKA_PROPERTY_<NAME>
  std::string sqs_endpoint = "http://127.0.0.1:4566";  // SQS_ENDPOINT
  std::string sqs_queue_url =
      "http://127.0.0.1:4566/000000000000/place-order-queue";  // SQS_QUEUE_URL
  std::string aws_region = "us-east-1";                        // AWS_REGION / AWS_DEFAULT_REGION
  sqs::Credentials aws_credentials = sqs::LocalStackCredentials();  // AWS_*, else test/test
  // KAFKA_TOPIC, RETRY_TOPIC, DLQ_TOPIC; MAX_RETRIES (3); ENABLE_TEST_FAILURE_SCENARIOS (true
  // here: this provider exists for tests) and the lab's FAIL_ONCE_ORDER_IDS,
  // ALWAYS_FAIL_ORDER_IDS, DIRECT_DLQ_ORDER_IDS with the lab's defaults.
  Rules rules;
};

// The lab provider's environment. Errors: kInvalidArgument naming the variable.
Result<ProviderConfig> LoadProviderConfig(const Environment& env);

class MutantProvider {
 public:
  // Connects (checks the queue answers, fetches the topics' metadata), assigns every partition
  // of the main topic from the beginning and starts the consumer and scheduler threads. When it
  // returns, the provider is ready. Errors: whatever the clients or the first calls returned.
  static Result<std::unique_ptr<MutantProvider>> Start(ProviderConfig config, Behaviour behaviour,
                                                       Clock& clock);
  // Stop().
  ~MutantProvider();
  MutantProvider(const MutantProvider&) = delete;
  MutantProvider& operator=(const MutantProvider&) = delete;

  // Stops both threads; outputs not yet due are dropped. Idempotent.
  void Stop();

  // Outputs written so far, and those that failed (logged on stderr).
  std::int64_t written() const;
  std::int64_t failed() const;

 private:
  MutantProvider(ProviderConfig config, Behaviour behaviour, Clock& clock);
  // Reads the main topic and queues each record's plan, until Stop() or, with
  // Behaviour::stop_on_invalid_input, the first invalid input (StopsConsumingAt).
  void ConsumeLoop();
  void ScheduleLoop();
  // Writes one output; Kafka records are waited for (delivered) before the next output goes, so
  // outputs reach their channels in plan order.
  void Write(const PlannedOutput& output);
  void Log(const std::string& line);

  struct Pending {
    PlannedOutput output;
    Clock::WallTime origin;  // when its order was processed, for the log
    std::uint64_t sequence;  // plan order among outputs due at the same time
  };
  struct LaterFirst {
    bool operator()(const Pending& a, const Pending& b) const {
      return a.output.due != b.output.due ? a.output.due > b.output.due : a.sequence > b.sequence;
    }
  };

  ProviderConfig config_;
  Behaviour behaviour_;
  Clock& clock_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<sqs::SqsClient> sqs_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::priority_queue<Pending, std::vector<Pending>, LaterFirst> queue_;  // guarded by mu_
  std::uint64_t next_sequence_ = 0;                                       // guarded by mu_
  bool stop_ = false;                                                     // guarded by mu_
  std::int64_t written_ = 0;                                              // guarded by mu_
  std::int64_t failed_ = 0;                                               // guarded by mu_
  std::mutex log_mu_;

  std::thread consume_thread_;   // joined by Stop()
  std::thread schedule_thread_;  // joined by Stop()
};

}  // namespace driftline::testkit::mutant
