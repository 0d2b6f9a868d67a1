// libFuzzer target: any bytes as an SQS HTTP response body, through the error mapper and every
// decoder. Nothing may crash or throw; every outcome is a value or an Error.
#include <cstdint>
#include <string>

#include "sqs/protocol/decode.h"
#include "sqs/protocol/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace driftline::sqs;
  const std::string body(reinterpret_cast<const char*>(data), size);
  for (int status : {200, 400, 500}) {
    HttpResponse response;
    response.status = status;
    response.body = body;
    (void)ErrorFromResponse(response);
    (void)DecodeSendMessage(response);
    (void)DecodeSendMessageBatch(response);
    (void)DecodeDeleteMessageBatch(response);
    auto parsed = ParseResponse(response);
    if (!parsed) continue;
    (void)DecodeQueueUrl(*parsed);
    (void)DecodeGetQueueAttributes(*parsed);
    (void)DecodeListQueues(*parsed);
    (void)DecodeReceiveMessage(*parsed);
  }
  return 0;
}
