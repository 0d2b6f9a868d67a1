// Base64, standard alphabet with padding (RFC 4648 section 4), over OpenSSL's EVP codec.
// Used for SQS Binary attributes and to keep the raw bytes of poison messages in dead letters.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace driftline {

std::string Base64Encode(std::string_view bytes);

// Strict: rejects characters outside the alphabet, whitespace and bad padding
// (kInvalidArgument).
Result<std::string> Base64Decode(std::string_view text);

}  // namespace driftline
