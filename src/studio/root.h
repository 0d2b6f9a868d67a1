// The folder the Studio serves (`--root`): every path the page sends is confined to it, and the
// files the page offers to load are found under it.
//
// Confinement is decided on canonical paths compared component by component, after every
// symlink is resolved: `..`, an absolute path elsewhere and a symlink whose target lies outside
// are all refused, whatever the spelling ("/srv/root2" is not inside "/srv/root").
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace driftline::studio {

class Root {
 public:
  // The limits of Candidates(): how deep below the root a file may lie (a file directly in the
  // root is at depth 1) and how many directory entries one walk reads at most.
  static constexpr int kMaxCandidateDepth = 6;
  static constexpr std::size_t kMaxCandidateEntries = 2000;

  // `dir` made absolute (against the working directory) and canonical.
  // Errors: kInvalidArgument naming `dir` when it does not exist or is not a directory.
  static Result<Root> Open(const std::filesystem::path& dir);

  // Canonical and absolute: no symlink, no `.`/`..`, no trailing separator.
  const std::filesystem::path& path() const { return path_; }

  // A path the page sent, relative to the root or absolute inside it, resolved through every
  // symlink to a canonical path that exists.
  // Errors: kInvalidArgument for an empty string or one containing NUL; kPermissionDenied
  // ("<requested>: outside the root <root>") when the path, spelled or resolved, leaves the
  // root; kNotFound ("<requested>: no such file or directory") when it does not exist.
  Result<std::filesystem::path> Resolve(std::string_view requested) const;

  // `p` relative to the root with '/' separators ("contracts/x.yaml"; "." for the root itself),
  // for showing on the page. `p` is compared as spelled, then canonically; a path outside the
  // root is returned absolute.
  std::string Relative(const std::filesystem::path& p) const;

  struct Candidate {
    std::string path;  // relative to the root, '/' separators
    std::string kind;  // "config" | "contract"
    // For a contract: its "<stem>_examples" directory beside it, relative, when one exists.
    std::optional<std::string> examples;
  };

  // The files the page offers to load. A walk of the root, breadth first in name order, at most
  // kMaxCandidateDepth deep and kMaxCandidateEntries entries; directories starting with '.' or
  // "build" and node_modules are skipped, symlinks are neither followed nor listed, unreadable
  // directories are passed over. kind "config": a file named specmatic.yaml/.yml/.json; kind
  // "contract": any other *.yaml/*.yml/*.json whose first 4 KiB contain `asyncapi:` or
  // `"asyncapi"`. Sorted: configs first, then by path. Never fails: what cannot be read is
  // left out.
  std::vector<Candidate> Candidates() const;

 private:
  explicit Root(std::filesystem::path path) : path_(std::move(path)) {}

  std::filesystem::path path_;
};

}  // namespace driftline::studio
