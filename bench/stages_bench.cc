// order-service's hot path, one stage at a time (Google Benchmark), on the benchmarks' own orders
// (bench/support.h MakeOrder: testkit::BenchMix, the orders drain_bench sends): decode
// (ParseOrder), transform, encode (a SendMessageBatch request of 10 transformed orders with their
// CorrelationId attributes), sign (SigV4 of that request), and the whole route of one main-topic
// record, without and with the contract input check (ORDER_CONTRACT). The cost of a change
// shows per stage; `make bench` runs it (section "stages").
//
// Every figure is per order: `time/order` (seconds, SI prefix: "812n" is 812 ns) and
// `allocs/order`, the operator new calls per order (this binary replaces the global operator
// new to count them; C allocations, e.g. libcurl's, are not counted).
#include <benchmark/benchmark.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bench/support.h"
#include "bridge/config.h"
#include "bridge/contract_input/contract_input.h"
#include "bridge/routing.h"
#include "common/clock.h"
#include "kafka/message.h"
#include "order/headers.h"
#include "order/order.h"
#include "sqs/curl_client.h"
#include "sqs/http.h"
#include "sqs/protocol/batch.h"
#include "sqs/protocol/digest.h"
#include "sqs/protocol/encode.h"
#include "sqs/protocol/endpoint.h"

// ---- Allocation counting: every operator new of this process ----------------------------------

