// One redrive run: reads the dead-letter topic from its consumer group's committed offsets up to
// the end offsets seen at the start, decides each record (plan.h), re-publishes the matched
// ones to the main topic, and commits the group's offsets once what was re-published is durable.
//
// Guarantees:
// - Nothing is lost: an offset is committed only when every record before it in its partition
//   was either left alone or re-published and acknowledged (idempotent producer, acks=all).
// - Nothing is redriven twice by two runs of one group, one after the other: the second starts
//   where the first committed. A run that stops early (a failed delivery, the timeout) commits
//   up to the first record whose re-publication was not acknowledged; only records re-published
//   after that one in the same partition, or whose delivery report never came, can be
//   re-published again by the next run (at least once, never silently dropped).
// - A run covers what the topic held when it started: dead letters written during the run are
//   left for the next one.
// - A dry run reads the same records, re-publishes nothing and commits nothing.
// - Skipped records (not matched, unreadable) are committed past like the others: the group's
//   position is one offset a partition. To redrive them later, run with another group.
// Two runs of one group at the same time would read the same records: run one at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "kafka/config.h"
#include "redrive/plan.h"

namespace driftline::redrive {

struct RedriveOptions {
  kafka::Properties kafka;  // bootstrap.servers and any librdkafka property (security, ...)
  std::string dlq_topic = "place-order-dlq-topic";
  std::string group = "dlq-redrive";  // the run's own consumer group
  Filter filter;
  PlanOptions plan;
  bool dry_run = false;
  // For reading and re-publishing; the last flush-and-commit may take up to 10 s more, waiting
  // for delivery reports (a re-publication whose outcome stays unknown counts as failed).
  std::chrono::milliseconds timeout{120'000};
  std::size_t commit_every = 500;  // records between two flush-and-commit steps
};

// A record the run acted on (matched) or could not read.
struct Row {
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  Decision::Action action = Decision::Action::kSkip;
  std::string why;  // refuse / unreadable: the reason
  std::string failed_timestamp, error_kind, failure_reason, order_id, correlation_id;
  std::string final_error_message;
  int redrive_count = 0;
};

struct RedriveReport {
  bool dry_run = false;
  std::int64_t read = 0;        // records read
  std::int64_t matched = 0;     // readable and matched by the filter
  std::int64_t redriven = 0;    // re-published and acknowledged (a dry run: would be)
  std::int64_t refused = 0;     // matched but not redriven (the limit, nothing to re-publish)
  std::int64_t skipped = 0;     // not matched, or unreadable
  std::int64_t unreadable = 0;  // of the skipped: not a dead letter this tool can read
  std::vector<Row> rows;        // matched and unreadable records, in reading order
  // partition -> [first offset read, end offset at the start): what this run covered.
  std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> covered;
  // Why the run stopped early (Kafka unreachable, a delivery failed, the timeout); the counts
  // say what it did before. nullopt: it read everything it meant to.
  std::optional<Error> error;
};

RedriveReport RunRedrive(const RedriveOptions& options);

}  // namespace driftline::redrive
