#include "kafka/config.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace driftline::kafka {

std::string LibraryVersion() {
  return rd_kafka_version_str();
}

namespace {

constexpr std::string_view kRedacted = "[redacted]";

// librdkafka 2.0.2 CONFIGURATION.md, global and topic tables: the rows marked C.
constexpr std::array<std::string_view, 34> kConsumerOnly = {
    "auto.commit.enable",
    "auto.commit.interval.ms",
    "auto.offset.reset",
    "check.crcs",
    "consume.callback.max.messages",
    "consume_cb",
    "coordinator.query.interval.ms",
    "enable.auto.commit",
    "enable.auto.offset.store",
    "enable.partition.eof",
    "fetch.error.backoff.ms",
    "fetch.max.bytes",
    "fetch.message.max.bytes",
    "fetch.min.bytes",
    "fetch.queue.backoff.ms",  // librdkafka 2.1
    "fetch.wait.max.ms",
    "group.id",
    "group.instance.id",
    "group.protocol",  // librdkafka 2.4 (KIP-848)
    "group.protocol.type",
    "group.remote.assignor",  // librdkafka 2.4 (KIP-848)
    "heartbeat.interval.ms",
    "isolation.level",
    "max.partition.fetch.bytes",
    "max.poll.interval.ms",
    "offset.store.method",
    "offset.store.path",
    "offset.store.sync.interval.ms",
    "offset_commit_cb",
    "partition.assignment.strategy",
    "queued.max.messages.kbytes",
    "queued.min.messages",
    "rebalance_cb",
    "session.timeout.ms",
};

// The same tables' rows marked P.
constexpr std::array<std::string_view, 31> kProducerOnly = {
    "acks",
    "batch.num.messages",
    "batch.size",
    "compression.codec",
    "compression.level",
    "compression.type",
    "delivery.report.only.error",
    "delivery.timeout.ms",
    "dr_cb",
    "dr_msg_cb",
    "enable.gapless.guarantee",
    "enable.idempotence",
    "linger.ms",
    "message.send.max.retries",
    "message.timeout.ms",
    "msg_order_cmp",
    "partitioner",
    "partitioner_cb",
    "produce.offset.report",
    "queue.buffering.backpressure.threshold",
    "queue.buffering.max.kbytes",
    "queue.buffering.max.messages",
    "queue.buffering.max.ms",
    "queuing.strategy",
    "request.required.acks",
    "request.timeout.ms",
    "retries",
    "retry.backoff.ms",  // P in 2.0.2; both roles from librdkafka 2.3
    "sticky.partitioning.linger.ms",
    "transaction.timeout.ms",
    "transactional.id",
};

}  // namespace

bool IsSensitiveProperty(std::string_view name) {
  const std::string lower = Lower(name);
  static constexpr std::array<std::string_view, 4> kMarkers = {
      "password", "secret", "sasl.oauthbearer.config", "ssl.key"};
  return std::any_of(kMarkers.begin(), kMarkers.end(), [&](std::string_view marker) {
    return lower.find(marker) != std::string::npos;
  });
}

PropertyScope ScopeOf(std::string_view name) {
  auto listed = [&](const auto& names) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  if (listed(kConsumerOnly)) return PropertyScope::kConsumer;
  if (listed(kProducerOnly)) return PropertyScope::kProducer;
  return PropertyScope::kAny;
}

Properties Properties::For(ClientRole role) const {
  const PropertyScope other =
      role == ClientRole::kConsumer ? PropertyScope::kProducer : PropertyScope::kConsumer;
  Properties out;
  for (const auto& [name, value] : values_) {
    if (ScopeOf(name) != other) out.values_.emplace(name, value);
  }
  return out;
}

Properties Properties::Make(std::string_view bootstrap_servers,
                            const std::map<std::string, std::string>& pass_through) {
  Properties props;
  if (!bootstrap_servers.empty()) {
    props.Set("bootstrap.servers", std::string(bootstrap_servers));
  }
  for (const auto& [name, value] : pass_through) {
    props.Set(name, value);
  }
  return props;
}

Result<Properties> Properties::Parse(std::string_view text, std::string_view source) {
  Properties props;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto eol = text.find('\n');
    std::string_view line = Trim(text.substr(0, eol));
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);

    if (line.empty() || line.front() == '#' || line.front() == '!') {
      continue;
    }
    const auto where = std::string(source) + ":" + std::to_string(line_no) + ": ";
    if (line.back() == '\\') {
      return Fail(Code::kInvalidArgument,
                  where + "continuation lines (trailing '\\') are not supported");
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Fail(Code::kInvalidArgument, where + "expected name=value");
    }
    const std::string_view name = Trim(line.substr(0, eq));
    if (name.empty()) {
      return Fail(Code::kInvalidArgument, where + "empty property name");
    }
    props.Set(std::string(name), std::string(Trim(line.substr(eq + 1))));
  }
  return props;
}

Result<Properties> Properties::LoadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Fail(Code::kNotFound, "cannot read kafka properties file " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path.string());
}

Properties& Properties::Set(std::string name, std::string value) {
  values_[std::move(name)] = std::move(value);
  return *this;
}

Properties& Properties::SetDefault(std::string name, std::string value) {
  values_.try_emplace(std::move(name), std::move(value));
  return *this;
}

Properties& Properties::Merge(const Properties& other) {
  for (const auto& [name, value] : other.values_) {
    values_[name] = value;
  }
  return *this;
}

Properties& Properties::Erase(const std::string& name) {
  values_.erase(name);
  return *this;
}

std::optional<std::string> Properties::Get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::string Properties::Redacted() const {
  std::string out;
  for (const auto& [name, value] : values_) {
    if (!out.empty()) {
      out += ", ";
    }
    out += name;
    out += '=';
    out += IsSensitiveProperty(name) ? kRedacted : std::string_view(value);
  }
  return out;
}

Status Properties::ApplyTo(rd_kafka_conf_t* conf) const {
  for (const auto& [name, value] : values_) {
    std::array<char, 512> errstr{};
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr.data(), errstr.size()) !=
        RD_KAFKA_CONF_OK) {
      std::string reason = errstr.data();
      if (IsSensitiveProperty(name)) {
        reason = ReplaceAll(std::move(reason), value, kRedacted);
      }
      return Fail(Code::kInvalidArgument, "kafka property '" + name + "': " + reason);
    }
  }
  return Ok();
}

Result<ConfHandle> Properties::ToConf() const {
  ConfHandle conf(rd_kafka_conf_new());
  if (auto applied = ApplyTo(conf.get()); !applied) {
    return tl::unexpected(std::move(applied.error()));
  }
  return conf;
}

}  // namespace driftline::kafka
