#include "contract/compat/schema_diff.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace driftline::contract::compat {
namespace {

using nlohmann::json;

// Deeper than any real message schema; keeps a hand-made recursive `$ref` chain finite.
constexpr int kMaxDepth = 64;

// A schema as its consumers and producers see it: the node and its `allOf` parts merged.
// Every NodeRef points into the version's documents.
struct View {
  NodeRef at;                               // the schema (followed); node null when absent
  std::map<std::string, NodeRef> keywords;  // keyword -> its value
  std::map<std::string, NodeRef> members;   // `properties` name -> its schema (not followed)
  std::map<std::string, NodeRef> required;  // name -> the `required` list naming it
  std::vector<std::string> member_order;    // as written, for a stable report
  std::optional<NodeRef> properties_at;     // the first `properties` mapping
  std::optional<NodeRef> required_at;       // the first `required` list

  const NodeRef* Keyword(const std::string& name) const {
    auto it = keywords.find(name);
    return it == keywords.end() ? nullptr : &it->second;
  }
  // Where a keyword is, or would be.
  NodeRef KeywordAt(const std::string& name) const {
    const NodeRef* k = Keyword(name);
    return k != nullptr ? *k : at;
  }
  NodeRef PropertiesAt() const { return properties_at ? *properties_at : at; }
  NodeRef RequiredAt() const { return required_at ? *required_at : at; }
  bool Closed() const {
    const NodeRef* k = Keyword("additionalProperties");
    return k != nullptr && k->node->is_boolean() && !k->node->get<bool>();
  }
};

NodeRef Child(const NodeRef& at, const std::string& token, const json* node) {
  return NodeRef{at.doc, AppendPointer(at.pointer, token), node};
}

// The schema at `at` after following `$ref`s; `at` itself (node null) when absent or unresolvable.
NodeRef Resolve(DocumentSet& docs, const NodeRef& at) {
  if (at.node == nullptr || at.doc == nullptr) return NodeRef{at.doc, at.pointer, nullptr};
  auto followed = docs.Follow(*at.doc, at.pointer);
  if (!followed) return NodeRef{at.doc, at.pointer, nullptr};
  return *followed;
}

void Collect(DocumentSet& docs, const NodeRef& at, View& view, int depth) {
  if (at.node == nullptr || !at.node->is_object() || depth > kMaxDepth) return;
  for (auto it = at.node->begin(); it != at.node->end(); ++it) {
    const std::string& key = it.key();
    if (key == "allOf") continue;
    if (key == "properties" && it->is_object()) {
      const NodeRef props = Child(at, key, &*it);
      if (!view.properties_at) view.properties_at = props;
      for (auto p = it->begin(); p != it->end(); ++p) {
        if (view.members.emplace(p.key(), Child(props, p.key(), &*p)).second)
          view.member_order.push_back(p.key());
      }
    } else if (key == "required" && it->is_array()) {
      const NodeRef list = Child(at, key, &*it);
      if (!view.required_at) view.required_at = list;
      for (const json& name : *it) {
        if (name.is_string()) view.required.emplace(name.get<std::string>(), list);
      }
    } else {
      view.keywords.emplace(key, Child(at, key, &*it));
    }
  }
  if (auto all = at.node->find("allOf"); all != at.node->end() && all->is_array()) {
    const NodeRef parts = Child(at, "allOf", &*all);
    for (std::size_t i = 0; i < all->size(); ++i) {
      const NodeRef part = Resolve(docs, Child(parts, std::to_string(i), &(*all)[i]));
      Collect(docs, part, view, depth + 1);
    }
  }
}

View ViewOf(DocumentSet& docs, const NodeRef& at, int depth) {
  View view;
  view.at = Resolve(docs, at);
  Collect(docs, view.at, view, depth);
  return view;
}

std::string Text(const NodeRef* k) {
  return k == nullptr ? "absent" : k->node->dump();
}

std::set<std::string> Types(const View& v) {
  std::set<std::string> types;
  const NodeRef* k = v.Keyword("type");
  if (k == nullptr) return types;
  if (k->node->is_string()) types.insert(k->node->get<std::string>());
  if (k->node->is_array()) {
    for (const json& t : *k->node)
      if (t.is_string()) types.insert(t.get<std::string>());
  }
  return types;
}

// True when every value of type set `narrow` is a value of `wide` (empty: any type).
bool Accepts(const std::set<std::string>& wide, const std::set<std::string>& narrow) {
  if (wide.empty()) return true;
  if (narrow.empty()) return false;
  for (const std::string& t : narrow) {
    if (wide.count(t) == 0 && !(t == "integer" && wide.count("number") != 0)) return false;
  }
  return true;
}

// The values of an `enum` keyword, dumped, in order; nullopt when there is none.
std::optional<std::vector<std::string>> EnumValues(const View& v) {
  const NodeRef* k = v.Keyword("enum");
  if (k == nullptr || !k->node->is_array()) return std::nullopt;
  std::vector<std::string> values;
  for (const json& e : *k->node)
    values.push_back(e.dump());
  return values;
}

std::string ListText(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i)
    out += (i == 0 ? "" : ", ") + values[i];
  return out + "]";
}

