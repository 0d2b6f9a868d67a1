#include "sqs/protocol/digest.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>

#include "sqs/protocol/message.h"

namespace driftline::sqs {
namespace {

std::string Hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0x0F];
  }
  return out;
}

void AppendLengthPrefixed(std::string& out, std::string_view value) {
  const auto n = static_cast<std::uint32_t>(value.size());
  out += static_cast<char>((n >> 24) & 0xFF);
  out += static_cast<char>((n >> 16) & 0xFF);
  out += static_cast<char>((n >> 8) & 0xFF);
  out += static_cast<char>(n & 0xFF);
  out.append(value);
}

}  // namespace

std::string Md5Hex(std::string_view bytes) {
  // OpenSSL 3 looks a digest up in its provider tables (a lock and a hash lookup) on every
  // EVP_Digest(EVP_md5()) and allocates a context each time; one fetched implementation for
  // the process and one context per thread do neither per message.
  static EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local const Context context;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // Only fails on allocation failure inside OpenSSL; an empty digest then never matches.
  if (md5 == nullptr || context.ctx == nullptr ||
      EVP_DigestInit_ex2(context.ctx, md5, nullptr) != 1 ||
      EVP_DigestUpdate(context.ctx, bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(context.ctx, digest.data(), &length) != 1) {
    return {};
  }
  return Hex(digest.data(), length);
}

std::string Md5OfMessageAttributes(const std::map<std::string, MessageAttributeValue>& attributes) {
  if (attributes.empty()) return {};
  std::string encoded;  // std::map iterates in byte order of the names, as SQS sorts them
  for (const auto& [name, value] : attributes) {
    AppendLengthPrefixed(encoded, name);
    AppendLengthPrefixed(encoded, value.data_type);
    if (value.is_binary()) {
      encoded += '\x02';
      AppendLengthPrefixed(encoded, value.binary_value);
    } else {
      encoded += '\x01';
      AppendLengthPrefixed(encoded, value.string_value);
    }
  }
  return Md5Hex(encoded);
}

}  // namespace driftline::sqs
