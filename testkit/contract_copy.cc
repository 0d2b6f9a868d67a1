#include "testkit/contract_copy.h"

#include <fstream>
#include <sstream>
#include <system_error>

namespace driftline::testkit {
namespace {

namespace fs = std::filesystem;

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

Result<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Code::kInternal, "cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Status CopyRenamed(const fs::path& from, const fs::path& to,
                   const std::map<std::string, std::string>& names) {
  auto text = ReadText(from);
  if (!text) return tl::unexpected(text.error());
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out << RenameWhole(*text, names);
  out.close();
  if (!out) return Fail(Code::kInternal, "cannot write " + to.string());
  return Ok();
}

Status CopyTree(const fs::path& from, const fs::path& to,
                const std::map<std::string, std::string>& names) {
  std::error_code ec;
  if (!fs::exists(from, ec))
    return Fail(Code::kNotFound, "no such file or folder: " + from.string());
  if (!fs::is_directory(from, ec)) return CopyRenamed(from, to, names);
  for (const auto& entry : fs::recursive_directory_iterator(from, ec)) {
    if (!entry.is_regular_file()) continue;
    if (Status s = CopyRenamed(entry.path(), to / fs::relative(entry.path(), from), names); !s)
      return s;
  }
  if (ec) return Fail(Code::kInternal, "cannot list " + from.string() + ": " + ec.message());
  return Ok();
}

}  // namespace

std::string RenameWhole(std::string_view text, const std::map<std::string, std::string>& names) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    bool renamed = false;
    if (i == 0 || !IsNameChar(text[i - 1])) {
      for (const auto& [from, to] : names) {
        const std::size_t end = i + from.size();
        if (!from.empty() && text.substr(i, from.size()) == from &&
            (end == text.size() || !IsNameChar(text[end]))) {
          out += to;
          i = end;
          renamed = true;
          break;
        }
      }
    }
    if (!renamed) out += text[i++];
  }
  return out;
}

Result<ContractCopy> CopyContract(const fs::path& contract, const fs::path& examples,
                                  const std::vector<std::string>& beside, const fs::path& dest,
                                  const std::map<std::string, std::string>& names) {
  std::error_code ec;
  fs::remove_all(dest, ec);
  fs::create_directories(dest, ec);
  if (ec) return Fail(Code::kInternal, "cannot create " + dest.string() + ": " + ec.message());
  ContractCopy copy{dest / contract.filename(), dest / examples.filename()};
  if (Status s = CopyTree(contract, copy.contract, names); !s) return tl::unexpected(s.error());
  for (const std::string& b : beside) {
    if (Status s = CopyTree(contract.parent_path() / b, dest / b, names); !s)
      return tl::unexpected(s.error());
  }
  if (!fs::is_directory(examples, ec))
    return Fail(Code::kNotFound, "no such examples folder: " + examples.string());
  for (const auto& entry : fs::directory_iterator(examples, ec)) {
    if (!entry.is_regular_file()) continue;
    if (Status s = CopyRenamed(entry.path(), copy.examples / entry.path().filename(), names); !s)
      return tl::unexpected(s.error());
  }
  if (ec) return Fail(Code::kInternal, "cannot list " + examples.string() + ": " + ec.message());
  return copy;
}

}  // namespace driftline::testkit
