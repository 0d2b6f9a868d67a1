#include "contract/check/check.h"

#include <charconv>
#include <functional>
#include <limits>
#include <span>

#include "common/uuid.h"
#include "contract/spec/document.h"

namespace driftline::contract {
namespace {

using nlohmann::json;

// The schema's "type" at a place: the string, or the first entry of a list; empty if none.
std::string SchemaType(const json* schema) {
  if (schema == nullptr || !schema->is_object()) return {};
  auto t = schema->find("type");
  if (t == schema->end()) return {};
  if (t->is_string()) return t->get<std::string>();
  if (t->is_array()) {
    for (const json& entry : *t) {
      if (entry.is_string() && entry != "null") return entry.get<std::string>();
    }
  }
  return {};
}

std::optional<json> ParseNumber(const std::string& text) {
  std::int64_t i = 0;
  if (auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      ec == std::errc() && p == text.data() + text.size())
    return json(i);
  double d = 0;
  if (auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      ec == std::errc() && p == text.data() + text.size())
    return json(d);
  return std::nullopt;
}

std::string Unquoted(const std::string& s) {
  if (s.size() >= 2 &&
      ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\'')))
    return s.substr(1, s.size() - 2);
  return s;
}

// An exact matcher's argument as a value of the schema's type; nullopt when it cannot be one.
std::optional<json> TypedExact(const std::string& argument, const std::string& type) {
  const std::string text = Unquoted(argument);
  if (type == "string") return json(text);
  if (type == "integer" || type == "number") {
    auto n = ParseNumber(text);
    if (!n || (type == "integer" && !HasDataType(*n, DataType::kInteger))) return std::nullopt;
    return n;
  }
  if (type == "boolean") {
    if (text == "true") return json(true);
    if (text == "false") return json(false);
    return std::nullopt;
  }
  if (type == "null") return text == "null" ? std::optional<json>(json(nullptr)) : std::nullopt;
  if (text != argument) return json(text);
  json parsed = json::parse(text, nullptr, false);
  return parsed.is_discarded() ? json(text) : parsed;
}

json Sample(DataType type, Clock::WallTime now) {
  switch (type) {
    case DataType::kString:
      return "string";
    case DataType::kNumber:
    case DataType::kInteger:
      return 1;
    case DataType::kBoolean:
      return true;
    case DataType::kNull:
      return nullptr;
    case DataType::kDateTime:
      return FormatUtcSeconds(now);
    case DataType::kDate:
      return FormatUtcSeconds(now).substr(0, 10);
    case DataType::kTime:
      return FormatUtcSeconds(now).substr(11);
    case DataType::kUuid:
      return NewUuid();
    case DataType::kEmail:
      return "someone@example.com";
    case DataType::kUrl:
      return "https://example.com/";
    case DataType::kAnyValue:
      return "anything";
  }
  return "string";
}

bool TypesCompatible(DataType data_type, const std::string& schema_type) {
  const std::string_view implied = JsonTypeOf(data_type);
  if (implied.empty() || schema_type.empty()) return true;
  if (implied == schema_type) return true;
  return (implied == "integer" && schema_type == "number") ||
         (implied == "number" && schema_type == "integer");
}

struct Prepared {
  json value;
  std::vector<std::string> skip;  // pointers whose schema errors do not count
  std::vector<std::string> problems;
};

// Replaces matchers by values the schema can judge; records where the schema must not judge.
void PrepareExpected(json& value, const json& schema, const std::string& pointer, Prepared& out) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it)
      PrepareExpected(it.value(), schema, AppendPointer(pointer, it.key()), out);
    return;
  }
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      PrepareExpected(value[i], schema, AppendPointer(pointer, i), out);
    return;
  }
  auto matcher = ParseMatcher(value);
  if (!matcher) {
    out.problems.push_back(pointer + ": " + matcher.error().message());
    out.skip.push_back(pointer);
    return;
  }
  if (!*matcher) return;
  const Matcher& m = **matcher;
  const std::string type = SchemaType(SubschemaAt(schema, pointer));
  switch (m.kind) {
    case Matcher::Kind::kExact: {
      auto typed = TypedExact(m.argument, type);
      if (!typed) {
        out.problems.push_back(pointer + ": " + m.text + " cannot be a " + type +
                               " as the schema requires");
        out.skip.push_back(pointer);
        return;
      }
      value = std::move(*typed);
      return;
    }
    case Matcher::Kind::kDataType:
      if (!TypesCompatible(*m.data_type, type)) {
        out.problems.push_back(pointer + ": " + m.text + " is not compatible with schema type " +
                               type);
      }
      value = Sample(*m.data_type, Clock::WallTime{});
      out.skip.push_back(pointer);
      return;
    case Matcher::Kind::kPattern:
      if (!type.empty() && type != "string") {
        out.problems.push_back(pointer + ": " + m.text + " matches strings, but the schema says " +
                               type);
      }
      value = "string";
      out.skip.push_back(pointer);
      return;
  }
}

