#include "sqs/curl_client.h"

#include <gtest/gtest.h>

#include "fake_transport.h"
#include "sqs/protocol/digest.h"
#include "sqs/protocol/errors.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;
using testing::FakeTransport;

constexpr char kQueueUrl[] = "http://127.0.0.1:4566/000000000000/place-order-queue";

struct Fixture {
  FakeTransport* transport = nullptr;  // owned by client
  std::unique_ptr<CurlSqsClient> client;
};

Fixture MakeClient(FakeTransport::Handler handler, BatchLimits limits = {}) {
  auto transport = std::make_unique<FakeTransport>(std::move(handler));
  Fixture fixture;
  fixture.transport = transport.get();
  fixture.client = std::make_unique<CurlSqsClient>(
      std::move(transport), MakeEndpoint("http://127.0.0.1:4566", "us-east-1").value(), limits);
  return fixture;
}

// What a correct SQS answers to SendMessageBatch: every entry successful, MD5s right.
json AcceptAll(const json& body) {
  json successful = json::array();
  for (const auto& entry : body["Entries"]) {
    successful.push_back({{"Id", entry["Id"]},
                          {"MessageId", "mid-" + entry["Id"].get<std::string>()},
                          {"MD5OfMessageBody", Md5Hex(entry["MessageBody"].get<std::string>())}});
  }
  return {{"Successful", successful}, {"Failed", json::array()}};
}

std::vector<OutgoingMessage> Messages(std::size_t n, std::size_t body_bytes = 10) {
  std::vector<OutgoingMessage> messages(n);
  for (std::size_t i = 0; i < n; ++i) {
    messages[i].body = "m" + std::to_string(i) + std::string(body_bytes, '.');
  }
  return messages;
}

TEST(CurlSqsClientTest, SendMessageBatchSplitsAndKeepsInputOrder) {
  auto f = MakeClient([](const std::string& action, const json& body, const HttpRequest&) {
    EXPECT_EQ(action, "SendMessageBatch");
    return Result<HttpResponse>(FakeTransport::Json(200, AcceptAll(body)));
  });
  auto results = f.client->SendMessageBatch(kQueueUrl, Messages(25));
  ASSERT_EQ(results.entries.size(), 25u);
  EXPECT_TRUE(results.all_ok());
  for (std::size_t i = 0; i < 25; ++i) {
    ASSERT_TRUE(results.entries[i].has_value());
    EXPECT_EQ(results.entries[i]->message_id, "mid-" + std::to_string(i));
  }
  auto requests = f.transport->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(json::parse(requests[0].body)["Entries"].size(), 10u);
  EXPECT_EQ(json::parse(requests[1].body)["Entries"].size(), 10u);
  EXPECT_EQ(json::parse(requests[2].body)["Entries"].size(), 5u);
  EXPECT_EQ(json::parse(requests[2].body)["QueueUrl"], kQueueUrl);
}

