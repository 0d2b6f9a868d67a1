#include "kafka/producer.h"

#include <spdlog/spdlog.h>

#include "kafka/client.h"
#include "kafka/error.h"

namespace driftline::kafka {
namespace {

// The token travels through librdkafka as the record's opaque pointer.
static_assert(sizeof(std::uintptr_t) >= sizeof(std::uint64_t));
void* TokenToOpaque(std::uint64_t token) {
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>(token));
}
std::uint64_t OpaqueToToken(void* opaque) {
  return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(opaque));
}

constexpr std::chrono::milliseconds kPollInterval{100};

}  // namespace

Properties WithReliableDelivery(Properties props) {
  props.SetDefault("enable.idempotence", "true");
  props.SetDefault("acks", "all");
  return props;
}

Producer::Producer(DeliveryHandler on_delivery, ProducerOptions options)
    : on_delivery_(std::move(on_delivery)), options_(options) {}

Result<std::unique_ptr<Producer>> Producer::Create(const Properties& props,
                                                   DeliveryHandler on_delivery,
                                                   ProducerOptions options) {
  auto conf = props.For(ClientRole::kProducer).ToConf();
  if (!conf) {
    return tl::unexpected(std::move(conf.error()));
  }
  std::unique_ptr<Producer> producer(new Producer(std::move(on_delivery), options));
  // The callbacks find the Producer through the conf's opaque; it outlives the handle.
  rd_kafka_conf_set_opaque(conf->get(), producer.get());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &Producer::OnDelivery);
  internal::RouteLogsAndErrors(conf->get());

  auto rk = internal::NewClient(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) {
    return tl::unexpected(std::move(rk.error()));
  }
  producer->rk_ = std::move(*rk);
  if (options.poll_thread) {
    producer->poll_thread_ = std::thread([p = producer.get()] { p->PollLoop(); });
  }
  return producer;
}

Producer::~Producer() {
  if (!rk_) {
    return;
  }
  if (auto flushed = Flush(options_.close_timeout); !flushed) {
    spdlog::warn("kafka {}: closing: {}; purging", name(), flushed.error().message());
  }
  stop_ = true;
  rd_kafka_yield(rk_.get());  // wakes the poll thread from rd_kafka_poll()
  if (poll_thread_.joinable()) {
    poll_thread_.join();
  }
  if (Outstanding() > 0) {
    // Fails what is left with _PURGE_QUEUE/_PURGE_INFLIGHT; rd_kafka_flush() then hands those
    // reports to the handler on this thread (the poll thread is gone).
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(rk_.get(), 1000);
  }
  rk_.reset();
}

void Producer::PollLoop() {
  while (!stop_) {
    rd_kafka_poll(rk_.get(), internal::TimeoutMs(kPollInterval));
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++poll_rounds_;
    }
    polled_.notify_all();
  }
}

void Producer::WaitForPollRound(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  const std::uint64_t seen = poll_rounds_;
  polled_.wait_for(lock, timeout, [&] { return poll_rounds_ != seen; });
}

void Producer::OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  DeliveryReport report;
  report.token = OpaqueToToken(message->_private);
  report.topic = rd_kafka_topic_name(message->rkt);
  report.partition = message->partition;
  report.offset = message->offset;
  if (message->err == RD_KAFKA_RESP_ERR__FATAL) {
    report.error = FatalErrorOf(rk).value_or(FromKafka(message->err, "deliver"));
  } else if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::string where = report.topic;
    if (report.partition >= 0) {
      where += "[" + std::to_string(report.partition) + "]";
    }
    report.error = FromKafka(message->err, "deliver to " + where);
  }
  try {
    self->on_delivery_(std::move(report));
  } catch (const std::exception& e) {
    spdlog::error("kafka {}: delivery handler threw: {}", rd_kafka_name(rk), e.what());
  } catch (...) {
    spdlog::error("kafka {}: delivery handler threw", rd_kafka_name(rk));
  }
  // After the handler: a record counts as outstanding until its report has been handled.
  self->unreported_.fetch_sub(1, std::memory_order_acq_rel);
}

