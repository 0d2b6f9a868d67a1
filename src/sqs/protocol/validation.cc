#include "sqs/protocol/validation.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <set>

#include "common/strings.h"
#include "sqs/protocol/errors.h"

namespace driftline::sqs {
namespace {

// SQS accepts only these characters in bodies and attribute values (the XML 1.0 set):
// #x9 #xA #xD [#x20-#xD7FF] [#xE000-#xFFFD] [#x10000-#x10FFFF], encoded as valid UTF-8.
Status CheckMessageText(std::string_view text, std::string_view what) {
  auto bad = [&](std::size_t offset, std::string_view why) {
    return Fail(Code::kInvalidArgument, std::string(what) + " has " + std::string(why) +
                                            " at byte " + std::to_string(offset));
  };
  std::size_t i = 0;
  while (i < text.size()) {
    // Eight bytes at a time while they are all printable ASCII (0x20-0x7F: no control
    // character, no UTF-8 sequence), the bulk of a JSON body; a word holding anything else
    // (or a false alarm from a borrow) is read byte by byte below.
    constexpr std::uint64_t kHighBits = 0x8080808080808080u;
    constexpr std::uint64_t kSpaces = 0x2020202020202020u;
    std::uint64_t word = 0;
    while (i + sizeof word <= text.size() && (std::memcpy(&word, text.data() + i, sizeof word),
                                              ((word | (word - kSpaces)) & kHighBits) == 0)) {
      i += sizeof word;
    }
    if (i >= text.size()) break;
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t cp = 0;
    if (lead < 0x80) {
      length = 1;
      cp = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      cp = lead & 0x1Fu;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      cp = lead & 0x0Fu;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      cp = lead & 0x07u;
    } else {
      return bad(i, "invalid UTF-8");
    }
    if (i + length > text.size()) return bad(i, "truncated UTF-8");
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return bad(i, "invalid UTF-8");
      cp = (cp << 6) | (next & 0x3Fu);
    }
    constexpr std::array<char32_t, 5> kMinForLength = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[length]) return bad(i, "overlong UTF-8");
    const bool allowed = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!allowed) return bad(i, "a character SQS does not accept");
    i += length;
  }
  return Ok();
}

bool IsValidAttributeName(std::string_view name) {
  if (name.empty() || name.size() > 256 || name.front() == '.' || name.back() == '.' ||
      name.find("..") != std::string_view::npos) {
    return false;
  }
  const std::string lower = Lower(name);
  if (lower.starts_with("aws.") || lower.starts_with("amazon.")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

Status CheckMessageContent(const OutgoingMessage& message) {
  if (message.body.empty()) return Fail(Code::kInvalidArgument, "message body is empty");
  if (auto text = CheckMessageText(message.body, "message body"); !text) return text;
  if (message.delay_seconds) {
    if (auto s = CheckRange("DelaySeconds", *message.delay_seconds, 0, 900); !s) return s;
  }
  if (message.attributes.size() > kMaxMessageAttributes) {
    return Fail(Code::kInvalidArgument, "message has " + std::to_string(message.attributes.size()) +
                                            " attributes; SQS allows at most " +
                                            std::to_string(kMaxMessageAttributes));
  }
  for (const auto& [name, value] : message.attributes) {
    if (!IsValidAttributeName(name)) {
      return Fail(Code::kInvalidArgument,
                  "message attribute name \"" + name +
                      "\" is not 1-256 of [A-Za-z0-9_.-] (no leading, trailing or double '.', "
                      "no AWS./Amazon. prefix)");
    }
    const bool known_type = value.data_type.starts_with("String") ||
                            value.data_type.starts_with("Number") || value.is_binary();
    if (!known_type) {
      return Fail(Code::kInvalidArgument, "message attribute \"" + name + "\" has DataType \"" +
                                              value.data_type +
                                              "\"; expected String, Number or Binary");
    }
    // SQS rejects an attribute without a value; an empty string is no value.
    const std::string& raw = value.is_binary() ? value.binary_value : value.string_value;
    if (raw.empty()) {
      return Fail(Code::kInvalidArgument, "message attribute \"" + name + "\" has no value");
    }
    if (!value.is_binary()) {
      if (auto text = CheckMessageText(raw, "message attribute \"" + name + "\""); !text) {
        return text;
      }
    }
  }
  return Ok();
}

}  // namespace

Status CheckOutgoingMessage(const OutgoingMessage& message) {
  Status checked = CheckMessageContent(message);
  // Each check is about this message's content alone.
  if (!checked) {
    checked.error().Classify(FailureScope::kMessage, std::string(cause::kInvalidMessage));
  }
  return checked;
}

Status CheckMessageSize(const OutgoingMessage& message, const BatchLimits& limits, bool in_batch) {
  const std::size_t size = MessagePayloadSize(message);
  if (size > limits.max_message_bytes) {
    return tl::unexpected(
        MessageTooLarge(size, limits.max_message_bytes, SizeLimit::kQueueMaximumMessageSize));
  }
  if (in_batch && size > limits.max_batch_bytes) {
    return tl::unexpected(MessageTooLarge(size, limits.max_batch_bytes, SizeLimit::kBatchPayload));
  }
  return Ok();
}

bool IsValidBatchEntryId(std::string_view id) {
  if (id.empty() || id.size() > 80) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

Status CheckBatchEntryIds(const std::vector<std::string_view>& ids) {
  if (ids.empty()) return Fail(Code::kInvalidArgument, "batch request has no entries");
  if (ids.size() > kMaxBatchEntries) {
    return Fail(Code::kInvalidArgument, "batch request has " + std::to_string(ids.size()) +
                                            " entries; SQS allows at most 10");
  }
  std::set<std::string_view> seen;
  for (std::string_view id : ids) {
    if (!IsValidBatchEntryId(id)) {
      return Fail(Code::kInvalidArgument,
                  "batch entry id \"" + std::string(id) + "\" is not 1-80 of [A-Za-z0-9_-]");
    }
    if (!seen.insert(id).second) {
      return Fail(Code::kInvalidArgument, "batch entry id \"" + std::string(id) + "\" repeats");
    }
  }
  return Ok();
}

Status CheckQueueName(std::string_view name, bool fifo) {
  const bool fifo_name = name.ends_with(".fifo");
  const std::string_view stem = fifo_name ? name.substr(0, name.size() - 5) : name;
  if (stem.empty() || name.size() > 80 || !IsValidBatchEntryId(stem)) {
    return Fail(Code::kInvalidArgument, "queue name \"" + std::string(name) +
                                            "\" is not 1-80 of [A-Za-z0-9_-] (+ \".fifo\")");
  }
  if (fifo != fifo_name) {
    return Fail(Code::kInvalidArgument,
                "queue \"" + std::string(name) +
                    "\": a FIFO queue needs both a name ending in \".fifo\" and FifoQueue=true");
  }
  return Ok();
}

Status CheckRange(std::string_view name, int value, int low, int high) {
  if (value < low || value > high) {
    return Fail(Code::kInvalidArgument, std::string(name) + " " + std::to_string(value) +
                                            " is outside " + std::to_string(low) + ".." +
                                            std::to_string(high));
  }
  return Ok();
}

Status CheckReceiptHandle(std::string_view receipt_handle) {
  if (receipt_handle.empty()) return Fail(Code::kInvalidArgument, "empty receipt handle");
  return Ok();
}

}  // namespace driftline::sqs
