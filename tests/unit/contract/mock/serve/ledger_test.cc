#include "contract/mock/serve/ledger.h"

#include <gtest/gtest.h>

namespace driftline::contract::mock {
namespace {

using nlohmann::json;

class LedgerTest : public ::testing::Test {
 protected:
  LedgerTest() {
    in_.id = "orders";
    in_.address = "orders-in";
    in_.protocol = Protocol::kKafka;
    out_.id = "replies";
    out_.address = "orders-out";
    out_.protocol = Protocol::kSqs;
    example_.name = "Standard order";
    example_.file = "examples/standard.json";
  }

  // A response with one reply per `replies`.
  Response Reply(int replies, const Example* example) {
    Response r;
    r.kind = example != nullptr ? Response::Kind::kExample : Response::Kind::kGenerated;
    r.example = example;
    r.correlation_id = "c-1";
    r.reason = "because";
    for (int i = 0; i < replies; ++i) {
      PlannedOutput o;
      o.channel = &out_;
      o.role = Role::kReply;
      o.due = FromEpochMillis(1'700'000'000'123);
      r.outputs.push_back(o);
    }
    return r;
  }

  ObservedMessage Input() {
    ObservedMessage m;
    m.channel = &in_;
    m.payload = json{{"orderId", "ORD-1"}};
    return m;
  }

  Channel in_;
  Channel out_;
  Example example_;
};

TEST_F(LedgerTest, CountsWhatWasReceivedAndWhatBecameOfEachOutput) {
  Ledger ledger({&in_, &out_}, 10);
  const auto a = ledger.Received(Input(), Reply(2, &example_), FromEpochMillis(1'700'000'000'000));
  const auto b = ledger.Received(Input(), Reply(1, nullptr), FromEpochMillis(1'700'000'000'000));
  EXPECT_EQ(ledger.pending(), 3);
  ledger.Settled(a, 0, false, out_, Role::kReply, &example_, Ledger::Outcome::kSent);
  ledger.Settled(a, 1, false, out_, Role::kReply, &example_, Ledger::Outcome::kDropped);
  ledger.Duplicated(out_);
  ledger.Settled(b, 0, false, out_, Role::kReply, nullptr, Ledger::Outcome::kSent);
  ledger.Settled(b, 0, true, out_, Role::kReply, nullptr, Ledger::Outcome::kFailed, "down");
  EXPECT_EQ(ledger.pending(), 0);

  const json v = ledger.Verify({&example_}, json::object());
  EXPECT_EQ(v["inputs"], 2);
  EXPECT_EQ(v["kinds"]["example"], 1);
  EXPECT_EQ(v["kinds"]["generated"], 1);
  EXPECT_EQ(v["kinds"]["dead-letter"], 0);
  EXPECT_EQ(v["channels"]["orders-in"]["received"], 2);
  const json& out = v["channels"]["orders-out"];
  EXPECT_EQ(out["id"], "replies");
  EXPECT_EQ(out["protocol"], "sqs");
  EXPECT_EQ(out["emitted"], 2);
  EXPECT_EQ(out["replies"], 2);
  EXPECT_EQ(out["dropped"], 1);
  EXPECT_EQ(out["duplicated"], 1);
  EXPECT_EQ(out["failed"], 1);
  EXPECT_EQ(out["pending"], 0);
  ASSERT_EQ(v["examples"].size(), 1u);
  EXPECT_EQ(v["examples"][0]["name"], "Standard order");
  EXPECT_EQ(v["examples"][0]["matched"], 1);
  EXPECT_EQ(v["examples"][0]["emitted"]["orders-out"], 1);

  const json log = ledger.Log(10)["exchanges"];
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["id"], a);
  EXPECT_EQ(log[0]["kind"], "example");
  EXPECT_EQ(log[0]["example"], "Standard order");
  EXPECT_EQ(log[0]["received_at"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(log[0]["outputs"][0]["status"], "sent");
  EXPECT_EQ(log[0]["outputs"][0]["due"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(log[0]["outputs"][1]["status"], "dropped");
  EXPECT_EQ(log[1]["example"], nullptr);
  EXPECT_EQ(log[1]["input"]["orderId"], "ORD-1");
  EXPECT_EQ(log[1]["outputs"][0]["status"], "sent");  // the duplicate's failure is its own
}

TEST_F(LedgerTest, TheLogKeepsTheLastExchangesOldestFirst) {
  Ledger ledger({&in_, &out_}, 3);
  for (int i = 0; i < 5; ++i)
    ledger.Received(Input(), Reply(1, nullptr), FromEpochMillis(0));
  const json all = ledger.Log(100)["exchanges"];
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]["id"], 3);
  EXPECT_EQ(all[2]["id"], 5);
  const json last = ledger.Log(1)["exchanges"];
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0]["id"], 5);
  // An exchange that left the log is still counted when its output is settled.
  ledger.Settled(1, 0, false, out_, Role::kReply, nullptr, Ledger::Outcome::kSent);
  EXPECT_EQ(ledger.Verify({}, json::object())["channels"]["orders-out"]["emitted"], 1);
}

TEST_F(LedgerTest, ResetZeroesCountersAndLogButKeepsPending) {
  Ledger ledger({&in_, &out_}, 10);
  const auto a = ledger.Received(Input(), Reply(1, &example_), FromEpochMillis(0));
  ledger.Reset();
  EXPECT_EQ(ledger.pending(), 1);
  json v = ledger.Verify({&example_}, json::object());
  EXPECT_EQ(v["inputs"], 0);
  EXPECT_EQ(v["channels"]["orders-in"]["received"], 0);
  EXPECT_EQ(v["examples"][0]["matched"], 0);
  EXPECT_TRUE(ledger.Log(10)["exchanges"].empty());
  ledger.Settled(a, 0, false, out_, Role::kReply, &example_, Ledger::Outcome::kSent);
  v = ledger.Verify({&example_}, json::object());
  EXPECT_EQ(v["channels"]["orders-out"]["emitted"], 1);
  EXPECT_EQ(v["channels"]["orders-out"]["pending"], 0);
}

}  // namespace
}  // namespace driftline::contract::mock