Status Producer::Send(const OutgoingMessage& message, std::uint64_t token) {
  const auto deadline = std::chrono::steady_clock::now() + options_.queue_full_timeout;
  const bool on_poll_thread = std::this_thread::get_id() == poll_thread_.get_id();
  for (;;) {
    // A fresh list per attempt: librdkafka takes it only when it accepts the record.
    HeadersHandle headers = message.headers.empty() ? nullptr : ToKafkaHeaders(message.headers);
    const char* topic = message.topic.c_str();
    const std::int32_t partition = message.partition.value_or(RD_KAFKA_PARTITION_UA);
    const void* key = message.key ? message.key->data() : nullptr;
    const std::size_t key_size = message.key ? message.key->size() : 0;
    // librdkafka copies the payload (F_COPY) and never writes through this pointer.
    void* payload = const_cast<char*>(message.payload.data());
    const std::size_t payload_size = message.payload.size();
    rd_kafka_headers_t* raw_headers = headers.get();
    void* opaque = TokenToOpaque(token);
    const std::int64_t timestamp = message.timestamp_ms.value_or(0);  // 0: now
    // Counted before librdkafka has it: its report may be handled before producev() returns.
    unreported_.fetch_add(1, std::memory_order_acq_rel);
    // The RD_KAFKA_V_* macros expand to C casts; rd_kafka_produceva() would avoid them but
    // double-frees the headers on some failures (librdkafka #4627).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_.get(), RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_size),
        RD_KAFKA_V_VALUE(payload, payload_size), RD_KAFKA_V_HEADERS(raw_headers),
        RD_KAFKA_V_TIMESTAMP(timestamp), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
#pragma GCC diagnostic pop
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      static_cast<void>(headers.release());  // now owned by the queued record
      return Ok();
    }
    unreported_.fetch_sub(1, std::memory_order_acq_rel);  // refused: no report will come
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      return tl::unexpected(FatalErrorOf(rk_.get()).value_or(FromKafka(err, "produce")));
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return tl::unexpected(FromKafka(err, "produce to " + message.topic));
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds::zero() || on_poll_thread) {
      return Fail(Code::kResourceExhausted,
                  "produce to " + message.topic + ": local queue full for " +
                      std::to_string(options_.queue_full_timeout.count()) + " ms (" +
                      std::to_string(Outstanding()) + " records outstanding)");
    }
    if (poll_thread_.joinable()) {
      WaitForPollRound(std::min(left, kPollInterval));
    } else {
      rd_kafka_poll(rk_.get(), internal::TimeoutMs(std::min(left, kPollInterval)));
    }
  }
}

int Producer::Poll(std::chrono::milliseconds timeout) {
  if (poll_thread_.joinable()) {
    return 0;
  }
  return rd_kafka_poll(rk_.get(), internal::TimeoutMs(timeout));
}

Status Producer::Flush(std::chrono::milliseconds timeout) {
  if (!poll_thread_.joinable()) {
    const rd_kafka_resp_err_t err = rd_kafka_flush(rk_.get(), internal::TimeoutMs(timeout));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Ok();
    }
  } else {
    // Only the poll thread serves reports, so the handler never runs on two threads.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (Outstanding() > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= std::chrono::milliseconds::zero()) {
        break;
      }
      WaitForPollRound(std::min(left, kPollInterval));
    }
    if (Outstanding() == 0) {
      return Ok();
    }
  }
  return Fail(Code::kDeadlineExceeded, "flush: " + std::to_string(Outstanding()) +
                                           " records still outstanding after " +
                                           std::to_string(timeout.count()) + " ms");
}

Status Producer::WarmUp(const std::string& topic, std::chrono::milliseconds timeout) {
  auto partitions = internal::PartitionCount(rk_.get(), topic, timeout);
  if (!partitions) return tl::unexpected(std::move(partitions.error()));
  return Ok();
}

int Producer::Outstanding() const {
  // Not rd_kafka_outq_len(): that also counts librdkafka's own events (a broker going down)
  // waiting for the poll thread.
  return unreported_.load(std::memory_order_acquire);
}

std::optional<Error> Producer::FatalError() const {
  return FatalErrorOf(rk_.get());
}

std::string Producer::name() const {
  return rd_kafka_name(rk_.get());
}

}  // namespace driftline::kafka