TEST(CurlSqsClientTest, PartialBatchFailureGivesPerEntryResults) {
  auto f = MakeClient([](const std::string&, const json& body, const HttpRequest&) {
    json response = AcceptAll(body);
    json successful = json::array();
    json failed = json::array();
    for (const auto& entry : response["Successful"]) {
      const std::string id = entry["Id"];
      if (id == "1") {
        failed.push_back({{"Id", id},
                          {"SenderFault", true},
                          {"Code", "InvalidParameterValue"},
                          {"Message", "Value for parameter MessageBody is invalid."}});
      } else if (id == "2") {
        failed.push_back({{"Id", id}, {"SenderFault", false}, {"Code", "InternalError"}});
      } else if (id == "3") {
        // Omitted from both lists.
      } else if (id == "4") {
        json corrupted = entry;
        corrupted["MD5OfMessageBody"] = Md5Hex("something else");
        successful.push_back(corrupted);
      } else {
        successful.push_back(entry);
      }
    }
    return Result<HttpResponse>(
        FakeTransport::Json(200, {{"Successful", successful}, {"Failed", failed}}));
  });
  auto results = f.client->SendMessageBatch(kQueueUrl, Messages(6));
  ASSERT_EQ(results.entries.size(), 6u);
  EXPECT_EQ(results.failed_count(), 4u);
  EXPECT_TRUE(results.entries[0].has_value());
  EXPECT_TRUE(results.entries[5].has_value());

  const Error& permanent = results.entries[1].error();
  EXPECT_EQ(permanent.code(), Code::kInvalidArgument);
  EXPECT_FALSE(permanent.retryable());
  EXPECT_NE(permanent.message().find("Value for parameter MessageBody is invalid."),
            std::string::npos);
  EXPECT_NE(permanent.Trace().find(std::string("SendMessageBatch ") + kQueueUrl + " entry 1"),
            std::string::npos)
      << permanent.Trace();

  EXPECT_EQ(results.entries[2].error().code(), Code::kUnavailable);
  EXPECT_TRUE(results.entries[2].error().retryable());
  EXPECT_EQ(results.entries[3].error().code(), Code::kInternal);
  EXPECT_EQ(results.entries[4].error().code(), Code::kInternal);
  EXPECT_NE(results.entries[4].error().message().find("MD5"), std::string::npos);
}

TEST(CurlSqsClientTest, AFailedRequestFailsOnlyItsOwnEntries) {
  int call = 0;
  auto f = MakeClient([&call](const std::string&, const json& body, const HttpRequest&) {
    if (++call == 2) {
      return Result<HttpResponse>(
          tl::unexpected(Error(Code::kUnavailable, "POST http://127.0.0.1:4566/: reset")));
    }
    return Result<HttpResponse>(FakeTransport::Json(200, AcceptAll(body)));
  });
  auto results = f.client->SendMessageBatch(kQueueUrl, Messages(25));
  ASSERT_EQ(results.entries.size(), 25u);
  EXPECT_EQ(results.failed_count(), 10u);
  for (std::size_t i = 0; i < 25; ++i) {
    const bool in_second_batch = i >= 10 && i < 20;
    EXPECT_EQ(results.entries[i].has_value(), !in_second_batch) << i;
    if (in_second_batch) {
      EXPECT_EQ(results.entries[i].error().code(), Code::kUnavailable);
      EXPECT_TRUE(results.entries[i].error().retryable());
    }
  }
}

TEST(CurlSqsClientTest, ABatchRefusedAsAWholeIsResentEntryByEntry) {
  // Like ElasticMQ: one bad entry makes the whole SendMessageBatch fail with a 400.
  auto f = MakeClient([](const std::string& action, const json& body, const HttpRequest&) {
    const json invalid = {{"__type", "com.amazonaws.sqs#InvalidAttributeValue"},
                          {"Message", "MessageTooLong"}};
    if (action == "SendMessageBatch") {
      for (const auto& entry : body["Entries"]) {
        if (entry["MessageBody"] == "poison") {
          return Result<HttpResponse>(FakeTransport::Json(400, invalid));
        }
      }
      return Result<HttpResponse>(FakeTransport::Json(200, AcceptAll(body)));
    }
    EXPECT_EQ(action, "SendMessage");
    if (body["MessageBody"] == "poison") {
      return Result<HttpResponse>(FakeTransport::Json(400, invalid));
    }
    return Result<HttpResponse>(FakeTransport::Json(
        200, {{"MessageId", "single"},
              {"MD5OfMessageBody", Md5Hex(body["MessageBody"].get<std::string>())}}));
  });
  auto messages = Messages(12);
  messages[3].body = "poison";
  auto results = f.client->SendMessageBatch(kQueueUrl, messages);
  ASSERT_EQ(results.entries.size(), 12u);
  EXPECT_EQ(results.failed_count(), 1u);
  EXPECT_EQ(results.entries[3].error().code(), Code::kInvalidArgument);
  EXPECT_NE(results.entries[3].error().Trace().find("entry 3"), std::string::npos);
  EXPECT_EQ(results.entries[0]->message_id, "single");
  EXPECT_EQ(results.entries[11]->message_id, "mid-11");
  // One refused batch of 10, 10 single sends, one batch of 2.
  EXPECT_EQ(f.transport->requests().size(), 12u);
}

