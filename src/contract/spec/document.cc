#include "contract/spec/document.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <fstream>
#include <limits>
#include <regex>
#include <set>
#include <sstream>

namespace driftline::contract {
namespace {

using nlohmann::json;

Error ParseError(const std::filesystem::path& path, std::size_t line, std::size_t column,
                 std::string_view what) {
  return Error(Code::kInvalidArgument, path.string() + ":" + std::to_string(line) + ":" +
                                           std::to_string(column) + ": " + std::string(what));
}

Error MarkError(const std::filesystem::path& path, const YAML::Mark& mark, std::string_view what) {
  return ParseError(path, static_cast<std::size_t>(mark.line + 1),
                    static_cast<std::size_t>(mark.column + 1), what);
}

bool LooksLikeJson(std::string_view text, const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".json") return true;
  if (ext == ".yaml" || ext == ".yml") return false;
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
}

// 1-based line and column of byte offset `offset` in `text`.
std::pair<std::size_t, std::size_t> LineColumn(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

Result<SourceDoc> ParseJson(std::string_view text, const std::filesystem::path& path) {
  SourceDoc doc;
  doc.path = path;
  try {
    doc.root = json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann reports the byte just past the offending token (1-based).
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    const auto [line, column] = LineColumn(text, offset);
    std::string what = e.what();
    // Drop "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    if (const auto colon = what.find(": "); colon != std::string::npos)
      what = what.substr(colon + 2);
    return tl::unexpected(ParseError(path, line, column, what));
  } catch (const json::exception& e) {
    // out_of_range (a number too large for a double, e.g. 1E510) has no byte position.
    return tl::unexpected(ParseError(path, 1, 1, e.what()));
  }
  return doc;
}

// YAML 1.2 core schema resolution of a plain (unquoted) scalar.
json ResolvePlainScalar(const std::string& s) {
  static const std::set<std::string> kNulls{"", "~", "null", "Null", "NULL"};
  static const std::set<std::string> kTrue{"true", "True", "TRUE"};
  static const std::set<std::string> kFalse{"false", "False", "FALSE"};
  if (kNulls.contains(s)) return nullptr;
  if (kTrue.contains(s)) return true;
  if (kFalse.contains(s)) return false;
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kOct("0o[0-7]+");
  static const std::regex kHex("0x[0-9a-fA-F]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  if (std::regex_match(s, kInt)) {
    const char* digits = (s[0] == '+') ? begin + 1 : begin;
    std::int64_t v = 0;
    if (auto [p, ec] = std::from_chars(digits, end, v); ec == std::errc() && p == end) return v;
    std::uint64_t u = 0;
    if (auto [p, ec] = std::from_chars(digits, end, u); ec == std::errc() && p == end) return u;
    double d = 0;
    if (auto [p, ec] = std::from_chars(digits, end, d); ec == std::errc() && p == end) return d;
    return s;
  }
  if (std::regex_match(s, kOct) || std::regex_match(s, kHex)) {
    std::uint64_t u = 0;
    const int base = s[1] == 'o' ? 8 : 16;
    if (auto [p, ec] = std::from_chars(begin + 2, end, u, base); ec == std::errc() && p == end)
      return u;
    return s;
  }
  if (std::regex_match(s, kFloat)) {
    const char* digits = (s[0] == '+') ? begin + 1 : begin;
    double d = 0;
    if (auto [p, ec] = std::from_chars(digits, end, d); ec == std::errc() && p == end) return d;
  }
  // .inf and .nan have no JSON form; they stay text.
  return s;
}

json ScalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str")
    return text;  // quoted, block or explicitly tagged as a string
  if (tag == "?" || tag.empty()) return ResolvePlainScalar(text);
  // Other explicit core tags (!!int, !!float, !!bool, !!null): resolve the text as plain.
  return ResolvePlainScalar(text);
}

class YamlConverter {
 public:
  YamlConverter(SourceDoc& doc) : doc_(doc) {}

