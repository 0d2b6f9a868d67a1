// From a loaded Suite to the transports its cases need: which protocols the cases use, where the
// servers are (ResolveEndpoints: flags > environment > config > contract), and a KafkaTransport /
// SqsTransport configured for them. Nothing is contacted here: the first broker round trip is
// Runner::Prepare().
#pragma once

#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/env.h"
#include "common/status.h"
#include "contract/run/runner.h"
#include "contract/run/suite.h"
#include "contract/run/test_case.h"
#include "contract/transport/transport.h"

namespace driftline::contract {

// Which protocols the cases publish to or watch.
struct TransportNeeds {
  bool kafka = false;
  bool sqs = false;
};
TransportNeeds NeededTransports(const std::vector<TestCase>& cases);
// Which protocols these channels use.
TransportNeeds NeededTransportsOf(const std::vector<const Channel*>& channels);

// The transports of one run and where they point. Owns the transports; a Runner borrows them
// through transports(), so this must outlive the Runner.
struct ConnectedTransports {
  Endpoints endpoints;
  std::unique_ptr<ChannelTransport> kafka;  // null when no case needs Kafka
  std::unique_ptr<ChannelTransport> sqs;    // null when no case needs SQS

  Transports transports() const { return Transports{kafka.get(), sqs.get()}; }
  // Stops every watch (idempotent; the transports' destructors do it too).
  void Stop();
};

// Resolves the endpoints of `suite` (`overrides` are --kafka/--sqs; `env` gives CONTRACT_KAFKA,
// CONTRACT_SQS, CONTRACT_KAFKA_PROPERTY_* (librdkafka properties: CONTRACT_KAFKA_PROPERTY_
// SECURITY_PROTOCOL=SSL -> security.protocol=SSL), AWS_*) and creates a transport for each
// protocol `cases` use. `clock` is borrowed by the transports and must outlive them.
// Errors, each message the text contract-test prints after "contract-test: " before exiting 2:
//   kInvalidArgument "no Kafka server: give --kafka or CONTRACT_KAFKA";
//   kInvalidArgument "<why the SQS host is unusable> (give --sqs or CONTRACT_SQS)";
//   the CA bundle's error, "AWS_CA_BUNDLE = <path>: ...";
//   a transport that cannot be created (properties librdkafka rejects, ...): its Trace().
Result<ConnectedTransports> ConnectTransports(const Suite& suite,
                                              const std::vector<TestCase>& cases,
                                              const EndpointOverrides& overrides,
                                              const Environment& env, Clock& clock);
// The same for the protocols `needs` names (the mock provider: the channels it consumes and
// sends to).
Result<ConnectedTransports> ConnectTransports(const Suite& suite, TransportNeeds needs,
                                              const EndpointOverrides& overrides,
                                              const Environment& env, Clock& clock);

}  // namespace driftline::contract
