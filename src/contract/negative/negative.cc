#include "contract/negative/negative.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <regex>
#include <set>
#include <utility>

#include "contract/mock/generate.h"

namespace driftline::contract::negative {
namespace {

using nlohmann::json;

// A bound that would make a variant absurdly large (maxLength 1e9) is left unbroken.
constexpr std::size_t kLargestBrokenLength = 1 << 16;
// The member added where additionalProperties is false.
constexpr std::string_view kUnexpectedMember = "unexpectedMember";

// The schema nodes that apply at one place of a value: the node, its allOf branches, and the
// anyOf/oneOf branches whose `type` admits the value, recursively, local `$ref`s followed. Enough
// to know what to break; whether the result is really invalid is checked against the whole
// schema afterwards.
using SchemaView = std::vector<const json*>;

bool TypeAdmits(const std::string& type, const json& value) {
  if (type == "integer") return value.is_number_integer() || value.is_number_unsigned();
  if (type == "number") return value.is_number();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "null") return value.is_null();
  return false;
}

bool NodeAdmits(const json& node, const json& value) {
  auto type = node.find("type");
  if (type == node.end()) return true;
  if (type->is_string()) return TypeAdmits(type->get<std::string>(), value);
  if (type->is_array()) {
    return std::any_of(type->begin(), type->end(), [&](const json& t) {
      return t.is_string() && TypeAdmits(t.get<std::string>(), value);
    });
  }
  return true;
}

void Collect(const json& root, const json& node, const json& value, SchemaView& out, int depth) {
  if (!node.is_object() || depth > 32) return;
  if (auto ref = node.find("$ref"); ref != node.end() && ref->is_string()) {
    const std::string& target = ref->get_ref<const std::string&>();
    if (target.starts_with("#")) {
      try {
        const json::json_pointer pointer(target.substr(1));
        if (root.contains(pointer)) Collect(root, root.at(pointer), value, out, depth + 1);
      } catch (const json::exception&) {
        // Not a JSON pointer: nothing more applies from here.
      }
    }
  }
  out.push_back(&node);
  if (auto all = node.find("allOf"); all != node.end() && all->is_array()) {
    for (const json& branch : *all)
      Collect(root, branch, value, out, depth + 1);
  }
  for (const char* key : {"anyOf", "oneOf"}) {
    auto some = node.find(key);
    if (some == node.end() || !some->is_array()) continue;
    for (const json& branch : *some) {
      if (branch.is_object() && NodeAdmits(branch, value))
        Collect(root, branch, value, out, depth + 1);
    }
  }
}

SchemaView ViewOf(const json& root, const json& node, const json& value) {
  SchemaView view;
  Collect(root, node, value, view, 0);
  return view;
}

// The first value of `key` among the view's nodes; nullptr when none declares it.
const json* First(const SchemaView& view, std::string_view key) {
  for (const json* node : view) {
    auto it = node->find(key);
    if (it != node->end()) return &*it;
  }
  return nullptr;
}

std::vector<std::string> TypesOf(const SchemaView& view) {
  std::vector<std::string> types;
  const json* type = First(view, "type");
  if (type == nullptr) return types;
  if (type->is_string()) types.push_back(type->get<std::string>());
  if (type->is_array()) {
    for (const json& t : *type)
      if (t.is_string()) types.push_back(t.get<std::string>());
  }
  return types;
}

std::vector<std::string> RequiredOf(const SchemaView& view) {
  std::vector<std::string> names;
  for (const json* node : view) {
    auto required = node->find("required");
    if (required == node->end() || !required->is_array()) continue;
    for (const json& n : *required) {
      if (n.is_string() && std::find(names.begin(), names.end(), n) == names.end())
        names.push_back(n.get<std::string>());
    }
  }
  return names;
}

bool DeclaresMember(const SchemaView& view, const std::string& name) {
  return std::any_of(view.begin(), view.end(), [&](const json* node) {
    auto properties = node->find("properties");
    return properties != node->end() && properties->is_object() && properties->contains(name);
  });
}

// A value of a type none of `types` admits; "integer" is admitted by "number".
json WrongTypeValue(const std::vector<std::string>& types) {
  const auto allowed = [&](const std::string& t) {
    return std::find(types.begin(), types.end(), t) != types.end() ||
           (t == "integer" && std::find(types.begin(), types.end(), "number") != types.end());
  };
  const std::pair<const char*, json> candidates[] = {{"string", "wrong-type"},
                                                     {"integer", 12345},
                                                     {"boolean", true},
                                                     {"object", json::object()},
                                                     {"array", json::array()}};
  for (const auto& [type, value] : candidates)
    if (!allowed(type)) return value;
  return nullptr;
}

// A value of the enum's own type that is not in it; null when none is found.
json OutsideEnum(const json& values) {
  const auto in = [&](const json& v) {
    return std::find(values.begin(), values.end(), v) != values.end();
  };
  if (values.empty()) return "not-in-enum";
  const json& first = values.front();
  if (first.is_string()) {
    std::string candidate = "NOT_" + first.get<std::string>();
    while (in(candidate))
      candidate += "_";
    return candidate;
  }
  if (first.is_number()) {
    double highest = first.get<double>();
    for (const json& v : values)
      if (v.is_number()) highest = std::max(highest, v.get<double>());
    const json candidate =
        first.is_number_float() ? json(highest + 1) : json(static_cast<std::int64_t>(highest) + 1);
    return in(candidate) ? json("not-in-enum") : candidate;
  }
  if (first.is_boolean() && !in(!first.get<bool>())) return !first.get<bool>();
  return in("not-in-enum") ? json() : json("not-in-enum");
}

bool IsAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 128; });
}