TEST(CurlSqsClientTest, PermanentRequestErrorIsNotRetryable) {
  auto f = MakeClient([](const std::string&, const json&, const HttpRequest&) {
    return Result<HttpResponse>(
        FakeTransport::Json(400, {{"__type", "com.amazonaws.sqs#QueueDoesNotExist"},
                                  {"message", "The specified queue does not exist."}}));
  });
  auto results = f.client->SendMessageBatch(kQueueUrl, Messages(3));
  ASSERT_EQ(results.failed_count(), 3u);
  for (const auto& entry : results.entries) {
    EXPECT_EQ(entry.error().code(), Code::kNotFound);
    EXPECT_FALSE(entry.error().retryable());
  }
}

// ---- failure scope: only a message's own content is kMessage --------------------------------

TEST(CurlSqsClientTest, EveryFailedEntryCarriesItsScopeAndCause) {
  auto f = MakeClient([](const std::string&, const json& body, const HttpRequest&) {
    const json accepted = AcceptAll(body);
    json successful = json::array();
    json failed = json::array();
    for (const auto& entry : accepted["Successful"]) {
      const std::string id = entry["Id"];
      if (id == "0") {
        failed.push_back({{"Id", id}, {"SenderFault", true}, {"Code", "InvalidMessageContents"}});
      } else if (id == "1") {
        failed.push_back({{"Id", id}, {"SenderFault", false}, {"Code", "InternalError"}});
      } else if (id == "2") {
        // Omitted from both lists.
      } else if (id == "3") {
        json corrupted = entry;
        corrupted["MD5OfMessageBody"] = Md5Hex("something else");
        successful.push_back(corrupted);
      } else if (id == "4") {
        failed.push_back({{"Id", id}, {"SenderFault", true}, {"Code", "KmsDisabled"}});
      } else {
        successful.push_back(entry);
      }
    }
    return Result<HttpResponse>(
        FakeTransport::Json(200, {{"Successful", successful}, {"Failed", failed}}));
  });
  auto results = f.client->SendMessageBatch(kQueueUrl, Messages(6));
  ASSERT_EQ(results.entries.size(), 6u);
  struct Expected {
    FailureScope scope;
    std::string_view cause;
    bool maybe_applied;
  };
  const std::vector<Expected> expected = {
      {FailureScope::kMessage, "InvalidMessageContents", false},
      {FailureScope::kInfrastructure, "InternalError", false},
      {FailureScope::kInfrastructure, cause::kMissingEntryResult, true},
      {FailureScope::kInfrastructure, cause::kChecksumMismatch, true},
      {FailureScope::kInfrastructure, "KmsDisabled", false},
  };
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_FALSE(results.entries[i].has_value()) << i;
    const Error& e = results.entries[i].error();
    EXPECT_EQ(e.scope(), expected[i].scope) << i << ": " << e.ToString();
    EXPECT_EQ(e.cause(), expected[i].cause) << i;
    EXPECT_EQ(e.maybe_applied(), expected[i].maybe_applied) << i;
  }
  EXPECT_TRUE(results.entries[5].has_value());
}

TEST(CurlSqsClientTest, AMissingQueueIsInfrastructureForEveryEntry) {
  auto f = MakeClient([](const std::string&, const json&, const HttpRequest&) {
    return Result<HttpResponse>(
        FakeTransport::Json(400, {{"__type", "com.amazonaws.sqs#QueueDoesNotExist"},
                                  {"message", "The specified queue does not exist."}}));
  });
  auto results = f.client->SendMessageBatch(kQueueUrl, Messages(3));
  ASSERT_EQ(results.failed_count(), 3u);
  for (const auto& entry : results.entries) {
    EXPECT_EQ(entry.error().scope(), FailureScope::kInfrastructure);
    EXPECT_EQ(entry.error().cause(), "QueueDoesNotExist");
  }
  EXPECT_EQ(f.transport->requests().size(), 1u) << "not refused as invalid: no single resends";
}