namespace {
std::atomic<std::uint64_t> g_allocations{0};

void* CountedAllocate(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) {
  return CountedAllocate(size);
}
void* operator new[](std::size_t size) {
  return CountedAllocate(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

namespace driftline::bench {
namespace {

// The mix's first three orders, and its only three shapes (the type and the item count both go by
// index % 3): STANDARD of 1 item, PRIORITY of 2, BULK of 2 sub-orders of 3.
const char* TypeLabel(std::int64_t index) {
  static constexpr const char* kLabels[] = {"STANDARD", "PRIORITY", "BULK"};
  return kLabels[index % 3];
}

// Counts the operator new calls of a benchmark's timed loop and reports both per-order figures.
class PerOrder {
 public:
  PerOrder(benchmark::State& state, std::int64_t orders_per_iteration)
      : state_(state),
        orders_per_iteration_(orders_per_iteration),
        start_(g_allocations.load(std::memory_order_relaxed)) {}
  ~PerOrder() {
    const std::uint64_t allocations = g_allocations.load(std::memory_order_relaxed) - start_;
    const std::int64_t orders = state_.iterations() * orders_per_iteration_;
    state_.SetItemsProcessed(orders);
    if (orders == 0) return;
    state_.counters["time/order"] = benchmark::Counter(
        static_cast<double>(orders), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state_.counters["allocs/order"] =
        static_cast<double>(allocations) / static_cast<double>(orders);
  }
  PerOrder(const PerOrder&) = delete;
  PerOrder& operator=(const PerOrder&) = delete;

 private:
  benchmark::State& state_;
  std::int64_t orders_per_iteration_;
  std::uint64_t start_;
};

order::ParsedOrder MustParse(const std::string& bytes) {
  auto parsed = order::ParseOrder(bytes);
  if (!parsed) {
    std::cerr << "stages_bench: the mix's order does not parse: " << parsed.error().message << "\n";
    std::exit(1);
  }
  return std::move(*parsed);
}

// ---- 1. decode ---------------------------------------------------------------------------------

void BM_Decode(benchmark::State& state) {
  const std::string bytes = MakeOrder(static_cast<int>(state.range(0)));
  state.SetLabel(std::string(TypeLabel(state.range(0))) + ", " + std::to_string(bytes.size()) +
                 " B");
  PerOrder per_order(state, 1);
  for (auto _ : state)
    benchmark::DoNotOptimize(order::ParseOrder(bytes));
}
BENCHMARK(BM_Decode)->DenseRange(0, 2);

// ---- 2. transform ------------------------------------------------------------------------------

void BM_Transform(benchmark::State& state) {
  const order::ParsedOrder parsed = MustParse(MakeOrder(static_cast<int>(state.range(0))));
  const order::FaultInjection faults;  // off, as in production
  const Clock& clock = Clock::System();
  state.SetLabel(TypeLabel(state.range(0)));
  PerOrder per_order(state, 1);
  for (auto _ : state)
    benchmark::DoNotOptimize(order::Transform(parsed, 0, faults, clock));
}
BENCHMARK(BM_Transform)->DenseRange(0, 2);

// ---- 3. encode ---------------------------------------------------------------------------------

constexpr std::size_t kBatch = 10;
constexpr std::string_view kQueueUrl = "http://127.0.0.1:4566/000000000000/place-order-queue";

// Orders 0..9 of the mix, transformed, as the main pipeline hands them to the sender
// (Pipeline::Dispatch): the body and its CorrelationId attribute.
const std::vector<sqs::OutgoingMessage>& TransformedBatch() {
  static const auto* batch = [] {
    auto* out = new std::vector<sqs::OutgoingMessage>();
    for (int i = 0; i < static_cast<int>(kBatch); ++i) {
      auto transformed =
          order::Transform(MustParse(MakeOrder(i)), 0, order::FaultInjection{}, Clock::System());
      if (!transformed) {
        std::cerr << "stages_bench: order " << i
                  << " does not transform: " << transformed.error().message << "\n";
        std::exit(1);
      }
      sqs::OutgoingMessage m;
      m.body = std::move(transformed->body);
      m.attributes.emplace(std::string(order::kCorrelationIdHeader),
                           sqs::MessageAttributeValue::String(CorrelationIdOf(i)));
      out->push_back(std::move(m));
    }
    return out;
  }();
  return *batch;
}

const sqs::Endpoint& LocalEndpoint() {
  static const sqs::Endpoint endpoint = [] {
    auto e = sqs::MakeEndpoint("http://127.0.0.1:4566", "us-east-1");
    if (!e) std::exit(1);
    return *e;
  }();
  return endpoint;
}

// The request the service builds for one batch. SqsSender::SendUntilDone copies its jobs'
// messages into a vector for the client; CurlSqsClient::SendMessageBatch then splits it
// (SplitIntoBatches), names the entries by position, encodes the body and builds the request
// (BuildRequest serialises it). That sequence is private to the client, so it is repeated here
// from the same public protocol functions, in the same order.
sqs::HttpRequest EncodeBatch(const std::vector<sqs::OutgoingMessage>& jobs) {
  std::vector<sqs::OutgoingMessage> messages;
  messages.reserve(jobs.size());
  for (const auto& m : jobs)
    messages.push_back(m);
  sqs::BatchPlan plan = sqs::SplitIntoBatches(messages, sqs::BatchLimits{});
  const auto& batch = plan.batches.at(0);
  std::vector<sqs::SendBatchEntry> entries;
  std::map<std::string, std::size_t> index_of_id;
  for (std::size_t index : batch) {
    entries.push_back({std::to_string(index), std::cref(messages[index])});
    index_of_id.emplace(entries.back().id, index);
  }
  auto body = sqs::EncodeSendMessageBatch(kQueueUrl, entries);
  if (!body) {
    std::cerr << "stages_bench: " << body.error().ToString() << "\n";
    std::exit(1);
  }
  return sqs::BuildRequest(LocalEndpoint(), "SendMessageBatch", *body);
}

void BM_EncodeBatch(benchmark::State& state) {
  const auto& jobs = TransformedBatch();
  state.SetLabel("10 orders, " + std::to_string(EncodeBatch(jobs).body.size()) + " B body");
  PerOrder per_order(state, kBatch);
  for (auto _ : state)
    benchmark::DoNotOptimize(EncodeBatch(jobs));
}
BENCHMARK(BM_EncodeBatch);

// A transport that answers every SendMessageBatch with SQS's success reply for the bench's
// batch (message ids, MD5s of each body and its attributes): the client's whole work around the
// network — encode, and decode and verify the reply — with no network and no signing.
class AcceptingTransport final : public sqs::HttpTransport {
 public:
  explicit AcceptingTransport(const std::vector<sqs::OutgoingMessage>& messages) {
    nlohmann::json successful = nlohmann::json::array();
    for (std::size_t i = 0; i < messages.size(); ++i) {
      successful.push_back(
          {{"Id", std::to_string(i)},
           {"MessageId", "5fea7756-0ea4-451a-a703-a558b933e27" + std::to_string(i)},
           {"MD5OfMessageBody", sqs::Md5Hex(messages[i].body)},
           {"MD5OfMessageAttributes", sqs::Md5OfMessageAttributes(messages[i].attributes)}});
    }
    reply_.status = 200;
    reply_.headers = {{"content-type", "application/x-amz-json-1.0"}};
    reply_.body =
        nlohmann::json{{"Successful", successful}, {"Failed", nlohmann::json::array()}}.dump();
  }
  Result<sqs::HttpResponse> Send(const sqs::HttpRequest& request) override {
    benchmark::DoNotOptimize(request.body.data());
    return reply_;  // a copy, as a real transport hands over what it received
  }

 private:
  sqs::HttpResponse reply_;
};

void BM_ClientSendBatch(benchmark::State& state) {
  const auto& jobs = TransformedBatch();
  sqs::CurlSqsClient client(std::make_unique<AcceptingTransport>(jobs), LocalEndpoint(),
                            sqs::BatchLimits{});
  if (!client.SendMessageBatch(kQueueUrl, jobs).all_ok()) {
    state.SkipWithError("the canned reply does not verify");
    return;
  }
  state.SetLabel("10 orders: encode + decode + verify, no network, unsigned");
  PerOrder per_order(state, kBatch);
  for (auto _ : state) {
    std::vector<sqs::OutgoingMessage> messages(jobs);  // SqsSender's copy of its jobs
    benchmark::DoNotOptimize(client.SendMessageBatch(kQueueUrl, messages));
  }
}
BENCHMARK(BM_ClientSendBatch);

// ---- 4. sign -----------------------------------------------------------------------------------
//
// The client does not sign: libcurl does, inside curl_easy_perform, from CURLOPT_AWS_SIGV4
// (sqs/curl_transport.cc); no function of the project or public one of libcurl computes the
// signature alone. What follows is the work libcurl's SigV4 does for a request (curl 7.88,
// http_aws_sigv4.c, over OpenSSL as Debian's libcurl is built): SHA-256 of the body, the
// canonical request over its headers (host, x-amz-date and the request's own: Content-Type,
// X-Amz-Target), SHA-256 of it, the signing key derived by four HMAC-SHA256 and the signature by
// a fifth, and the Authorization header. libcurl's string handling (curl_maprintf, its dynbufs)
// is not reproduced: an estimate of its cost, not a measurement of libcurl.

using Digest = std::array<unsigned char, SHA256_DIGEST_LENGTH>;

std::string Hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  Digest d{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data());
  return Hex(d.data(), d.size());
}

Digest Hmac(std::string_view key, std::string_view data) {
  Digest d{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data(), &length);
  return d;
}

std::string_view AsText(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

struct SigningKey {
  std::string date;  // yyyymmdd
  Digest key{};
};

SigningKey DeriveKey(std::string_view secret, std::string_view date, std::string_view region) {
  const Digest k_date = Hmac("AWS4" + std::string(secret), date);
  const Digest k_region = Hmac(AsText(k_date), region);
  const Digest k_service = Hmac(AsText(k_region), "sqs");
  return {std::string(date), Hmac(AsText(k_service), "aws4_request")};
}

constexpr std::string_view kAccessKey = "AKIDEXAMPLE";
constexpr std::string_view kSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kRegion = "us-east-1";

// The Authorization header for `request`; `cached` skips the key derivation when its date is
// today's (what a client that signs itself could keep per day and region).
std::string Authorization(const sqs::HttpRequest& request, const SigningKey* cached) {
  char stamp[17];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  const std::string_view amz_date(stamp, 16);
  const std::string_view date = amz_date.substr(0, 8);

  std::vector<std::pair<std::string, std::string>> headers = {
      {"host", "127.0.0.1:4566"}, {"x-amz-date", std::string(amz_date)}};
  for (const auto& [name, value] : request.headers) {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    headers.emplace_back(std::move(lower), value);
  }
  std::sort(headers.begin(), headers.end());
  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!signed_headers.empty()) signed_headers += ";";
    signed_headers += name;
  }
  const std::string canonical_request = request.method + "\n/\n\n" + canonical_headers + "\n" +
                                        signed_headers + "\n" + Sha256Hex(request.body);
  const std::string scope = std::string(date) + "/" + std::string(kRegion) + "/sqs/aws4_request";
  const std::string string_to_sign = "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + scope +
                                     "\n" + Sha256Hex(canonical_request);
  const SigningKey key =
      cached != nullptr && cached->date == date ? *cached : DeriveKey(kSecretKey, date, kRegion);
  const Digest signature = Hmac(AsText(key.key), string_to_sign);
  return "Authorization: AWS4-HMAC-SHA256 Credential=" + std::string(kAccessKey) + "/" + scope +
         ", SignedHeaders=" + signed_headers +
         ", Signature=" + Hex(signature.data(), signature.size());
}

void BM_SignBatch(benchmark::State& state) {
  const sqs::HttpRequest request = EncodeBatch(TransformedBatch());
  state.SetLabel("estimate of libcurl's SigV4, key derived per request as libcurl does");
  PerOrder per_order(state, kBatch);
  for (auto _ : state)
    benchmark::DoNotOptimize(Authorization(request, nullptr));
}
BENCHMARK(BM_SignBatch);

void BM_SignBatchCachedKey(benchmark::State& state) {
  const sqs::HttpRequest request = EncodeBatch(TransformedBatch());
  char date[9];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(date, sizeof date, "%Y%m%d", &utc);
  const SigningKey key = DeriveKey(kSecretKey, date, kRegion);
  state.SetLabel("the same with the signing key kept per day");
  PerOrder per_order(state, kBatch);
  for (auto _ : state)
    benchmark::DoNotOptimize(Authorization(request, &key));
}
BENCHMARK(BM_SignBatchCachedKey);

// ---- 5. route: one main-topic record -----------------------------------------------------------

kafka::Message MainRecord(int index) {
  kafka::Message m;
  m.topic = "place-order-topic";
  m.partition = 0;
  m.offset = index;
  m.key = OrderIdOf(index);
  m.payload = MakeOrder(index);
  m.headers.Add(std::string(order::kCorrelationIdHeader), CorrelationIdOf(index));
  m.timestamp_ms = 1768816800000;
  m.timestamp_type = kafka::TimestampType::kCreateTime;
  return m;
}

void RouteOnce(benchmark::State& state, const bridge::BridgeConfig& config) {
  const kafka::Message record = MainRecord(static_cast<int>(state.range(0)));
  const bridge::RouteContext ctx{config, Clock::System()};
  const bridge::Route first = bridge::RouteMain(record, ctx);
  if (const auto* out = std::get_if<bridge::KafkaOutput>(&first)) {
    state.SkipWithError(("not routed to SQS: " + out->reason).c_str());
    return;
  }
  PerOrder per_order(state, 1);
  for (auto _ : state)
    benchmark::DoNotOptimize(bridge::RouteMain(record, ctx));
}

void BM_RouteMain(benchmark::State& state) {
  static const bridge::BridgeConfig config;
  state.SetLabel(TypeLabel(state.range(0)));
  RouteOnce(state, config);
}
BENCHMARK(BM_RouteMain)->DenseRange(0, 2);

// ORDER_CONTRACT, else the lab's contract beside the clone (as bench/run.sh's LAB_CONFIG).
std::filesystem::path LabContract() {
  if (const char* path = std::getenv("ORDER_CONTRACT"); path != nullptr && *path != '\0')
    return path;
  return std::filesystem::path(DRIFTLINE_SOURCE_DIR) /
         "../shared/reference/kafka-sqs-retry-dlq/.specmatic/repos/labs-contracts/asyncapi/"
         "kafka-sqs-retry-dlq/order-service-sqs-kafka.yaml";
}

void BM_RouteMainContractChecked(benchmark::State& state) {
  static const bridge::BridgeConfig* config = []() -> bridge::BridgeConfig* {
    auto* c = new bridge::BridgeConfig();
    c->contract_path = LabContract().string();
    if (Status s = bridge::AttachContractInputCheck(*c); !s) {
      std::cerr << "stages_bench: " << s.error().ToString() << "\n";
      return nullptr;
    }
    return c;
  }();
  if (config == nullptr) {
    state.SkipWithError("no contract (ORDER_CONTRACT, or the lab's beside the clone)");
    return;
  }
  state.SetLabel(TypeLabel(state.range(0)));
  RouteOnce(state, *config);
}
BENCHMARK(BM_RouteMainContractChecked)->DenseRange(0, 2);

}  // namespace
}  // namespace driftline::bench

BENCHMARK_MAIN();
