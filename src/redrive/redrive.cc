#include "redrive/redrive.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "kafka/admin.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"

namespace driftline::redrive {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// How long settling waits for delivery reports at least, even past the run's deadline: a
// re-publication whose outcome is unknown counts as failed and is sent again by the next run.
constexpr milliseconds kSettleFloor{10'000};

// Delivery outcomes by token, filled on the producer's poll thread.
class Deliveries {
 public:
  kafka::DeliveryHandler Handler() {
    return [this](kafka::DeliveryReport report) {
      std::lock_guard lock(mu_);
      outcomes_[report.token] = std::move(report.error);
    };
  }
  // nullopt: no report yet; else the report's error (nullopt inside: delivered).
  std::optional<std::optional<Error>> Outcome(std::uint64_t token) {
    std::lock_guard lock(mu_);
    auto it = outcomes_.find(token);
    if (it == outcomes_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::mutex mu_;
  std::map<std::uint64_t, std::optional<Error>> outcomes_;  // guarded by mu_
};

// A record read and decided, not yet committed past: `token` is its re-publication (0: none).
struct Unsettled {
  std::int64_t offset;
  std::uint64_t token;
};

Row RowOf(const kafka::Message& record, const Decision& d) {
  Row row;
  row.partition = record.partition;
  row.offset = record.offset;
  row.action = d.action;
  row.why = d.why;
  if (d.dead_letter) {
    const StoredDeadLetter& s = *d.dead_letter;
    row.failed_timestamp = s.failed_timestamp;
    row.error_kind = s.error_kind;
    row.failure_reason = s.failure_reason;
    row.order_id = s.order_id;
    row.correlation_id = s.correlation_id;
    row.final_error_message = s.final_error_message;
    row.redrive_count = s.redrive_count;
  }
  return row;
}

class Run {
 public:
  explicit Run(const RedriveOptions& options)
      : o_(options), deadline_(SteadyClock::now() + options.timeout) {
    report_.dry_run = options.dry_run;
  }

  RedriveReport Go() {
    if (Status s = Start(); !s) {
      report_.error = s.error();
      return std::move(report_);
    }
    Status s = ReadToTheEnd();
    if (!o_.dry_run) {
      // Whatever stopped the loop, what is durable is committed.
      Status settled = Settle();
      if (s && !settled) s = settled;
    }
    if (!s) report_.error = s.error();
    return std::move(report_);
  }

 private:
  milliseconds Remaining() const {
    return std::max(milliseconds(1),
                    std::chrono::duration_cast<milliseconds>(deadline_ - SteadyClock::now()));
  }

  // The partitions, where the group stands in each, the consumer assigned there, the producer.
  Status Start() {
    auto admin = kafka::Admin::Create(o_.kafka);
    if (!admin) return tl::unexpected(std::move(admin.error()).With("connecting to Kafka"));
    auto marks = (*admin)->Watermarks(o_.dlq_topic, Remaining());
    if (!marks) {
      return tl::unexpected(
          std::move(marks.error()).With("reading the offsets of " + o_.dlq_topic));
    }
    auto committed = (*admin)->CommittedOffsets(o_.group, o_.dlq_topic, Remaining());
    if (!committed) {
      return tl::unexpected(
          std::move(committed.error()).With("reading group " + o_.group + "'s offsets"));
    }
    std::vector<kafka::TopicPartitionOffset> assignment;
    for (const auto& [partition, low_high] : *marks) {
      const auto [low, high] = low_high;
      std::int64_t start = low;
      if (auto it = committed->find(partition); it != committed->end() && it->second >= 0) {
        if (it->second < low) {
          spdlog::warn(
              "{}/{}: group {} stands at {}, before the first stored offset {}: the "
              "records in between were deleted by retention",
              o_.dlq_topic, partition, o_.group, it->second, low);
        } else if (it->second > high) {
          spdlog::warn(
              "{}/{}: group {} stands at {}, past the end {} (was the topic "
              "recreated?): reading it from its start",
              o_.dlq_topic, partition, o_.group, it->second, high);
        } else {
          start = it->second;
        }
      }
      report_.covered[partition] = {start, high};
      if (start < high) {
        ends_[partition] = high;
        assignment.push_back({o_.dlq_topic, partition, start});
      }
    }
    if (assignment.empty()) return Ok();

    kafka::Properties consumer_props = o_.kafka;
    consumer_props.Set("enable.auto.commit", "false");  // only what is durable, by Settle()
    consumer_props.Set("enable.auto.offset.store", "false");
    auto consumer = kafka::Consumer::Create(consumer_props, o_.group);
    if (!consumer) return tl::unexpected(std::move(consumer.error()));
    consumer_ = std::move(*consumer);
    if (Status s = consumer_->Assign(assignment); !s) return s;

    if (!o_.dry_run) {
      auto producer =
          kafka::Producer::Create(kafka::WithReliableDelivery(o_.kafka), deliveries_.Handler());
      if (!producer) return tl::unexpected(std::move(producer.error()));
      producer_ = std::move(*producer);
    }
    return Ok();
  }

  Status ReadToTheEnd() {
    std::size_t since_settle = 0;
    while (!ends_.empty()) {
      if (SteadyClock::now() >= deadline_) return Unfinished();
      auto polled = consumer_->Poll(std::min(Remaining(), milliseconds(200)));
      if (!polled) {
        if (polled.error().retryable()) continue;  // brokers away for a moment: keep polling
        return tl::unexpected(std::move(polled.error()).With("reading " + o_.dlq_topic));
      }
      if (!*polled) continue;
      const kafka::Message& record = **polled;
      auto end = ends_.find(record.partition);
      if (end == ends_.end() || record.offset >= end->second) continue;  // the next run's

      ++report_.read;
      Decision d = Decide(record, o_.filter, o_.plan);
      std::uint64_t token = 0;
      switch (d.action) {
        case Decision::Action::kSkip:
          ++report_.skipped;
          if (!d.dead_letter) {
            ++report_.unreadable;
            report_.rows.push_back(RowOf(record, d));
          }
          break;
        case Decision::Action::kRefuse:
          ++report_.matched;
          ++report_.refused;
          report_.rows.push_back(RowOf(record, d));
          break;
        case Decision::Action::kRedrive:
          ++report_.matched;
          report_.rows.push_back(RowOf(record, d));
          if (o_.dry_run) {
            ++report_.redriven;
          } else {
            token = next_token_++;
            if (Status s = producer_->Send(*d.message, token); !s) {
              report_.rows.back().why = "not sent: " + s.error().ToString();
              return tl::unexpected(std::move(s.error()).With(
                  "re-publishing " + o_.dlq_topic + "/" + std::to_string(record.partition) + "/" +
                  std::to_string(record.offset)));
            }
          }
          break;
      }
      unsettled_[record.partition].push_back({record.offset, token});
      if (record.offset + 1 >= end->second) ends_.erase(end);
      if (!o_.dry_run && ++since_settle >= o_.commit_every) {
        since_settle = 0;
        if (Status s = Settle(); !s) return s;
      }
    }
    return Ok();
  }

  // Waits for the deliveries, then commits each partition up to its first record whose
  // re-publication was not acknowledged. Errors: that record's delivery error, or the commit's.
  Status Settle() {
    if (!consumer_) return Ok();
    if (producer_) static_cast<void>(producer_->Flush(std::max(Remaining(), kSettleFloor)));
    std::optional<Error> failure;
    bool stored = false;
    for (auto& [partition, records] : unsettled_) {
      std::size_t done = 0;
      for (; done < records.size(); ++done) {
        const Unsettled& u = records[done];
        if (u.token == 0) continue;
        const auto outcome = deliveries_.Outcome(u.token);
        if (!outcome || *outcome) {
          if (!failure) {
            failure =
                outcome ? **outcome : Error(Code::kDeadlineExceeded, "no delivery report in time");
            failure->With("re-publishing " + o_.dlq_topic + "/" + std::to_string(partition) + "/" +
                          std::to_string(u.offset) + " to " + o_.plan.main_topic);
          }
          break;
        }
        ++report_.redriven;
      }
      if (done == 0) continue;
      if (Status s = consumer_->StoreOffset(o_.dlq_topic, partition, records[done - 1].offset + 1);
          !s) {
        return s;
      }
      stored = true;
      records.erase(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(done));
    }
    if (stored) {
      if (Status s = consumer_->Commit(/*async=*/false); !s) {
        return tl::unexpected(std::move(s.error()).With("committing group " + o_.group));
      }
    }
    if (failure) return tl::unexpected(std::move(*failure));
    return Ok();
  }

  Status Unfinished() const {
    std::string where;
    for (const auto& [partition, end] : ends_) {
      where += (where.empty() ? "" : ", ") + o_.dlq_topic + "/" + std::to_string(partition) +
               " (end " + std::to_string(end) + ")";
    }
    return Fail(Code::kDeadlineExceeded, "stopped after " + std::to_string(o_.timeout.count()) +
                                             " ms before reaching the end of " + where);
  }

  const RedriveOptions& o_;
  const SteadyClock::time_point deadline_;
  RedriveReport report_;
  Deliveries deliveries_;  // before producer_: the producer's last reports land in it
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::Producer> producer_;
  std::map<std::int32_t, std::int64_t> ends_;  // partition -> end offset, while unfinished
  std::map<std::int32_t, std::vector<Unsettled>> unsettled_;
  std::uint64_t next_token_ = 1;
};

}  // namespace

RedriveReport RunRedrive(const RedriveOptions& options) {
  return Run(options).Go();
}

}  // namespace driftline::redrive
