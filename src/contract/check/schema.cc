#include "contract/check/schema.h"

#include <charconv>
#include <regex>
#include <set>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "contract/spec/document.h"

namespace driftline::contract {
namespace {

using nlohmann::json;

const std::set<std::string, std::less<>> kSchemaMaps{"properties", "patternProperties",
                                                     "definitions", "$defs"};
const std::set<std::string, std::less<>> kSchemaValues{
    "additionalProperties", "additionalItems", "contains", "not", "if", "then", "else",
    "propertyNames"};
const std::set<std::string, std::less<>> kSchemaLists{"allOf", "anyOf", "oneOf"};
const std::set<std::string, std::less<>> kCheckedFormats{"date-time", "date", "time"};
// Where a prepared schema keeps the name of a format it checks as a pattern.
constexpr std::string_view kFormatKey = "x-driftline-format";

// valijson's own checks of these formats (validation_visitor.hpp, FormatConstraint), as one
// anchored pattern each: its regular expressions and its day-of-month limits (29 for February,
// 30 for April, June, September, November). The `|` in the offset's sign class is valijson's.
std::string FormatPattern(std::string_view format) {
  static const std::string kDate =
      "[0-9]+-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|"
      "30)|02-(?:0[1-9]|[12][0-9]))";
  static const std::string kTime =
      "(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\\.[0-9]+)?(?:[Zz]|[+|\\-](?:[01][0-9]|"
      "2["
      "0-3]):[0-5][0-9])";
  if (format == "date") return "^" + kDate + "$";
  if (format == "time") return "^" + kTime + "$";
  return "^" + kDate + "[Tt]" + kTime + "$";
}

// FormatPattern(format), compiled once.
const std::regex& FormatRegex(const std::string& format) {
  static const std::regex kDate(FormatPattern("date"));
  static const std::regex kTime(FormatPattern("time"));
  static const std::regex kDateTime(FormatPattern("date-time"));
  return format == "date" ? kDate : format == "time" ? kTime : kDateTime;
}

// The format a prepared schema node checks as a pattern ("" when none).
std::string CheckedFormatOf(const json& node) {
  if (!node.is_object()) return {};
  auto all = node.find("allOf");
  if (all == node.end() || !all->is_array()) return {};
  for (const json& branch : *all) {
    auto then = branch.find("then");
    if (then == branch.end() || !then->is_object()) continue;
    auto f = then->find(kFormatKey);
    if (f != then->end() && f->is_string()) return f->get<std::string>();
  }
  return {};
}

json Prepare(const json& schema, bool strict) {
  if (!schema.is_object()) return schema;
  json out = json::object();
  std::string format;
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    // Lenient: no required members, and no ban on extra ones (a schema for them still applies).
    if (!strict && (k == "required" || (k == "additionalProperties" && v == json(false)))) continue;
    if (k == "format") {
      if (v.is_string()) format = v.get<std::string>();
      continue;
    }
    if (kSchemaMaps.contains(k) && v.is_object()) {
      json m = json::object();
      for (auto p = v.begin(); p != v.end(); ++p)
        m[p.key()] = Prepare(p.value(), strict);
      out[k] = std::move(m);
    } else if (k == "dependencies" && v.is_object()) {
      json m = json::object();
      for (auto p = v.begin(); p != v.end(); ++p)
        m[p.key()] = p.value().is_object() ? Prepare(p.value(), strict) : p.value();
      out[k] = std::move(m);
    } else if (k == "items") {
      if (v.is_array()) {
        json a = json::array();
        for (const json& item : v)
          a.push_back(Prepare(item, strict));
        out[k] = std::move(a);
      } else {
        out[k] = Prepare(v, strict);
      }
    } else if (kSchemaValues.contains(k)) {
      out[k] = Prepare(v, strict);
    } else if (kSchemaLists.contains(k) && v.is_array()) {
      json a = json::array();
      for (const json& item : v)
        a.push_back(Prepare(item, strict));
      out[k] = std::move(a);
    } else {
      out[k] = v;
    }
  }
  if (kCheckedFormats.contains(format)) {
    // As a pattern, which a validator compiles once (valijson builds a std::regex for every
    // `format` it checks: about 0.5 ms a value); the format's name is kept for the messages.
    json conditional = {
        {"if", {{"type", "string"}}},
        {"then", {{"pattern", FormatPattern(format)}, {std::string(kFormatKey), format}}}};
    if (out.contains("allOf") && out["allOf"].is_array())
      out["allOf"].push_back(std::move(conditional));
    else
      out["allOf"] = json::array({std::move(conditional)});
  }
  return out;
}

// valijson context ["<root>", "[items]", "[0]"] -> "/items/0"
std::string ContextPointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (const std::string& c : context) {
    if (c == "<root>") continue;
    std::string token = c;
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']')
      token = token.substr(1, token.size() - 2);
    pointer = AppendPointer(pointer, token);
  }
  return pointer;
}

