#include "bridge/record_sink.h"

#include <spdlog/spdlog.h>

#include "bridge/metrics.h"
#include "order/envelope.h"

namespace driftline::bridge {

using Steady = std::chrono::steady_clock;

namespace {
constexpr std::chrono::milliseconds kResendInitial{200};
constexpr std::chrono::milliseconds kResendMax{10000};

std::string Describe(const KafkaOutput& out) {
  const kafka::Header* t = out.message.headers.Find(kDlqOriginalTopic);
  const kafka::Header* o = out.message.headers.Find(kDlqOriginalOffset);
  return out.message.topic + " record for key '" + order::Bound(out.message.key.value_or(""), 80) +
         "'" +
         (t && o && t->value && o->value ? " (input " + *t->value + "@" + *o->value + ")" : "");
}
}  // namespace

RecordSink::RecordSink(BridgeMetrics* metrics) : metrics_(metrics) {}

Result<std::unique_ptr<RecordSink>> RecordSink::Create(const kafka::Properties& props,
                                                       BridgeMetrics* metrics) {
  std::unique_ptr<RecordSink> sink(new RecordSink(metrics));
  kafka::Properties p = kafka::WithReliableDelivery(props);
  p.SetDefault("linger.ms", "5");
  RecordSink* raw = sink.get();
  auto producer =
      kafka::Producer::Create(p, [raw](kafka::DeliveryReport r) { raw->OnDelivery(std::move(r)); });
  if (!producer) return tl::unexpected(std::move(producer.error()).With("creating the producer"));
  sink->producer_ = std::move(*producer);
  sink->resender_ = std::thread([raw] { raw->ResendLoop(); });
  return sink;
}

RecordSink::~RecordSink() {
  Drain(std::chrono::milliseconds(0));
  producer_.reset();  // flushes within its close timeout; late reports call nobody back
  std::lock_guard lock(mu_);
  if (late_durable_ > 0) {
    spdlog::info(
        "{} retry/DLQ record(s) were written after the stop: their input offsets were not "
        "stored, so those inputs will be consumed again (duplicates on the retry/DLQ topics)",
        late_durable_);
  }
}

void RecordSink::Produce(KafkaOutput out, std::function<void()> durable) {
  std::uint64_t token = 0;
  {
    std::lock_guard lock(mu_);
    token = next_token_++;
    entries_.emplace(token, Entry{std::move(out), std::move(durable), 0});
  }
  Send(token);
}

void RecordSink::Send(std::uint64_t token) {
  kafka::OutgoingMessage message;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(token);
    if (it == entries_.end()) return;
    ++it->second.attempts;
    message = it->second.out.message;
  }
  Status s = producer_->Send(message, token);
  if (s) return;
  // Nothing was queued: no report will come. Treat it like a failed delivery.
  kafka::DeliveryReport failed;
  failed.token = token;
  failed.topic = message.topic;
  failed.error = s.error();
  OnDelivery(std::move(failed));
}

