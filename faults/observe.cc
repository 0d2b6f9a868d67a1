#include "faults/observe.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <condition_variable>
#include <random>

#include "faults/unique_fd.h"
#include "kafka/consumer.h"
#include "sqs/curl_client.h"

namespace driftline::faults {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Steady = std::chrono::steady_clock;

constexpr auto kAdminTimeout = seconds(10);

std::string RandomHex(int digits) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  auto r = rng();
  for (int i = 0; i < digits; ++i, r >>= 4)
    out += kHex[r & 0xF];
  return out;
}

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<milliseconds>(Steady::now().time_since_epoch()).count();
}

Result<std::unique_ptr<sqs::SqsClient>> SqsFor(const Environment& env) {
  sqs::SqsClientConfig c;
  c.endpoint_url = env.sqs_endpoint;
  c.region = "us-east-1";
  c.credentials = sqs::LocalStackCredentials();
  auto client = sqs::CurlSqsClient::Create(c);
  if (!client) return tl::unexpected(client.error());
  return std::unique_ptr<sqs::SqsClient>(std::move(*client));
}

// A free loopback port for a service's /healthz listener (bound, read, released).
Result<int> FreeLoopbackPort() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return Fail(Code::kUnavailable, "no free loopback port");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

std::size_t Discard(char*, std::size_t size, std::size_t n, void*) {
  return size * n;
}

}  // namespace

std::int64_t WallMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Eventually(const std::function<bool()>& done, milliseconds limit, milliseconds every) {
  const auto deadline = Steady::now() + limit;
  while (Steady::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(every);
  }
  return done();
}

std::string HeaderOf(const kafka::Message& m, std::string_view name) {
  const kafka::Header* h = m.headers.Find(name);
  return h != nullptr && h->value ? *h->value : "";
}

// ---- Topology ----

Topology::Topology(Environment env, std::string base, int partitions)
    : env_(std::move(env)), base_(std::move(base)), partitions_(partitions) {}

Result<std::unique_ptr<Topology>> Topology::Create(const Environment& env, const std::string& name,
                                                   int partitions) {
  std::unique_ptr<Topology> t(new Topology(env, "faults-" + name + "-" + RandomHex(6), partitions));
  t->main_topic = t->base_ + "-orders";
  t->retry_topic = t->base_ + "-retry";
  t->dlq_topic = t->base_ + "-dlq";
  t->main_group = t->base_ + "-main";
  t->retry_group = t->base_ + "-retry";
  auto admin = kafka::Admin::Create(kafka::Properties::Make(env.kafka, {}));
  if (!admin) return tl::unexpected(admin.error());
  t->admin_ = std::move(*admin);
  if (Status s = t->admin_->CreateTopics({{t->main_topic, partitions, 1, {}},
                                          {t->retry_topic, partitions, 1, {}},
                                          {t->dlq_topic, partitions, 1, {}}},
                                         seconds(30));
      !s) {
    return tl::unexpected(s.error());
  }
  auto client = SqsFor(env);
  if (!client) return tl::unexpected(client.error());
  t->sqs_ = std::move(*client);
  sqs::CreateQueueRequest q;
  q.queue_name = t->base_ + "-queue";
  q.attributes["VisibilityTimeout"] = "180";
  auto url = t->sqs_->CreateQueue(q);
  if (!url) return tl::unexpected(url.error());
  t->queue_url = *url;
  return t;
}

Topology::~Topology() {
  if (admin_) (void)admin_->DeleteTopics({main_topic, retry_topic, dlq_topic}, seconds(30));
  if (sqs_ && !queue_url.empty()) (void)sqs_->DeleteQueue(queue_url);
}

