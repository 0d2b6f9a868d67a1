// Client configuration: librdkafka properties by name, from code, the environment or a file.
//
// Any librdkafka property passes through unchanged (security.protocol, sasl.*, ssl.*, ...);
// nothing is validated until Apply(), which is where librdkafka itself judges names and values.
// Values of secrets never reach a log: use Redacted() to print a configuration.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "kafka/handles.h"

namespace driftline::kafka {

// The librdkafka this process runs with ("2.0.2"), as the library reports it.
std::string LibraryVersion();

// True when a property's value must not be logged: its name contains "password", "secret",
// "sasl.oauthbearer.config" or "ssl.key" (any case).
bool IsSensitiveProperty(std::string_view name);

// Which clients a librdkafka property configures: CONFIGURATION.md's C/P column.
enum class PropertyScope { kAny, kConsumer, kProducer };

// kConsumer or kProducer for the properties librdkafka marks as such (global and topic level,
// aliases included) in the version this is built against, 2.0.2, plus the consumer-only ones
// added since (group.protocol, group.remote.assignor, fetch.queue.backoff.ms); kAny for every
// other name, known or not.
PropertyScope ScopeOf(std::string_view name);

enum class ClientRole { kConsumer, kProducer };

// librdkafka properties, ordered by name. A value type: copy it and change the copy.
class Properties {
 public:
  Properties() = default;

  // bootstrap.servers=`bootstrap_servers` (skipped when empty) plus every entry of
  // `pass_through`, e.g. PropertiesFromEnv(env, "KAFKA_PROPERTY_"); a pass-through
  // bootstrap.servers wins over the argument.
  static Properties Make(std::string_view bootstrap_servers,
                         const std::map<std::string, std::string>& pass_through = {});

  // Java-style properties text: one `name=value` a line; leading/trailing blanks around the
  // name and the value are dropped; blank lines and lines starting with '#' or '!' are ignored;
  // a later line for the same name wins. No escapes or continuation lines. Errors
  // (kInvalidArgument) name `source:line`: a line without '=', an empty name, a line ending in
  // a backslash (continuations are not supported).
  static Result<Properties> Parse(std::string_view text, std::string_view source);

  // Parse() on a file's contents; kNotFound when it cannot be read (names the path).
  static Result<Properties> LoadFile(const std::filesystem::path& path);

  // Sets or replaces one property.
  Properties& Set(std::string name, std::string value);
  // Sets a property only if it is not set yet (how the clients apply their defaults).
  Properties& SetDefault(std::string name, std::string value);
  // Sets every entry of `other`, replacing existing values.
  Properties& Merge(const Properties& other);
  Properties& Erase(const std::string& name);

  // These properties without those scoped to the other role: what a `role` client is given.
  // librdkafka would otherwise log a CONFWARN for each at every start ("auto.offset.reset is a
  // consumer property and will be ignored by this producer instance") and ignore it anyway.
  Properties For(ClientRole role) const;

  std::optional<std::string> Get(const std::string& name) const;
  bool Contains(const std::string& name) const { return values_.contains(name); }
  const std::map<std::string, std::string>& values() const { return values_; }

  // "name=value, name=value" with the values of sensitive properties shown as "[redacted]".
  std::string Redacted() const;

  // Sets every property on `conf` (borrowed). On the first property librdkafka rejects:
  // kInvalidArgument "kafka property '<name>': <librdkafka's errstr>"; librdkafka echoes
  // values in its errstr, so for a sensitive property the value is cut out of the message.
  // Properties before the offending one remain set on `conf`.
  Status ApplyTo(rd_kafka_conf_t* conf) const;

  // A fresh rd_kafka_conf_t holding these properties; errors as ApplyTo().
  Result<ConfHandle> ToConf() const;

  bool operator==(const Properties&) const = default;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace driftline::kafka
