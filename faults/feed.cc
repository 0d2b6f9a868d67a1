#include "faults/feed.h"

#include <thread>

namespace driftline::faults {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

std::int64_t WallMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<OrderFeed>> OrderFeed::Create(const testkit::Topology& topology,
                                                     Ledger& ledger) {
  std::unique_ptr<OrderFeed> feed(new OrderFeed(topology, ledger));
  OrderFeed* raw = feed.get();
  auto producer = kafka::Producer::Create(
      kafka::WithReliableDelivery(
          kafka::Properties::Make(topology.options().kafka, {}).Set("linger.ms", "10")),
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
  kafka::OutgoingMessage m{
      topology_.main_topic(), order.partition, std::nullopt, order.payload, {}};
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

}  // namespace driftline::faults
