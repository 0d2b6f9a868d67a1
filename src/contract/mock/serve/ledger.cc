#include "contract/mock/serve/ledger.h"

#include <algorithm>

namespace driftline::contract::mock {

namespace {

using nlohmann::json;

std::string RoleName(Role role) {
  switch (role) {
    case Role::kReply:
      return "reply";
    case Role::kRetry:
      return "retry";
    case Role::kDeadLetter:
      return "dead-letter";
    case Role::kReceive:
      break;
  }
  return "receive";
}

json CountOrNull(int n) {
  return n >= 0 ? json(n) : json(nullptr);
}

// RFC 3339 with milliseconds: "2026-12-02T07:01:02.345Z".
std::string Rfc3339Millis(Clock::WallTime t) {
  const std::int64_t ms = ToEpochMillis(t);
  const std::int64_t frac = ((ms % 1000) + 1000) % 1000;
  std::string seconds = FormatUtcSeconds(FromEpochMillis(ms - frac));
  if (!seconds.empty() && seconds.back() == 'Z') seconds.pop_back();
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, ".%03dZ", static_cast<int>(frac));
  return seconds + buffer;
}

}  // namespace

Ledger::Ledger(const std::vector<const Channel*>& channels, std::size_t log_size)
    : log_size_(log_size) {
  for (const Channel* c : channels) {
    if (std::find(channels_.begin(), channels_.end(), c) == channels_.end()) {
      channels_.push_back(c);
      counts_[c];
    }
  }
}

Ledger::ChannelCounts& Ledger::CountsOf(const Channel* channel) {
  auto it = counts_.find(channel);
  if (it == counts_.end()) {
    channels_.push_back(channel);
    it = counts_.emplace(channel, ChannelCounts{}).first;
  }
  return it->second;
}

std::uint64_t Ledger::Received(const ObservedMessage& input, const Response& response,
                               Clock::WallTime at) {
  Exchange e;
  e.received_at = at;
  e.channel = input.channel;
  e.kind = response.kind;
  e.example = response.example;
  e.correlation_id = response.correlation_id;
  e.reason = response.reason;
  e.input = input.payload;
  for (const PlannedOutput& o : response.outputs) {
    OutputEntry out;
    out.channel = o.channel;
    out.role = o.role;
    out.due = o.due;
    out.retry_count = o.retry_count;
    out.total_retries = o.total_retries;
    e.outputs.push_back(std::move(out));
  }
  std::lock_guard<std::mutex> lock(mu_);
  e.id = next_id_++;
  ++inputs_;
  ++kinds_[response.kind];
  if (input.channel != nullptr) ++CountsOf(input.channel).received;
  if (response.example != nullptr) ++examples_[response.example].matched;
  for (const PlannedOutput& o : response.outputs) {
    CountsOf(o.channel);
    ++pending_[o.channel];
  }
  const std::uint64_t id = e.id;
  if (log_size_ > 0) {
    log_.push_back(std::move(e));
    while (log_.size() > log_size_)
      log_.pop_front();
  }
  return id;
}

void Ledger::Duplicated(const Channel& channel) {
  std::lock_guard<std::mutex> lock(mu_);
  ++CountsOf(&channel).duplicated;
  ++pending_[&channel];
}

void Ledger::Settled(std::uint64_t exchange, std::size_t index, bool duplicate,
                     const Channel& channel, Role role, const Example* example, Outcome outcome,
                     const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  --pending_[&channel];
  ChannelCounts& c = CountsOf(&channel);
  switch (outcome) {
    case Outcome::kSent:
      ++c.emitted;
      if (role == Role::kReply) ++c.replies;
      if (role == Role::kRetry) ++c.retries;
      if (role == Role::kDeadLetter) ++c.dead_letters;
      if (example != nullptr) ++examples_[example].emitted[&channel];
      break;
    case Outcome::kDropped:
      ++c.dropped;
      break;
    case Outcome::kFailed:
      ++c.failed;
      break;
  }
  if (duplicate || log_.empty() || exchange < log_.front().id || exchange > log_.back().id) return;
  Exchange& e = log_[exchange - log_.front().id];
  if (index >= e.outputs.size()) return;
  OutputEntry& out = e.outputs[index];
  out.status = outcome == Outcome::kSent      ? "sent"
               : outcome == Outcome::kDropped ? "dropped"
                                              : "failed";
  out.error = error;
}