std::vector<std::string> Topology::ServiceEnv(const std::vector<std::string>& extra) const {
  std::vector<std::string> env = {"KAFKA_BOOTSTRAP_SERVERS=" + env_.kafka,
                                  "KAFKA_TOPIC=" + main_topic, "RETRY_TOPIC=" + retry_topic,
                                  "DLQ_TOPIC=" + dlq_topic, "KAFKA_MAIN_GROUP_ID=" + main_group,
                                  "KAFKA_RETRY_GROUP_ID=" + retry_group,
                                  "SQS_ENDPOINT=" + env_.sqs_endpoint, "SQS_QUEUE_URL=" + queue_url,
                                  // The broker's minimum: a killed member's partitions move
                                  // after about 6 s instead of 45.
                                  "KAFKA_PROPERTY_SESSION_TIMEOUT_MS=6000",
                                  "KAFKA_PROPERTY_HEARTBEAT_INTERVAL_MS=500", "LOG_LEVEL=info"};
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

Result<std::map<std::int32_t, std::int64_t>> Topology::End(const std::string& topic) {
  return admin_->EndOffsets(topic, kAdminTimeout);
}

Result<std::map<std::int32_t, std::int64_t>> Topology::Committed(const std::string& group,
                                                                 const std::string& topic) {
  auto c = admin_->CommittedOffsets(group, topic, kAdminTimeout);
  if (!c) return c;
  for (auto& [p, o] : *c)
    o = std::max<std::int64_t>(o, 0);
  return c;
}

std::int64_t Topology::QueueDepth() {
  auto a = sqs_->GetQueueAttributes(queue_url, {"ApproximateNumberOfMessages"});
  return a ? a->approximate_number_of_messages().value_or(0) : 0;
}

std::string Topology::LogPath(const std::string& what) const {
  return env_.log_dir + "/" + base_ + "-" + what + ".log";
}

// ---- OrderFeed ----

Result<std::unique_ptr<OrderFeed>> OrderFeed::Create(const Topology& topology, Ledger& ledger) {
  std::unique_ptr<OrderFeed> feed(new OrderFeed(topology, ledger));
  OrderFeed* raw = feed.get();
  auto producer = kafka::Producer::Create(
      kafka::WithReliableDelivery(
          kafka::Properties::Make(topology.env().kafka, {}).Set("linger.ms", "10")),
      [raw](kafka::DeliveryReport r) {
        if (!r.error) return;
        ++raw->failed_;
        std::lock_guard lock(raw->error_mu_);
        if (raw->first_error_.empty()) raw->first_error_ = r.error->ToString();
      });
  if (!producer) return tl::unexpected(producer.error());
  feed->producer_ = std::move(*producer);
  return feed;
}

OrderFeed::~OrderFeed() {
  stop_ = true;
  if (stream_.joinable()) stream_.join();
}

Status OrderFeed::Send(const PlannedOrder& order) {
  ledger_.Add(order);
  kafka::OutgoingMessage m{topology_.main_topic, order.partition, std::nullopt, order.payload, {}};
  m.headers.Add("CorrelationId", order.order_id);
  Status s = producer_->Send(m, static_cast<std::uint64_t>(sent_.load()));
  if (s) ++sent_;
  return s;
}

Status OrderFeed::SendAll(const std::vector<PlannedOrder>& orders, milliseconds limit) {
  for (const auto& o : orders) {
    if (Status s = Send(o); !s) return s;
  }
  return Finish(limit);
}

void OrderFeed::StartStream(std::vector<PlannedOrder> orders, double per_second) {
  stream_ = std::thread([this, orders = std::move(orders), per_second] {
    const auto start = Steady::now();
    for (std::size_t i = 0; i < orders.size() && !stop_; ++i) {
      const auto due =
          start + std::chrono::duration_cast<Steady::duration>(
                      std::chrono::duration<double>(static_cast<double>(i) / per_second));
      std::this_thread::sleep_until(due);
      if (Status s = Send(orders[i]); !s) {
        ++failed_;
        std::lock_guard lock(error_mu_);
        if (first_error_.empty()) first_error_ = s.error().ToString();
      }
    }
  });
}

Status OrderFeed::Finish(milliseconds limit) {
  stop_ = true;
  if (stream_.joinable()) stream_.join();
  if (Status s = producer_->Flush(limit); !s) return s;
  if (failed_ > 0) {
    std::lock_guard lock(error_mu_);
    return Fail(Code::kUnavailable,
                std::to_string(failed_.load()) + " order(s) not delivered: " + first_error_);
  }
  return Ok();
}

// ---- SqsCollector ----

Result<std::unique_ptr<SqsCollector>> SqsCollector::Start(const Topology& topology, Ledger& ledger,
                                                          int threads) {
  std::unique_ptr<SqsCollector> c(new SqsCollector(ledger));
  c->last_ms_ = SteadyMs();
  for (int i = 0; i < threads; ++i) {
    auto client = SqsFor(topology.env());
    if (!client) return tl::unexpected(client.error());
    c->clients_.push_back(std::move(*client));
  }
  for (auto& client : c->clients_) {
    c->threads_.emplace_back(
        [raw = c.get(), cl = client.get(), url = topology.queue_url] { raw->Loop(*cl, url); });
  }
  return c;
}

SqsCollector::~SqsCollector() {
  stop_ = true;
  for (auto& t : threads_)
    t.join();
}

std::int64_t SqsCollector::IdleMs() const {
  return SteadyMs() - last_ms_.load();
}

std::vector<SqsDelivery> SqsCollector::Deliveries() const {
  std::lock_guard lock(mu_);
  return deliveries_;
}

void SqsCollector::Loop(sqs::SqsClient& client, std::string queue_url) {
  while (!stop_) {
    sqs::ReceiveRequest r;
    r.queue_url = queue_url;
    r.wait_time_seconds = 1;
    r.message_attribute_names = {"CorrelationId"};
    r.system_attribute_names = {"SentTimestamp"};
    auto got = client.ReceiveMessage(r);
    if (!got) {
      std::this_thread::sleep_for(milliseconds(200));
      continue;
    }
    if (got->empty()) continue;
    std::vector<std::string> handles;
    std::vector<SqsDelivery> batch;
    for (const auto& m : *got) {
      handles.push_back(m.receipt_handle);
      SqsDelivery d;
      auto corr = m.message_attributes.find("CorrelationId");
      if (corr != m.message_attributes.end()) d.correlation_id = corr->second.string_value;
      auto sent = m.attributes.find("SentTimestamp");
      if (sent != m.attributes.end()) d.sent_ms = std::stoll(sent->second);
      ledger_.CountSqs(d.correlation_id);
      batch.push_back(std::move(d));
    }
    {
      std::lock_guard lock(mu_);
      deliveries_.insert(deliveries_.end(), batch.begin(), batch.end());
    }
    received_ += static_cast<std::int64_t>(got->size());
    last_ms_ = SteadyMs();
    // A failed delete only means the message comes back after the visibility timeout, which
    // would count as a duplicate; retry a few times so that the count stays the service's own.
    for (int attempt = 0; attempt < 5; ++attempt) {
      auto results = client.DeleteMessageBatch(queue_url, handles);
      std::vector<std::string> again;
      if (results.entries.size() != handles.size()) {
        again = handles;  // the whole call failed
      } else {
        for (std::size_t i = 0; i < handles.size(); ++i) {
          if (!results.entries[i]) again.push_back(handles[i]);
        }
      }
      if (again.empty()) break;
      handles = std::move(again);
      std::this_thread::sleep_for(milliseconds(100));
    }
  }
}

// ---- TopicTail ----

Result<std::unique_ptr<TopicTail>> TopicTail::Start(const Topology& topology,
                                                    const std::string& topic,
                                                    Ledger* dead_letters) {
  std::unique_ptr<TopicTail> t(new TopicTail(dead_letters));
  auto consumer = kafka::Consumer::Create(kafka::Properties::Make(topology.env().kafka, {}),
                                          topology.base() + "-tail-" + RandomHex(4));
  if (!consumer) return tl::unexpected(consumer.error());
  t->consumer_ = std::move(*consumer);
  std::vector<kafka::TopicPartitionOffset> parts;
  for (std::int32_t p = 0; p < topology.partitions(); ++p)
    parts.push_back({topic, p, kafka::kOffsetBeginning});
  if (Status s = t->consumer_->Assign(parts); !s) return tl::unexpected(s.error());
  t->thread_ = std::thread([raw = t.get()] { raw->Loop(); });
  return t;
}

TopicTail::~TopicTail() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void TopicTail::Loop() {
  while (!stop_) {
    auto m = consumer_->Poll(milliseconds(200));
    if (!m || !*m) continue;
    kafka::Message& msg = **m;
    if (ledger_ != nullptr) ledger_->CountDeadLetter(HeaderOf(msg, "CorrelationId"));
    std::lock_guard lock(mu_);
    next_[msg.partition] = msg.offset + 1;
    records_.push_back(std::move(msg));
  }
}

bool TopicTail::CaughtUp(const std::map<std::int32_t, std::int64_t>& ends) const {
  std::lock_guard lock(mu_);
  for (const auto& [p, end] : ends) {
    if (end == 0) continue;
    auto it = next_.find(p);
    if (it == next_.end() || it->second < end) return false;
  }
  return true;
}

std::vector<kafka::Message> TopicTail::Records() const {
  std::lock_guard lock(mu_);
  return records_;
}

std::size_t TopicTail::Count() const {
  std::lock_guard lock(mu_);
  return records_.size();
}

// ---- ServiceInstance ----

Result<std::unique_ptr<ServiceInstance>> ServiceInstance::Start(
    const Topology& topology, const std::vector<std::string>& extra_env, const std::string& name) {
  std::unique_ptr<ServiceInstance> s(new ServiceInstance());
  auto port = FreeLoopbackPort();
  if (!port) return tl::unexpected(port.error());
  s->port_ = *port;
  s->log_ = topology.LogPath(name);
  std::vector<std::string> env = extra_env;
  env.push_back("METRICS_ADDRESS=127.0.0.1:" + std::to_string(s->port_));
  auto child = ChildProcess::Spawn({topology.env().service_bin}, topology.ServiceEnv(env), s->log_);
  if (!child) return tl::unexpected(child.error());
  s->process_ = std::move(*child);
  return s;
}

int ServiceInstance::Health() const {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return -1;
  const std::string url = "http://127.0.0.1:" + std::to_string(port_) + "/healthz";
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 2000L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Discard);
  if (curl_easy_perform(curl.get()) != CURLE_OK) return -1;
  long code = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
  return static_cast<int>(code);
}

}  // namespace driftline::faults
