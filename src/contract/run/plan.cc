#include "contract/run/plan.h"

#include <algorithm>

#include "contract/check/check.h"

namespace driftline::contract {
namespace {

Error At(const Example& ex, const std::string& pointer, std::string_view what) {
  return Error(Code::kInvalidArgument,
               ex.file.string() + " (at " + pointer + "): " + std::string(what));
}

// The channel an operation uses for `role`, or nullptr when it declares none.
const Channel* ChannelFor(const Operation& op, Role role, std::vector<const Message*>* messages) {
  switch (role) {
    case Role::kReceive:
      *messages = op.messages;
      return op.channel;
    case Role::kReply:
      if (op.reply) {
        *messages = op.reply->messages;
        return op.reply->channel;
      }
      if (op.action == Operation::Action::kSend) {
        *messages = op.messages;
        return op.channel;
      }
      return nullptr;
    case Role::kRetry:
      if (!op.retry) return nullptr;
      *messages = op.retry->messages;
      return op.retry->channel;
    case Role::kDeadLetter:
      if (!op.dead_letter) return nullptr;
      *messages = op.dead_letter->messages;
      return op.dead_letter->channel;
  }
  return nullptr;
}

// How well an operation fits the example: every expected topic must be its channel for the
// role. Returns the number of misfits.
int Misfits(const Operation& op, const Example& ex) {
  int misfits = 0;
  for (const ExampleMessage* m : ex.Expected()) {
    std::vector<const Message*> ignored;
    const Channel* c = ChannelFor(op, m->role, &ignored);
    if (c == nullptr || c->address != m->topic) ++misfits;
  }
  return misfits;
}

void AddLocation(std::vector<CorrelationIdLocation>& out, const CorrelationIdLocation& loc) {
  if (std::find(out.begin(), out.end(), loc) == out.end()) out.push_back(loc);
}

std::string ChannelList(const Contract& contract) {
  std::string out;
  for (const auto& c : contract.channels)
    out += (out.empty() ? "" : ", ") + c->address;
  return out;
}

}  // namespace

const Expectation* TestPlan::Find(Role role) const {
  for (const Expectation& e : expectations) {
    if (e.role == role) return &e;
  }
  return nullptr;
}

Result<TestPlan> PlanTest(const Contract& contract, const Example& ex,
                          bool require_correlation_id) {
  TestPlan plan;
  plan.example = &ex;
  // The operation: a receive operation on the example's receive topic (or, for a send-only
  // example, a send operation on its send topic); among several, the one that fits best.
  const ExampleMessage* trigger = ex.receive ? &*ex.receive : &*ex.send;
  const Operation* best = nullptr;
  int best_misfits = 0;
  for (const auto& op : contract.operations) {
    const bool fits_trigger =
        ex.receive
            ? (op->action == Operation::Action::kReceive && op->channel->address == trigger->topic)
            : ((op->action == Operation::Action::kSend && op->channel->address == trigger->topic) ||
               (op->reply && op->reply->channel->address == trigger->topic));
    if (!fits_trigger) continue;
    const int misfits = Misfits(*op, ex);
    if (best == nullptr || misfits < best_misfits) {
      best = op.get();
      best_misfits = misfits;
    }
  }
  if (best == nullptr) {
    return tl::unexpected(At(ex, trigger->pointer + "/topic",
                             "no " + std::string(ex.receive ? "receive" : "send") +
                                 " operation on channel '" + trigger->topic +
                                 "' (the contract's channels: " + ChannelList(contract) + ")"));
  }
  plan.operation = best;
  if (ex.receive) {
    plan.input = best->channel;
    plan.input_messages = best->messages;
  }

  for (const ExampleMessage* m : ex.Expected()) {
    Expectation e;
    e.role = m->role;
    e.expected = m;
    e.channel = ChannelFor(*best, m->role, &e.messages);
    if (e.channel == nullptr) {
      return tl::unexpected(At(ex, m->pointer,
                               "operation '" + best->id + "' declares no " +
                                   (m->role == Role::kReply   ? "reply"
                                    : m->role == Role::kRetry ? "retry channel"
                                                              : "dead-letter channel") +
                                   " for a '" + std::string(RoleKey(m->role)) + "' block"));
    }
    if (e.channel->address != m->topic) {
      return tl::unexpected(At(ex, m->pointer + "/topic",
                               "topic '" + m->topic + "' is not the " +
                                   std::string(RoleKey(m->role)) + " channel of operation '" +
                                   best->id + "' ('" + e.channel->address + "')"));
    }
    plan.expectations.push_back(std::move(e));
  }

  // Correlation: where the trigger carries it.
  std::vector<CorrelationIdLocation> input_locations;
  const std::vector<const Message*>& trigger_messages =
      ex.receive ? best->messages : plan.expectations.front().messages;
  for (const Message* m : trigger_messages) {
    if (m->correlation_id) AddLocation(input_locations, *m->correlation_id);
  }
  if (input_locations.empty()) {
    AddLocation(input_locations,
                CorrelationIdLocation{CorrelationIdLocation::Source::kHeader, "/CorrelationId",
                                      "$message.header#/CorrelationId"});
  }
  const nlohmann::json payload = trigger->payload.value_or(nlohmann::json(nullptr));
  auto id = ExtractCorrelationId(trigger->headers, payload, input_locations);
  if ((!id || id->empty()) && require_correlation_id) {
    return tl::unexpected(At(ex, trigger->pointer,
                             "no correlation id at " + input_locations.front().expression +
                                 ": the runner could not tell this test's messages apart"));
  }
  plan.correlation_id = id.value_or("");
  for (const Channel* c : best->OutputChannels()) {
    std::vector<const Message*> messages;
    for (Role r : {Role::kReply, Role::kRetry, Role::kDeadLetter}) {
      if (ChannelFor(*best, r, &messages) == c) {
        for (const Message* m : messages) {
          if (m->correlation_id) AddLocation(plan.correlation_locations, *m->correlation_id);
        }
      }
    }
  }
  for (const CorrelationIdLocation& loc : input_locations)
    AddLocation(plan.correlation_locations, loc);

  plan.watched = best->OutputChannels();
  if (!ex.receive &&
      std::find(plan.watched.begin(), plan.watched.end(), best->channel) == plan.watched.end()) {
    plan.watched.push_back(best->channel);
  }
  for (const Expectation& e : plan.expectations) {
    if (std::find(plan.watched.begin(), plan.watched.end(), e.channel) == plan.watched.end())
      plan.watched.push_back(e.channel);
  }
  return plan;
}

}  // namespace driftline::contract
