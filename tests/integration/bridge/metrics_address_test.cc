// A METRICS_ADDRESS beyond loopback is the operator's explicit choice, and order-service says so
// in its log; the default says nothing. The wide address used here is one this machine does not
// have (TEST-NET-2), so the listener cannot start and nothing is exposed while testing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bridge/service.h"
#include "harness.h"

namespace driftline::bridge::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class MetricsAddressTest : public BridgeIntegrationTest {
 protected:
  void SetUp() override { SetUpTopology(1); }
};

TEST_F(MetricsAddressTest, ANonLoopbackAddressIsLoggedAsAWarning) {
  BridgeConfig config = Config();
  config.metrics_address = "198.51.100.7:0";
  CapturedLog log;
  auto svc = OrderService::Create(config, Clock::System());
  EXPECT_THAT(log.text(), HasSubstr("METRICS_ADDRESS=198.51.100.7:0 is not a loopback address"));
  ASSERT_FALSE(svc.has_value()) << "198.51.100.7 is not an address of this machine";
  EXPECT_THAT(svc.error().Trace(), HasSubstr("METRICS_ADDRESS"));
}

TEST_F(MetricsAddressTest, TheLoopbackDefaultIsQuiet) {
  BridgeConfig config = Config();  // 127.0.0.1:0, the default host
  CapturedLog log;
  auto svc = OrderService::Create(config, Clock::System());
  ASSERT_TRUE(svc.has_value()) << svc.error().Trace();
  EXPECT_GT((*svc)->ops_port(), 0);
  EXPECT_THAT(log.text(), Not(HasSubstr("loopback")));
}

}  // namespace
}  // namespace driftline::bridge::testing
