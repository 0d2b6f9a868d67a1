#include "bridge/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "bridge/metrics.h"

namespace driftline::bridge {

using std::chrono::milliseconds;

namespace {
constexpr milliseconds kPollTimeout{100};
constexpr milliseconds kBackpressurePoll{20};
constexpr milliseconds kRevokeDrain{5000};
// Under backpressure the loop first just stops polling (records already fetched stay in
// librdkafka's queue: no refetch); only if it lasts this long are the partitions paused, so the
// consumer can poll again and serve rebalances while taking no input.
constexpr milliseconds kPauseAfter{2000};
}  // namespace

Pipeline::Pipeline(Kind kind, const BridgeConfig& config, SqsSender& sender, RecordSink& sink,
                   BridgeMetrics* metrics, const Clock& clock)
    : kind_(kind),
      config_(config),
      sender_(sender),
      sink_(sink),
      metrics_(metrics),
      clock_(clock),
      topic_(kind == Kind::kMain ? config.main_topic : config.retry_topic),
      group_(kind == Kind::kMain ? config.main_group : config.retry_group),
      scheduler_(config.retry_max_held_per_partition) {
  if (metrics_ != nullptr) {
    consumed_ = &metrics_->consumed.Add({{"pipeline", name()}});
    retried_ = &metrics_->retried.Add({{"pipeline", name()}});
  }
}

Result<std::unique_ptr<Pipeline>> Pipeline::Create(Kind kind, const BridgeConfig& config,
                                                   SqsSender& sender, RecordSink& sink,
                                                   BridgeMetrics* metrics, const Clock& clock,
                                                   const ConsumerFactory& consumers) {
  std::unique_ptr<Pipeline> p(new Pipeline(kind, config, sender, sink, metrics, clock));
  kafka::Properties props = kafka::Properties::Make(config.kafka_bootstrap, {});
  props.Merge(config.kafka_properties);
  // At-least-once: offsets are stored by us once durable; librdkafka commits what is stored.
  props.SetDefault("enable.auto.commit", "true");
  props.SetDefault("auto.commit.interval.ms", "200");  // bounds replays after a crash
  props.SetDefault("enable.auto.offset.store", "false");
  props.SetDefault("auto.offset.reset", "earliest");
  // librdkafka prefetches up to 100,000 records or 64 MiB by default: on a large backlog that
  // is most of the process's memory (65 MB steady). Each time the prefetch queue fills,
  // librdkafka 2.0.2 pauses fetching for about 0.4 s, so a smaller queue costs throughput:
  // 20,000 records / 8 MiB is the largest that keeps the service under 40 MB (make bench's
  // knob sweep: a 100,000-order drain at about librdkafka's default rate, 35 MB against 65).
  props.SetDefault("queued.min.messages", "20000");
  props.SetDefault("queued.max.messages.kbytes", "8192");
  auto consumer = consumers(props, p->group_, *p);
  if (!consumer) {
    return tl::unexpected(
        std::move(consumer.error()).With(std::string("creating the ") + p->name() + " consumer"));
  }
  p->consumer_ = std::move(*consumer);
  return p;
}

Pipeline::~Pipeline() {
  if (thread_.joinable()) {
    RequestStop(milliseconds(0));
    Join();
  }
  // Closing the consumer runs the rebalance callbacks (OnAssigned/OnRevoked) into this object:
  // close it now, while the members they use are alive, not after them (consumer_ is declared
  // first, so it would be destroyed last). Already closed when Run() ended.
  if (consumer_) static_cast<void>(consumer_->Close());
  consumer_.reset();
}

void Pipeline::Start() {
  // Joining the group only now: a member that joined but did not poll would hold up every
  // rebalance of its group until it did.
  if (Status s = consumer_->Subscribe({topic_}); !s) {
    spdlog::critical("{} pipeline: subscribing to {}: {}", name(), topic_, s.error().ToString());
    failed_ = true;
    return;
  }
  thread_ = std::thread([this] { Run(); });
}

void Pipeline::RequestStop(milliseconds drain) {
  drain_ms_ = drain.count();
  stop_ = true;
  done_cv_.notify_all();
}

std::size_t Pipeline::Join() {
  if (thread_.joinable()) thread_.join();
  return left_;
}

void Pipeline::Run() {
  spdlog::info("{} pipeline: consuming {} in group {}", name(), topic_, group_);
  auto last_gauges = clock_.Mono();
  while (!stop_) {
    DrainCompletions();
    ReleaseDue();
    ApplyPauses();

    if (backpressure_ && !hard_backpressure_) {
      // Wait for completions instead of polling (see kPauseAfter).
      std::unique_lock lock(done_mu_);
      done_cv_.wait_for(lock, kBackpressurePoll, [&] { return !done_.empty() || stop_; });
      continue;
    }
    milliseconds timeout = backpressure_ ? kBackpressurePoll : kPollTimeout;
    if (auto next = scheduler_.NextDue()) {
      const auto until = std::chrono::duration_cast<milliseconds>(*next - clock_.Wall());
      timeout = std::clamp(until, milliseconds(0), timeout);
    }
    auto polled = consumer_->Poll(timeout);
    if (!polled) {
      const Error& e = polled.error();
      if (e.code() == Code::kInternal || e.code() == Code::kFailedPrecondition) {
        spdlog::critical("{} pipeline: consumer failed: {}", name(), e.ToString());
        failed_ = true;
        break;
      }
      // Brokers down, unknown topic while it is being created, ...: keep polling.
      spdlog::warn("{} pipeline: {}", name(), e.ToString());
    } else if (polled->has_value()) {
      Handle(std::move(**polled));
    }
    if (clock_.Mono() - last_gauges >= milliseconds(1000)) {
      UpdateGauges();
      last_gauges = clock_.Mono();
    }
  }

  // Drain: wait for what is in flight (not for parked retries), then commit and leave.
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(drain_ms_.load());
  for (;;) {
    DrainCompletions();
    if (tracker_.InFlight() <= scheduler_.Held()) break;
    std::unique_lock lock(done_mu_);
    if (!done_cv_.wait_until(lock, deadline, [&] { return !done_.empty(); })) break;
  }
  DrainCompletions();
  left_ = tracker_.InFlight();
  if (Status s = consumer_->Commit(); !s) {
    spdlog::warn("{} pipeline: final commit: {}", name(), s.error().ToString());
  }
  if (Status s = consumer_->Close(); !s) {
    spdlog::warn("{} pipeline: close: {}", name(), s.error().ToString());
  }
  spdlog::info("{} pipeline: stopped; {} record(s) unfinished ({} parked retries)", name(), left_,
               scheduler_.Held());
}

void Pipeline::Handle(kafka::Message message) {
  const PartitionKey p{message.topic, message.partition};
  if (!assignment_.contains(p)) return;  // a record of a partition revoked meanwhile
  if (!tracker_.Track(p, message.offset)) return;
  if (consumed_ != nullptr) consumed_->Increment();
  std::vector<ClampedTimestamp> clamped;
  const RouteContext ctx{config_, clock_, &clamped};
  Route route = kind_ == Kind::kMain ? RouteMain(message, ctx) : RouteRetry(message, ctx);
  for (const ClampedTimestamp& c : clamped) {
    spdlog::warn(
        "{} pipeline: {}[{}]@{}: {} {} is later than any due time the retry policy gives "
        "(now + {} ms); due at {} instead",
        name(), p.topic, p.partition, message.offset, c.field, c.value,
        config_.retry_policy.LargestDelay().count(), FormatUtcSeconds(c.used));
    if (metrics_ != nullptr) metrics_->timestamps_clamped.Add({{"field", c.field}}).Increment();
  }
  Dispatch(std::move(message), std::move(route));
}

void Pipeline::Dispatch(kafka::Message message, Route route) {
  const PartitionKey p{message.topic, message.partition};
  const std::int64_t offset = message.offset;
  const std::uint64_t epoch = epochs_[p];

  if (auto* hold = std::get_if<Hold>(&route)) {
    scheduler_.Hold(p, offset, hold->due, std::move(message));
    return;
  }
  if (auto* out = std::get_if<KafkaOutput>(&route)) {
    if (metrics_ != nullptr) {
      if (out->kind == KafkaOutput::Kind::kRetry) {
        retried_->Increment();
      } else {
        metrics_->dead_lettered.Add({{"reason", out->reason}}).Increment();
      }
    }
    sink_.Produce(std::move(*out), [this, p, offset, epoch] { Complete(p, offset, epoch); });
    return;
  }
  auto& sqs = std::get<SqsOutput>(route);
  sqs::OutgoingMessage m;
  m.body = std::move(sqs.body);
  m.attributes.emplace(std::string(kCorrelationIdHeader),
                       sqs::MessageAttributeValue::String(std::move(sqs.correlation_id)));
  if (config_.sqs_queue_url.ends_with(".fifo")) {
    m.message_group_id = std::move(sqs.group_id);
    m.message_deduplication_id = std::move(sqs.dedup_id);
  }
  // When SQS refuses the message's content (the sender's only permanent outcome) the record
  // is dead-lettered instead; the input is only needed for that (rare) path, so it is moved
  // into the completion, not copied.
  auto input = std::make_shared<const kafka::Message>(std::move(message));
  sender_.Submit(SendJob{
      std::move(m), [this, p, offset, epoch, input](SendCompletion c) {
        if (!c.permanent_error) {
          Complete(p, offset, epoch);
          return;
        }
        spdlog::error("{} pipeline: SQS rejected the order from {}[{}]@{}: {}; dead-lettering",
                      name(), p.topic, p.partition, offset, c.permanent_error->ToString());
        KafkaOutput dl = RouteSqsRejection(*input, *c.permanent_error, {config_, clock_});
        if (metrics_ != nullptr) metrics_->dead_lettered.Add({{"reason", dl.reason}}).Increment();
        sink_.Produce(std::move(dl), [this, p, offset, epoch] { Complete(p, offset, epoch); });
      }});
}

void Pipeline::Complete(const PartitionKey& p, std::int64_t offset, std::uint64_t epoch) {
  {
    std::lock_guard lock(done_mu_);
    done_.push_back({p, offset, epoch});
  }
  done_cv_.notify_all();
}

void Pipeline::DrainCompletions() {
  std::vector<Completion> done;
  {
    std::lock_guard lock(done_mu_);
    done.swap(done_);
  }
  for (const Completion& c : done) {
    auto it = epochs_.find(c.partition);
    if (it == epochs_.end() || it->second != c.epoch) continue;  // revoked since
    if (auto position = tracker_.Complete(c.partition, c.offset)) {
      if (Status s = consumer_->StoreOffset(c.partition.topic, c.partition.partition, *position);
          !s) {
        spdlog::warn("{} pipeline: storing offset {} for {}[{}]: {}", name(), *position,
                     c.partition.topic, c.partition.partition, s.error().ToString());
      }
    }
  }
}

void Pipeline::ReleaseDue() {
  for (kafka::Message& m : scheduler_.TakeDue(clock_.Wall())) {
    const PartitionKey p{m.topic, m.partition};
    if (!assignment_.contains(p)) continue;
    Route route = RouteRetry(m, {config_, clock_}, /*held_until_due=*/true);
    Dispatch(std::move(m), std::move(route));
  }
}

void Pipeline::ApplyPauses() {
  // Stop taking input at the bound; take it again below 90 % of it.
  const std::size_t working = tracker_.InFlight() - scheduler_.Held();
  const std::size_t bound = config_.max_in_flight_messages;
  if (!backpressure_ && working >= bound) {
    backpressure_ = true;
    backpressure_since_ = clock_.Mono();
  } else if (backpressure_ && working < bound - bound / 10) {
    if (hard_backpressure_) {
      spdlog::info("{} pipeline: in-flight records down to {}; resuming input", name(), working);
    }
    backpressure_ = false;
    hard_backpressure_ = false;
  }
  if (backpressure_ && !hard_backpressure_ && clock_.Mono() - backpressure_since_ >= kPauseAfter) {
    hard_backpressure_ = true;
    spdlog::warn("{} pipeline: {} records unfinished for {} ms; pausing input until they complete",
                 name(), working, kPauseAfter.count());
  }
  // The scheduler keeps its own pause bookkeeping (limit reached / drained to half).
  (void)scheduler_.TakeToPause();
  (void)scheduler_.TakeToResume();

  std::vector<kafka::TopicPartition> pause;
  std::vector<kafka::TopicPartition> resume;
  for (const auto& p : assignment_) {
    const bool want = hard_backpressure_ || scheduler_.IsPaused(p);
    const bool is = paused_.contains(p);
    if (want && !is) pause.push_back(p);
    if (!want && is) resume.push_back(p);
  }
  if (!pause.empty()) {
    if (Status s = consumer_->Pause(pause); s) {
      paused_.insert(pause.begin(), pause.end());
    } else {
      spdlog::warn("{} pipeline: pause: {}", name(), s.error().ToString());
    }
  }
  if (!resume.empty()) {
    if (Status s = consumer_->Resume(resume); s) {
      for (const auto& p : resume)
        paused_.erase(p);
    } else {
      spdlog::warn("{} pipeline: resume: {}", name(), s.error().ToString());
    }
  }
}

void Pipeline::WaitForCompletions(const std::vector<kafka::TopicPartition>& partitions,
                                  milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto busy = [&] {
    for (const auto& p : partitions) {
      if (tracker_.InFlight(p) > scheduler_.Held(p)) return true;
    }
    return false;
  };
  for (;;) {
    DrainCompletions();
    if (!busy()) return;
    std::unique_lock lock(done_mu_);
    if (!done_cv_.wait_until(lock, deadline, [&] { return !done_.empty(); })) return;
  }
}

void Pipeline::OnAssigned(const std::vector<kafka::TopicPartition>& partitions) {
  for (const auto& p : partitions) {
    assignment_.insert(p);
    epochs_[p] = next_epoch_++;
    paused_.erase(p);  // librdkafka starts an assigned partition unpaused
  }
  resolved_ = consumer_->StartOffsetsResolved();
  assigned_ = true;
  spdlog::info("{} pipeline: assigned {} partition(s) of {} (now {}){}", name(), partitions.size(),
               topic_, assignment_.size(), resolved_ ? "" : "; start offsets not resolved yet");
}

void Pipeline::OnRevoked(const std::vector<kafka::TopicPartition>& partitions, bool lost) {
  if (!lost) {
    // Give in-flight work a moment to finish so the next owner repeats as little as possible.
    WaitForCompletions(partitions, stop_ ? milliseconds(0) : kRevokeDrain);
    if (Status s = consumer_->Commit(); !s) {
      spdlog::warn("{} pipeline: commit on revoke: {}", name(), s.error().ToString());
    }
  }
  for (const auto& p : partitions) {
    tracker_.Forget(p);
    scheduler_.Forget(p);
    epochs_.erase(p);
    assignment_.erase(p);
    paused_.erase(p);
  }
  resolved_ = consumer_->StartOffsetsResolved();
  spdlog::info("{} pipeline: {} {} partition(s) of {}", name(), lost ? "lost" : "revoked",
               partitions.size(), topic_);
}

void Pipeline::UpdateGauges() {
  if (metrics_ == nullptr) return;
  metrics_->in_flight.Add({{"pipeline", name()}}).Set(static_cast<double>(tracker_.InFlight()));
  if (kind_ == Kind::kRetry) metrics_->retry_held.Set(static_cast<double>(scheduler_.Held()));
  if (auto lag = consumer_->Lag()) {
    metrics_->lag.Add({{"pipeline", name()}}).Set(static_cast<double>(*lag));
  }
}

}  // namespace driftline::bridge
