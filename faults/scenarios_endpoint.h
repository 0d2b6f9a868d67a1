// Scenarios where the SQS endpoint answers, but must not be believed: it presents a certificate
// the service does not trust, or it applies each request and replies with a page that is not
// SQS's. Neither is the message's fault: order-service must resend until it passes, say why it
// is not ready, and dead-letter nothing for it. Registered in AllScenarios() (scenarios.cc).
#pragma once

#include "faults/feed.h"
#include "faults/scenarios.h"

namespace driftline::faults {

// sqs-bad-tls: order-service speaks https to SQS through a loopback proxy in front of a TLS
// front whose certificate is signed by a test CA (AWS_CA_BUNDLE); mid-stream the proxy moves to
// a front with a self-signed certificate for the same address, for the outage's length.
ScenarioResult SqsBadTls(const Environment& env, const CampaignOptions& options);

// sqs-garbage-200: mid-stream, for the outage's length, every request reaches SQS (the message
// is enqueued) and the service gets "200 OK" with an HTML page: resends, hence duplicates.
ScenarioResult SqsGarbage200(const Environment& env, const CampaignOptions& options);

}  // namespace driftline::faults
