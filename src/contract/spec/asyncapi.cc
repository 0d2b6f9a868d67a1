#include "contract/spec/asyncapi.h"

#include <cmath>
#include <cstdlib>
#include <regex>

#include "contract/spec/asyncapi_loader.h"

namespace driftline::contract {
namespace asyncapi_loader {

std::string StringField(const nlohmann::json& node, const char* name) {
  if (!node.is_object()) return {};
  auto it = node.find(name);
  return (it != node.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

}  // namespace asyncapi_loader

namespace {

using asyncapi_loader::LoadState;
using asyncapi_loader::StringField;
using nlohmann::json;

// The document itself: a mapping with an `asyncapi: 3.x` version, and its `info`.
Status LoadHeader(LoadState& state) {
  const SourceDoc* doc = state.doc;
  const NodeRef root{doc, "", &doc->root};
  if (!doc->root.is_object())
    return tl::unexpected(root.Invalid("not an AsyncAPI document (expected a mapping)"));
  const json* version = FindAt(doc->root, "/asyncapi");
  if (version == nullptr || !version->is_string()) {
    return tl::unexpected(
        root.Invalid("missing 'asyncapi' version (this runner reads AsyncAPI 3.x)"));
  }
  Contract& contract = state.contract;
  contract.asyncapi_version = version->get<std::string>();
  if (contract.asyncapi_version.rfind("3.", 0) != 0) {
    return tl::unexpected((NodeRef{doc, "/asyncapi", version})
                              .Invalid("asyncapi '" + contract.asyncapi_version +
                                       "' is not supported (AsyncAPI 3.x only)"));
  }
  if (const json* info = FindAt(doc->root, "/info")) {
    contract.title = StringField(*info, "title");
    contract.version = StringField(*info, "version");
  }
  return Ok();
}

Result<Contract> Load(const std::filesystem::path& path, DocumentSet& docs) {
  auto loaded = docs.Load(path);
  if (!loaded) return tl::unexpected(loaded.error());
  LoadState state(docs);
  state.doc = *loaded;
  state.contract.path = state.doc->path.string();
  if (auto s = LoadHeader(state); !s) return tl::unexpected(s.error());
  if (auto s = asyncapi_loader::LoadServers(state); !s) return tl::unexpected(s.error());
  if (auto s = asyncapi_loader::LoadComponentMessages(state); !s) return tl::unexpected(s.error());
  if (auto s = asyncapi_loader::LoadChannels(state); !s) return tl::unexpected(s.error());
  if (auto s = asyncapi_loader::LoadOperations(state); !s) return tl::unexpected(s.error());
  return std::move(state.contract);
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseIsoDuration(std::string_view text) {
  static const std::regex kDuration(
      "PT(?:([0-9]+(?:\\.[0-9]+)?)H)?(?:([0-9]+(?:\\.[0-9]+)?)M)?(?:([0-9]+(?:\\.[0-9]+)?)S)?");
  std::cmatch m;
  if (text.size() <= 2 || !std::regex_match(text.begin(), text.end(), m, kDuration))
    return std::nullopt;
  double seconds = 0;
  const double scale[] = {3600, 60, 1};
  for (int i = 0; i < 3; ++i) {
    const auto& g = m[static_cast<std::size_t>(i + 1)];
    if (!g.matched) continue;
    // strtod, not stod: a 400-digit value must be rejected, not thrown.
    const double v = std::strtod(g.str().c_str(), nullptr);
    if (!std::isfinite(v) || v > 1e7) return std::nullopt;
    seconds += v * scale[i];
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0 + 0.5));
}

Result<Contract> LoadContract(const std::filesystem::path& path, DocumentSet& docs) {
  return GuardMalformed(path, [&] { return Load(path, docs); });
}

Result<Contract> LoadContract(const std::filesystem::path& path) {
  DocumentSet docs;
  return LoadContract(path, docs);
}

}  // namespace driftline::contract
