// What the session and server tests share: a root folder holding the sample contract and its
// examples, a run history in a temporary file, and a transport factory that answers with the
// sample contract's FakeService (tests/unit/contract/support/fake_service.h) instead of brokers.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "contract/connect/connect.h"
#include "contract/run/suite.h"
#include "fake_service.h"
#include "sample_contract.h"
#include "studio/history.h"
#include "studio/session.h"
#include "temp_dir.h"

namespace driftline::studio::testing {

// A ChannelTransport that hands every call to one shared FakeService, so that the Kafka and the
// SQS transport of a run are the same fake.
class SharedFake final : public contract::ChannelTransport {
 public:
  explicit SharedFake(std::shared_ptr<contract::testing::FakeService> service)
      : service_(std::move(service)) {}
  Status Watch(const contract::Channel& channel, contract::DeliverFn deliver) override {
    return service_->Watch(channel, std::move(deliver));
  }
  Status PrepareToPublish(const contract::Channel& channel) override {
    return service_->PrepareToPublish(channel);
  }
  Result<contract::PublishReceipt> Publish(const contract::Channel& channel,
                                           const contract::OutgoingExample& message) override {
    return service_->Publish(channel, message);
  }
  void Stop() override { service_->Stop(); }
  std::string Describe() const override { return service_->Describe(); }

 private:
  std::shared_ptr<contract::testing::FakeService> service_;
};

// How the fake of the next run behaves.
struct FakeBehaviour {
  bool silent = false;                       // never replies: the run waits until cancelled
  bool fail_prepare = false;                 // the input topic cannot be readied
  std::optional<std::string> factory_error;  // the transports cannot be created at all
};

inline FakeBehaviour Silent() {
  FakeBehaviour b;
  b.silent = true;
  return b;
}
inline FakeBehaviour FailingPrepare() {
  FakeBehaviour b;
  b.fail_prepare = true;
  return b;
}
inline FakeBehaviour FailingFactory(std::string error) {
  FakeBehaviour b;
  b.factory_error = std::move(error);
  return b;
}

// Makes the runs' transports; remembers the last FakeService for inspection. Thread-safe.
class FakeTransports {
 public:
  void Set(FakeBehaviour behaviour) {
    std::lock_guard<std::mutex> lock(mu_);
    behaviour_ = std::move(behaviour);
  }
  std::shared_ptr<contract::testing::FakeService> last() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }

  TransportFactory Factory() {
    return [this](const contract::Suite& suite,
                  const std::vector<contract::TestCase>&) -> Result<contract::ConnectedTransports> {
      std::lock_guard<std::mutex> lock(mu_);
      if (behaviour_.factory_error) return Fail(Code::kInvalidArgument, *behaviour_.factory_error);
      auto service = std::make_shared<contract::testing::FakeService>(*suite.specs[0]->contract);
      service->silent = behaviour_.silent;
      service->fail_prepare = behaviour_.fail_prepare;
      last_ = service;
      contract::ConnectedTransports connected;
      connected.kafka = std::make_unique<SharedFake>(service);
      connected.sqs = std::make_unique<SharedFake>(service);
      return connected;
    };
  }

 private:
  std::mutex mu_;
  FakeBehaviour behaviour_;                               // guarded by mu_
  std::shared_ptr<contract::testing::FakeService> last_;  // guarded by mu_
};

// The sample contract with two examples under <root>/contracts; the second one's order id is a
// script tag, which must travel through every JSON unchanged.
inline void WriteSampleRoot(const contract::testing::TempDir& root) {
  root.Write("contracts/orders.yaml", contract::testing::kSampleContract);
  root.Write("contracts/orders_examples/a.json",
             R"J({"name": "Order_A", "receive": {"topic": "orders-in",
        "payload": {"id": "A", "count": 1}, "headers": {"CorrelationId": "c-a"}},
        "send": {"topic": "orders-out", "payload": {"id": "A", "status": "ACCEPTED"}}})J");
  root.Write("contracts/orders_examples/b.json",
             R"J({"name": "Order_Script", "receive": {"topic": "orders-in",
        "payload": {"id": "<script>alert(1)</script>", "count": 2},
        "headers": {"CorrelationId": "c-b"}},
        "send": {"topic": "orders-out", "payload": {"status": "ACCEPTED"}}})J");
}

// Runner options for tests: a reply is late after 30 s (the fake answers at once, or never and
// the test cancels); a test ends 50 ms after its reply.
inline contract::RunnerOptions QuickRunnerOptions() {
  contract::RunnerOptions options;
  options.timing.reply_timeout = std::chrono::seconds(30);
  options.timing.settle = std::chrono::milliseconds(50);
  options.max_clock_skew = std::chrono::milliseconds(0);
  options.progress_interval = std::chrono::hours(1);
  return options;
}

}  // namespace driftline::studio::testing
