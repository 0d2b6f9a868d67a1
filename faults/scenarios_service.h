// The campaign's scenarios where the queue, the credentials or the broker are at fault while
// order-service runs, and the redrive of an older build's outage: none of them may dead-letter
// or lose an order.
#pragma once

#include "faults/scenarios.h"

namespace driftline::faults {

// The queue deleted mid-backlog and created again.
ScenarioResult QueueRecreated(const Environment& env, const CampaignOptions& options);
// A wrong secret (corrected by a restart), then sqs:* revoked and granted again, on moto.
ScenarioResult WrongCredentials(const Environment& env, const CampaignOptions& options);
// SIGTERM while the broker does not answer (SIGSTOP), then a restart.
ScenarioResult SlowBrokerSigterm(const Environment& env, const CampaignOptions& options);
// An older build's outage dead letters redriven with dlq-redrive, twice.
ScenarioResult RedriveAfterOutage(const Environment& env, const CampaignOptions& options);

}  // namespace driftline::faults
