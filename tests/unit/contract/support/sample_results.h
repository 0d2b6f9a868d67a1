// A suite result shaped like the lab's baseline run (4 passed, 2 failed), for the report tests.
#pragma once

#include "contract/run/result.h"

namespace driftline::report::testing {

inline contract::TestResult Passed(const std::string& name,
                                   std::vector<std::pair<std::string, bool>> tally) {
  contract::TestResult t;
  t.name = name;
  t.file = "/lab/" + name + ".json";
  t.operation = "sendOrder";
  t.correlation_id = "corr-" + name;
  t.duration = std::chrono::milliseconds(1234);
  t.tally = std::move(tally);
  t.checks.push_back({"publish to topic 'place-order-topic'", true, "place-order-topic/0@1", {}});
  return t;
}

inline contract::SuiteResult LabBaseline() {
  contract::SuiteResult s;
  s.title = "order-service-sqs-kafka.yaml";
  s.wall_time = std::chrono::milliseconds(7850);
  s.startup_time = std::chrono::milliseconds(1030);
  const std::string in = "place-order-topic", q = "place-order-queue",
                    r = "place-order-retry-topic", d = "place-order-dlq-topic";
  s.tests.push_back(Passed("Bulk_Order_SQS_Kafka", {{in, true}, {q, true}}));
  s.tests.push_back(Passed("Priority_Order_Kafka_SQS", {{in, true}, {q, true}}));
  s.tests.push_back(Passed("Receive_DLQ_Scenario_Standard_Order", {{in, true}, {d, true}}));
  auto dlq =
      Passed("Receive_Retry_DLQ_Scenario_Priority_Order", {{in, true}, {r, true}, {d, false}});
  dlq.outcome = contract::Outcome::kFailed;
  dlq.reasons = {
      "Timeout waiting for a message on topic 'place-order-retry-topic'.",
      "retryCount 0 arrived at +0.9 s; the next retry was due within 1.0 s + grace 5.0 s"};
  s.tests.push_back(dlq);
  auto retry = Passed("Retry_Scenario_Standard_Order", {{in, true}, {r, true}, {q, false}});
  retry.outcome = contract::Outcome::kFailed;
  retry.reasons = {"Timeout waiting for a message on topic 'place-order-retry-topic'."};
  s.tests.push_back(retry);
  s.tests.push_back(Passed("Standard_Order_Kafka_SQS", {{in, true}, {q, true}}));
  return s;
}

}  // namespace driftline::report::testing