bool Skipped(const std::string& pointer, const std::vector<std::string>& skip) {
  for (const std::string& s : skip) {
    if (pointer == s || pointer.rfind(s + "/", 0) == 0) return true;
  }
  return false;
}

// Problems of one block part (payload or headers) against one schema.
std::vector<std::string> ValidatePart(const CompiledSchema* schema, const json& value,
                                      const std::string& prefix, bool expected_side) {
  std::vector<std::string> problems;
  if (schema == nullptr) return problems;
  Prepared prepared;
  prepared.value = value;
  if (expected_side) {
    PrepareExpected(prepared.value, schema->schema(), "", prepared);
  }
  for (const std::string& p : prepared.problems)
    problems.push_back(prefix + p);
  std::vector<Mismatch> mismatches;
  schema->Validate(prepared.value, "", mismatches);
  for (const Mismatch& m : mismatches) {
    const std::string pointer = m.pointer == "/" ? "" : m.pointer;
    if (Skipped(pointer, prepared.skip)) continue;
    problems.push_back(prefix + pointer + ": " + m.message + " (expected " + m.expected +
                       ", actual " + m.actual + ")");
  }
  return problems;
}

json HeaderValueForCompare(const json& expected, const json& actual) {
  // Kafka header values are text: a number or boolean literal is compared with its text form.
  if (actual.is_string() && (expected.is_number() || expected.is_boolean()))
    return json(expected.dump());
  return expected;
}

}  // namespace

Result<SchemaCatalog> SchemaCatalog::Build(const Contract& contract, bool strict) {
  SchemaCatalog catalog;
  catalog.strict_ = strict;
  for (const auto& m : contract.messages) {
    auto payload =
        CompiledSchema::Compile(m->payload_schema, strict, m->where + ": payload of " + m->name);
    if (!payload) return tl::unexpected(payload.error());
    catalog.payload_[m.get()] = *payload;
    if (m->headers_schema) {
      auto headers =
          CompiledSchema::Compile(*m->headers_schema, strict, m->where + ": headers of " + m->name);
      if (!headers) return tl::unexpected(headers.error());
      catalog.headers_[m.get()] = *headers;
    }
  }
  return catalog;
}

const CompiledSchema* SchemaCatalog::Payload(const Message* m) const {
  auto it = payload_.find(m);
  return it == payload_.end() ? nullptr : it->second.get();
}

const CompiledSchema* SchemaCatalog::Headers(const Message* m) const {
  auto it = headers_.find(m);
  return it == headers_.end() ? nullptr : it->second.get();
}

MessageVerdict CheckMessage(const SchemaCatalog& schemas,
                            const std::vector<const Message*>& candidates,
                            const ExampleMessage* expected, const ObservedMessage& observed,
                            const MatchOptions& options) {
  MessageVerdict verdict;
  // The first candidate the message conforms to, found without describing the others'
  // violations; they are described only when it conforms to none (to name the closest).
  for (const Message* m : candidates) {
    const CompiledSchema* payload = schemas.Payload(m);
    const CompiledSchema* headers = schemas.Headers(m);
    if ((payload == nullptr || (observed.payload_is_json && payload->IsValid(observed.payload))) &&
        (headers == nullptr || headers->IsValid(observed.headers))) {
      verdict.message = m;
      break;
    }
  }
  std::size_t best = std::numeric_limits<std::size_t>::max();
  for (const Message* m : verdict.message != nullptr
                              ? std::span<const Message* const>()
                              : std::span<const Message* const>(candidates)) {
    std::vector<Mismatch> errors;
    if (const CompiledSchema* payload = schemas.Payload(m)) {
      if (observed.payload_is_json) {
        payload->Validate(observed.payload, "/payload", errors);
      } else {
        errors.push_back(Mismatch{"/payload", "a JSON payload", Abbreviate(observed.payload),
                                  "the payload is not JSON"});
      }
    }
    if (const CompiledSchema* headers = schemas.Headers(m))
      headers->Validate(observed.headers, "/headers", errors);
    if (errors.size() < best) {
      best = errors.size();
      verdict.message = m;
      verdict.schema_mismatches = std::move(errors);
      if (best == 0) break;
    }
  }
  if (expected == nullptr) return verdict;
  if (expected->payload) {
    if (!observed.payload_is_json) {
      verdict.value_mismatches.push_back(Mismatch{"/payload", Abbreviate(*expected->payload),
                                                  Abbreviate(observed.payload),
                                                  "the payload is not JSON"});
    } else {
      CompareValues(*expected->payload, observed.payload, "/payload", options,
                    verdict.value_mismatches);
    }
  }
  for (auto it = expected->headers.begin(); it != expected->headers.end(); ++it) {
    const std::string pointer = AppendPointer("/headers", it.key());
    auto actual = observed.headers.find(it.key());
    if (actual == observed.headers.end()) {
      verdict.value_mismatches.push_back(Mismatch{pointer, Abbreviate(it.value()), "(missing)",
                                                  "header '" + it.key() + "' is missing"});
      continue;
    }
    CompareValues(HeaderValueForCompare(it.value(), *actual), *actual, pointer, options,
                  verdict.value_mismatches);
  }
  if (expected->key) {
    if (!observed.key) {
      verdict.value_mismatches.push_back(
          Mismatch{"/key", Abbreviate(*expected->key), "(missing)", "the message has no key"});
    } else {
      CompareValues(HeaderValueForCompare(*expected->key, json(*observed.key)), json(*observed.key),
                    "/key", options, verdict.value_mismatches);
    }
  }
  return verdict;
}