json Ledger::Verify(const std::vector<const Example*>& examples, const json& faults) const {
  std::lock_guard<std::mutex> lock(mu_);
  json kinds = json::object();
  for (Response::Kind k :
       {Response::Kind::kExample, Response::Kind::kGenerated, Response::Kind::kAccepted,
        Response::Kind::kDeadLetter, Response::Kind::kNotConsumed}) {
    auto it = kinds_.find(k);
    kinds[std::string(ResponseKindName(k))] = it == kinds_.end() ? 0 : it->second;
  }
  json channels = json::object();
  for (const Channel* ch : channels_) {
    const ChannelCounts& c = counts_.at(ch);
    auto p = pending_.find(ch);
    channels[ch->address] = {{"id", ch->id},
                             {"protocol", std::string(ProtocolName(ch->protocol))},
                             {"received", c.received},
                             {"emitted", c.emitted},
                             {"replies", c.replies},
                             {"retries", c.retries},
                             {"dead_letters", c.dead_letters},
                             {"failed", c.failed},
                             {"dropped", c.dropped},
                             {"duplicated", c.duplicated},
                             {"pending", p == pending_.end() ? 0 : p->second}};
  }
  json listed = json::array();
  for (const Example* ex : examples) {
    json emitted = json::object();
    std::int64_t matched = 0;
    if (auto it = examples_.find(ex); it != examples_.end()) {
      matched = it->second.matched;
      for (const auto& [ch, n] : it->second.emitted)
        emitted[ch->address] = n;
    }
    listed.push_back({{"name", ex->name},
                      {"file", ex->file.string()},
                      {"matched", matched},
                      {"emitted", std::move(emitted)}});
  }
  return {{"inputs", inputs_},
          {"kinds", std::move(kinds)},
          {"channels", std::move(channels)},
          {"examples", std::move(listed)},
          {"faults", faults}};
}

json Ledger::Log(std::size_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  json out = json::array();
  const std::size_t first = log_.size() > limit ? log_.size() - limit : 0;
  for (std::size_t i = first; i < log_.size(); ++i) {
    const Exchange& e = log_[i];
    json outputs = json::array();
    for (const OutputEntry& o : e.outputs) {
      json entry = {{"channel", o.channel != nullptr ? o.channel->address : ""},
                    {"role", RoleName(o.role)},
                    {"due", Rfc3339Millis(o.due)},
                    {"status", o.status},
                    {"retry_count", CountOrNull(o.retry_count)},
                    {"total_retries", CountOrNull(o.total_retries)}};
      if (!o.error.empty()) entry["error"] = o.error;
      outputs.push_back(std::move(entry));
    }
    out.push_back({{"id", e.id},
                   {"received_at", Rfc3339Millis(e.received_at)},
                   {"channel", e.channel != nullptr ? e.channel->address : ""},
                   {"kind", std::string(ResponseKindName(e.kind))},
                   {"example", e.example != nullptr ? json(e.example->name) : json(nullptr)},
                   {"correlation_id", e.correlation_id},
                   {"reason", e.reason},
                   {"input", e.input},
                   {"outputs", std::move(outputs)}});
  }
  return {{"exchanges", std::move(out)}};
}

void Ledger::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  inputs_ = 0;
  kinds_.clear();
  for (auto& [ch, c] : counts_)
    c = ChannelCounts{};
  examples_.clear();
  log_.clear();
}

std::int64_t Ledger::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::int64_t n = 0;
  for (const auto& [ch, p] : pending_)
    n += p;
  return n;
}

}  // namespace driftline::contract::mock