void RecordSink::OnDelivery(kafka::DeliveryReport report) {
  std::function<void()> durable;
  {
    std::unique_lock lock(mu_);
    auto it = entries_.find(report.token);
    if (it == entries_.end()) return;  // drained and abandoned
    Entry& entry = it->second;
    if (!report.error) {
      healthy_ = true;
      if (entry.refused) {
        --refused_;
        spdlog::info("{} written at attempt {}", Describe(entry.out), entry.attempts);
      }
      if (stopping_) {
        // After Drain() its owner may be gone: the record is durable, nobody is told.
        ++late_durable_;
      } else {
        durable = std::move(entry.durable);
        ++callbacks_running_;
      }
      entries_.erase(it);
      UpdateRefusedGauge();
    } else if (report.error->retryable()) {
      healthy_ = false;
      last_failure_ = report.error->ToString();
      spdlog::warn("delivery of {} failed (attempt {}), will resend: {}", Describe(entry.out),
                   entry.attempts, report.error->ToString());
      lock.unlock();
      ScheduleResend(report.token);
      return;
    } else {
      const std::optional<kafka::OutgoingMessage> smaller =
          report.error->code() != Code::kInvalidArgument ? std::nullopt
          : entry.out.kind == KafkaOutput::Kind::kDeadLetter
              ? ShrinkDeadLetter(entry.out.message)
              : ShrinkRetryEnvelope(entry.out.message);
      if (smaller) {
        spdlog::warn("{} refused ({}); sending it again smaller ({} bytes instead of {})",
                     Describe(entry.out), report.error->ToString(), smaller->payload.size(),
                     entry.out.message.payload.size());
        if (metrics_ != nullptr) {
          metrics_->kafka_shrunk.Add({{"topic", entry.out.message.topic}}).Increment();
        }
        entry.out.message = *smaller;
      } else {
        // Not retryable and nothing left to make smaller (not authorised, topic gone, a fatal
        // producer, still too large): the record is kept and produced again — it may succeed
        // once someone fixes the cause — and the service says so: not ready, with the cause.
        if (metrics_ != nullptr) {
          metrics_->kafka_refusals.Add({{"topic", entry.out.message.topic}}).Increment();
        }
        if (!entry.refused) {
          ++refused_;
          spdlog::error(
              "{} refused: {}; its input offset stays uncommitted; producing it again (every "
              "{} s at most) until it is accepted",
              Describe(entry.out), report.error->ToString(), kResendMax.count() / 1000);
        } else {
          spdlog::debug("{} refused again (attempt {}): {}", Describe(entry.out), entry.attempts,
                        report.error->ToString());
        }
        entry.refused = true;
        last_refusal_ = Describe(entry.out) + ": " + report.error->ToString();
        UpdateRefusedGauge();
      }
      lock.unlock();
      ScheduleResend(report.token);
      return;
    }
  }
  if (durable) {
    durable();
    std::lock_guard lock(mu_);
    --callbacks_running_;
  }
  changed_.notify_all();
}

void RecordSink::UpdateRefusedGauge() {
  if (metrics_ != nullptr) metrics_->kafka_refused.Set(static_cast<double>(refused_));
}

void RecordSink::ScheduleResend(std::uint64_t token) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(token);
  if (it == entries_.end() || stopping_) return;
  auto delay = kResendInitial * (1 << std::min(it->second.attempts, 6));
  delay = std::min(delay, kResendMax);
  resends_.emplace_back(Steady::now() + delay, token);
  changed_.notify_all();
}

void RecordSink::ResendLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (resends_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto next = std::min_element(resends_.begin(), resends_.end());
    if (Steady::now() < next->first) {
      changed_.wait_until(lock, next->first);
      continue;
    }
    const std::uint64_t token = next->second;
    resends_.erase(next);
    lock.unlock();
    if (metrics_ != nullptr) metrics_->kafka_resends.Increment();
    Send(token);
    lock.lock();
  }
}

Status RecordSink::Probe(const std::string& topic, std::chrono::milliseconds timeout) {
  return producer_->WarmUp(topic, timeout);
}

bool RecordSink::Healthy() const {
  std::lock_guard lock(mu_);
  return healthy_ && refused_ == 0;
}

std::string RecordSink::Problem() const {
  std::lock_guard lock(mu_);
  if (refused_ > 0) {
    return std::to_string(refused_) +
           " record(s) refused (not retryable), produced again until accepted, their input "
           "offsets uncommitted; latest: " +
           last_refusal_;
  }
  if (!healthy_) return "deliveries failing, resending: " + last_failure_;
  return "";
}

std::size_t RecordSink::Refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

std::size_t RecordSink::Pending() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::size_t RecordSink::Drain(std::chrono::milliseconds timeout) {
  std::size_t left = 0;
  {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, timeout, [&] { return entries_.empty(); });
    left = entries_.size();
    stopping_ = true;
    // A callback already taken out of its entry may still be running on the producer's thread.
    changed_.wait(lock, [&] { return callbacks_running_ == 0; });
  }
  changed_.notify_all();
  if (resender_.joinable()) resender_.join();
  return left;
}

}  // namespace driftline::bridge