TEST(CurlSqsClientTest, AnUnreadableReplyOrNoReplyIsInfrastructure) {
  int call = 0;
  auto f = MakeClient([&call](const std::string&, const json&, const HttpRequest&) {
    if (++call == 1) {
      return Result<HttpResponse>(HttpResponse{200, {}, "<html>captive portal</html>"});
    }
    return Result<HttpResponse>(tl::unexpected(Error(Code::kUnavailable, "reset")));
  });
  auto unreadable = f.client->SendMessageBatch(kQueueUrl, Messages(2));
  for (const auto& entry : unreadable.entries) {
    EXPECT_EQ(entry.error().scope(), FailureScope::kInfrastructure);
    EXPECT_EQ(entry.error().cause(), cause::kUnreadableResponse);
    EXPECT_TRUE(entry.error().maybe_applied());
  }
  // A transport error that came unclassified is still classified on the way out.
  auto lost = f.client->SendMessageBatch(kQueueUrl, Messages(2));
  for (const auto& entry : lost.entries) {
    EXPECT_EQ(entry.error().scope(), FailureScope::kInfrastructure);
    EXPECT_EQ(entry.error().cause(), "unavailable");
  }
}

TEST(CurlSqsClientTest, ABatchOfOneRefusedAsAWholeIsJudgedBySendMessage) {
  // ElasticMQ words an oversized message in a batch differently from SendMessage; the verdict
  // on the message comes from the request that carried it alone, as SendMessage.
  auto f = MakeClient([](const std::string& action, const json&, const HttpRequest&) {
    if (action == "SendMessageBatch") {
      return Result<HttpResponse>(
          FakeTransport::Json(400, {{"__type", "com.amazonaws.sqs#BatchRequestTooLong"}}));
    }
    return Result<HttpResponse>(FakeTransport::Json(
        400, {{"__type", "com.amazonaws.sqs#InvalidAttributeValue"}, {"Message", "too long"}}));
  });
  auto results = f.client->SendMessageBatch(kQueueUrl, Messages(1));
  ASSERT_EQ(results.failed_count(), 1u);
  EXPECT_EQ(results.entries[0].error().scope(), FailureScope::kMessage);
  EXPECT_EQ(results.entries[0].error().cause(), "InvalidAttributeValue");
  ASSERT_EQ(f.transport->requests().size(), 2u);
}

TEST(CurlSqsClientTest, ABatchRefusedForAnUnknownReasonStaysInfrastructure) {
  auto f = MakeClient([](const std::string&, const json&, const HttpRequest&) {
    return Result<HttpResponse>(
        FakeTransport::Json(400, {{"__type", "com.amazonaws.sqs#BrandNewError"}}));
  });
  auto results = f.client->SendMessageBatch(kQueueUrl, Messages(3));
  ASSERT_EQ(results.failed_count(), 3u);
  for (const auto& entry : results.entries) {
    EXPECT_EQ(entry.error().scope(), FailureScope::kInfrastructure);
    EXPECT_EQ(entry.error().cause(), "http-400");
  }
}

