// driftline-demo: one order across the real local stack, step by step, with the project's own
// Kafka and SQS clients. Produces an order to place-order-topic, reads it back, transforms it,
// sends it to place-order-queue with its CorrelationId attribute, receives it from SQS.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <future>
#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.h"
#include "common/env.h"
#include "common/uuid.h"
#include "kafka/config.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "order/order.h"
#include "sqs/curl_client.h"
#include "sqs/curl_transport.h"
#include "version_flag.h"

namespace {

using Steady = std::chrono::steady_clock;
using driftline::Error;

Steady::time_point g_start = Steady::now();

void Step(const char* what, const std::string& detail) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - g_start).count();
  std::printf("[%6lld ms] %-28s %s\n", static_cast<long long>(ms), what, detail.c_str());
  std::fflush(stdout);
}

int Fail(const char* step, const Error& e) {
  std::fprintf(stderr, "demo: %s failed: %s\n", step, e.Trace().c_str());
  std::fprintf(stderr, "demo: is the stack up? (make stack-up; make stack-status)\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string kafka = driftline::EnvString(driftline::Environment::Process(),
                                           "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
  std::string endpoint = driftline::EnvString(driftline::Environment::Process(), "SQS_ENDPOINT",
                                              "http://127.0.0.1:4566");
  std::string queue_url =
      driftline::EnvString(driftline::Environment::Process(), "SQS_QUEUE_URL",
                           "http://127.0.0.1:4566/000000000000/place-order-queue");
  std::string topic = "place-order-topic";
  CLI::App app{"driftline-demo: one order through Kafka and SQS on the local stack"};
  app.add_option("--kafka", kafka, "Kafka bootstrap servers");
  app.add_option("--sqs-endpoint", endpoint, "SQS endpoint");
  app.add_option("--queue-url", queue_url, "SQS queue URL");
  app.add_option("--topic", topic, "Kafka topic");
  driftline::apps::AddVersionFlag(app, "driftline-demo",
                                  {{"librdkafka", driftline::kafka::LibraryVersion()},
                                   {"libcurl", driftline::sqs::LibraryVersion()}});
  CLI11_PARSE(app, argc, argv);

  const std::string correlation_id = "demo-" + driftline::NewUuid();
  const std::string order_id = "ORD-DEMO-" + correlation_id.substr(5, 8);
  const nlohmann::json order = {
      {"orderType", "STANDARD"},
      {"orderId", order_id},
      {"customerId", "CUST-DEMO"},
      {"items",
       {{{"productId", "PROD-1"}, {"quantity", 1}, {"price", 19.99}},
        {{"productId", "PROD-2"}, {"quantity", 3}, {"price", 5.0}}}},
      {"totalAmount", 34.99},
      {"orderDate", driftline::FormatUtcSeconds(driftline::Clock::System().Wall())}};
  std::printf("One STANDARD order through Kafka (%s) and SQS (%s)\n\n", kafka.c_str(),
              queue_url.c_str());

  // 1. Watch the topic from its current end, so the order we produce is the next record seen.
  auto props = driftline::kafka::Properties::Make(kafka, {});
  auto watcher = driftline::kafka::Consumer::Create(props, "driftline-demo-watch", nullptr);
  if (!watcher) return Fail("creating the Kafka consumer", watcher.error());
  auto assigned = (*watcher)->AssignAtEnd(topic, std::chrono::seconds(10));
  if (!assigned) return Fail("assigning the topic", assigned.error());
  Step("watching", topic + " from its end (" + std::to_string(assigned->size()) + " partition(s))");

  // 2. Produce the order with its key and CorrelationId header; wait for the delivery report.
  std::promise<driftline::kafka::DeliveryReport> delivered;
  auto producer = driftline::kafka::Producer::Create(
      driftline::kafka::WithReliableDelivery(props),
      [&delivered](driftline::kafka::DeliveryReport r) { delivered.set_value(std::move(r)); });
  if (!producer) return Fail("creating the Kafka producer", producer.error());
  driftline::kafka::OutgoingMessage out{
      topic, std::nullopt, order_id, order.dump(), {{"CorrelationId", correlation_id}}};
  if (auto s = (*producer)->Send(out, 1); !s) return Fail("producing", s.error());
  auto report = delivered.get_future().get();
  if (report.error) return Fail("delivering to Kafka", *report.error);
  Step("produced", topic + "[" + std::to_string(report.partition) + "]@" +
                       std::to_string(report.offset) + " key=" + order_id +
                       " CorrelationId=" + correlation_id);

  // 3. Read it back.
  std::optional<driftline::kafka::Message> consumed;
  const auto deadline = Steady::now() + std::chrono::seconds(30);
  while (!consumed && Steady::now() < deadline) {
    auto m = (*watcher)->Poll(std::chrono::milliseconds(200));
    if (!m) return Fail("consuming", m.error());
    if (*m && (*m)->headers.Find("CorrelationId") &&
        (*m)->headers.Find("CorrelationId")->value == correlation_id) {
      consumed = std::move(**m);
    }
  }
  if (!consumed)
    return Fail("consuming", Error(driftline::Code::kDeadlineExceeded, "no record in 30 s"));
  Step("consumed", "offset " + std::to_string(consumed->offset) + ", " +
                       std::to_string(consumed->payload.size()) + " bytes");

  // 4. Transform it as order-service does.
  auto parsed = driftline::order::ParseOrder(consumed->payload);
  if (!parsed) {
    return Fail("parsing", Error(driftline::Code::kInvalidArgument, parsed.error().message));
  }
  auto sqs_order = driftline::order::Transform(*parsed, 0, {}, driftline::Clock::System());
  if (!sqs_order) {
    return Fail("transforming",
                Error(driftline::Code::kInvalidArgument, sqs_order.error().message));
  }
  Step("transformed", sqs_order->body);

  // 5. Send to SQS with the CorrelationId attribute, then receive it (deleting only ours).
  auto sqs_config = driftline::sqs::SqsClientConfigFromEnv(
      driftline::Environment::Process(), driftline::sqs::WhenMissing::kUseLocalStackDefaults);
  if (!sqs_config) return Fail("SQS settings", sqs_config.error());
  sqs_config->endpoint_url = endpoint;
  auto sqs = driftline::sqs::CurlSqsClient::Create(*sqs_config);
  if (!sqs) return Fail("creating the SQS client", sqs.error());
  driftline::sqs::OutgoingMessage message;
  message.body = sqs_order->body;
  message.attributes.emplace("CorrelationId",
                             driftline::sqs::MessageAttributeValue::String(correlation_id));
  auto sent = (*sqs)->SendMessage(queue_url, message);
  if (!sent) return Fail("SendMessage", sent.error());
  Step("sent to SQS", "MessageId " + sent->message_id);

  const auto sqs_deadline = Steady::now() + std::chrono::seconds(30);
  while (Steady::now() < sqs_deadline) {
    driftline::sqs::ReceiveRequest rr;
    rr.queue_url = queue_url;
    rr.wait_time_seconds = 2;
    auto got = (*sqs)->ReceiveMessage(rr);
    if (!got) return Fail("ReceiveMessage", got.error());
    for (const auto& m : *got) {
      auto it = m.message_attributes.find("CorrelationId");
      if (it == m.message_attributes.end() || it->second.string_value != correlation_id) {
        // Someone else's message: make it visible again at once.
        (void)(*sqs)->ChangeMessageVisibility(queue_url, m.receipt_handle, 0);
        continue;
      }
      Step("received from SQS", m.body + " CorrelationId=" + it->second.string_value);
      if (auto d = (*sqs)->DeleteMessage(queue_url, m.receipt_handle); !d) {
        return Fail("DeleteMessage", d.error());
      }
      Step("deleted", "the demo leaves the queue as it found it");
      std::printf("\nThe order crossed Kafka and SQS with its CorrelationId intact.\n");
      return 0;
    }
  }
  return Fail("receiving from SQS", Error(driftline::Code::kDeadlineExceeded, "not seen in 30 s"));
}
