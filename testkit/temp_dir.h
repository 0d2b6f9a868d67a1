// A private directory under the system's temp directory (mkdtemp), removed with everything in
// it when its owner goes away: generated certificates, copies of files a test edits.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "common/status.h"

namespace driftline::testkit {

class TempDir {
 public:
  // `prefix` starts the directory's name. Errors: kUnavailable when it cannot be created.
  static Result<std::unique_ptr<TempDir>> Create(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Fail(Code::kUnavailable, "cannot create a temporary directory " + pattern);
    }
    return std::unique_ptr<TempDir>(new TempDir(pattern));
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // `name` inside it.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace driftline::testkit
