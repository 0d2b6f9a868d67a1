// The MessageDeduplicationId of a message sent to a FIFO queue.
//
// It names the Kafka record the message was made from: "<topic>-<partition>-<offset>". A record
// sent again — a resend after a lost reply, or the same record consumed again after a restart
// because its offset was not yet committed — carries the same id, and SQS accepts it without
// delivering it a second time as long as the first send is less than 5 minutes old (SQS's
// deduplication interval). A retried order comes from another record (its retry envelope on the
// retry topic), so it gets its own id.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace driftline::bridge {

// SQS allows at most 128 characters (letters, digits, punctuation). A topic name may have up to
// 249, so when the plain form would be longer the topic is replaced by its MD5 in hex (32
// characters): "<md5(topic)>-<partition>-<offset>".
std::string DeduplicationId(std::string_view topic, std::int32_t partition, std::int64_t offset);

}  // namespace driftline::bridge
