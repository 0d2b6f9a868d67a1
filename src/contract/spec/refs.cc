#include "contract/spec/refs.h"

#include <cctype>
#include <set>

namespace driftline::contract {
namespace {

using nlohmann::json;

// "%7B" -> "{" in a URI fragment.
std::string PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

const json* RefOf(const json& node) {
  if (!node.is_object()) return nullptr;
  auto it = node.find("$ref");
  if (it == node.end()) return nullptr;
  return &*it;
}

}  // namespace

std::string NodeRef::Key() const {
  return doc->path.string() + "#" + pointer;
}

Result<const SourceDoc*> DocumentSet::Load(const std::filesystem::path& path) {
  const std::filesystem::path abs = std::filesystem::absolute(path).lexically_normal();
  const std::string key = abs.string();
  if (auto it = docs_.find(key); it != docs_.end()) return it->second.get();
  auto text = reader_(abs);
  if (!text) return tl::unexpected(text.error());
  auto parsed = ParseSource(*text, abs);
  if (!parsed) return tl::unexpected(parsed.error());
  auto doc = std::make_unique<SourceDoc>(std::move(*parsed));
  const SourceDoc* raw = doc.get();
  docs_.emplace(key, std::move(doc));
  return raw;
}

Result<NodeRef> DocumentSet::ResolveRef(const NodeRef& at, const std::string& ref) {
  if (ref.find("://") != std::string::npos || ref.rfind("urn:", 0) == 0) {
    return tl::unexpected(
        at.Invalid("$ref '" + ref + "' is a remote reference; only local files are supported"));
  }
  const std::size_t hash = ref.find('#');
  const std::string file_part = ref.substr(0, hash);
  const std::string fragment =
      hash == std::string::npos ? std::string() : PercentDecode(ref.substr(hash + 1));
  const SourceDoc* target_doc = at.doc;
  if (!file_part.empty()) {
    const std::filesystem::path target = at.doc->path.parent_path() / file_part;
    auto loaded = Load(target);
    if (!loaded) {
      return tl::unexpected(at.Invalid("$ref '" + ref + "': " + loaded.error().message()));
    }
    target_doc = *loaded;
  }
  if (!fragment.empty() && fragment[0] != '/') {
    return tl::unexpected(
        at.Invalid("$ref '" + ref + "': only JSON-pointer fragments ('#/...') are supported"));
  }
  const json* node = FindAt(target_doc->root, fragment);
  if (node == nullptr) {
    return tl::unexpected(
        at.Invalid("$ref '" + ref + "' points at nothing: " + target_doc->path.filename().string() +
                   " has no node at '" + fragment + "'"));
  }
  return NodeRef{target_doc, fragment, node};
}

Result<NodeRef> DocumentSet::Follow(const SourceDoc& doc, std::string_view pointer) {
  const json* node = FindAt(doc.root, pointer);
  if (node == nullptr) {
    return Fail(Code::kInvalidArgument,
                doc.Where(pointer) + ": no node at '" + std::string(pointer) + "'");
  }
  NodeRef current{&doc, std::string(pointer), node};
  std::vector<std::string> chain{current.Key()};
  while (const json* ref = RefOf(*current.node)) {
    if (!ref->is_string()) return tl::unexpected(current.Invalid("$ref must be a string"));
    auto next = ResolveRef(current, ref->get<std::string>());
    if (!next) return next;
    const std::string key = next->Key();
    for (const std::string& seen : chain) {
      if (seen == key) {
        std::string text;
        for (const std::string& c : chain)
          text += c + " -> ";
        return tl::unexpected(current.Invalid("$ref cycle: " + text + key));
      }
    }
    chain.push_back(key);
    current = std::move(*next);
  }
  return current;
}

Result<json> DocumentSet::Inline(const SourceDoc& doc, std::string_view pointer) {
  const json* node = FindAt(doc.root, pointer);
  if (node == nullptr) {
    return Fail(Code::kInvalidArgument,
                doc.Where(pointer) + ": no node at '" + std::string(pointer) + "'");
  }
  std::vector<std::string> stack;
  return InlineNode(NodeRef{&doc, std::string(pointer), node}, stack, 0);
}

Result<json> DocumentSet::InlineNode(const NodeRef& at, std::vector<std::string>& stack,
                                     int depth) {
  auto followed = Follow(*at.doc, at.pointer);
  if (!followed) return tl::unexpected(followed.error());
  const NodeRef& node = *followed;
  const std::string key = node.Key();
  for (const std::string& open : stack) {
    if (open == key) {
      std::string text;
      for (const std::string& s : stack)
        text += s + " -> ";
      return tl::unexpected(
          at.Invalid("$ref cycle (a schema that contains itself): " + text + key));
    }
  }
  if (depth > 256) return tl::unexpected(at.Invalid("$ref nesting deeper than 256 levels"));
  if (!node.node->is_object() && !node.node->is_array()) return *node.node;
  stack.push_back(key);
  json out = node.node->is_object() ? json::object() : json::array();
  if (node.node->is_object()) {
    for (auto it = node.node->begin(); it != node.node->end(); ++it) {
      NodeRef child{node.doc, AppendPointer(node.pointer, it.key()), &it.value()};
      auto v = InlineNode(child, stack, depth + 1);
      if (!v) return v;
      out[it.key()] = std::move(*v);
    }
  } else {
    for (std::size_t i = 0; i < node.node->size(); ++i) {
      NodeRef child{node.doc, AppendPointer(node.pointer, i), &(*node.node)[i]};
      auto v = InlineNode(child, stack, depth + 1);
      if (!v) return v;
      out.push_back(std::move(*v));
    }
  }
  stack.pop_back();
  return out;
}

}  // namespace driftline::contract
