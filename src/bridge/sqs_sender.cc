#include "bridge/sqs_sender.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "bridge/metrics.h"

namespace driftline::bridge {

using Steady = std::chrono::steady_clock;

namespace {
// While sends keep failing for the same cause, one log line per this interval at most.
constexpr std::chrono::seconds kFailureLogInterval{10};
}  // namespace

std::string CauseOf(const Error& e) {
  return e.cause().empty() ? std::string(CodeName(e.code())) : e.cause();
}

SqsSender::SqsSender(sqs::SqsClient& client, SqsSenderOptions options, BridgeMetrics* metrics)
    : client_(client),
      options_(std::move(options)),
      batch_size_(std::clamp<std::size_t>(options_.batch_size, 1, 10)),
      metrics_(metrics) {
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
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    queue_.Push(std::move(group), std::move(job));
    ++pending_;
    // A lingering thread sends when its linger ends or its batch is full; waking a thread for
    // every message in between only costs context switches.
    wake = lingering_ == 0 || queue_.ready() >= batch_size_;
  }
  if (wake) work_.notify_one();
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

std::optional<Error> SqsSender::Failing() const {
  std::lock_guard lock(mu_);
  if (healthy_) return std::nullopt;
  return failing_;
}

std::size_t SqsSender::Pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

bool SqsSender::PastDeadline() const {
  return deadline_ && Steady::now() >= *deadline_;
}

std::size_t SqsSender::Stop(std::chrono::milliseconds timeout) {
  {
    std::unique_lock lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      deadline_ = Steady::now() + timeout;
    }
    work_.notify_all();
    idle_.wait_until(lock, *deadline_, [&] { return pending_ == 0; });
  }
  work_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  // Counted once the threads are gone: a batch whose completions were delivered is noted by its
  // thread before the thread ends, so what is left is exactly what has no completion.
  std::lock_guard lock(mu_);
  return pending_;
}

void SqsSender::Run() {
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
      if (queue_.ready() < batch_size_ && options_.linger.count() > 0 && !stopping_) {
        ++lingering_;
        work_.wait_for(lock, options_.linger,
                       [&] { return queue_.ready() >= batch_size_ || stopping_; });
        --lingering_;
        if (queue_.ready() == 0) continue;  // another thread took them
      }
      batch = queue_.Take(batch_size_);
    }
    SendUntilDone(std::move(batch));
  }
}

void SqsSender::NoteOutcome(const std::optional<Error>& infrastructure, std::size_t completed,
                            std::size_t resent, std::chrono::milliseconds backoff) {
  enum class Say { kNothing, kFailing, kStillFailing, kRecovered } say = Say::kNothing;
  std::size_t resends = 0;
  std::optional<Error> was;
  {
    std::lock_guard lock(mu_);
    pending_ -= completed;
    if (infrastructure) {
      healthy_ = false;
      const bool new_cause = !failing_ || failing_->cause() != infrastructure->cause();
      failing_ = infrastructure;
      outage_resends_ += resent;
      const auto now = Steady::now();
      if (new_cause) {
        say = Say::kFailing;
        last_failure_log_ = now;
      } else if (now - last_failure_log_ >= kFailureLogInterval) {
        say = Say::kStillFailing;
        last_failure_log_ = now;
      }
    } else if (completed > 0) {
      healthy_ = true;
      if (failing_) {
        say = Say::kRecovered;
        was = std::move(failing_);
        failing_.reset();
      }
    }
    resends = outage_resends_;
    if (say == Say::kRecovered) outage_resends_ = 0;
  }
  switch (say) {
    case Say::kFailing:
      spdlog::warn(
          "SQS sends failing (infrastructure: {}): resending in {} ms, with backoff up to {} ms "
          "until it passes; nothing is dead-lettered for it: {}",
          CauseOf(*infrastructure), backoff.count(), options_.backoff_max.count(),
          infrastructure->ToString());
      break;
    case Say::kStillFailing:
      spdlog::warn("SQS sends still failing (infrastructure: {}): {} resend(s) so far: {}",
                   CauseOf(*infrastructure), resends, infrastructure->ToString());
      break;
    case Say::kRecovered:
      spdlog::info("SQS sends succeed again after {} resend(s) (infrastructure: {})", resends,
                   CauseOf(*was));
      break;
    case Say::kNothing:
      break;
  }
}

void SqsSender::SendUntilDone(std::vector<SendJob> batch) {
  auto backoff = options_.backoff_initial;
  for (;;) {
    // The messages are moved out for the request and back into the jobs sent again.
    std::vector<sqs::OutgoingMessage> messages;
    messages.reserve(batch.size());
    for (auto& job : batch)
      messages.push_back(std::move(job.message));

    const auto started = Steady::now();
    sqs::BatchResults<sqs::SendMessageResult> results =
        client_.SendMessageBatch(options_.queue_url, messages);
    if (metrics_ != nullptr) {
      metrics_->sqs_send_seconds.Observe(
          std::chrono::duration<double>(Steady::now() - started).count());
    }

    std::vector<SendJob> again;
    std::optional<Error> infrastructure;
    std::size_t completed = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto& r = results.entries.at(i);
      if (r.has_value()) {
        batch[i].done(SendCompletion{std::nullopt, r->message_id});
        if (metrics_ != nullptr) metrics_->sqs_sent.Increment();
        ++completed;
      } else if (r.error().scope() == FailureScope::kMessage) {
        // SQS refused this message's content: the one case the message itself is at fault.
        if (metrics_ != nullptr) {
          metrics_->sqs_errors.Add({{"kind", "message"}, {"cause", CauseOf(r.error())}})
              .Increment();
        }
        batch[i].done(SendCompletion{r.error(), {}});
        ++completed;
      } else {
        // Anything else is the infrastructure's: wait it out, never reject the message for it.
        if (!infrastructure) infrastructure = r.error();
        if (metrics_ != nullptr) {
          metrics_->sqs_errors.Add({{"kind", "infrastructure"}, {"cause", CauseOf(r.error())}})
              .Increment();
          if (r.error().maybe_applied()) metrics_->sqs_possible_duplicates.Increment();
        }
        batch[i].message = std::move(messages[i]);
        again.push_back(std::move(batch[i]));
      }
    }

    NoteOutcome(infrastructure, completed, again.size(), backoff);
    if (completed > 0) idle_.notify_all();
    if (again.empty()) return;

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
