#include "bridge/service.h"

#include <spdlog/spdlog.h>

#include "ops/metrics_text.h"
#include "sqs/curl_client.h"

namespace driftline::bridge {

using std::chrono::milliseconds;

namespace {
constexpr milliseconds kProbeInterval{2000};
// Until the queue first answers nothing else happens: look more often, to start sooner.
constexpr milliseconds kStartProbeInterval{250};
constexpr milliseconds kKafkaProbeTimeout{1500};
}  // namespace

OrderService::OrderService(BridgeConfig config)
    : config_(std::move(config)), registry_(std::make_shared<prometheus::Registry>()) {}

Result<std::unique_ptr<OrderService>> OrderService::Create(BridgeConfig config, const Clock& clock,
                                                           std::unique_ptr<sqs::SqsClient> sqs,
                                                           ConsumerFactory consumers) {
  if (Status s = Validate(config); !s) return tl::unexpected(s.error());
  std::unique_ptr<OrderService> svc(new OrderService(std::move(config)));
  const BridgeConfig& c = svc->config_;
  svc->metrics_ = std::make_unique<BridgeMetrics>(*svc->registry_);

  if (!sqs) {
    sqs::SqsClientConfig sqs_config;
    sqs_config.endpoint_url = c.sqs_endpoint;
    sqs_config.region = c.aws_region;
    sqs_config.credentials = c.aws_credentials;
    sqs_config.ca_bundle = c.aws_ca_bundle;
    sqs_config.max_idle_connections = c.sqs_max_in_flight_batches + 2;
    auto client = sqs::CurlSqsClient::Create(sqs_config);
    if (!client) return tl::unexpected(std::move(client.error()).With("creating the SQS client"));
    sqs = std::move(*client);
  }
  svc->sqs_ = std::move(sqs);
  if (!c.aws_credentials_from_env) {
    spdlog::warn("AWS_ACCESS_KEY_ID is not set: using the local stack's test credentials");
  }

  svc->sender_ =
      std::make_unique<SqsSender>(*svc->sqs_,
                                  SqsSenderOptions{c.sqs_queue_url, c.sqs_batch_size,
                                                   c.sqs_max_in_flight_batches, c.sqs_batch_linger},
                                  svc->metrics_.get());

  kafka::Properties props = kafka::Properties::Make(c.kafka_bootstrap, {});
  props.Merge(c.kafka_properties);
  auto sink = RecordSink::Create(props, svc->metrics_.get());
  if (!sink) return tl::unexpected(sink.error());
  svc->sink_ = std::move(*sink);

  if (!consumers) consumers = KafkaConsumerFactory();
  auto main = Pipeline::Create(Pipeline::Kind::kMain, c, *svc->sender_, *svc->sink_,
                               svc->metrics_.get(), clock, consumers);
  if (!main) return tl::unexpected(main.error());
  svc->main_ = std::move(*main);
  if (c.retry_consumer_enabled) {
    auto retry = Pipeline::Create(Pipeline::Kind::kRetry, c, *svc->sender_, *svc->sink_,
                                  svc->metrics_.get(), clock, consumers);
    if (!retry) return tl::unexpected(retry.error());
    svc->retry_ = std::move(*retry);
  }

  if (!c.metrics_address.empty()) {
    if (const std::string warning = MetricsExposureWarning(c); !warning.empty()) {
      spdlog::warn("{}", warning);
    }
    OrderService* raw = svc.get();
    auto ops = ops::HttpServer::Start(
        c.metrics_address, {{"/healthz",
                             [raw] {
                               const bool ready = raw->Ready();
                               return ops::HttpReply{ready ? 200 : 503, "text/plain; charset=utf-8",
                                                     raw->HealthReport()};
                             }},
                            {"/metrics", [raw] {
                               raw->metrics_->ready.Set(raw->Ready() ? 1 : 0);
                               return ops::HttpReply{200, ops::kPrometheusContentType,
                                                     ops::MetricsText(*raw->registry_)};
                             }}});
    if (!ops) return tl::unexpected(std::move(ops.error()).With("METRICS_ADDRESS"));
    svc->ops_ = std::move(*ops);
  }
  return svc;
}

OrderService::~OrderService() {
  Stop();
  // The order of service.h's members, spelled out: whatever reports completions goes before
  // the pipelines it reports into. Stop() already cut those reports off (the sender's threads
  // are joined, the sink is drained); this order keeps a late one harmless as well.
  ops_.reset();
  sender_.reset();
  sink_.reset();  // waits up to the producer's close timeout for outstanding deliveries
  retry_.reset();
  main_.reset();
}

void OrderService::Start() {
  spdlog::info("waiting for SQS queue {} to answer before consuming", config_.sqs_queue_url);
  prober_ = std::thread([this] { ProbeLoop(); });
}

void OrderService::StartPipelines() {
  if (consuming_.load()) return;
  main_->Start();
  if (retry_) {
    retry_->Start();
  } else {
    spdlog::warn("RETRY_CONSUMER_ENABLED=false: retry envelopes on {} will not be processed",
                 config_.retry_topic);
  }
  consuming_ = true;
}

bool OrderService::ProbeSqs() {
  auto attrs = sqs_->GetQueueAttributes(config_.sqs_queue_url, {"QueueArn"});
  const bool ok = attrs.has_value();
  bool cause_changed = false;
  {
    std::lock_guard lock(sqs_error_mu_);
    if (ok) {
      sqs_probe_error_.reset();
    } else {
      cause_changed = !sqs_probe_error_ || sqs_probe_error_->cause() != attrs.error().cause();
      sqs_probe_error_ = attrs.error();
    }
  }
  if (!ok) {
    const std::string cause = CauseOf(attrs.error());
    metrics_->sqs_probe_failures.Add({{"cause", cause}}).Increment();
    // Once when it starts failing or the cause changes, not at every probe.
    if (sqs_ok_.load() || cause_changed) {
      spdlog::warn("SQS queue {} does not answer ({}){}: {}", config_.sqs_queue_url, cause,
                   consuming_.load() ? "" : "; not consuming until it does",
                   attrs.error().ToString());
    }
  } else if (!sqs_ok_.load()) {
    spdlog::info("SQS queue {} answers", config_.sqs_queue_url);
  }
  sqs_ok_ = ok;
  return ok;
}

void OrderService::ProbeLoop() {
  std::unique_lock lock(probe_mu_);
  bool first = true;
  while (!stopping_) {
    lock.unlock();
    const bool ok = ProbeSqs();
    if (ok && !consuming_.load()) {
      lock.lock();
      if (!stopping_) StartPipelines();
      lock.unlock();
    }
    // Kafka: the topics the service produces to (a dead broker trips nothing else while no
    // record is moving).
    Status kafka = sink_->Probe(config_.dlq_topic, kKafkaProbeTimeout);
    if (kafka) kafka = sink_->Probe(config_.retry_topic, kKafkaProbeTimeout);
    if (kafka.has_value() != kafka_ok_.load() || (first && !kafka)) {
      if (kafka) {
        spdlog::info("Kafka answers ({})", config_.kafka_bootstrap);
      } else {
        spdlog::warn("Kafka does not answer ({}): {}", config_.kafka_bootstrap,
                     kafka.error().ToString());
      }
    }
    kafka_ok_ = kafka.has_value();
    first = false;
    lock.lock();
    probe_cv_.wait_for(lock, consuming_.load() ? kProbeInterval : kStartProbeInterval,
                       [&] { return stopping_; });
  }
}

std::size_t OrderService::Stop() {
  {
    std::lock_guard lock(probe_mu_);
    if (stopping_) return 0;
    stopping_ = true;
  }
  probe_cv_.notify_all();
  spdlog::info("stopping: draining in-flight work (up to {} ms)", config_.shutdown_timeout.count());
  // Create() may have failed part way: stop what exists.
  const auto drain = config_.shutdown_timeout;
  std::size_t left = 0;
  for (Pipeline* p : {main_.get(), retry_.get()}) {
    if (p != nullptr) p->RequestStop(drain);
  }
  for (Pipeline* p : {main_.get(), retry_.get()}) {
    if (p != nullptr) left += p->Join();
  }
  // Everything the pipelines waited for is done or abandoned; stop the senders. No completion
  // reaches a pipeline after this.
  if (sender_) sender_->Stop(milliseconds(0));
  if (sink_) sink_->Drain(milliseconds(1000));
  if (prober_.joinable()) prober_.join();
  ops_.reset();
  spdlog::info("stopped; {} record(s) left unfinished will be consumed again", left);
  return left;
}

bool OrderService::Ready() const {
  return !Failed() && consuming_.load() && main_->Ready() && (!retry_ || retry_->Ready()) &&
         sqs_ok_.load() && kafka_ok_.load() && sender_->Healthy() && sink_->Healthy();
}

bool OrderService::Failed() const {
  return main_->Failed() || (retry_ && retry_->Failed());
}

std::string OrderService::HealthReport() const {
  const bool consuming = consuming_.load();
  auto consumer = [consuming](const Pipeline* p) -> std::string {
    if (p == nullptr) return "disabled";
    if (p->Failed()) return "FAILED";
    if (!consuming) return "NOT STARTED (waits for the SQS queue to answer)";
    if (!p->Assigned()) return "NOT READY (waiting for a group assignment)";
    return p->Ready() ? "ok (joined its group)" : "NOT READY (start offsets not resolved)";
  };
  std::string out = Ready() ? "ready\n" : "not ready\n";
  out += "main consumer (" + config_.main_group + "): " + consumer(main_.get()) + "\n";
  out += "retry consumer (" + config_.retry_group + "): " + consumer(retry_.get()) + "\n";
  // The cause first (a metric label's word), then the error as SQS or the transport said it.
  auto why = [](const Error& e) { return "infrastructure: " + CauseOf(e) + ": " + e.ToString(); };
  std::string sqs = "ok";
  if (!sqs_ok_.load()) {
    std::lock_guard lock(sqs_error_mu_);
    sqs = "NOT READY (" + config_.sqs_queue_url + " does not answer" +
          (sqs_probe_error_ ? "; " + why(*sqs_probe_error_) : std::string()) + ")";
  } else if (!sender_->Healthy()) {
    auto failing = sender_->Failing();
    sqs = "NOT READY (sends failing" + (failing ? "; " + why(*failing) : std::string()) + ")";
  }
  out += "sqs queue: " + sqs + "\n";
  const std::string sink_problem = sink_->Problem();
  out += std::string("kafka: ") +
         (!kafka_ok_.load() ? "NOT READY (no metadata answer)"
                            : (sink_problem.empty() ? "ok" : "NOT READY (" + sink_problem + ")")) +
         "\n";
  return out;
}

}  // namespace driftline::bridge
