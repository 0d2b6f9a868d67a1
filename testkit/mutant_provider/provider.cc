#include "testkit/mutant_provider/provider.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "common/strings.h"
#include "kafka/admin.h"
#include "sqs/curl_client.h"

namespace driftline::testkit::mutant {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kSetupTimeout{15000};
constexpr milliseconds kDeliveryTimeout{15000};
constexpr int kSqsAttempts = 5;

std::set<std::string> IdList(const Environment& env, const char* name, const char* fallback) {
  // An explicit variable (even empty) replaces the lab's default list.
  const auto raw = env.Get(name);
  std::stringstream in(raw ? *raw : std::string(fallback));
  std::set<std::string> out;
  std::string item;
  while (std::getline(in, item, ',')) {
    if (const std::string_view id = Trim(item); !id.empty()) out.emplace(id);
  }
  return out;
}

// Calls `attempt` until it succeeds, fails other than with kNotFound, or `limit` passes: a topic
// created just before this process started may not be in the broker's metadata yet.
template <typename F>
auto WhileNotFound(F attempt, milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto result = attempt();
  while (!result && result.error().code() == Code::kNotFound &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(100));
    result = attempt();
  }
  return result;
}

}  // namespace

Result<ProviderConfig> LoadProviderConfig(const Environment& env) {
  ProviderConfig c;
  c.kafka_bootstrap = EnvString(env, "KAFKA_BOOTSTRAP_SERVERS", c.kafka_bootstrap);
  for (const auto& [name, value] : PropertiesFromEnv(env, "KAFKA_PROPERTY_"))
    c.kafka_properties.Set(name, value);
  Channels& ch = c.rules.channels;
  ch.main_topic = EnvString(env, "KAFKA_TOPIC", ch.main_topic);
  ch.retry_topic = EnvString(env, "RETRY_TOPIC", ch.retry_topic);
  ch.dlq_topic = EnvString(env, "DLQ_TOPIC", ch.dlq_topic);
  c.sqs_endpoint = EnvString(env, "SQS_ENDPOINT", c.sqs_endpoint);
  c.sqs_queue_url = EnvString(env, "SQS_QUEUE_URL", c.sqs_queue_url);
  c.aws_region = EnvString(env, "AWS_REGION", EnvString(env, "AWS_DEFAULT_REGION", c.aws_region));
  auto credentials = sqs::CredentialsFromEnv(env, sqs::WhenMissing::kUseLocalStackDefaults);
  if (!credentials) return tl::unexpected(credentials.error());
  c.aws_credentials = *credentials;
  auto max_retries = EnvInt(env, "MAX_RETRIES", c.rules.retry_policy.max_retries);
  if (!max_retries) return tl::unexpected(max_retries.error());
  if (*max_retries < 0 || *max_retries > 100) {
    return Fail(Code::kInvalidArgument,
                "MAX_RETRIES must be 0..100, got " + std::to_string(*max_retries));
  }
  c.rules.retry_policy.max_retries = static_cast<int>(*max_retries);
  auto faults = EnvBool(env, "ENABLE_TEST_FAILURE_SCENARIOS", true);
  if (!faults) return tl::unexpected(faults.error());
  c.rules.faults.enabled = *faults;
  c.rules.faults.fail_once = IdList(env, "FAIL_ONCE_ORDER_IDS", "ORD-RETRY-90001");
  c.rules.faults.always_fail = IdList(env, "ALWAYS_FAIL_ORDER_IDS", "ORD-DLQ-90001");
  c.rules.faults.direct_dlq = IdList(env, "DIRECT_DLQ_ORDER_IDS", "ORD-RECEIVE-DLQ-90001");
  return c;
}

MutantProvider::MutantProvider(ProviderConfig config, Behaviour behaviour, Clock& clock)
    : config_(std::move(config)), behaviour_(std::move(behaviour)), clock_(clock) {}

Result<std::unique_ptr<MutantProvider>> MutantProvider::Start(ProviderConfig config,
                                                              Behaviour behaviour, Clock& clock) {
  std::unique_ptr<MutantProvider> p(
      new MutantProvider(std::move(config), std::move(behaviour), clock));
  const ProviderConfig& c = p->config_;
  const Channels& ch = c.rules.channels;

  sqs::SqsClientConfig sc;
  sc.endpoint_url = c.sqs_endpoint;
  sc.region = c.aws_region;
  sc.credentials = c.aws_credentials;
  auto sqs = sqs::CurlSqsClient::Create(sc);
  if (!sqs) return tl::unexpected(sqs.error());
  p->sqs_ = std::move(*sqs);
  if (auto probe = p->sqs_->GetQueueAttributes(c.sqs_queue_url, {"QueueArn"}); !probe)
    return tl::unexpected(std::move(probe.error()).With("the reply queue " + c.sqs_queue_url));

  kafka::Properties props = kafka::Properties::Make(c.kafka_bootstrap, {});
  props.Merge(c.kafka_properties);
  kafka::Properties producer_props = kafka::WithReliableDelivery(props);
  producer_props.SetDefault("linger.ms", "0");
  auto producer = kafka::Producer::Create(producer_props, [raw = p.get()](kafka::DeliveryReport r) {
    if (!r.error) return;
    {
      std::lock_guard lock(raw->mu_);
      ++raw->failed_;
    }
    raw->Log("delivery to " + r.topic + " failed: " + r.error->ToString());
  });
  if (!producer) return tl::unexpected(producer.error());
  p->producer_ = std::move(*producer);
  for (const std::string& topic : {ch.retry_topic, ch.dlq_topic}) {
    if (Status s = WhileNotFound([&] { return p->producer_->WarmUp(topic, kSetupTimeout); },
                                 kSetupTimeout);
        !s)
      return tl::unexpected(std::move(s.error()).With("topic " + topic));
  }

  auto admin = kafka::Admin::Create(props);
  if (!admin) return tl::unexpected(admin.error());
  auto partitions = WhileNotFound(
      [&] { return (*admin)->PartitionCount(ch.main_topic, kSetupTimeout); }, kSetupTimeout);
  if (!partitions)
    return tl::unexpected(std::move(partitions.error()).With("topic " + ch.main_topic));
  auto consumer = kafka::Consumer::Create(props, "mutant-provider-" + std::to_string(::getpid()));
  if (!consumer) return tl::unexpected(consumer.error());
  p->consumer_ = std::move(*consumer);
  std::vector<kafka::TopicPartitionOffset> assignment;
  for (std::int32_t i = 0; i < *partitions; ++i)
    assignment.push_back({ch.main_topic, i, kafka::kOffsetBeginning});
  if (Status s = p->consumer_->Assign(assignment); !s) return tl::unexpected(s.error());

  p->schedule_thread_ = std::thread([raw = p.get()] { raw->ScheduleLoop(); });
  p->consume_thread_ = std::thread([raw = p.get()] { raw->ConsumeLoop(); });
  return p;
}

