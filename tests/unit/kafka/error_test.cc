#include "kafka/error.h"

#include <gtest/gtest.h>

#include <array>

#include "kafka/handles.h"

namespace driftline::kafka {
namespace {

struct Case {
  rd_kafka_resp_err_t err;
  Code code;
};

class CodeForTest : public ::testing::TestWithParam<Case> {};

TEST_P(CodeForTest, MapsToCode) {
  const Case& c = GetParam();
  EXPECT_EQ(CodeFor(c.err), c.code)
      << rd_kafka_err2name(c.err) << " gave " << CodeName(CodeFor(c.err));
}

INSTANTIATE_TEST_SUITE_P(
    Table, CodeForTest,
    ::testing::Values(Case{RD_KAFKA_RESP_ERR_NO_ERROR, Code::kOk},
                      // Retryable: the same call may succeed later.
                      Case{RD_KAFKA_RESP_ERR__TRANSPORT, Code::kUnavailable},
                      Case{RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, Code::kUnavailable},
                      Case{RD_KAFKA_RESP_ERR__RESOLVE, Code::kUnavailable},
                      Case{RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, Code::kUnavailable},
                      Case{RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, Code::kUnavailable},
                      Case{RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, Code::kUnavailable},
                      Case{RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, Code::kUnavailable},
                      Case{RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, Code::kUnavailable},
                      Case{RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, Code::kUnavailable},
                      Case{RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, Code::kUnavailable},
                      Case{RD_KAFKA_RESP_ERR_NOT_COORDINATOR, Code::kUnavailable},
                      Case{RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE, Code::kUnavailable},
                      Case{RD_KAFKA_RESP_ERR__TIMED_OUT, Code::kDeadlineExceeded},
                      Case{RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, Code::kDeadlineExceeded},
                      Case{RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, Code::kDeadlineExceeded},
                      Case{RD_KAFKA_RESP_ERR__QUEUE_FULL, Code::kResourceExhausted},
                      Case{RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED, Code::kResourceExhausted},
                      Case{RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, Code::kAborted},
                      Case{RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION, Code::kAborted},
                      Case{RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID, Code::kAborted},
                      Case{RD_KAFKA_RESP_ERR__PURGE_QUEUE, Code::kAborted},
                      Case{RD_KAFKA_RESP_ERR__PURGE_INFLIGHT, Code::kAborted},
                      // Permanent: the request is wrong.
                      Case{RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, Code::kInvalidArgument},
                      Case{RD_KAFKA_RESP_ERR_INVALID_MSG, Code::kInvalidArgument},
                      Case{RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE, Code::kInvalidArgument},
                      Case{RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE, Code::kInvalidArgument},
                      Case{RD_KAFKA_RESP_ERR__INVALID_ARG, Code::kInvalidArgument},
                      Case{RD_KAFKA_RESP_ERR_INVALID_PARTITIONS, Code::kInvalidArgument},
                      Case{RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, Code::kNotFound},
                      Case{RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, Code::kNotFound},
                      Case{RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, Code::kNotFound},
                      Case{RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, Code::kAlreadyExists},
                      Case{RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, Code::kPermissionDenied},
                      Case{RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED, Code::kPermissionDenied},
                      Case{RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, Code::kUnauthenticated},
                      Case{RD_KAFKA_RESP_ERR__AUTHENTICATION, Code::kUnauthenticated},
                      Case{RD_KAFKA_RESP_ERR__SSL, Code::kUnauthenticated},
                      Case{RD_KAFKA_RESP_ERR__STATE, Code::kFailedPrecondition},
                      Case{RD_KAFKA_RESP_ERR__NO_OFFSET, Code::kFailedPrecondition},
                      Case{RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE, Code::kFailedPrecondition},
                      Case{RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION, Code::kUnimplemented},
                      // Fatal: the client cannot continue.
                      Case{RD_KAFKA_RESP_ERR__FATAL, Code::kInternal},
                      Case{RD_KAFKA_RESP_ERR__FENCED, Code::kInternal},
                      Case{RD_KAFKA_RESP_ERR_PRODUCER_FENCED, Code::kInternal},
                      Case{RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH, Code::kInternal},
                      Case{RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, Code::kInternal},
                      Case{RD_KAFKA_RESP_ERR_UNKNOWN, Code::kInternal}),
    [](const ::testing::TestParamInfo<Case>& param) {
      return std::string(rd_kafka_err2name(param.param.err));
    });

TEST(KafkaErrorTest, EveryRetryableFamilyIsRetryable) {
  for (auto err : {RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
                   RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS}) {
    EXPECT_TRUE(FromKafka(err, "x").retryable()) << rd_kafka_err2name(err);
  }
  for (auto err : {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
                   RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR__FATAL}) {
    EXPECT_FALSE(FromKafka(err, "x").retryable()) << rd_kafka_err2name(err);
  }
}

TEST(KafkaErrorTest, MessageNamesOperationDescriptionAndCode) {
  const Error e = FromKafka(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, "produce to orders");
  EXPECT_EQ(e.code(), Code::kNotFound);
  EXPECT_EQ(e.message(),
            "produce to orders: Broker: Unknown topic or partition (UNKNOWN_TOPIC_OR_PART)");
}

TEST(KafkaErrorTest, ErrorObjectUsesItsOwnDescription) {
  ErrorHandle error(rd_kafka_error_new(RD_KAFKA_RESP_ERR__STATE, "partition not assigned"));
  const Error e = FromKafkaError(error.get(), "commit");
  EXPECT_EQ(e.code(), Code::kFailedPrecondition);
  EXPECT_EQ(e.message(), "commit: partition not assigned (_STATE)");
}

TEST(KafkaErrorTest, FatalErrorOfReportsTheRaisedError) {
  ConfHandle conf(rd_kafka_conf_new());
  std::array<char, 256> errstr{};
  KafkaHandle rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr.data(), errstr.size()));
  ASSERT_TRUE(rk) << errstr.data();
  static_cast<void>(conf.release());
  EXPECT_FALSE(FatalErrorOf(rk.get()).has_value());

  rd_kafka_test_fatal_error(rk.get(), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "injected");
  const auto fatal = FatalErrorOf(rk.get());
  ASSERT_TRUE(fatal.has_value());
  EXPECT_EQ(fatal->code(), Code::kInternal);
  EXPECT_NE(fatal->message().find("injected"), std::string::npos) << fatal->message();
  EXPECT_NE(fatal->message().find("OUT_OF_ORDER_SEQUENCE_NUMBER"), std::string::npos)
      << fatal->message();
}

}  // namespace
}  // namespace driftline::kafka
