#include "sqs/protocol/http_message.h"

#include "common/strings.h"

namespace driftline::sqs {

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? std::string() : it->second;
}

}  // namespace driftline::sqs
