// The page's files (every file of src/studio/web: index.html, app.js, app.css, ...), embedded in
// the binary at build time by cmake/embed_files.cmake: Studio serves them from memory and reads
// no file for them.
#pragma once

#include <span>
#include <string_view>

namespace driftline::studio {

struct Asset {
  std::string_view name;          // "index.html", "app.js", ...
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view body;          // the file's bytes
};

// Every embedded file, in name order. Static data: valid for the life of the process.
std::span<const Asset> EmbeddedAssets();

// The embedded file named `name`; nullptr when there is none.
const Asset* FindAsset(std::string_view name);

}  // namespace driftline::studio
