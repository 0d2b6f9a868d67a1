// The checksums SQS uses to prove a message arrived intact: MD5 of bodies and of message
// attributes. (Binary attribute values are base64 on the wire: common/base64.h.)
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace driftline::sqs {

struct MessageAttributeValue;

// Lower-case hex MD5 of the bytes, as SQS reports MD5OfMessageBody / MD5OfBody.
std::string Md5Hex(std::string_view bytes);

// MD5OfMessageAttributes as SQS computes it: attributes sorted by name, each encoded as
// length-prefixed (4-byte big-endian) name, data type, a transport byte (1 string/number,
// 2 binary) and the length-prefixed value. Empty map gives "" (SQS then omits the field).
std::string Md5OfMessageAttributes(const std::map<std::string, MessageAttributeValue>& attributes);

}  // namespace driftline::sqs
