// order-service started against the real stack with consumer-only and producer-only librdkafka
// properties in KAFKA_PROPERTY_*: every client takes only its own, so the start logs no CONFWARN
// (librdkafka's "... is a consumer property and will be ignored by this producer instance").
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness.h"

namespace driftline::bridge::testing {
namespace {

using std::chrono::seconds;

class StartLogTest : public BridgeIntegrationTest {};

TEST_F(StartLogTest, AStartWithPropertiesOfBothRolesLogsNoConfwarn) {
  SetUpTopology(1);
  const std::string log_path =
      std::string(DRIFTLINE_TEST_LOG_DIR) + "/" + main_topic_ + "-start.log";
  std::vector<std::string> env = topology_->ServiceEnv(
      {"LOG_LEVEL=info", "KAFKA_PROPERTY_AUTO_OFFSET_RESET=earliest",
       "KAFKA_PROPERTY_SESSION_TIMEOUT_MS=6000", "KAFKA_PROPERTY_HEARTBEAT_INTERVAL_MS=500",
       "KAFKA_PROPERTY_LINGER_MS=5", "KAFKA_PROPERTY_MESSAGE_TIMEOUT_MS=60000"});
  auto service = ServiceProcess::Start({DRIFTLINE_ORDER_SERVICE_BIN, env, log_path, true});
  ASSERT_TRUE(service.has_value()) << service.error().ToString();
  ASSERT_TRUE((*service)->WaitHealthy(seconds(60))) << "not ready; see " << log_path;
  // An order through the service, and a poison one to the dead-letter topic: both kinds of
  // client have done their work.
  Produce({Order(StandardOrder("ORD-START-1"), "start-1"), Order("not json", "start-2")});
  EXPECT_EQ(DrainQueue(1).size(), 1u);
  EXPECT_EQ(ReadTopic(dlq_topic_, 1).size(), 1u);
  EXPECT_EQ((*service)->Terminate(), 0);

  std::ifstream in(log_path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string log = text.str();
  ASSERT_NE(log.find("order-service starting"), std::string::npos) << log;
  EXPECT_NE(log.find("auto.offset.reset=earliest"), std::string::npos)
      << "the properties were passed: " << log;
  EXPECT_EQ(log.find("CONFWARN"), std::string::npos) << log;
}

}  // namespace
}  // namespace driftline::bridge::testing