struct Bound {
  const char* keyword;
  bool lower;  // a minimum: a higher value is tighter
};
constexpr Bound kBounds[] = {
    {"minLength", true},      {"maxLength", false},       {"minimum", true},
    {"maximum", false},       {"exclusiveMinimum", true}, {"exclusiveMaximum", false},
    {"minItems", true},       {"maxItems", false},        {"minProperties", true},
    {"maxProperties", false},
};

class Comparer {
 public:
  Comparer(const SchemaPair& pair, unsigned context, FindingSet& out)
      : pair_(pair), context_(context), out_(out) {}

  void Compare(const NodeRef& old_at, const NodeRef& new_at, const std::string& what, bool headers,
               int depth) {
    if (depth > kMaxDepth) return;
    const View o = ViewOf(*pair_.old_docs, old_at, depth);
    const View n = ViewOf(*pair_.new_docs, new_at, depth);
    CompareTypes(o, n, what);
    CompareEnums(o, n, what);
    CompareKeyword(o, n, what, "const", "a fixed value");
    CompareKeyword(o, n, what, "format", "a format");
    CompareKeyword(o, n, what, "pattern", "a pattern");
    CompareBounds(o, n, what);
    CompareClosed(o, n, what);
    CompareMembers(o, n, what, headers, depth);
    CompareItems(o, n, what, depth);
    for (const char* keyword : {"oneOf", "anyOf"})
      CompareVariants(o, n, what, keyword, depth);
  }

 private:
  void Add(std::string rule, const NodeRef& old_at, const NodeRef& new_at, std::string old_value,
           std::string new_value, std::string why, bool consumers, bool producers) {
    out_.Add(std::move(rule), old_at, new_at, std::move(old_value), std::move(new_value),
             std::move(why), consumers, producers, context_);
  }

  void CompareTypes(const View& o, const View& n, const std::string& what) {
    const auto old_types = Types(o);
    const auto new_types = Types(n);
    if (old_types == new_types) return;
    const bool narrower = Accepts(old_types, new_types);  // every new value was valid before
    const bool wider = Accepts(new_types, old_types);     // every old value is still valid
    const std::string how = narrower ? "narrows" : wider ? "widens" : "changes";
    Add("type-changed", o.KeywordAt("type"), n.KeywordAt("type"), Text(o.Keyword("type")),
        Text(n.Keyword("type")),
        what + ": the type " + how +
            (narrower ? "; producers sending the old type are refused"
             : wider  ? "; consumers may receive a type they do not handle"
                      : "; consumers and producers of the old type break"),
        !narrower, !wider);
  }

  void CompareEnums(const View& o, const View& n, const std::string& what) {
    const auto old_values = EnumValues(o);
    const auto new_values = EnumValues(n);
    if (!old_values && !new_values) return;
    const NodeRef old_at = o.KeywordAt("enum");
    const NodeRef new_at = n.KeywordAt("enum");
    if (!old_values || !new_values) {
      const bool added = !old_values;
      Add(added ? "enum-added" : "enum-removed", old_at, new_at, Text(o.Keyword("enum")),
          Text(n.Keyword("enum")),
          what + (added ? ": values limited to an enum; producers sending others are refused"
                        : ": the enum is gone; consumers may receive any value"),
          !added, added);
      return;
    }
    std::vector<std::string> gained;
    std::vector<std::string> lost;
    for (const std::string& v : *new_values)
      if (std::find(old_values->begin(), old_values->end(), v) == old_values->end())
        gained.push_back(v);
    for (const std::string& v : *old_values)
      if (std::find(new_values->begin(), new_values->end(), v) == new_values->end())
        lost.push_back(v);
    if (!gained.empty()) {
      Add("enum-value-added", old_at, new_at, ListText(*old_values), ListText(*new_values),
          what + ": the enum gains " + ListText(gained) +
              "; consumers may receive a value they do not know",
          true, false);
    }
    if (!lost.empty()) {
      Add("enum-value-removed", old_at, new_at, ListText(*old_values), ListText(*new_values),
          what + ": the enum loses " + ListText(lost) + "; producers sending it are refused", false,
          true);
    }
  }

