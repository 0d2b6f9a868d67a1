// Prometheus text exposition (format 0.0.4) of a prometheus-cpp registry.
#pragma once

#include <prometheus/registry.h>

#include <string>

namespace driftline::ops {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string MetricsText(prometheus::Registry& registry);

}  // namespace driftline::ops
