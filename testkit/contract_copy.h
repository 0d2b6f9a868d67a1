// A private copy of a contract and its examples for one test run, with channel addresses renamed
// to that run's topics and queue (a Topology's unique names), so runs never share a channel and
// the original files are never edited.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace driftline::testkit {

// `text` with every whole occurrence of each key of `names` replaced by its value. An occurrence
// is whole when neither neighbour is a name character (letter, digit, '.', '_', '-'): renaming
// "place-order-topic" leaves "place-order-retry-topic" and "place-order-topic-2" alone.
std::string RenameWhole(std::string_view text, const std::map<std::string, std::string>& names);

struct ContractCopy {
  std::filesystem::path contract;  // <dest>/<contract's file name>
  std::filesystem::path examples;  // <dest>/<examples folder's name>
};

// Empties `dest`, then copies into it `contract`, the files and folders `beside` names (relative
// to the contract's folder, e.g. "schemas" for cross-file $refs) and every file of `examples`
// (not recursing), each with RenameWhole(`names`) applied. Errors: kNotFound for a source that
// is missing, kInternal for a file that cannot be read or written (both name the path).
Result<ContractCopy> CopyContract(const std::filesystem::path& contract,
                                  const std::filesystem::path& examples,
                                  const std::vector<std::string>& beside,
                                  const std::filesystem::path& dest,
                                  const std::map<std::string, std::string>& names);

}  // namespace driftline::testkit