bool IsWrapper(const std::string& description) {
  static const char* kPrefixes[] = {
      "Failed to validate against schema associated with property",
      "Failed to validate item #",
      "Failed to validate against a conditional schema",
      "Failed to validate against child schema",
      "Failed to validate value for additional property",
      "Failed to validate against additional properties schema",
      "Failed to validate against dependent schema",
  };
  for (const char* p : kPrefixes) {
    if (description.rfind(p, 0) == 0) return true;
  }
  return false;
}

// What the schema at `pointer` asks for, in compact JSON without the prose members.
std::string DescribeSchema(const json& root, const std::string& pointer) {
  const json* sub = SubschemaAt(root, pointer);
  if (sub == nullptr) return "(see schema)";
  if (!sub->is_object()) return Abbreviate(*sub);
  json brief = json::object();
  for (auto it = sub->begin(); it != sub->end(); ++it) {
    const std::string& k = it.key();
    if (k == "description" || k == "examples" || k == "title" || k == "example" ||
        k == "$comment" || k == "properties" || k == "items" || k == "required")
      continue;
    if (k == "allOf" && it.value().is_array()) {
      // Show the format's rewrite as the format it came from.
      if (std::string f = CheckedFormatOf(*sub); !f.empty()) brief["format"] = f;
      continue;
    }
    brief[k] = it.value();
  }
  return Abbreviate(brief);
}

}  // namespace

struct CompiledSchema::Impl {
  valijson::Schema schema;
};

json PrepareSchema(const json& schema, bool strict) {
  return Prepare(schema, strict);
}

const json* SubschemaAt(const json& schema, std::string_view pointer) {
  auto tokens = SplitPointer(pointer);
  if (!tokens) return nullptr;
  const json* node = &schema;
  for (const std::string& t : *tokens) {
    if (!node->is_object()) return nullptr;
    const json* next = nullptr;
    if (auto p = node->find("properties"); p != node->end() && p->is_object() && p->contains(t)) {
      next = &(*p)[t];
    } else if (auto i = node->find("items"); i != node->end()) {
      if (i->is_object()) {
        next = &*i;
      } else if (i->is_array()) {
        std::size_t index = 0;
        auto [q, ec] = std::from_chars(t.data(), t.data() + t.size(), index);
        if (ec == std::errc() && q == t.data() + t.size() && index < i->size()) next = &(*i)[index];
      }
    } else if (auto a = node->find("additionalProperties"); a != node->end() && a->is_object()) {
      next = &*a;
    }
    if (next == nullptr) {
      for (const char* combinator : {"allOf", "anyOf", "oneOf"}) {
        auto c = node->find(combinator);
        if (c == node->end() || !c->is_array()) continue;
        for (const json& branch : *c) {
          const std::string rest = AppendPointer("", t);
          if (const json* found = SubschemaAt(branch, rest)) {
            next = found;
            break;
          }
        }
        if (next != nullptr) break;
      }
    }
    if (next == nullptr) return nullptr;
    node = next;
  }
  return node;
}

CompiledSchema::~CompiledSchema() = default;

Result<std::shared_ptr<const CompiledSchema>> CompiledSchema::Compile(const json& schema,
                                                                      bool strict,
                                                                      const std::string& where) {
  std::shared_ptr<CompiledSchema> compiled(new CompiledSchema());
  compiled->prepared_ = Prepare(schema.is_null() ? json::object() : schema, strict);
  compiled->impl_ = std::make_unique<Impl>();
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(compiled->prepared_);
    parser.populateSchema(adapter, compiled->impl_->schema);
  } catch (const std::exception& e) {
    return Fail(Code::kInvalidArgument, where + ": invalid JSON Schema: " + e.what());
  }
  return std::shared_ptr<const CompiledSchema>(std::move(compiled));
}