  // const, format, pattern: added narrows (producers), removed widens (consumers), changed both.
  void CompareKeyword(const View& o, const View& n, const std::string& what,
                      const std::string& keyword, const std::string& a_thing) {
    const NodeRef* ok = o.Keyword(keyword);
    const NodeRef* nk = n.Keyword(keyword);
    if (ok == nullptr && nk == nullptr) return;
    if (ok != nullptr && nk != nullptr && *ok->node == *nk->node) return;
    const std::string old_text = Text(ok);
    const std::string new_text = Text(nk);
    if (ok == nullptr) {
      Add(keyword + "-added", o.at, *nk, old_text, new_text,
          what + " gains " + a_thing + " (" + keyword + " " + new_text +
              "); producers sending other values are refused",
          false, true);
    } else if (nk == nullptr) {
      Add(keyword + "-removed", *ok, n.at, old_text, new_text,
          what + " loses " + a_thing + " (" + keyword + " " + old_text +
              "); consumers may receive values they do not expect",
          true, false);
    } else {
      Add(keyword + "-changed", *ok, *nk, old_text, new_text,
          what + ": " + keyword + " " + old_text + " -> " + new_text +
              "; consumers and producers of the old values break",
          true, true);
    }
  }

  void CompareBounds(const View& o, const View& n, const std::string& what) {
    for (const Bound& b : kBounds) {
      const NodeRef* ok = o.Keyword(b.keyword);
      const NodeRef* nk = n.Keyword(b.keyword);
      if (ok == nullptr && nk == nullptr) continue;
      if (ok != nullptr && nk != nullptr && *ok->node == *nk->node) continue;
      const NodeRef old_at = ok != nullptr ? *ok : o.at;
      const NodeRef new_at = nk != nullptr ? *nk : n.at;
      const bool numbers =
          (ok == nullptr || ok->node->is_number()) && (nk == nullptr || nk->node->is_number());
      bool tighter = false;
      bool looser = false;
      if (!numbers) {  // draft-04 boolean exclusive bounds: cannot order, both sides judge
        tighter = looser = true;
      } else if (ok == nullptr) {
        tighter = true;
      } else if (nk == nullptr) {
        looser = true;
      } else {
        const double ov = ok->node->get<double>();
        const double nv = nk->node->get<double>();
        tighter = b.lower ? nv > ov : nv < ov;
        looser = !tighter;
      }
      const std::string change = std::string(b.keyword) + " " + Text(ok) + " -> " + Text(nk);
      if (tighter && looser) {
        Add("bound-changed", old_at, new_at, Text(ok), Text(nk), what + ": " + change, true, true);
      } else if (tighter) {
        Add("bound-tightened", old_at, new_at, Text(ok), Text(nk),
            what + ": " + change +
                " tightens; producers sending values it now excludes are "
                "refused",
            false, true);
      } else {
        Add("bound-loosened", old_at, new_at, Text(ok), Text(nk),
            what + ": " + change + " loosens; consumers may receive values they did not expect",
            true, false);
      }
    }
  }

  void CompareClosed(const View& o, const View& n, const std::string& what) {
    if (o.Closed() == n.Closed()) return;
    const NodeRef* ok = o.Keyword("additionalProperties");
    const NodeRef* nk = n.Keyword("additionalProperties");
    if (n.Closed()) {
      Add("additional-properties-closed", o.KeywordAt("additionalProperties"),
          n.KeywordAt("additionalProperties"), Text(ok), Text(nk),
          what +
              ": additionalProperties becomes false; producers sending other members are "
              "refused",
          false, true);
    } else {
      Add("additional-properties-opened", o.KeywordAt("additionalProperties"),
          n.KeywordAt("additionalProperties"), Text(ok), Text(nk),
          what +
              ": additionalProperties false is dropped; consumers may receive members they "
              "do not know",
          true, false);
    }
  }

