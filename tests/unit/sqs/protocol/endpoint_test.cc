#include "sqs/protocol/endpoint.h"

#include <gtest/gtest.h>

#include "queue_url.h"

namespace driftline::sqs {
namespace {

using nlohmann::json;

using test_data::kQueueUrl;

std::string HeaderOf(const HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return {};
}

TEST(MakeEndpointTest, AcceptsHostAndPortAndDropsTrailingSlash) {
  auto endpoint = MakeEndpoint("http://127.0.0.1:4566/", "us-east-1");
  ASSERT_TRUE(endpoint.has_value()) << endpoint.error().ToString();
  EXPECT_EQ(endpoint->url, "http://127.0.0.1:4566");
  EXPECT_EQ(endpoint->region, "us-east-1");
  EXPECT_EQ(MakeEndpoint("https://sqs.eu-west-1.amazonaws.com", "eu-west-1")->url,
            "https://sqs.eu-west-1.amazonaws.com");
}

TEST(MakeEndpointTest, RejectsWhatCannotBeAnSqsEndpoint) {
  for (const char* url :
       {"127.0.0.1:4566", "ftp://host", "http://", "http://:4566", "http://host/000000000000/queue",
        "http://user:pw@host", "http://host?x=1"}) {
    auto endpoint = MakeEndpoint(url, "us-east-1");
    ASSERT_FALSE(endpoint.has_value()) << url;
    EXPECT_EQ(endpoint.error().code(), Code::kInvalidArgument);
  }
  EXPECT_FALSE(MakeEndpoint("http://host", "").has_value());
  EXPECT_FALSE(MakeEndpoint("http://host", "US East").has_value());
}

TEST(BuildRequestTest, IsAJson10PostSignedForSqs) {
  auto endpoint = MakeEndpoint("http://127.0.0.1:4566", "us-east-1").value();
  HttpRequest request =
      BuildRequest(endpoint, "SendMessage", {{"QueueUrl", kQueueUrl}, {"MessageBody", "héllo"}});
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "http://127.0.0.1:4566/");
  EXPECT_EQ(HeaderOf(request, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(HeaderOf(request, "X-Amz-Target"), "AmazonSQS.SendMessage");
  EXPECT_EQ(request.aws_sigv4, "aws:amz:us-east-1:sqs");
  // Compact, keys sorted, UTF-8 kept as is (not \u escapes).
  EXPECT_EQ(request.body,
            std::string(R"({"MessageBody":"héllo","QueueUrl":")") + kQueueUrl + "\"}");
  EXPECT_EQ(request.headers.size(), 2u);
  for (const auto& [name, value] : request.headers)
    EXPECT_FALSE(value.empty()) << name;
}

}  // namespace
}  // namespace driftline::sqs
