// The orders a fault scenario feeds order-service, and the ledger that accounts for each of
// them: where it must end up (SQS, or the dead-letter topic), and how often it was seen there.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace driftline::faults {

enum class Destination { kSqs, kDeadLetter };

// What a generated order is, which decides where order-service must route it.
enum class OrderKind {
  kMixed,       // a valid STANDARD, PRIORITY or BULK order (by index) → SQS
  kPoison,      // not JSON, not UTF-8, an array, an unknown orderType, mistyped items → DLQ
  kDirectDlq,   // a valid order whose id is in DIRECT_DLQ_ORDER_IDS → DLQ, no retry
  kFailOnce,    // id in FAIL_ONCE_ORDER_IDS: fails once, succeeds on its first retry → SQS
  kAlwaysFail,  // id in ALWAYS_FAIL_ORDER_IDS: retried MAX_RETRIES times, then → DLQ
};

struct PlannedOrder {
  std::string order_id;  // the orderId/batchId (also the CorrelationId header)
  std::string payload;   // the record's bytes
  OrderKind kind = OrderKind::kMixed;
  Destination destination = Destination::kSqs;
  std::optional<std::int32_t> partition;  // nullopt: the producer's partitioner
};

// Order `index` of a run whose ids start with `prefix` (testkit::FaultsMix's shapes). Poison
// variants rotate with the index.
PlannedOrder MakeOrder(const std::string& prefix, int index, OrderKind kind);

// How a scenario's orders were accounted for.
struct Tally {
  std::int64_t orders = 0;
  std::int64_t in_sqs = 0;      // distinct orders seen in SQS
  std::int64_t in_dlq = 0;      // distinct orders seen on the dead-letter topic
  std::int64_t lost = 0;        // never seen where they were due
  std::int64_t duplicates = 0;  // deliveries beyond the first, both channels together
  std::int64_t misrouted = 0;   // seen on the channel they were not due on
  std::int64_t unknown = 0;     // deliveries carrying no correlation id of this scenario
};

// Thread-safe: the SQS collector threads and the topic tails count into it while the scenario
// thread adds orders.
class Ledger {
 public:
  void Add(const PlannedOrder& order);
  void CountSqs(const std::string& correlation_id);
  void CountDeadLetter(const std::string& correlation_id);

  std::int64_t Orders() const;
  // Orders due in SQS that have not been seen there yet.
  std::int64_t MissingInSqs() const;
  std::int64_t MissingInDeadLetter() const;
  Tally Summarize() const;
  // Up to `limit` ids that were lost, for the report.
  std::vector<std::string> LostIds(std::size_t limit) const;

 private:
  struct Entry {
    Destination destination;
    int sqs = 0;
    int dlq = 0;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mu_); by correlation id
  std::int64_t unknown_ = 0;                        // GUARDED_BY(mu_)
};

}  // namespace driftline::faults
