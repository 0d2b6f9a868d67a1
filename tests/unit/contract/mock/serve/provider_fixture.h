// The mock provider over two recording transports (Kafka, SQS) and a manual clock, on the lab's
// contract and examples: what the provider and control API tests share.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "contract/check/check.h"
#include "contract/mock/serve/provider.h"
#include "contract/run/suite.h"

namespace driftline::contract::mock {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;

inline const fs::path kLab =
    fs::path(DRIFTLINE_SOURCE_DIR) / "../shared/reference/kafka-sqs-retry-dlq";
inline constexpr milliseconds kLimit{5000};

// A channel transport that keeps what it is asked to publish, with the clock's time then.
class RecordingTransport final : public ChannelTransport {
 public:
  struct Sent {
    std::string address;
    OutgoingExample message;
    Clock::WallTime at;
  };

  explicit RecordingTransport(Clock& clock) : clock_(clock) {}

  Status Watch(const Channel& channel, DeliverFn deliver) override {
    std::lock_guard<std::mutex> lock(mu_);
    watched_[&channel] = std::move(deliver);
    return Ok();
  }
  Status PrepareToPublish(const Channel& channel) override {
    std::lock_guard<std::mutex> lock(mu_);
    prepared_.push_back(channel.address);
    return Ok();
  }
  Result<PublishReceipt> Publish(const Channel& channel, const OutgoingExample& m) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (failures_ > 0) {
      --failures_;
      return Fail(failure_code_, "the server said no");
    }
    sent_.push_back(Sent{channel.address, m, clock_.Wall()});
    return PublishReceipt{channel.address, clock_.Wall()};
  }
  void Stop() override {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  std::string Describe() const override { return "recording"; }

  // Hands `m` to the watch of its channel, as a transport thread would.
  Disposition Deliver(ObservedMessage m) {
    DeliverFn deliver;
    {
      std::lock_guard<std::mutex> lock(mu_);
      deliver = watched_.at(m.channel);
    }
    return deliver(m);
  }
  std::vector<Sent> sent() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }
  std::size_t sent_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_.size();
  }
  void FailNext(int n, Code code) {
    std::lock_guard<std::mutex> lock(mu_);
    failures_ = n;
    failure_code_ = code;
  }
  bool stopped() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }
  std::vector<std::string> prepared() const {
    std::lock_guard<std::mutex> lock(mu_);
    return prepared_;
  }
  std::size_t watched() const {
    std::lock_guard<std::mutex> lock(mu_);
    return watched_.size();
  }

 private:
  Clock& clock_;
  mutable std::mutex mu_;
  std::map<const Channel*, DeliverFn> watched_;
  std::vector<Sent> sent_;
  std::vector<std::string> prepared_;
  int failures_ = 0;
  Code failure_code_ = Code::kUnavailable;
  bool stopped_ = false;
};

class MockProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SuiteOptions options;
    options.config = kLab / "specmatic.yaml";
    auto suite = LoadSuite(options);
    ASSERT_TRUE(suite) << suite.error().message();
    suite_ = std::make_unique<Suite>(std::move(*suite));
    auto responder = Responder::Create(*suite_);
    ASSERT_TRUE(responder) << responder.error().message();
    responder_ = std::move(*responder);
    contract_ = suite_->specs.front()->contract.get();
  }

  // The provider (started unless `start` is false).
  void Make(FaultOptions faults = {}, bool start = true) {
    auto injector = FaultInjector::Create(faults, responder_->OutputChannels());
    ASSERT_TRUE(injector) << injector.error().message();
    ProviderOptions options;
    options.max_wait = milliseconds(2);
    auto provider = MockProvider::Create(*responder_, Transports{&kafka_, &sqs_},
                                         std::move(*injector), clock_, options);
    ASSERT_TRUE(provider) << provider.error().message();
    provider_ = std::move(*provider);
    if (start) {
      ASSERT_TRUE(provider_->Start());
    }
  }

  // The lab example `name`'s input as the runner publishes it, produced now.
  ObservedMessage ExampleInput(const std::string& name) {
    for (const TestCase& tc : suite_->Cases()) {
      if (tc.plan->example->name != name) continue;
      const ExampleMessage& receive = *tc.plan->example->receive;
      ObservedMessage m;
      m.channel = tc.plan->input;
      m.payload = MaterializeForPublish(receive.payload.value_or(json(nullptr)), tc.input_schema,
                                        clock_.Wall());
      m.raw_payload = m.payload.dump();
      const json headers = MaterializeForPublish(receive.headers, nullptr, clock_.Wall());
      for (auto it = headers.begin(); it != headers.end(); ++it)
        m.headers[it.key()] = it->get<std::string>();
      m.produced_at = clock_.Wall();
      return m;
    }
    ADD_FAILURE() << "no example " << name;
    return {};
  }

  // A valid order of no example.
  ObservedMessage NewOrder(const std::string& order_id, const std::string& correlation_id) {
    ObservedMessage m = ExampleInput("Standard_Order_Kafka_SQS");
    m.payload["orderId"] = order_id;
    m.raw_payload = m.payload.dump();
    m.headers["CorrelationId"] = correlation_id;
    return m;
  }

  std::vector<RecordingTransport::Sent> SentTo(const std::string& address) const {
    std::vector<RecordingTransport::Sent> out;
    for (const auto* t : {&kafka_, &sqs_}) {
      for (auto& s : t->sent())
        if (s.address == address) out.push_back(s);
    }
    return out;
  }
  std::size_t SentCount() const { return kafka_.sent_count() + sqs_.sent_count(); }

  ManualClock clock_;
  RecordingTransport kafka_{clock_};
  RecordingTransport sqs_{clock_};
  std::unique_ptr<Suite> suite_;
  std::unique_ptr<Responder> responder_;
  const Contract* contract_ = nullptr;
  std::unique_ptr<MockProvider> provider_;
};

}  // namespace driftline::contract::mock
