#include "contract/mock/serve/faults.h"

#include <charconv>
#include <cmath>

#include "common/strings.h"

namespace driftline::contract::mock {

namespace {

bool ValidPercent(double p) {
  return std::isfinite(p) && p >= 0 && p <= 100;
}

}  // namespace

Result<std::pair<std::string, double>> ParseDropPercent(std::string_view flag) {
  const std::size_t eq = flag.rfind('=');
  if (eq == std::string_view::npos) {
    return Fail(Code::kInvalidArgument,
                "--drop-percent '" + std::string(flag) + "': expected CHANNEL=PERCENT");
  }
  const std::string channel(Trim(flag.substr(0, eq)));
  const std::string_view text = Trim(flag.substr(eq + 1));
  double percent = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), percent);
  if (channel.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !ValidPercent(percent)) {
    return Fail(Code::kInvalidArgument, "--drop-percent '" + std::string(flag) +
                                            "': expected CHANNEL=PERCENT with PERCENT in 0..100");
  }
  return std::make_pair(channel, percent);
}

FaultInjector::FaultInjector(FaultOptions options)
    : options_(std::move(options)), random_(options_.seed) {}

Result<std::unique_ptr<FaultInjector>> FaultInjector::Create(
    FaultOptions options, const std::vector<const Channel*>& outputs) {
  if (options.delay.count() < 0)
    return Fail(Code::kInvalidArgument, "--delay-ms must not be negative");
  if (!ValidPercent(options.duplicate_percent))
    return Fail(Code::kInvalidArgument, "--duplicate-percent must be in 0..100");
  std::unique_ptr<FaultInjector> f(new FaultInjector(std::move(options)));
  for (const auto& [name, percent] : f->options_.drop_percent) {
    if (!ValidPercent(percent))
      return Fail(Code::kInvalidArgument, "--drop-percent " + name + ": must be in 0..100");
    const Channel* found = nullptr;
    std::string known;
    for (const Channel* c : outputs) {
      if (c->address == name || c->id == name) found = c;
      known += (known.empty() ? "" : ", ") + c->address;
    }
    if (found == nullptr) {
      return Fail(Code::kInvalidArgument, "--drop-percent " + name +
                                              ": the mock sends to no such channel (it sends to " +
                                              (known.empty() ? "none" : known) + ")");
    }
    f->drop_[found] = percent;
  }
  return f;
}

bool FaultInjector::any() const {
  return options_.delay.count() > 0 || !drop_.empty() || options_.duplicate_percent > 0;
}

FaultInjector::Fate FaultInjector::Decide(const Channel& channel) {
  const auto drop = drop_.find(&channel);
  const double drop_percent = drop == drop_.end() ? 0 : drop->second;
  if (drop_percent <= 0 && options_.duplicate_percent <= 0) return Fate::kSend;
  std::uniform_real_distribution<double> percent(0, 100);
  std::lock_guard<std::mutex> lock(mu_);
  // 100 drops everything and 0 nothing: a draw is in [0, 100).
  if (drop_percent > 0 && percent(random_) < drop_percent) return Fate::kDrop;
  if (options_.duplicate_percent > 0 && percent(random_) < options_.duplicate_percent)
    return Fate::kDuplicate;
  return Fate::kSend;
}

nlohmann::json FaultInjector::ToJson() const {
  nlohmann::json drops = nlohmann::json::object();
  for (const auto& [channel, percent] : drop_)
    drops[channel->address] = percent;
  return {{"delay_ms", options_.delay.count()},
          {"drop_percent", std::move(drops)},
          {"duplicate_percent", options_.duplicate_percent},
          {"seed", options_.seed}};
}

}  // namespace driftline::contract::mock
