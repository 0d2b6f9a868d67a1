// A fake service behind the ChannelTransport interface, for running whole tests of the sample
// contract (sample_contract.h) without a broker.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "contract/spec/model.h"
#include "contract/transport/transport.h"

namespace driftline::contract::testing {

// Answers every published order with an accepted message on the reply queue, unless told
// otherwise; records what the runner decided about each message it handed over.
class FakeService final : public ChannelTransport {
 public:
  explicit FakeService(const Contract& contract) : contract_(contract) {}

  Status Watch(const Channel& channel, DeliverFn deliver) override {
    std::lock_guard<std::mutex> lock(mu_);
    watched_[&channel] = std::move(deliver);
    return Ok();
  }
  Status PrepareToPublish(const Channel& channel) override {
    std::lock_guard<std::mutex> lock(mu_);
    prepared_.push_back(channel.address);
    if (fail_prepare) return Fail(Code::kNotFound, "no topic " + channel.address);
    return Ok();
  }
  Result<PublishReceipt> Publish(const Channel& channel, const OutgoingExample& m) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      prepared_before_publish_.push_back(prepared_);
    }
    if (fail_publish) return Fail(Code::kUnavailable, "broker down");
    const nlohmann::json payload = nlohmann::json::parse(m.payload);
    std::string id;
    for (const auto& [k, v] : m.headers) {
      if (k == "CorrelationId") id = v;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      published_.push_back(channel.address + ":" + id);
    }
    if (anonymous) {
      // The reply, without its CorrelationId attribute.
      Emit("orders-out", "", Accepted(payload), Clock::System().Wall());
    } else if (!silent) {
      // A stale copy from an earlier run, a message for nobody, then the real reply.
      Emit("orders-out", id, Accepted(payload), Clock::System().Wall() - std::chrono::seconds(10));
      Emit("orders-out", "someone-else", Accepted(payload), Clock::System().Wall());
      Emit("orders-out", id, Accepted(payload), Clock::System().Wall());
    }
    return PublishReceipt{channel.address + "/0@" + id, Clock::System().Wall()};
  }
  void Stop() override {}
  std::string Describe() const override { return "fake"; }

  static nlohmann::json Accepted(const nlohmann::json& order) {
    return nlohmann::json{
        {"id", order["id"]}, {"status", "ACCEPTED"}, {"at", "2026-01-19T10:00:05Z"}};
  }

  void Emit(const std::string& address, const std::string& id, nlohmann::json payload,
            Clock::WallTime produced) {
    const Channel* channel = contract_.ChannelByAddress(address);
    DeliverFn deliver;
    {
      std::lock_guard<std::mutex> lock(mu_);
      deliver = watched_.at(channel);
    }
    ObservedMessage m;
    m.channel = channel;
    m.payload = std::move(payload);
    m.raw_payload = m.payload.dump();
    m.headers = id.empty() ? nlohmann::json::object() : nlohmann::json{{"CorrelationId", id}};
    m.produced_at = produced;
    m.received_at = Clock::System().Mono();
    m.coordinates = address + "#" + std::to_string(++sequence_);
    const Disposition d = deliver(m);
    std::lock_guard<std::mutex> lock(mu_);
    dispositions_[id].push_back(d);
  }

  std::vector<Disposition> DispositionsFor(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return dispositions_[id];
  }
  std::vector<std::string> published() {
    std::lock_guard<std::mutex> lock(mu_);
    return published_;
  }

  std::vector<std::string> prepared() {
    std::lock_guard<std::mutex> lock(mu_);
    return prepared_;
  }
  std::vector<std::vector<std::string>> prepared_before_publish() {
    std::lock_guard<std::mutex> lock(mu_);
    return prepared_before_publish_;
  }

  bool fail_publish = false;
  bool fail_prepare = false;
  bool silent = false;
  bool anonymous = false;

 private:
  const Contract& contract_;
  std::mutex mu_;
  std::map<const Channel*, DeliverFn> watched_;
  std::map<std::string, std::vector<Disposition>> dispositions_;
  std::vector<std::string> published_;
  std::vector<std::string> prepared_;
  std::vector<std::vector<std::string>> prepared_before_publish_;
  std::atomic<int> sequence_{0};
};

}  // namespace driftline::contract::testing
