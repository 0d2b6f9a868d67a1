#include "studio/root.h"

#include <algorithm>
#include <array>
#include <deque>
#include <fstream>
#include <system_error>
#include <utility>

#include "common/strings.h"

namespace driftline::studio {

namespace fs = std::filesystem;

namespace {

// True when `p` is `root` or below it, compared component by component (never as strings, so
// "/srv/root2" is not below "/srv/root"). Both paths must be absolute and normal.
bool IsWithinRoot(const fs::path& root, const fs::path& p) {
  auto q = p.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++q) {
    if (q == p.end() || *q != *r) return false;
  }
  return true;
}

// Directories a candidate walk never enters: hidden ones, build trees, npm's.
bool IsSkippedDirectory(const std::string& name) {
  return name.empty() || name.front() == '.' || name.rfind("build", 0) == 0 ||
         name == "node_modules";
}

bool IsConfigName(const std::string& lower_name) {
  return lower_name == "specmatic.yaml" || lower_name == "specmatic.yml" ||
         lower_name == "specmatic.json";
}

bool HasContractExtension(const fs::path& file) {
  const std::string ext = Lower(file.extension().string());
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

// True when the first 4 KiB of `file` name an AsyncAPI document (`asyncapi:` in YAML,
// `"asyncapi"` in JSON). An unreadable file is not one.
bool LooksLikeAsyncApi(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::array<char, 4096> head{};
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  const std::string_view text(head.data(), static_cast<std::size_t>(in.gcount()));
  return text.find("asyncapi:") != std::string_view::npos ||
         text.find("\"asyncapi\"") != std::string_view::npos;
}

// The entries of one directory, at most `limit` of them, sorted by name. An unreadable
// directory has none.
std::vector<fs::directory_entry> ListDirectory(const fs::path& dir, std::size_t limit) {
  std::vector<fs::directory_entry> entries;
  std::error_code ec;
  fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::directory_iterator() && entries.size() < limit; it.increment(ec)) {
    entries.push_back(*it);
  }
  std::sort(entries.begin(), entries.end(),
            [](const fs::directory_entry& a, const fs::directory_entry& b) {
              return a.path().filename() < b.path().filename();
            });
  return entries;
}

}  // namespace

Result<Root> Root::Open(const fs::path& dir) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(dir, ec);
  if (ec) return Fail(Code::kInvalidArgument, dir.string() + ": " + ec.message());
  const fs::file_status status = fs::status(absolute, ec);
  if (!fs::exists(status)) {
    return Fail(Code::kInvalidArgument, "root " + dir.string() + ": no such directory");
  }
  if (!fs::is_directory(status)) {
    return Fail(Code::kInvalidArgument, "root " + dir.string() + ": not a directory");
  }
  fs::path canonical = fs::weakly_canonical(absolute, ec);
  if (ec) return Fail(Code::kInvalidArgument, "root " + dir.string() + ": " + ec.message());
  return Root(std::move(canonical));
}

Result<fs::path> Root::Resolve(std::string_view requested) const {
  if (requested.empty()) return Fail(Code::kInvalidArgument, "an empty path is not a file");
  if (requested.find('\0') != std::string_view::npos) {
    return Fail(Code::kInvalidArgument, "a path containing a NUL character is refused");
  }
  const std::string shown(requested);
  const auto outside = [&] {
    return Fail(Code::kPermissionDenied, shown + ": outside the root " + path_.string());
  };
  const fs::path asked(shown);
  const fs::path joined = asked.is_absolute() ? asked : path_ / asked;
  // As spelled: `..` that climbs out is refused before the file system is asked anything.
  if (!IsWithinRoot(path_, joined.lexically_normal())) return outside();
  // As resolved: every symlink followed (a `..` after a symlink climbs from its target).
  std::error_code ec;
  const fs::path resolved = fs::weakly_canonical(joined, ec);
  if (ec) return Fail(Code::kNotFound, shown + ": " + ec.message());
  if (!IsWithinRoot(path_, resolved)) return outside();
  if (!fs::exists(resolved, ec)) {
    return Fail(Code::kNotFound, shown + ": no such file or directory");
  }
  return resolved;
}

std::string Root::Relative(const fs::path& p) const {
  const fs::path absolute = p.is_absolute() ? p : path_ / p;
  const auto relative_to_root = [&](const fs::path& q) -> std::optional<std::string> {
    const fs::path normal = q.lexically_normal();
    if (!IsWithinRoot(path_, normal)) return std::nullopt;
    std::string text = normal.lexically_relative(path_).generic_string();
    while (text.size() > 1 && text.back() == '/')
      text.pop_back();
    if (text.empty()) text = ".";
    return text;
  };
  if (auto text = relative_to_root(absolute)) return *text;
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(absolute, ec);
  if (!ec) {
    if (auto text = relative_to_root(canonical)) return *text;
  }
  return absolute.generic_string();
}

std::vector<Root::Candidate> Root::Candidates() const {
  struct PendingDirectory {
    fs::path path;
    int depth;  // the root is 0; its entries are at depth 1
  };
  std::vector<Candidate> found;
  std::deque<PendingDirectory> pending{{path_, 0}};
  std::size_t visited = 0;
  while (!pending.empty() && visited < kMaxCandidateEntries) {
    const PendingDirectory dir = std::move(pending.front());
    pending.pop_front();
    for (const fs::directory_entry& entry :
         ListDirectory(dir.path, kMaxCandidateEntries - visited)) {
      ++visited;
      std::error_code ec;
      const fs::file_status status = entry.symlink_status(ec);
      if (ec || fs::is_symlink(status)) continue;
      const std::string name = entry.path().filename().string();
      if (fs::is_directory(status)) {
        // Its entries would lie at depth + 2.
        if (dir.depth + 2 <= kMaxCandidateDepth && !IsSkippedDirectory(name)) {
          pending.push_back({entry.path(), dir.depth + 1});
        }
        continue;
      }
      if (!fs::is_regular_file(status) || !HasContractExtension(entry.path())) continue;
      if (IsConfigName(Lower(name))) {
        found.push_back({Relative(entry.path()), "config", std::nullopt});
        continue;
      }
      if (!LooksLikeAsyncApi(entry.path())) continue;
      Candidate contract{Relative(entry.path()), "contract", std::nullopt};
      const fs::path examples =
          entry.path().parent_path() / (entry.path().stem().string() + "_examples");
      if (fs::is_directory(fs::symlink_status(examples, ec))) {
        contract.examples = Relative(examples);
      }
      found.push_back(std::move(contract));
    }
  }
  std::sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
    const bool a_config = a.kind == "config";
    const bool b_config = b.kind == "config";
    if (a_config != b_config) return a_config;
    return a.path < b.path;
  });
  return found;
}

}  // namespace driftline::studio