// A short string the ECMAScript `pattern` does not find (valijson searches, as std::regex_search
// does); nullopt when the pattern is not a valid expression or finds every candidate.
std::optional<std::string> NotMatching(const std::string& pattern) {
  try {
    const std::regex re(pattern, std::regex::ECMAScript);
    for (const char* candidate : {"!", "~", " ", "-", "0", "a", "A", "", "not matching ~!"}) {
      if (!std::regex_search(candidate, re)) return std::string(candidate);
    }
  } catch (const std::regex_error&) {
    // The checks cannot read it either: nothing to break.
  }
  return std::nullopt;
}

// A bound as the JSON number the schema wrote moved by `delta` (1 or -1).
json Moved(const json& bound, int delta) {
  if (bound.is_number_integer() || bound.is_number_unsigned())
    return bound.get<std::int64_t>() + delta;
  return bound.get<double>() + delta;
}

std::string Shown(const json& value) {
  std::string text = value.dump();
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

// A version 4 UUID made from the seed and the variant's name, so a variant keeps its id when the
// list around it changes, and another seed gives every variant another id.
std::string CorrelationIdFor(std::uint64_t seed, const std::string& name) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  const auto mix = [](std::uint64_t x) {  // splitmix64
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
  };
  const std::uint64_t a = mix(seed ^ h);
  const std::uint64_t b = mix(a ^ h);
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFF),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3FFF)),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return text;
}

std::string Sanitized(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-';
    if (!keep) c = '_';
  }
  return out;
}

// A variant before it is named, given its correlation id and checked.
struct Draft {
  const Message* message = nullptr;
  const CorrelationIdLocation* location = nullptr;  // where its correlation id goes
  NegativeKind kind = NegativeKind::kNotJson;
  std::string pointer;
  std::string property;  // the dotted path in the name
  json payload;          // JSON kinds
  std::string bytes;     // kNotJson, kNotUtf8
  json headers;
  std::string why;

  bool json_kind() const {
    return kind != NegativeKind::kNotJson && kind != NegativeKind::kNotUtf8;
  }
};

