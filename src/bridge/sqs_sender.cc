#include "bridge/sqs_sender.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "bridge/metrics.h"

namespace driftline::bridge {

using Steady = std::chrono::steady_clock;

SqsSender::SqsSender(sqs::SqsClient& client, SqsSenderOptions options, BridgeMetrics* metrics)
    : client_(client), options_(std::move(options)), metrics_(metrics) {
  const std::size_t n = std::max<std::size_t>(1, options_.max_in_flight_batches);
  for (std::size_t i = 0; i < n; ++i)
    threads_.emplace_back([this] { Run(); });
}

SqsSender::~SqsSender() {
  Stop(std::chrono::milliseconds(0));
}

void SqsSender::Submit(SendJob job) {
  std::optional<std::string> group = job.message.message_group_id;
  if (group) {
    // Whatever the outcome, the group's next message may go once this one has its completion.
    job.done = [this, group = *group, done = std::move(job.done)](SendCompletion c) {
      done(std::move(c));
      ReleaseGroup(group);
    };
  }
  {
    std::lock_guard lock(mu_);
    queue_.Push(std::move(group), std::move(job));
    ++pending_;
  }
  work_.notify_one();
}

void SqsSender::ReleaseGroup(const std::string& group) {
  bool next = false;
  {
    std::lock_guard lock(mu_);
    next = queue_.Release(group);
  }
  if (next) work_.notify_one();
}

bool SqsSender::Healthy() const {
  std::lock_guard lock(mu_);
  return healthy_;
}

std::size_t SqsSender::Pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

bool SqsSender::PastDeadline() const {
  return deadline_ && Steady::now() >= *deadline_;
}

std::size_t SqsSender::Stop(std::chrono::milliseconds timeout) {
  std::size_t left = 0;
  {
    std::unique_lock lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      deadline_ = Steady::now() + timeout;
    }
    work_.notify_all();
    idle_.wait_until(lock, *deadline_, [&] { return pending_ == 0; });
    left = pending_;
  }
  work_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  return left;
}

void SqsSender::Run() {
  const std::size_t batch_size = std::clamp<std::size_t>(options_.batch_size, 1, 10);
  for (;;) {
    std::vector<SendJob> batch;
    {
      std::unique_lock lock(mu_);
      // Held messages wait for their group even when stopping, until the deadline.
      work_.wait(lock, [&] {
        return queue_.ready() > 0 || (stopping_ && (queue_.empty() || PastDeadline()));
      });
      if (queue_.ready() == 0 || PastDeadline()) return;  // stopping, nothing (more) to send
      // Linger briefly for a fuller batch unless stopping.
      if (queue_.ready() < batch_size && options_.linger.count() > 0 && !stopping_) {
        work_.wait_for(lock, options_.linger,
                       [&] { return queue_.ready() >= batch_size || stopping_; });
        if (queue_.ready() == 0) continue;  // another thread took them
      }
      batch = queue_.Take(batch_size);
    }
    SendUntilDone(std::move(batch));
  }
}

void SqsSender::SendUntilDone(std::vector<SendJob> batch) {
  auto backoff = options_.backoff_initial;
  for (;;) {
    std::vector<sqs::OutgoingMessage> messages;
    messages.reserve(batch.size());
    for (const auto& job : batch)
      messages.push_back(job.message);

    const auto started = Steady::now();
    sqs::BatchResults<sqs::SendMessageResult> results =
        client_.SendMessageBatch(options_.queue_url, messages);
    if (metrics_ != nullptr) {
      metrics_->sqs_send_seconds.Observe(
          std::chrono::duration<double>(Steady::now() - started).count());
    }

    std::vector<SendJob> again;
    std::optional<Error> transient;
    std::size_t completed = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto& r = results.entries.at(i);
      if (r.has_value()) {
        batch[i].done(SendCompletion{std::nullopt, r->message_id});
        if (metrics_ != nullptr) metrics_->sqs_sent.Increment();
        ++completed;
      } else if (r.error().retryable()) {
        if (!transient) transient = r.error();
        again.push_back(std::move(batch[i]));
      } else {
        if (metrics_ != nullptr) metrics_->sqs_errors.Add({{"kind", "permanent"}}).Increment();
        batch[i].done(SendCompletion{r.error(), {}});
        ++completed;
      }
    }

    {
      std::lock_guard lock(mu_);
      pending_ -= completed;
      if (completed > 0 && !transient) healthy_ = true;
      if (transient) healthy_ = false;
    }
    if (completed > 0) idle_.notify_all();
    if (again.empty()) return;

    if (metrics_ != nullptr) {
      metrics_->sqs_errors.Add({{"kind", "retryable"}})
          .Increment(static_cast<double>(again.size()));
    }
    spdlog::warn("SQS send of {} message(s) failed transiently, retrying in {} ms: {}",
                 again.size(), backoff.count(), transient->ToString());
    {
      std::unique_lock lock(mu_);
      // Sleep the backoff, but wake for a stop whose deadline has already passed.
      work_.wait_for(lock, backoff, [&] { return PastDeadline(); });
      if (PastDeadline()) {
        spdlog::warn(
            "SQS sender stopping with {} message(s) unsent; they will be consumed "
            "again after restart",
            again.size());
        return;  // no completion: offsets stay uncommitted
      }
    }
    backoff = std::min(backoff * 2, options_.backoff_max);
    batch = std::move(again);
  }
}

}  // namespace driftline::bridge
