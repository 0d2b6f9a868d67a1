#include "sqs/http.h"

#include <algorithm>
#include <cctype>

namespace driftline::sqs {

std::string HttpResponse::Header(std::string_view name) const {
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto it = headers.find(key);
  return it == headers.end() ? std::string() : it->second;
}

}  // namespace driftline::sqs
