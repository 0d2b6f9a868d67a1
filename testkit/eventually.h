// Bounded waiting for a condition something else makes true asynchronously: never a fixed sleep.
#pragma once

#include <chrono>
#include <functional>

namespace driftline::testkit {

// Checks `done` every `every` until it holds or `limit` passes; returns its last value (checked
// once more at the deadline).
bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds limit,
                std::chrono::milliseconds every = std::chrono::milliseconds(50));

}  // namespace driftline::testkit
