#include "contract/spec/config.h"

#include "contract/spec/document.h"
#include "contract/spec/refs.h"

namespace driftline::contract {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class ConfigReader {
 public:
  ConfigReader(DocumentSet& docs, const SourceDoc& doc) : docs_(docs), doc_(doc) {}

  Error At(const std::string& pointer, std::string_view what) const {
    return Error(Code::kInvalidArgument, doc_.Where(pointer) + ": " + std::string(what));
  }

  // The node at `pointer` with a `$ref` replaced by its target and the `$ref`'s siblings laid
  // over it (specmatic.yaml writes `$ref` next to overriding members).
  Result<json> Expand(const std::string& pointer) {
    const json* node = FindAt(doc_.root, pointer);
    if (node == nullptr) return json(nullptr);
    if (!node->is_object() || !node->contains("$ref")) return *node;
    auto target = docs_.Follow(doc_, pointer);
    if (!target) return tl::unexpected(target.error());
    json out = *target->node;
    if (!out.is_object()) return tl::unexpected(At(pointer, "$ref must point at a mapping here"));
    for (auto it = node->begin(); it != node->end(); ++it) {
      if (it.key() != "$ref") out[it.key()] = it.value();
    }
    return out;
  }

  // Like Expand, for a value already taken out of the document (its `$ref`s point into it).
  Result<json> ExpandValue(const json& value, const std::string& pointer) {
    if (!value.is_object() || !value.contains("$ref")) return value;
    if (!value["$ref"].is_string()) return tl::unexpected(At(pointer, "$ref must be a string"));
    const std::string ref = value["$ref"].get<std::string>();
    if (ref.rfind("#", 0) != 0)
      return tl::unexpected(At(pointer, "$ref '" + ref + "' must point into this file"));
    const json* target = FindAt(doc_.root, ref.substr(1));
    if (target == nullptr)
      return tl::unexpected(At(pointer, "$ref '" + ref + "' points at nothing"));
    json out = *target;
    if (!out.is_object())
      return tl::unexpected(At(pointer, "$ref '" + ref + "' must point at a mapping"));
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (it.key() != "$ref") out[it.key()] = it.value();
    }
    return out;
  }

 private:
  DocumentSet& docs_;
  const SourceDoc& doc_;
};

std::string Str(const json& node, const char* name) {
  if (!node.is_object()) return {};
  auto it = node.find(name);
  if (it == node.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number() || it->is_boolean()) return it->dump();
  return {};
}

}  // namespace

std::string RepoNameFromGitUrl(std::string_view url) {
  std::string s(url);
  while (!s.empty() && s.back() == '/')
    s.pop_back();
  const std::size_t cut = s.find_last_of("/:");
  std::string name = cut == std::string::npos ? s : s.substr(cut + 1);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".git") == 0)
    name.resize(name.size() - 4);
  return name;
}

fs::path DefaultExamplesDir(const fs::path& spec) {
  return spec.parent_path() / (spec.stem().string() + "_examples");
}

namespace {
Result<SuiteConfig> LoadSuiteConfigUnguarded(const fs::path& path);
}  // namespace

Result<SuiteConfig> LoadSuiteConfig(const fs::path& path) {
  return GuardMalformed(path, [&] { return LoadSuiteConfigUnguarded(path); });
}