MutantProvider::~MutantProvider() {
  Stop();
}

void MutantProvider::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (consume_thread_.joinable()) consume_thread_.join();
  if (schedule_thread_.joinable()) schedule_thread_.join();
  // Before the members its delivery handler uses go away.
  producer_.reset();
  consumer_.reset();
}

std::int64_t MutantProvider::written() const {
  std::lock_guard lock(mu_);
  return written_;
}

std::int64_t MutantProvider::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

void MutantProvider::Log(const std::string& line) {
  std::lock_guard lock(log_mu_);
  std::fprintf(stderr, "mutant-provider: %s\n", line.c_str());
  std::fflush(stderr);
}

void MutantProvider::ConsumeLoop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
    }
    auto polled = consumer_->Poll(milliseconds(200));
    if (!polled) {
      Log("poll: " + polled.error().ToString());
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, milliseconds(200), [this] { return stop_; });
      continue;
    }
    if (!*polled) continue;
    const kafka::Message& in = **polled;
    if (auto stop = StopsConsumingAt(in, config_.rules, behaviour_)) {
      // As a consumer thread that died on the record: nothing more is read, the process stays up
      // and the scheduler still writes what earlier records planned.
      Log(in.topic + "[" + std::to_string(in.partition) + "]@" + std::to_string(in.offset) + ": " +
          stop->where + ": " + stop->message + "; the consumer stops, nothing more is read");
      return;
    }
    // Planned from the order's own timestamp (its CreateTime: when it was published), not from
    // when this consumer got to it: the provider's reaction time is then zero in the record
    // timestamps the runner measures, however loaded the machine, so no verdict depends on it.
    // Outputs due in the past are written at once.
    Clock::WallTime now = clock_.Wall();
    if (in.timestamp_ms >= 0) now = std::min(now, FromEpochMillis(in.timestamp_ms));
    std::vector<PlannedOutput> plan = PlanOutputs(in, now, config_.rules, behaviour_);
    std::string summary = in.topic + "[" + std::to_string(in.partition) + "]@" +
                          std::to_string(in.offset) + " processed; plan:";
    for (const PlannedOutput& o : plan)
      summary += "\n    " + o.Describe(now);
    Log(summary);
    {
      std::lock_guard lock(mu_);
      for (PlannedOutput& o : plan)
        queue_.push(Pending{std::move(o), now, next_sequence_++});
    }
    wake_.notify_all();
  }
}

void MutantProvider::ScheduleLoop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const Clock::WallTime now = clock_.Wall();
    if (now < queue_.top().output.due) {
      wake_.wait_for(lock, queue_.top().output.due - now);
      continue;
    }
    Pending next = queue_.top();
    queue_.pop();
    lock.unlock();
    Write(next.output);
    Log(next.output.Describe(next.origin) + " written at +" +
        std::to_string(
            std::chrono::duration_cast<milliseconds>(clock_.Wall() - next.origin).count()) +
        " ms");
    lock.lock();
  }
}

void MutantProvider::Write(const PlannedOutput& output) {
  if (const auto* record = std::get_if<kafka::OutgoingMessage>(&output.message)) {
    // A failed delivery is counted (and logged) by the delivery handler.
    const std::int64_t failed_before = failed();
    if (Status s = producer_->Send(*record, 0); !s) {
      Log("send to " + record->topic + ": " + s.error().ToString());
    } else if (Status f = producer_->Flush(kDeliveryTimeout); !f) {
      Log("flush: " + f.error().ToString());
    } else if (failed() == failed_before) {
      std::lock_guard lock(mu_);
      ++written_;
      return;
    } else {
      return;
    }
  } else {
    const auto& m = std::get<sqs::OutgoingMessage>(output.message);
    for (int attempt = 1; attempt <= kSqsAttempts; ++attempt) {
      auto sent = sqs_->SendMessage(config_.sqs_queue_url, m);
      if (sent) {
        std::lock_guard lock(mu_);
        ++written_;
        return;
      }
      Log("SendMessage (attempt " + std::to_string(attempt) + "): " + sent.error().ToString());
      if (!sent.error().retryable()) break;
      std::this_thread::sleep_for(milliseconds(200));
    }
  }
  std::lock_guard lock(mu_);
  ++failed_;
}

}  // namespace driftline::testkit::mutant
