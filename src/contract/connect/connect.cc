#include "contract/connect/connect.h"

#include <utility>

#include "contract/transport/kafka_transport.h"
#include "contract/transport/sqs_transport.h"
#include "sqs/curl_transport.h"

namespace driftline::contract {

TransportNeeds NeededTransports(const std::vector<TestCase>& cases) {
  TransportNeeds needs;
  for (const TestCase& tc : cases) {
    std::vector<const Channel*> channels = tc.plan->watched;
    if (tc.plan->input != nullptr) channels.push_back(tc.plan->input);
    for (const Channel* c : channels) {
      needs.kafka = needs.kafka || c->protocol == Protocol::kKafka;
      needs.sqs = needs.sqs || c->protocol == Protocol::kSqs;
    }
  }
  return needs;
}

void ConnectedTransports::Stop() {
  if (kafka) kafka->Stop();
  if (sqs) sqs->Stop();
}

namespace {

// The error as contract-test prints it: its whole trace in the message, the code kept.
tl::unexpected<Error> Traced(const Error& error) {
  return Fail(error.code(), error.Trace());
}

}  // namespace

TransportNeeds NeededTransportsOf(const std::vector<const Channel*>& channels) {
  TransportNeeds needs;
  for (const Channel* c : channels) {
    needs.kafka = needs.kafka || c->protocol == Protocol::kKafka;
    needs.sqs = needs.sqs || c->protocol == Protocol::kSqs;
  }
  return needs;
}

Result<ConnectedTransports> ConnectTransports(const Suite& suite,
                                              const std::vector<TestCase>& cases,
                                              const EndpointOverrides& overrides,
                                              const Environment& env, Clock& clock) {
  return ConnectTransports(suite, NeededTransports(cases), overrides, env, clock);
}

Result<ConnectedTransports> ConnectTransports(const Suite& suite, TransportNeeds needs,
                                              const EndpointOverrides& overrides,
                                              const Environment& env, Clock& clock) {
  ConnectedTransports out;
  out.endpoints = ResolveEndpoints(suite, overrides, env);
  const Endpoints& endpoints = out.endpoints;
  if (needs.kafka) {
    if (endpoints.kafka_bootstrap.empty())
      return Fail(Code::kInvalidArgument, "no Kafka server: give --kafka or CONTRACT_KAFKA");
    KafkaTransportConfig kc;
    kc.bootstrap = endpoints.kafka_bootstrap;
    for (const auto& [name, value] : PropertiesFromEnv(env, "CONTRACT_KAFKA_PROPERTY_"))
      kc.properties.Set(name, value);
    auto created = KafkaTransport::Create(kc, clock);
    if (!created) return Traced(created.error());
    out.kafka = std::move(*created);
  }
  if (needs.sqs) {
    auto split = SplitSqsHost(endpoints.sqs_host);
    if (!split)
      return Fail(split.error().code(), split.error().message() + " (give --sqs or CONTRACT_SQS)");
    SqsTransportConfig sc;
    sc.client.endpoint_url = split->first;
    sc.client.region = endpoints.sqs_region;
    sc.client.credentials.access_key_id = endpoints.sqs_access_key_id;
    sc.client.credentials.secret_access_key = endpoints.sqs_secret_access_key;
    if (!endpoints.sqs_ca_bundle.empty()) {
      if (auto usable = sqs::CheckCaBundle(endpoints.sqs_ca_bundle); !usable)
        return Fail(usable.error().code(), "AWS_CA_BUNDLE = " + usable.error().message());
    }
    sc.client.ca_bundle = endpoints.sqs_ca_bundle;
    sc.queue_base = split->second;
    auto created = SqsTransport::Create(sc, clock);
    if (!created) return Traced(created.error());
    out.sqs = std::move(*created);
  }
  return out;
}

}  // namespace driftline::contract