namespace {
Result<SuiteConfig> LoadSuiteConfigUnguarded(const fs::path& path) {
  DocumentSet docs;
  auto loaded = docs.Load(path);
  if (!loaded) return tl::unexpected(loaded.error());
  const SourceDoc& doc = **loaded;
  ConfigReader reader(docs, doc);
  SuiteConfig config;
  config.path = doc.path;
  const fs::path base = doc.path.parent_path();
  if (!doc.root.is_object())
    return tl::unexpected(reader.At("", "not a specmatic configuration (expected a mapping)"));
  const std::string version = Str(doc.root, "version");
  if (version != "3") {
    return tl::unexpected(reader.At(
        "/version", version.empty() ? "missing 'version: 3'"
                                    : "version " + version + " is not supported (only 3)"));
  }
  const std::string service_ptr = "/systemUnderTest/service";
  if (FindAt(doc.root, service_ptr) == nullptr)
    return tl::unexpected(reader.At("/systemUnderTest", "missing systemUnderTest.service"));
  auto service = reader.Expand(service_ptr);
  if (!service) return tl::unexpected(service.error());
  if (!service->is_object())
    return tl::unexpected(reader.At(service_ptr, "service must be a mapping"));

  // Specs, through their sources.
  const json definitions = service->value("definitions", json::array());
  if (!definitions.is_array() || definitions.empty())
    return tl::unexpected(reader.At(service_ptr, "service has no definitions"));
  for (std::size_t i = 0; i < definitions.size(); ++i) {
    const std::string where = service_ptr + "/definitions/" + std::to_string(i);
    const json definition = definitions[i].value("definition", definitions[i]);
    auto source = reader.ExpandValue(definition.value("source", json::object()), where);
    if (!source) return tl::unexpected(source.error());
    fs::path root = base;
    if (source->contains("git")) {
      const json& git = (*source)["git"];
      const std::string url = Str(git, "url");
      if (url.empty()) return tl::unexpected(reader.At(where, "git source without a url"));
      root = base / ".specmatic" / "repos" / RepoNameFromGitUrl(url);
      if (!fs::is_directory(root)) {
        return Fail(Code::kNotFound,
                    doc.Where(where) + ": git source " + url + ": no checkout at " + root.string() +
                        " (contract-test does not clone; check the repository " + "out there)");
      }
    } else if (source->contains("filesystem")) {
      const json& filesystem = (*source)["filesystem"];
      std::string dir = Str(filesystem, "directory");
      if (dir.empty()) dir = Str(filesystem, "path");
      root = base / (dir.empty() ? "." : dir);
    }
    const json specs = definition.value("specs", json::array());
    if (!specs.is_array() || specs.empty())
      return tl::unexpected(reader.At(where, "definition lists no specs"));
    for (const json& spec : specs) {
      std::string rel;
      if (spec.is_string())
        rel = spec.get<std::string>();
      else if (spec.is_object())
        rel = Str(spec, "path");
      if (rel.empty()) return tl::unexpected(reader.At(where, "a spec must be a path"));
      const fs::path file = (root / rel).lexically_normal();
      if (!fs::exists(file)) {
        return Fail(Code::kNotFound,
                    doc.Where(where) + ": spec " + rel + " not found at " + file.string());
      }
      config.specs.push_back(file);
    }
  }

  // Servers.
  auto run_options =
      reader.ExpandValue(service->value("runOptions", json::object()), service_ptr + "/runOptions");
  if (!run_options) return tl::unexpected(run_options.error());
  const json asyncapi = run_options->value("asyncapi", json::object());
  const json servers = asyncapi.value("servers", json::array());
  if (!servers.is_array())
    return tl::unexpected(reader.At(service_ptr + "/runOptions", "servers must be a list"));
  for (const json& s : servers) {
    ServerSetting setting;
    setting.host = Str(s, "host");
    setting.protocol_name = Str(s, "protocol");
    setting.protocol = ProtocolFromName(setting.protocol_name);
    const json creds = s.value("adminCredentials", json::object());
    setting.region = Str(creds, "region");
    setting.access_key_id = Str(creds, "aws.access.key.id");
    setting.secret_access_key = Str(creds, "aws.secret.access.key");
    if (setting.host.empty()) {
      return tl::unexpected(reader.At(service_ptr + "/runOptions", "a server without a host"));
    }
    config.servers.push_back(std::move(setting));
  }

  // Examples.
  const json data = service->value("data", json::object());
  const json examples = data.is_object() ? data.value("examples", json::array()) : json::array();
  if (!examples.is_array())
    return tl::unexpected(reader.At(service_ptr + "/data", "data.examples must be a list"));
  for (const json& entry : examples) {
    const json dirs = entry.value("directories", json::array());
    for (const json& dir : dirs) {
      if (!dir.is_string())
        return tl::unexpected(reader.At(service_ptr + "/data", "example directory not a string"));
      config.example_dirs.push_back((base / dir.get<std::string>()).lexically_normal());
    }
  }

  // Settings.
  const json settings = service->value("settings", json::object());
  if (settings.is_object() && settings.contains("strictMode")) {
    if (!settings["strictMode"].is_boolean())
      return tl::unexpected(reader.At(service_ptr + "/settings", "strictMode must be a boolean"));
    config.strict_mode = settings["strictMode"].get<bool>();
  }
  // Ours, under x- names Specmatic's format ignores: generated tests.
  if (settings.is_object() && settings.contains("x-driftline-generate")) {
    const json& g = settings["x-driftline-generate"];
    const json list = g.is_string() ? json::array({g}) : g;
    if (!list.is_array())
      return tl::unexpected(reader.At(service_ptr + "/settings/x-driftline-generate",
                                      "x-driftline-generate must be a kind or a list of kinds "
                                      "(negative)"));
    for (const json& kind : list) {
      if (!kind.is_string() || kind.get<std::string>() != "negative")
        return tl::unexpected(
            reader.At(service_ptr + "/settings/x-driftline-generate",
                      "unknown kind of generated tests " + kind.dump() + " (known: negative)"));
      config.generate.push_back(kind.get<std::string>());
    }
  }
  if (settings.is_object() && settings.contains("x-driftline-generate-limit")) {
    const json& n = settings["x-driftline-generate-limit"];
    if (!n.is_number_integer() || n.get<long long>() < 0)
      return tl::unexpected(reader.At(service_ptr + "/settings/x-driftline-generate-limit",
                                      "x-driftline-generate-limit must be a whole number >= 0"));
    config.generate_limit = static_cast<std::size_t>(n.get<long long>());
  }
  return config;
}
}  // namespace

}  // namespace driftline::contract
