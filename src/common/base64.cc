#include "common/base64.h"

#include <openssl/evp.h>

#include <algorithm>

namespace driftline {

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  auto invalid = [] { return Fail(Code::kInvalidArgument, "not valid base64"); };
  if (text.size() % 4 != 0) return invalid();
  const auto in_alphabet = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
  };
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=')
    ++pad;
  if (!std::all_of(text.begin(), text.end() - static_cast<std::ptrdiff_t>(pad), in_alphabet)) {
    return invalid();
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return invalid();
  // EVP_DecodeBlock counts padding as zero bytes.
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

}  // namespace driftline