namespace {

// One validator per thread, kept: it caches the regular expressions of `pattern`s (keyed by the
// pattern), so a pattern is compiled once per thread instead of once per value.
valijson::Validator& ThreadValidator() {
  thread_local valijson::Validator validator(valijson::Validator::kStrongTypes);
  return validator;
}

}  // namespace

bool CompiledSchema::IsValid(const json& value) const {
  try {
    return ThreadValidator().validate(impl_->schema, valijson::adapters::NlohmannJsonAdapter(value),
                                      nullptr);
  } catch (const std::exception&) {
    return false;
  }
}

bool CompiledSchema::Validate(const json& value, const std::string& prefix,
                              std::vector<Mismatch>& out) const {
  valijson::Validator& validator = ThreadValidator();
  valijson::adapters::NlohmannJsonAdapter target(value);
  valijson::ValidationResults results;
  bool valid = false;
  try {
    // Most values are valid: a first pass that stops at the first violation and describes
    // nothing; only an invalid value is walked again to collect every violation.
    if (validator.validate(impl_->schema, target, nullptr)) return true;
    valid = validator.validate(impl_->schema, target, &results);
  } catch (const std::exception& e) {
    out.push_back(Mismatch{prefix.empty() ? "/" : prefix, "a value the schema can check",
                           Abbreviate(value), std::string("schema check failed: ") + e.what()});
    return false;
  }
  if (valid) return true;
  struct Raw {
    std::string pointer;
    std::string description;
  };
  std::vector<Raw> errors;
  valijson::ValidationResults::Error error;
  while (results.popError(error))
    errors.push_back(Raw{ContextPointer(error.context), error.description});
  static const std::regex kMissing("Missing required property '(.*)'\\.?");
  static const std::regex kExtra(
      "Object contains a property that could not be validated using 'properties' or "
      "'additionalProperties' constraints: '(.*)'\\.?");
  const std::size_t before = out.size();
  for (const Raw& e : errors) {
    if (IsWrapper(e.description)) {
      bool has_detail = false;
      for (const Raw& other : errors) {
        if (&other != &e && !IsWrapper(other.description) &&
            other.pointer.rfind(e.pointer, 0) == 0) {
          has_detail = true;
          break;
        }
      }
      if (has_detail) continue;
    }
    std::smatch m;
    if (std::regex_match(e.description, m, kMissing)) {
      out.push_back(Mismatch{prefix + AppendPointer(e.pointer, m[1].str()),
                             "a value (required by the schema)", "(missing)",
                             "required member '" + m[1].str() + "' is missing"});
      continue;
    }
    if (std::regex_match(e.description, m, kExtra)) {
      const std::string child = AppendPointer(e.pointer, m[1].str());
      const json* actual = FindAt(value, child);
      out.push_back(Mismatch{prefix + child,
                             "no member '" + m[1].str() + "' (additionalProperties)",
                             actual != nullptr ? Abbreviate(*actual) : "(present)",
                             "member '" + m[1].str() + "' is not allowed by the schema"});
      continue;
    }
    const json* actual = FindAt(value, e.pointer);
    std::string description = e.description;
    // A format checked as a pattern fails with the pattern's words; say the format's.
    if (description.rfind("Failed to match regex specified by 'pattern'", 0) == 0) {
      const json* node = SubschemaAt(prepared_, e.pointer);
      const std::string f = node != nullptr ? CheckedFormatOf(*node) : std::string();
      if (!f.empty() && actual != nullptr && actual->is_string() &&
          !std::regex_search(actual->get_ref<const std::string&>(), FormatRegex(f)))
        description = "String should be a valid " + f;
    }
    out.push_back(Mismatch{prefix + (e.pointer.empty() && prefix.empty() ? "/" : e.pointer),
                           DescribeSchema(prepared_, e.pointer),
                           actual != nullptr ? Abbreviate(*actual) : "(missing)", description});
  }
  if (out.size() == before) {
    out.push_back(Mismatch{prefix.empty() ? "/" : prefix, DescribeSchema(prepared_, ""),
                           Abbreviate(value), "the value does not conform to the schema"});
  }
  return false;
}

}  // namespace driftline::contract
