// librdkafka error codes as driftline Errors.
//
// The Code decides what the caller does next (see common/status.h): a retryable code means
// "the same produce/commit/poll may succeed later" (broker down, leader moving, timeouts, a full
// local queue, a rebalance in progress); a permanent code means the request itself is wrong
// (message too large, unknown topic, not authorised); kInternal means the client is in a state
// it cannot leave (librdkafka's fatal errors: fenced idempotent producer, sequence gaps) and the
// process should stop. Codes librdkafka may add later, and codes this table does not name, are
// kInternal: an unexplained condition needs a person, not an endless retry loop.
#pragma once

#include <librdkafka/rdkafka.h>

#include <optional>
#include <string_view>

#include "common/status.h"

namespace driftline::kafka {

// The Code for a plain librdkafka code (RD_KAFKA_RESP_ERR_NO_ERROR gives kOk).
//   kUnavailable        _TRANSPORT, _ALL_BROKERS_DOWN, _RESOLVE, LEADER_NOT_AVAILABLE,
//                       NOT_LEADER_FOR_PARTITION, NETWORK_EXCEPTION, NOT_ENOUGH_REPLICAS*,
//                       COORDINATOR_*, NOT_COORDINATOR, BROKER/REPLICA_NOT_AVAILABLE, ...
//   kDeadlineExceeded   _TIMED_OUT, _TIMED_OUT_QUEUE, REQUEST_TIMED_OUT, _MSG_TIMED_OUT
//   kResourceExhausted  _QUEUE_FULL, THROTTLING_QUOTA_EXCEEDED
//   kAborted            REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
//                       _ASSIGNMENT_LOST, _PURGE_QUEUE, _PURGE_INFLIGHT (message not sent)
//   kInvalidArgument    MSG_SIZE_TOO_LARGE, INVALID_MSG(_SIZE), _BAD_MSG,
//                       RECORD_LIST_TOO_LARGE, INVALID_RECORD, _INVALID_ARG, INVALID_CONFIG, ...
//   kNotFound           _UNKNOWN_TOPIC, UNKNOWN_TOPIC_OR_PART, _UNKNOWN_PARTITION,
//   GROUP_ID_NOT_FOUND kAlreadyExists      TOPIC_ALREADY_EXISTS kPermissionDenied
//   TOPIC/GROUP/CLUSTER/TRANSACTIONAL_ID_AUTHORIZATION_FAILED kUnauthenticated
//   SASL_AUTHENTICATION_FAILED, _AUTHENTICATION, _SSL, ILLEGAL_SASL_STATE,
//                       UNSUPPORTED_SASL_MECHANISM
//   kFailedPrecondition _STATE (e.g. offset for an unassigned partition), _NO_OFFSET,
//                       OFFSET_OUT_OF_RANGE, _DESTROY, NON_EMPTY_GROUP, ...
//   kUnimplemented      _NOT_IMPLEMENTED, _UNSUPPORTED_FEATURE, UNSUPPORTED_VERSION
//   kInternal           _FATAL, _FENCED, PRODUCER_FENCED, INVALID_PRODUCER_EPOCH,
//                       OUT_OF_ORDER_SEQUENCE_NUMBER, _INCONSISTENT, and anything unlisted
Code CodeFor(rd_kafka_resp_err_t err);

// An Error with CodeFor(err) and the message
// "<what>: <librdkafka's description> (<code name>)", e.g.
// "produce to orders: Broker: Unknown topic or partition (UNKNOWN_TOPIC_OR_PART)".
Error FromKafka(rd_kafka_resp_err_t err, std::string_view what);

// Same for an rd_kafka_error_t (borrowed, not destroyed), which also says whether the failure is
// fatal (→ kInternal) or retriable (→ a retryable code even where CodeFor(code) is not).
// Its own string is used as the description.
Error FromKafkaError(const rd_kafka_error_t* error, std::string_view what);

// The handle's fatal error, if it has raised one (rd_kafka_fatal_error), as kInternal with
// librdkafka's explanation. Once set it stays set: the handle must be destroyed and recreated.
std::optional<Error> FatalErrorOf(rd_kafka_t* rk);

}  // namespace driftline::kafka