TEST(CurlSqsClientTest, OversizedEntryIsReportedAndNeverSent) {
  auto f = MakeClient([](const std::string&, const json& body, const HttpRequest&) {
    return Result<HttpResponse>(FakeTransport::Json(200, AcceptAll(body)));
  });
  auto messages = Messages(3);
  messages[1].body = std::string(262145, 'x');
  auto results = f.client->SendMessageBatch(kQueueUrl, messages);
  ASSERT_EQ(results.entries.size(), 3u);
  EXPECT_TRUE(results.entries[0].has_value());
  EXPECT_TRUE(results.entries[2].has_value());
  ASSERT_FALSE(results.entries[1].has_value());
  EXPECT_EQ(results.entries[1].error().code(), Code::kInvalidArgument);
  EXPECT_EQ(results.entries[1].error().message(),
            "message of 262145 bytes exceeds the queue's MaximumMessageSize of 262144");
  auto requests = f.transport->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(json::parse(requests[0].body)["Entries"].size(), 2u);
}

TEST(CurlSqsClientTest, LearnsTheQueuesMaximumMessageSize) {
  auto f = MakeClient([](const std::string& action, const json& body, const HttpRequest&) {
    if (action == "GetQueueAttributes") {
      return Result<HttpResponse>(FakeTransport::Json(
          200, {{"Attributes", {{"MaximumMessageSize", "1024"}, {"VisibilityTimeout", "30"}}}}));
    }
    return Result<HttpResponse>(FakeTransport::Json(200, AcceptAll(body)));
  });
  EXPECT_EQ(f.client->LimitsFor(kQueueUrl).max_message_bytes, 262144u);
  auto attributes = f.client->GetQueueAttributes(kQueueUrl, {"All"});
  ASSERT_TRUE(attributes.has_value());
  EXPECT_EQ(f.client->LimitsFor(kQueueUrl).max_message_bytes, 1024u);
  EXPECT_EQ(f.client->LimitsFor("http://other/1/q").max_message_bytes, 262144u);

  auto messages = Messages(2);
  messages[0].body = std::string(1025, 'x');
  auto results = f.client->SendMessageBatch(kQueueUrl, messages);
  EXPECT_NE(results.entries[0].error().message().find("MaximumMessageSize of 1024"),
            std::string::npos);
  EXPECT_TRUE(results.entries[1].has_value());
  OutgoingMessage single;
  single.body = std::string(1025, 'x');
  EXPECT_EQ(f.client->SendMessage(kQueueUrl, single).error().code(), Code::kInvalidArgument);
}

TEST(CurlSqsClientTest, SendMessageVerifiesChecksums) {
  std::string md5 = Md5Hex("hello");
  auto f = MakeClient([&md5](const std::string& action, const json& body, const HttpRequest&) {
    EXPECT_EQ(action, "SendMessage");
    EXPECT_EQ(body["MessageBody"], "hello");
    return Result<HttpResponse>(
        FakeTransport::Json(200, {{"MessageId", "mid-1"}, {"MD5OfMessageBody", md5}}));
  });
  OutgoingMessage message;
  message.body = "hello";
  auto sent = f.client->SendMessage(kQueueUrl, message);
  ASSERT_TRUE(sent.has_value()) << sent.error().ToString();
  EXPECT_EQ(sent->message_id, "mid-1");
  md5 = Md5Hex("hellO");
  auto corrupted = f.client->SendMessage(kQueueUrl, message);
  ASSERT_FALSE(corrupted.has_value());
  EXPECT_EQ(corrupted.error().code(), Code::kInternal);
  EXPECT_NE(corrupted.error().Trace().find(std::string("SendMessage ") + kQueueUrl),
            std::string::npos);
}

TEST(CurlSqsClientTest, ErrorsNameTheActionAndQueue) {
  auto f = MakeClient([](const std::string&, const json&, const HttpRequest&) {
    return Result<HttpResponse>(
        FakeTransport::Json(400, {{"__type", "com.amazonaws.sqs#QueueDoesNotExist"},
                                  {"message", "The specified queue does not exist."}}));
  });
  auto url = f.client->GetQueueUrl("no-such-queue");
  ASSERT_FALSE(url.has_value());
  EXPECT_EQ(url.error().code(), Code::kNotFound);
  EXPECT_EQ(url.error().Trace(),
            "while GetQueueUrl no-such-queue\nNOT_FOUND: SQS QueueDoesNotExist: The specified "
            "queue does not exist. [HTTP 400, request id fake-request]");
  auto purge = f.client->PurgeQueue(kQueueUrl);
  EXPECT_NE(purge.error().Trace().find(std::string("PurgeQueue ") + kQueueUrl), std::string::npos);
}

