#include "ops/metrics_text.h"

#include <prometheus/text_serializer.h>

namespace driftline::ops {

std::string MetricsText(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

}  // namespace driftline::ops