  void CompareMembers(const View& o, const View& n, const std::string& what, bool headers,
                      int depth) {
    const std::string noun = headers ? "header" : "member";
    for (const std::string& name : o.member_order) {
      const NodeRef& old_member = o.members.at(name);
      const std::string path = what + "." + name;
      auto found = n.members.find(name);
      if (found == n.members.end()) {
        const bool was_required = o.required.count(name) != 0;
        if (headers && was_required) {
          Add("header-removed", old_member, n.PropertiesAt(), "required", "absent",
              "required header '" + path +
                  "' removed: consumers relying on it lose it; producers setting it are out of "
                  "contract",
              true, true);
        } else {
          Add(noun + "-removed", old_member, n.PropertiesAt(),
              was_required ? "required" : "optional", "absent",
              noun + " '" + path + "' removed: consumers that read it no longer get it" +
                  (n.Closed() ? "; producers that send it are refused" : ""),
              true, n.Closed());
        }
        continue;
      }
      Compare(old_member, found->second, path, false, depth + 1);
    }
    for (const std::string& name : n.member_order) {
      if (o.members.count(name) != 0) continue;
      const bool required = n.required.count(name) != 0;
      const std::string path = what + "." + name;
      Add(noun + "-added", o.PropertiesAt(), n.members.at(name), "absent",
          required ? "required" : "optional",
          noun + " '" + path + "' added" +
              (required ? " as required: producers that do not send it are refused"
                        : " as optional") +
              (o.Closed() ? "; consumers validating against additionalProperties false refuse it"
                          : ""),
          o.Closed(), required);
    }
    for (const auto& [name, list] : o.required) {
      if (n.required.count(name) != 0) continue;
      if (o.members.count(name) != 0 && n.members.count(name) == 0) continue;  // removed
      const std::string path = what + "." + name;
      Add(noun + "-optional", list, n.RequiredAt(), "required", "optional",
          noun + " '" + path + "' is no longer required: consumers relying on it may not get it",
          true, false);
    }
    for (const auto& [name, list] : n.required) {
      if (o.required.count(name) != 0) continue;
      if (n.members.count(name) != 0 && o.members.count(name) == 0) continue;  // added
      const std::string path = what + "." + name;
      Add(noun + "-required", o.RequiredAt(), list, "optional", "required",
          noun + " '" + path + "' becomes required: producers that do not send it are refused",
          false, true);
    }
  }

  void CompareItems(const View& o, const View& n, const std::string& what, int depth) {
    const NodeRef* ok = o.Keyword("items");
    const NodeRef* nk = n.Keyword("items");
    if (ok == nullptr && nk == nullptr) return;
    if (ok != nullptr && nk != nullptr) {
      Compare(*ok, *nk, what + "[]", false, depth + 1);
      return;
    }
    // One side constrains the items, the other does not: compare with an absent schema.
    Compare(ok != nullptr ? *ok : NodeRef{o.at.doc, AppendPointer(o.at.pointer, "items"), nullptr},
            nk != nullptr ? *nk : NodeRef{n.at.doc, AppendPointer(n.at.pointer, "items"), nullptr},
            what + "[]", false, depth + 1);
  }

  void CompareVariants(const View& o, const View& n, const std::string& what,
                       const std::string& keyword, int depth) {
    const NodeRef* ok = o.Keyword(keyword);
    const NodeRef* nk = n.Keyword(keyword);
    const std::size_t old_count = ok != nullptr && ok->node->is_array() ? ok->node->size() : 0;
    const std::size_t new_count = nk != nullptr && nk->node->is_array() ? nk->node->size() : 0;
    if (old_count == 0 && new_count == 0) return;
    if (old_count > 0 && new_count > 0) {
      for (std::size_t i = 0; i < std::min(old_count, new_count); ++i) {
        Compare(Child(*ok, std::to_string(i), &(*ok->node)[i]),
                Child(*nk, std::to_string(i), &(*nk->node)[i]),
                what + " (" + keyword + " " + std::to_string(i) + ")", false, depth + 1);
      }
    }
    if (old_count == new_count) return;
    const std::string counts = std::to_string(old_count) + " -> " + std::to_string(new_count);
    // Fewer alternatives, or alternatives where there were none, accept less.
    const bool narrower = old_count == 0 || (new_count != 0 && new_count < old_count);
    Add(narrower ? "variant-removed" : "variant-added", o.KeywordAt(keyword), n.KeywordAt(keyword),
        std::to_string(old_count), std::to_string(new_count),
        what + ": " + keyword + " alternatives " + counts +
            (narrower ? "; producers sending a dropped alternative are refused"
                      : "; consumers may receive an alternative they do not handle"),
        !narrower, narrower);
  }

  const SchemaPair& pair_;
  unsigned context_;
  FindingSet& out_;
};

}  // namespace

void CompareSchemas(const SchemaPair& pair, const std::string& what, bool headers, unsigned context,
                    FindingSet& out) {
  Comparer(pair, context, out).Compare(pair.old_at, pair.new_at, what, headers, 0);
}

}  // namespace driftline::contract::compat