bool MemberKind(NegativeKind kind) {
  return kind >= NegativeKind::kMissingRequired && kind != NegativeKind::kAdditionalProperty;
}

// Places `id` where `draft.location` says, unless the variant broke that place or has none.
bool PlaceCorrelationId(Draft& draft, const std::string& id) {
  if (draft.location == nullptr) return false;
  const CorrelationIdLocation& at = *draft.location;
  // Bytes that are not JSON have no member to hold it; their headers still do.
  if (at.source == CorrelationIdLocation::Source::kPayload && !draft.json_kind()) return false;
  try {
    const json::json_pointer pointer(at.pointer);
    if (pointer.empty()) return false;
    json& target =
        at.source == CorrelationIdLocation::Source::kHeader ? draft.headers : draft.payload;
    if (at.source == CorrelationIdLocation::Source::kHeader) {
      if (draft.kind == NegativeKind::kMissingHeader && draft.pointer == at.pointer) return false;
    } else {
      if (draft.kind == NegativeKind::kEmptyObject) return false;
      if (MemberKind(draft.kind) &&
          (at.pointer == draft.pointer || at.pointer.starts_with(draft.pointer + "/") ||
           draft.pointer.starts_with(at.pointer + "/")))
        return false;
    }
    if (!target.is_object()) return false;
    const json::json_pointer parent = pointer.parent_pointer();
    if (!target.contains(parent) || !target.at(parent).is_object()) return false;
    target[pointer] = id;
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

class VariantBuilder {
 public:
  VariantBuilder(const Operation& operation, std::uint64_t seed)
      : operation_(operation), seed_(seed) {}

  Result<std::vector<Draft>> Build() {
    const Message* first = nullptr;
    json first_payload = json::object();
    json first_headers = json::object();
    for (const Message* m : operation_.messages) {
      auto headers = BaseHeaders(*m);
      if (!headers) return tl::unexpected(headers.error());
      json payload;
      if (!m->payload_schema.is_null()) {
        auto generated = mock::GenerateFromSchema(m->payload_schema, json(), seed_, true);
        if (!generated) {
          return tl::unexpected(
              std::move(generated.error()).With(operation_.id + " " + m->name + ": payload"));
        }
        payload = std::move(*generated);
      }
      if (first == nullptr) {
        first = m;
        if (payload.is_object()) first_payload = payload;
        first_headers = *headers;
      }
      bases_.push_back({m, std::move(payload), std::move(*headers)});
    }
    WholeMessage(first, first_payload, first_headers);
    for (const Base& base : bases_) {
      prefix_ = operation_.messages.size() > 1 ? base.message->name : "";
      MissingHeaders(base);
      if (base.message->payload_schema.is_null()) continue;
      root_ = &base.message->payload_schema;
      Walk(base, ViewOf(*root_, *root_, base.payload), json::json_pointer(), prefix_);
    }
    return std::move(drafts_);
  }

 private:
  struct Base {
    const Message* message;
    json payload;
    json headers;
  };

  Result<json> BaseHeaders(const Message& m) {
    if (!m.headers_schema || m.headers_schema->is_null()) return json::object();
    auto headers = mock::GenerateFromSchema(*m.headers_schema, json(), seed_, false);
    if (!headers)
      return tl::unexpected(
          std::move(headers.error()).With(operation_.id + " " + m.name + ": headers"));
    return headers->is_object() ? *headers : json::object();
  }

  const CorrelationIdLocation* LocationOf(const Message* m) const {
    if (m != nullptr && m->correlation_id) return &*m->correlation_id;
    for (const Message* other : operation_.messages)
      if (other->correlation_id) return &*other->correlation_id;
    return nullptr;
  }

  void Add(const Message* m, NegativeKind kind, std::string pointer, std::string property,
           json payload, json headers, std::string why) {
    Draft d;
    d.message = m;
    d.location = LocationOf(m);
    d.kind = kind;
    d.pointer = std::move(pointer);
    d.property = property.empty() ? "payload" : std::move(property);
    d.payload = std::move(payload);
    d.headers = std::move(headers);
    d.why = std::move(why);
    drafts_.push_back(std::move(d));
  }

  void WholeMessage(const Message* first, const json& base, const json& headers) {
    const std::string text = base.dump();
    std::string not_json = text.substr(0, text.size() / 2);
    if (not_json.empty() || json::accept(not_json)) not_json = "{not json";
    Add(nullptr, NegativeKind::kNotJson, "", "payload", json(), headers,
        "payload is not JSON: the first " + std::to_string(not_json.size()) + " bytes of a valid " +
            (first ? first->name : std::string("message")));
    drafts_.back().bytes = not_json;

    std::string not_utf8 = text;
    const std::size_t at = not_utf8.find("\":\"");
    if (at == std::string::npos)
      not_utf8 = "\"\xC3\x28\"";
    else
      not_utf8.insert(at + 3, "\xC3\x28");
    Add(nullptr, NegativeKind::kNotUtf8, "", "payload", json(), headers,
        "payload is not UTF-8: bytes C3 28 in the first string of a valid " +
            (first ? first->name : std::string("message")));
    drafts_.back().bytes = not_utf8;

    Add(nullptr, NegativeKind::kJsonArray, "", "payload", json::array({base}), headers,
        "payload is a JSON array holding a valid " +
            (first ? first->name : std::string("message")));
    Add(nullptr, NegativeKind::kBareString, "", "payload", "not a message", headers,
        "payload is a bare JSON string");
    Add(nullptr, NegativeKind::kEmptyObject, "", "payload", json::object(), headers,
        "payload is an empty object");
  }

  void MissingHeaders(const Base& base) {
    const Message& m = *base.message;
    if (!m.headers_schema) return;
    const SchemaView view = ViewOf(*m.headers_schema, *m.headers_schema, base.headers);
    for (const std::string& name : RequiredOf(view)) {
      if (!base.headers.contains(name)) continue;
      json headers = base.headers;
      headers.erase(name);
      Add(&m, NegativeKind::kMissingHeader, (json::json_pointer() / name).to_string(),
          Joined(prefix_, "headers." + name), base.payload, std::move(headers),
          "required header " + name + " left out of a valid " + m.name);
    }
  }

  static std::string Joined(const std::string& path, const std::string& name) {
    return path.empty() ? name : path + "." + name;
  }

  void Replaced(const Base& base, NegativeKind kind, const json::json_pointer& at,
                const std::string& path, json value, std::string why) {
    json payload = base.payload;
    payload[at] = std::move(value);
    Add(base.message, kind, at.to_string(), path, std::move(payload), base.headers,
        at.to_string() + ": " + why + " in a valid " + base.message->name);
  }

  void Walk(const Base& base, const SchemaView& view, const json::json_pointer& at,
            const std::string& path) {
    const json& value = base.payload.at(at);
    if (!at.empty()) BreakValue(base, view, at, path, value);
    if (value.is_object()) {
      for (const std::string& name : RequiredOf(view)) {
        if (!value.contains(name)) continue;
        json payload = base.payload;
        payload.at(at).erase(name);
        const json::json_pointer member = at / name;
        Add(base.message, NegativeKind::kMissingRequired, member.to_string(), Joined(path, name),
            std::move(payload), base.headers,
            "required member " + member.to_string() + " removed from a valid " +
                base.message->name);
      }
      const bool closed = std::any_of(view.begin(), view.end(), [](const json* node) {
        auto additional = node->find("additionalProperties");
        return additional != node->end() && *additional == json(false);
      });
      const std::string extra(kUnexpectedMember);
      if (closed && !value.contains(extra) && !DeclaresMember(view, extra)) {
        json payload = base.payload;
        payload.at(at)[extra] = "unexpected";
        Add(base.message, NegativeKind::kAdditionalProperty, at.to_string(), path,
            std::move(payload), base.headers,
            "member " + extra + " added to " + (at.empty() ? "the payload" : at.to_string()) +
                " (additionalProperties: false) in a valid " + base.message->name);
      }
      for (auto it = value.begin(); it != value.end(); ++it) {
        SchemaView member;
        for (const json* node : view) {
          auto properties = node->find("properties");
          if (properties == node->end() || !properties->is_object()) continue;
          auto schema = properties->find(it.key());
          if (schema != properties->end()) Collect(*root_, *schema, it.value(), member, 0);
        }
        if (!member.empty()) Walk(base, member, at / it.key(), Joined(path, it.key()));
      }
    } else if (value.is_array() && !value.empty()) {
      SchemaView item;
      for (const json* node : view) {
        auto items = node->find("items");
        if (items != node->end() && items->is_object()) Collect(*root_, *items, value[0], item, 0);
      }
      if (!item.empty()) Walk(base, item, at / 0, Joined(path, "0"));
    }
  }

  void BreakValue(const Base& base, const SchemaView& view, const json::json_pointer& at,
                  const std::string& path, const json& value) {
    if (const std::vector<std::string> types = TypesOf(view); !types.empty()) {
      json wrong = WrongTypeValue(types);
      if (!wrong.is_null()) {
        std::string declared;
        for (const std::string& t : types)
          declared += (declared.empty() ? "" : "|") + t;
        const std::string why = declared + " replaced by " + Shown(wrong);
        Replaced(base, NegativeKind::kWrongType, at, path, std::move(wrong), why);
      }
    }
    const json* enumeration = First(view, "enum");
    const json* constant = First(view, "const");
    if (enumeration != nullptr && enumeration->is_array()) {
      json outside = OutsideEnum(*enumeration);
      if (!outside.is_null()) {
        const std::string why = Shown(outside) + " is not in enum " + Shown(*enumeration);
        Replaced(base, NegativeKind::kNotInEnum, at, path, std::move(outside), why);
      }
    } else if (constant != nullptr) {
      json outside = OutsideEnum(json::array({*constant}));
      if (!outside.is_null()) {
        const std::string why = Shown(outside) + " is not const " + Shown(*constant);
        Replaced(base, NegativeKind::kNotInEnum, at, path, std::move(outside), why);
      }
    }
    if (value.is_string()) BreakString(base, view, at, path, value.get<std::string>());
    if (value.is_number()) BreakNumber(base, view, at, path);
    if (value.is_array()) BreakArray(base, view, at, path, value);
  }

  static std::optional<std::size_t> Count(const json* bound) {
    if (bound == nullptr || !bound->is_number() || bound->get<double>() < 0) return std::nullopt;
    return static_cast<std::size_t>(bound->get<double>());
  }

  void BreakString(const Base& base, const SchemaView& view, const json::json_pointer& at,
                   const std::string& path, const std::string& value) {
    if (auto min = Count(First(view, "minLength"));
        min && *min > 0 && *min <= kLargestBrokenLength) {
      const std::size_t n = *min - 1;
      std::string shorter =
          IsAscii(value) && value.size() >= n ? value.substr(0, n) : std::string(n, 'x');
      Replaced(base, NegativeKind::kTooShort, at, path, shorter,
               std::to_string(n) + " characters, minLength " + std::to_string(*min));
    }
    if (auto max = Count(First(view, "maxLength")); max && *max < kLargestBrokenLength) {
      const std::size_t n = *max + 1;
      std::string longer = IsAscii(value) && value.size() <= n
                               ? value + std::string(n - value.size(), 'x')
                               : std::string(n, 'x');
      Replaced(base, NegativeKind::kTooLong, at, path, longer,
               std::to_string(n) + " characters, maxLength " + std::to_string(*max));
    }
    if (const json* pattern = First(view, "pattern"); pattern && pattern->is_string()) {
      if (auto text = NotMatching(pattern->get<std::string>())) {
        Replaced(base, NegativeKind::kPatternMismatch, at, path, *text,
                 Shown(json(*text)) + " does not match pattern " + Shown(*pattern));
      }
    }
    if (const json* format = First(view, "format"); format && format->is_string()) {
      const std::string name = format->get<std::string>();
      if (name == "date-time" || name == "date" || name == "time") {
        Replaced(base, NegativeKind::kBadFormat, at, path, "not-a-" + name,
                 "\"not-a-" + name + "\" is not a " + name);
      }
    }
  }

  void BreakNumber(const Base& base, const SchemaView& view, const json::json_pointer& at,
                   const std::string& path) {
    const json* minimum = First(view, "minimum");
    const json* maximum = First(view, "maximum");
    const json* exclusive_min = First(view, "exclusiveMinimum");
    const json* exclusive_max = First(view, "exclusiveMaximum");
    if (minimum && minimum->is_number()) {
      Replaced(base, NegativeKind::kBelowMinimum, at, path, Moved(*minimum, -1),
               Shown(Moved(*minimum, -1)) + " is below minimum " + Shown(*minimum));
    }
    if (maximum && maximum->is_number()) {
      Replaced(base, NegativeKind::kAboveMaximum, at, path, Moved(*maximum, 1),
               Shown(Moved(*maximum, 1)) + " is above maximum " + Shown(*maximum));
    }
    if (exclusive_min && exclusive_min->is_number()) {
      Replaced(base, NegativeKind::kAtExclusiveMinimum, at, path, *exclusive_min,
               Shown(*exclusive_min) + " equals exclusiveMinimum");
    }
    if (exclusive_max && exclusive_max->is_number()) {
      Replaced(base, NegativeKind::kAtExclusiveMaximum, at, path, *exclusive_max,
               Shown(*exclusive_max) + " equals exclusiveMaximum");
    }
  }

  void BreakArray(const Base& base, const SchemaView& view, const json::json_pointer& at,
                  const std::string& path, const json& value) {
    if (auto min = Count(First(view, "minItems"));
        min && *min > 0 && *min <= kLargestBrokenLength) {
      json fewer = json::array();
      for (std::size_t i = 0; i + 1 < *min && i < value.size(); ++i)
        fewer.push_back(value[i]);
      while (fewer.size() + 1 < *min)
        fewer.push_back(value.empty() ? json() : value[0]);
      const std::string why =
          std::to_string(fewer.size()) + " items, minItems " + std::to_string(*min);
      Replaced(base, NegativeKind::kTooFewItems, at, path, std::move(fewer), why);
    }
    if (auto max = Count(First(view, "maxItems")); max && *max < kLargestBrokenLength) {
      json more = value;
      while (more.size() < *max + 1)
        more.push_back(value.empty() ? json() : value[more.size() % value.size()]);
      const std::string why =
          std::to_string(more.size()) + " items, maxItems " + std::to_string(*max);
      Replaced(base, NegativeKind::kTooManyItems, at, path, std::move(more), why);
    }
  }

  const Operation& operation_;
  std::uint64_t seed_;
  std::vector<Base> bases_;
  std::vector<Draft> drafts_;
  std::string prefix_;
  const json* root_ = nullptr;
};

// The name of the first message of `operation` that accepts the variant's payload and headers;
// empty when none does.
std::string AcceptedBy(const Operation& operation, const SchemaCatalog& schemas,
                       const json& payload, const json& headers) {
  for (const Message* m : operation.messages) {
    const CompiledSchema* payload_schema = schemas.Payload(m);
    const CompiledSchema* headers_schema = schemas.Headers(m);
    if (payload_schema != nullptr && !payload_schema->IsValid(payload)) continue;
    if (headers_schema != nullptr && !headers_schema->IsValid(headers)) continue;
    return m->name;
  }
  return {};
}

}  // namespace

std::string_view NegativeKindName(NegativeKind kind) {
  switch (kind) {
    case NegativeKind::kNotJson:
      return "notJson";
    case NegativeKind::kNotUtf8:
      return "notUtf8";
    case NegativeKind::kJsonArray:
      return "jsonArray";
    case NegativeKind::kBareString:
      return "bareString";
    case NegativeKind::kEmptyObject:
      return "emptyObject";
    case NegativeKind::kMissingHeader:
      return "missingHeader";
    case NegativeKind::kMissingRequired:
      return "missing";
    case NegativeKind::kWrongType:
      return "wrongType";
    case NegativeKind::kNotInEnum:
      return "notInEnum";
    case NegativeKind::kTooShort:
      return "tooShort";
    case NegativeKind::kTooLong:
      return "tooLong";
    case NegativeKind::kBelowMinimum:
      return "belowMinimum";
    case NegativeKind::kAboveMaximum:
      return "aboveMaximum";
    case NegativeKind::kAtExclusiveMinimum:
      return "atExclusiveMinimum";
    case NegativeKind::kAtExclusiveMaximum:
      return "atExclusiveMaximum";
    case NegativeKind::kPatternMismatch:
      return "patternMismatch";
    case NegativeKind::kBadFormat:
      return "badFormat";
    case NegativeKind::kTooFewItems:
      return "tooFewItems";
    case NegativeKind::kTooManyItems:
      return "tooManyItems";
    case NegativeKind::kAdditionalProperty:
      return "additionalProperty";
  }
  return "unknown";
}

const std::vector<NegativeKind>& AllNegativeKinds() {
  static const std::vector<NegativeKind> kAll = [] {
    std::vector<NegativeKind> all;
    for (int k = static_cast<int>(NegativeKind::kNotJson);
         k <= static_cast<int>(NegativeKind::kAdditionalProperty); ++k)
      all.push_back(static_cast<NegativeKind>(k));
    return all;
  }();
  return kAll;
}

Result<NegativeVariants> GenerateNegativeVariants(const Contract& contract,
                                                  const SchemaCatalog& schemas,
                                                  const NegativeOptions& options) {
  NegativeVariants out;
  out.seed = options.seed;
  const std::size_t limit = options.limit.value_or(std::numeric_limits<std::size_t>::max());
  std::set<std::string> names;
  for (const auto& operation : contract.operations) {
    if (operation->action != Operation::Action::kReceive || !operation->dead_letter) continue;
    auto drafts = VariantBuilder(*operation, options.seed).Build();
    if (!drafts) return tl::unexpected(drafts.error());
    for (Draft& d : *drafts) {
      const std::string stem = "Negative_" + Sanitized(operation->id) + "_" +
                               Sanitized(d.property) + "_" + std::string(NegativeKindName(d.kind));
      std::string name = stem;
      for (int n = 2; names.contains(name); ++n)
        name = stem + "_" + std::to_string(n);
      names.insert(name);

      NegativeVariant v;
      v.correlation_id = CorrelationIdFor(options.seed, name);
      if (!PlaceCorrelationId(d, v.correlation_id)) v.correlation_id.clear();
      if (d.json_kind()) {
        std::string accepted = AcceptedBy(*operation, schemas, d.payload, d.headers);
        if (!accepted.empty()) {
          out.dropped.push_back({std::move(name), std::move(accepted)});
          continue;
        }
      }
      if (out.variants.size() >= limit) {
        ++out.beyond_limit;
        continue;
      }
      v.name = std::move(name);
      v.operation_id = operation->id;
      v.operation = operation.get();
      v.channel = operation->channel;
      v.message = d.message;
      v.kind = d.kind;
      v.pointer = std::move(d.pointer);
      v.payload = d.json_kind() ? d.payload.dump() : std::move(d.bytes);
      v.headers = std::move(d.headers);
      v.why = std::move(d.why);
      out.variants.push_back(std::move(v));
    }
  }
  return out;
}

}  // namespace driftline::contract::negative