TEST(CurlSqsClientTest, ServerErrorsAreRetryableClientErrorsAreNot) {
  long status = 500;
  std::string type = "InternalError";
  auto f = MakeClient([&](const std::string&, const json&, const HttpRequest&) {
    return Result<HttpResponse>(FakeTransport::Json(status, {{"__type", type}}));
  });
  EXPECT_TRUE(f.client->DeleteMessage(kQueueUrl, "rh").error().retryable());
  status = 400;
  type = "ThrottlingException";
  EXPECT_EQ(f.client->DeleteMessage(kQueueUrl, "rh").error().code(), Code::kResourceExhausted);
  type = "ReceiptHandleIsInvalid";
  EXPECT_FALSE(f.client->DeleteMessage(kQueueUrl, "rh").error().retryable());
}

TEST(CurlSqsClientTest, ReceiveMessageExtendsTheTimeoutByTheWait) {
  auto f = MakeClient([](const std::string& action, const json& body, const HttpRequest& request) {
    EXPECT_EQ(action, "ReceiveMessage");
    EXPECT_EQ(body["WaitTimeSeconds"], 20);
    EXPECT_EQ(request.timeout_extension, std::chrono::seconds(20));
    return Result<HttpResponse>(
        FakeTransport::Json(200, {{"Messages",
                                   {{{"MessageId", "m1"},
                                     {"ReceiptHandle", "rh1"},
                                     {"Body", "hello"},
                                     {"MD5OfBody", Md5Hex("hello")},
                                     {"Attributes", {{"ApproximateReceiveCount", "1"}}}}}}}));
  });
  ReceiveRequest request;
  request.queue_url = kQueueUrl;
  request.wait_time_seconds = 20;
  auto messages = f.client->ReceiveMessage(request);
  ASSERT_TRUE(messages.has_value()) << messages.error().ToString();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ(messages->at(0).receipt_handle, "rh1");
  request.max_messages = 11;
  EXPECT_EQ(f.client->ReceiveMessage(request).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(f.transport->requests().size(), 1u);  // the invalid one was never sent
}

TEST(CurlSqsClientTest, DeleteMessageBatchSplitsAndReportsPerEntry) {
  auto f = MakeClient([](const std::string& action, const json& body, const HttpRequest&) {
    EXPECT_EQ(action, "DeleteMessageBatch");
    json successful = json::array();
    json failed = json::array();
    for (const auto& entry : body["Entries"]) {
      if (entry["ReceiptHandle"] == "rh-5") {
        failed.push_back({{"Id", entry["Id"]},
                          {"SenderFault", true},
                          {"Code", "ReceiptHandleIsInvalid"},
                          {"Message", "The input receipt handle is invalid."}});
      } else {
        successful.push_back({{"Id", entry["Id"]}});
      }
    }
    return Result<HttpResponse>(
        FakeTransport::Json(200, {{"Successful", successful}, {"Failed", failed}}));
  });
  std::vector<std::string> handles;
  for (int i = 0; i < 12; ++i)
    handles.push_back("rh-" + std::to_string(i));
  handles[7].clear();
  auto results = f.client->DeleteMessageBatch(kQueueUrl, handles);
  ASSERT_EQ(results.entries.size(), 12u);
  EXPECT_EQ(results.failed_count(), 2u);
  EXPECT_EQ(results.entries[5].error().code(), Code::kInvalidArgument);
  EXPECT_EQ(results.entries[7].error().code(), Code::kInvalidArgument);
  EXPECT_TRUE(results.entries[11].has_value());
  EXPECT_EQ(f.transport->requests().size(), 2u);
}

TEST(CurlSqsClientTest, ListQueuesFollowsNextToken) {
  auto f = MakeClient([](const std::string& action, const json& body, const HttpRequest&) {
    EXPECT_EQ(action, "ListQueues");
    EXPECT_EQ(body["QueueNamePrefix"], "place");
    if (!body.contains("NextToken")) {
      return Result<HttpResponse>(
          FakeTransport::Json(200, {{"QueueUrls", {"u1", "u2"}}, {"NextToken", "t1"}}));
    }
    EXPECT_EQ(body["NextToken"], "t1");
    return Result<HttpResponse>(FakeTransport::Json(200, {{"QueueUrls", {"u3"}}}));
  });
  EXPECT_EQ(f.client->ListQueues("place").value(), (std::vector<std::string>{"u1", "u2", "u3"}));
}

TEST(CurlSqsClientTest, SimpleActionsSendTheirTargetAndBody) {
  std::vector<std::pair<std::string, json>> seen;
  auto f = MakeClient([&seen](const std::string& action, const json& body, const HttpRequest&) {
    seen.emplace_back(action, body);
    if (action == "CreateQueue") {
      return Result<HttpResponse>(FakeTransport::Json(200, {{"QueueUrl", kQueueUrl}}));
    }
    return Result<HttpResponse>(FakeTransport::Json(200, json::object()));
  });
  EXPECT_EQ(f.client->CreateQueue({"place-order-queue", {{"VisibilityTimeout", "180"}}}).value(),
            kQueueUrl);
  EXPECT_TRUE(f.client->ChangeMessageVisibility(kQueueUrl, "rh", 0).has_value());
  EXPECT_TRUE(f.client->PurgeQueue(kQueueUrl).has_value());
  EXPECT_TRUE(f.client->DeleteQueue(kQueueUrl).has_value());
  EXPECT_TRUE(f.client->DeleteMessage(kQueueUrl, "rh").has_value());
  EXPECT_FALSE(f.client->ChangeMessageVisibility(kQueueUrl, "rh", -5).has_value());
  EXPECT_FALSE(f.client->CreateQueue({"bad name", {}}).has_value());
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].first, "CreateQueue");
  EXPECT_EQ(seen[0].second["Attributes"]["VisibilityTimeout"], "180");
  EXPECT_EQ(seen[1].first, "ChangeMessageVisibility");
  EXPECT_EQ(seen[1].second["VisibilityTimeout"], 0);
  EXPECT_EQ(seen[2].first, "PurgeQueue");
  EXPECT_EQ(seen[3].first, "DeleteQueue");
  EXPECT_EQ(seen[4].first, "DeleteMessage");
  EXPECT_EQ(seen[4].second["ReceiptHandle"], "rh");
}

TEST(SqsClientConfigFromEnvTest, ReadsEndpointRegionAndCredentials) {
  MapEnvironment env({{"AWS_ACCESS_KEY_ID", "id"},
                      {"AWS_SECRET_ACCESS_KEY", "secret"},
                      {"AWS_REGION", "eu-west-1"}});
  auto config = SqsClientConfigFromEnv(env);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->endpoint_url, "https://sqs.eu-west-1.amazonaws.com");
  env.Set("AWS_ENDPOINT_URL", "http://127.0.0.1:9999");
  EXPECT_EQ(SqsClientConfigFromEnv(env)->endpoint_url, "http://127.0.0.1:9999");
  env.Set("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:4566");
  EXPECT_EQ(SqsClientConfigFromEnv(env)->endpoint_url, "http://127.0.0.1:4566");
  EXPECT_FALSE(SqsClientConfigFromEnv(MapEnvironment()).has_value());
  auto local = SqsClientConfigFromEnv(MapEnvironment(), WhenMissing::kUseLocalStackDefaults);
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(local->region, "us-east-1");
  EXPECT_EQ(local->credentials.access_key_id, "test");
}

}  // namespace
}  // namespace driftline::sqs
