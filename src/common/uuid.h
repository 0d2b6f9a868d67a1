// Random (version 4) UUIDs in canonical text form, for correlation ids a message arrived without.
#pragma once

#include <string>

namespace driftline {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower case. Thread-safe.
std::string NewUuid();

}  // namespace driftline