  Result<json> Convert(const YAML::Node& node, const std::string& pointer, int depth) {
    if (depth > 512) {
      return tl::unexpected(MarkError(doc_.path, node.Mark(), "nesting deeper than 512 levels"));
    }
    if (node.Mark().line >= 0) doc_.lines.emplace(pointer, node.Mark().line + 1);
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return json(nullptr);
      case YAML::NodeType::Scalar:
        return ScalarToJson(node);
      case YAML::NodeType::Sequence: {
        json out = json::array();
        std::size_t i = 0;
        for (const auto& item : node) {
          auto v = Convert(item, AppendPointer(pointer, i++), depth + 1);
          if (!v) return v;
          out.push_back(std::move(*v));
        }
        return out;
      }
      case YAML::NodeType::Map: {
        json out = json::object();
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) {
            return tl::unexpected(
                MarkError(doc_.path, kv.first.Mark(), "a mapping key must be a scalar"));
          }
          const std::string key = kv.first.Scalar();
          if (out.contains(key)) {
            return tl::unexpected(
                MarkError(doc_.path, kv.first.Mark(), "duplicate key '" + key + "'"));
          }
          auto v = Convert(kv.second, AppendPointer(pointer, key), depth + 1);
          if (!v) return v;
          out[key] = std::move(*v);
        }
        return out;
      }
    }
    return json(nullptr);
  }

 private:
  SourceDoc& doc_;
};

Result<SourceDoc> ParseYaml(std::string_view text, const std::filesystem::path& path) {
  SourceDoc doc;
  doc.path = path;
  YAML::Node node;
  try {
    node = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return tl::unexpected(MarkError(path, e.mark, e.msg));
  }
  try {
    YamlConverter converter(doc);
    auto root = converter.Convert(node, "", 0);
    if (!root) return tl::unexpected(root.error());
    doc.root = std::move(*root);
  } catch (const YAML::Exception& e) {
    return tl::unexpected(MarkError(path, e.mark, e.msg));
  }
  return doc;
}

}  // namespace

int SourceDoc::LineOf(std::string_view pointer) const {
  std::string p(pointer);
  for (;;) {
    if (auto it = lines.find(p); it != lines.end()) return it->second;
    if (p.empty()) return 0;
    p.resize(p.rfind('/'));
  }
}

std::string SourceDoc::Where(std::string_view pointer) const {
  if (const int line = LineOf(pointer); line > 0) return path.string() + ":" + std::to_string(line);
  if (pointer.empty()) return path.string();
  return path.string() + " (at " + std::string(pointer) + ")";
}

Result<SourceDoc> ParseSource(std::string_view text, const std::filesystem::path& path) {
  if (LooksLikeJson(text, path)) return ParseJson(text, path);
  return ParseYaml(text, path);
}

Result<std::string> ReadTextFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path))
    return Fail(Code::kNotFound, path.string() + ": cannot read the file");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Result<SourceDoc> LoadSource(const std::filesystem::path& path) {
  auto text = ReadTextFile(path);
  if (!text) return tl::unexpected(text.error());
  return ParseSource(*text, path);
}

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (const char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string AppendPointer(std::string_view base, std::string_view token) {
  return std::string(base) + "/" + EscapePointerToken(token);
}

std::string AppendPointer(std::string_view base, std::size_t index) {
  return std::string(base) + "/" + std::to_string(index);
}

Result<std::vector<std::string>> SplitPointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/')
    return Fail(Code::kInvalidArgument,
                "JSON pointer '" + std::string(pointer) + "' does not start with '/'");
  std::size_t start = 1;
  for (;;) {
    const std::size_t slash = pointer.find('/', start);
    const std::string_view raw = pointer.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else if (raw[i] == '~') {
        return Fail(Code::kInvalidArgument,
                    "JSON pointer '" + std::string(pointer) + "' has a bad '~' escape");
      } else {
        token += raw[i];
      }
    }
    tokens.push_back(std::move(token));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return tokens;
}

const json* FindAt(const json& root, std::string_view pointer) {
  auto tokens = SplitPointer(pointer);
  if (!tokens) return nullptr;
  const json* node = &root;
  for (const std::string& t : *tokens) {
    if (node->is_object()) {
      auto it = node->find(t);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      std::size_t index = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), index);
      if (ec != std::errc() || p != t.data() + t.size() || t.empty() ||
          (t.size() > 1 && t[0] == '0') || index >= node->size())
        return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

}  // namespace driftline::contract
