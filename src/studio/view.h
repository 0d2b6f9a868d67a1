// What Studio shows, as JSON: the loaded contract and its examples, one test's result, a whole
// run's result, and the live timeline of one test's messages. The field names and shapes are the
// page's contract (src/studio/web reads them); every function here is pure: it reads the values
// it is given and nothing else (no file, no clock, no network).
//
// Text travels unchanged: payloads, headers, names and reasons are put into the JSON exactly as
// they are (a payload containing "<script>" stays "<script>"); escaping for display is the
// page's job. Bytes that are not UTF-8 (a payload off the wire) are kept as well, so serialise
// with nlohmann::json::error_handler_t::replace (dump() throws on them otherwise).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "contract/run/plan.h"
#include "contract/run/result.h"
#include "contract/run/suite.h"
#include "contract/run/test_case.h"
#include "contract/spec/observed_message.h"

namespace driftline::studio {

// The contract view: where the suite came from, its contracts (servers, channels with their
// messages' schemas, operations with reply, retry schedule and dead letter) and its examples,
// each with its flow, what it expects, its JSON and whether it is valid for the contract.
// Examples are always validated here (the strict-mode check of LoadSuite), whatever
// suite.strict says; a problem is {"pointer", "message"}.
//
// File paths are shown relative to `root` with '/' separators; a path outside `root` is shown
// absolute. `config_file` is the specmatic.yaml the suite was loaded from (nullopt: loaded from a
// contract and an examples folder). An example's "json" is rebuilt from what the loader keeps
// (name, id, and the receive/send/retry/dlq blocks with topic, payload, headers, key); members
// the loader ignores ("before", "after", unknown ones) are not in it, and an empty "headers"
// object is left out.
nlohmann::json ContractView(const contract::Suite& suite, const std::filesystem::path& root,
                            const std::optional<std::filesystem::path>& config_file);

// One test's result ("finished".result, and the suite JSON's "tests"). `plan` (may be null)
// gives the operation's retry schedule: with it, retry envelopes, the reply and the dead letter
// of "flow" get "due_ms" as TimelineTracker gives them (over the flow's offsets, in the flow's
// order); without it every "due_ms" is null. A flow event's "role" is the one of the "message"
// event: "publish", "send", "retry", "dlq" or "unexpected". "file" is the example's path as the
// result has it (absolute when the suite was loaded from absolute paths).
nlohmann::json TestJson(const contract::TestResult& result, const contract::TestPlan* plan);

// A whole run's result. Each test's plan is looked up in `cases` by the example's name (the
// case at the same index first, so repeated names keep their own plans); `cases` may be empty
// (no due times then). The summary line, count table and final report are the console's own
// text (report/console.h).
nlohmann::json SuiteJson(const contract::SuiteResult& suite,
                         const std::vector<contract::TestCase>& cases);

// The shape of an example's flow, from what it publishes and expects:
//   nothing published                      "send-only"
//   a dead letter after retries            "retry-then-dlq"
//   a dead letter, no retries              "direct-dlq"
//   retries, no dead letter                "retry-then-success" (also when no reply is expected)
//   otherwise (a reply, or nothing)        "success"
std::string FlowKind(const contract::TestPlan& plan);

// Follows one test's messages as they arrive and gives each the fields of its "message" event:
// role, channel, address, offset_ms, due_ms, retry_count, coordinates, payload, headers (not
// "test", which the caller adds).
//
//   offset_ms    the message's own timestamp (produced_at) minus the publish's; null when either
//                is unknown (a message without a timestamp, a message before any publish, or a
//                send-only test, which publishes nothing).
//   retry_count  of a retry envelope: its payload's retryCount when that is an integer, else its
//                position (0-based) among the envelopes seen so far; null for other roles.
//   due_ms       as contract/run/engine.h declares, since the publish: envelope 0 at 0, a later
//                envelope at offset(previous envelope) + DelayBefore(retry_count of it), the
//                reply at offset(last envelope) + DelayBefore(its retry_count), the dead letter
//                at offset(last envelope); null for the publish, an unexpected message, a reply
//                or dead letter with no envelope before it, and when the offset it counts from
//                is null.
//   role         "publish", "send", "retry", "dlq" by the channel the example expects the
//                message on; "unexpected" on any other channel and for a second reply or dead
//                letter (the engine's rule).
//
// The publish's "payload" and "headers" are the example's receive block as written (matchers
// included): the runner reports the publish by its coordinates only.
//
// `plan` is borrowed and must outlive the tracker. Not thread-safe: one test's calls come from
// that test's thread, in order.
class TimelineTracker {
 public:
  explicit TimelineTracker(const contract::TestPlan& plan);

  // The test published its trigger at `coordinates`; `produced_at` is the record's own
  // timestamp when known, else `now` stands for it.
  nlohmann::json Published(const std::string& coordinates,
                           std::optional<Clock::WallTime> produced_at, Clock::WallTime now);
  // A message for this test arrived.
  nlohmann::json Observed(const contract::ObservedMessage& message);

  // The retry count and due time of a message whose role is already decided ("send", "retry",
  // "dlq"; anything else is unexpected), `offset_ms` after the publish, with `payload` parsed
  // (for retryCount). Advances the tracker as Observed() does; used to replay a finished test's
  // flow.
  struct Schedule {
    std::optional<int> retry_count;
    std::optional<std::int64_t> due_ms;
  };
  Schedule Next(std::string_view role, const nlohmann::json& payload,
                std::optional<std::int64_t> offset_ms);

 private:
  struct Envelope {
    std::optional<std::int64_t> offset_ms;
    int retry_count = 0;
  };

  const contract::TestPlan& plan_;
  std::optional<Clock::WallTime> published_at_;
  std::vector<Envelope> envelopes_;  // in arrival order
  bool reply_seen_ = false;
  bool dead_letter_seen_ = false;
};

}  // namespace driftline::studio