bool MatchesExample(const ExampleMessage& expected, const ObservedMessage& observed,
                    const MatchOptions& options) {
  if (expected.payload &&
      (!observed.payload_is_json || !ValuesMatch(*expected.payload, observed.payload, options)))
    return false;
  for (auto it = expected.headers.begin(); it != expected.headers.end(); ++it) {
    auto actual = observed.headers.find(it.key());
    if (actual == observed.headers.end() ||
        !ValuesMatch(HeaderValueForCompare(it.value(), *actual), *actual, options))
      return false;
  }
  if (expected.key) {
    if (!observed.key) return false;
    const json key(*observed.key);
    if (!ValuesMatch(HeaderValueForCompare(*expected.key, key), key, options)) return false;
  }
  return true;
}

std::optional<std::string> ExtractCorrelationId(
    const json& headers, const json& payload, const std::vector<CorrelationIdLocation>& locations) {
  for (const CorrelationIdLocation& loc : locations) {
    const json& root = loc.source == CorrelationIdLocation::Source::kHeader ? headers : payload;
    const json* value = FindAt(root, loc.pointer);
    if (value == nullptr) continue;
    if (value->is_string()) return value->get<std::string>();
    if (value->is_number()) return value->dump();
  }
  return std::nullopt;
}

std::vector<std::string> ValidateExampleMessage(const SchemaCatalog& schemas,
                                                const std::vector<const Message*>& candidates,
                                                const Example& example,
                                                const ExampleMessage& block) {
  const bool published = block.role == Role::kReceive;
  const std::string file = example.file.string();
  std::vector<std::string> best;
  bool first = true;
  for (const Message* m : candidates) {
    std::vector<std::string> problems;
    if (block.payload) {
      json value =
          published ? MaterializeForPublish(
                          *block.payload,
                          schemas.Payload(m) != nullptr ? &schemas.Payload(m)->schema() : nullptr,
                          Clock::WallTime{})
                    : *block.payload;
      auto p = ValidatePart(schemas.Payload(m), value, block.pointer + "/payload", !published);
      problems.insert(problems.end(), p.begin(), p.end());
    }
    {
      json value =
          published ? MaterializeForPublish(
                          block.headers,
                          schemas.Headers(m) != nullptr ? &schemas.Headers(m)->schema() : nullptr,
                          Clock::WallTime{})
                    : block.headers;
      auto h = ValidatePart(schemas.Headers(m), value, block.pointer + "/headers", !published);
      // An expected block need not list every required header: the message must, not the
      // example. Missing required headers only count for what is published.
      for (std::string& problem : h) {
        if (!published && problem.find("required member") != std::string::npos) continue;
        problems.push_back(std::move(problem));
      }
    }
    if (problems.empty()) return {};
    if (first || problems.size() < best.size()) {
      best = std::move(problems);
      first = false;
    }
  }
  std::vector<std::string> out;
  std::string names;
  for (const Message* m : candidates)
    names += (names.empty() ? "" : ", ") + m->name;
  for (const std::string& p : best) {
    out.push_back(file + " (at " + p.substr(0, p.find(": ")) + "): " + p.substr(p.find(": ") + 2) +
                  " [not valid for any of: " + names + "]");
  }
  return out;
}

json MaterializeForPublish(const json& value, const json* schema, Clock::WallTime now) {
  std::function<json(const json&, const std::string&)> walk = [&](const json& v,
                                                                  const std::string& pointer) {
    if (v.is_object()) {
      json out = json::object();
      for (auto it = v.begin(); it != v.end(); ++it)
        out[it.key()] = walk(it.value(), AppendPointer(pointer, it.key()));
      return out;
    }
    if (v.is_array()) {
      json out = json::array();
      for (std::size_t i = 0; i < v.size(); ++i)
        out.push_back(walk(v[i], AppendPointer(pointer, i)));
      return out;
    }
    auto matcher = ParseMatcher(v);
    if (!matcher || !*matcher) return v;
    const Matcher& m = **matcher;
    const std::string type =
        schema != nullptr ? SchemaType(SubschemaAt(*schema, pointer)) : std::string();
    if (m.kind == Matcher::Kind::kExact) {
      auto typed = TypedExact(m.argument, type);
      return typed ? *typed : json(m.argument);
    }
    if (m.kind == Matcher::Kind::kDataType) return Sample(*m.data_type, now);
    return v;
  };
  return walk(value, "");
}

}  // namespace driftline::contract
