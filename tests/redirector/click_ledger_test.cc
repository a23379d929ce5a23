// ClickLedger (clicks/click_ledger.h), the bookkeeping of exactly-once
// clicks, driven directly: no thread, socket or Redis, and time passed in.
// The flusher's tests (click_flusher_test.cc) run the same rules through a
// real redis-server and a real admin-api.
#include <catch2/catch.hpp>
#include <chrono>
#include <initializer_list>
#include <string>
#include <utility>

#include "clicks/click_ledger.h"
#include "common/click_batch.h"

namespace shortlink::redirector {
namespace {

using namespace std::chrono_literals;
using Clock = ClickLedger::Clock;

const Clock::time_point kStart = Clock::time_point{} + 1000h;  // {} means "not sent"

CodeCounts Counts(std::initializer_list<std::pair<const char*, uint64_t>> counts) {
  CodeCounts out;
  for (auto [code, n] : counts) out[code] += n;
  return out;
}

ClickLedgerOptions Options() {
  ClickLedgerOptions o;
  o.node_id = "node-a";
  return o;
}

ClickBatch Decoded(const std::string& bytes) {
  auto batch = DecodeClickBatch(bytes);
  REQUIRE(batch.ok());
  return *batch;
}

uint64_t CounterValue(MetricsRegistry& m, const char* name) {
  return m.GetCounter(name, "")->value();
}

// Seals and persists what is open, as a flush does before it sends.
void SealAndPersist(ClickLedger& ledger) {
  ledger.Seal();
  ledger.MarkPersisted();
}

}  // namespace

TEST_CASE("click ledger: batches are numbered after the watermark, one by one", "[click_ledger]") {
  MetricsRegistry metrics;
  ClickLedger ledger(Options(), &metrics);
  ledger.Add(Counts({{"a", 1}}));
  ledger.Add(Counts({{"a", 2}, {"b", 1}}));  // joins the open batch
  CHECK(ledger.pending_batches() == 1);
  // Nothing is sealed or sent before the watermark is known.
  SealAndPersist(ledger);
  CHECK_FALSE(ledger.PlanSend(kStart, false));

  ledger.OnWatermark(41, kStart);  // admin-api has applied 41 of this node's batches
  SealAndPersist(ledger);
  auto plan = ledger.PlanSend(kStart, false);
  REQUIRE(plan);
  CHECK(plan->fillers.empty());
  CHECK(plan->first == 0);
  CHECK(plan->end == 1);
  CHECK_FALSE(plan->resend);
  ClickBatch first = Decoded(ledger.encoded(0));
  CHECK(first.node == "node-a");
  CHECK(first.number == 42u);
  CodeCounts sent;
  for (const ClickEntry& e : first.clicks) sent[e.code] += e.count;
  CHECK(sent == Counts({{"a", 3}, {"b", 1}}));
  ledger.MarkSent(0, kStart);

  ledger.Add(Counts({{"c", 5}}));  // the last batch is sealed: a new one
  SealAndPersist(ledger);
  plan = ledger.PlanSend(kStart, false);
  REQUIRE(plan);
  CHECK(plan->first == 1);  // only what this connection has not had
  CHECK(plan->end == 2);
  CHECK(Decoded(ledger.encoded(1)).number == 43u);
  CHECK(ledger.pending_clicks() == 9u);
}

TEST_CASE("click ledger: a sealed batch goes out only once the state file holds it",
          "[click_ledger]") {
  MetricsRegistry metrics;
  ClickLedger ledger(Options(), &metrics);
  ledger.OnWatermark(0, kStart);
  ledger.Add(Counts({{"a", 1}}));
  ledger.Seal();
  CHECK(ledger.sealed_unpersisted());
  CHECK_FALSE(ledger.PlanSend(kStart, false));
  ledger.MarkPersisted();
  CHECK_FALSE(ledger.sealed_unpersisted());
  CHECK(ledger.PlanSend(kStart, false));
}

TEST_CASE("click ledger: a failed send goes again at once; an unapplied one after resend_after",
          "[click_ledger]") {
  MetricsRegistry metrics;
  ClickLedger ledger(Options(), &metrics);
  ledger.OnWatermark(0, kStart);
  ledger.Add(Counts({{"a", 1}}));
  SealAndPersist(ledger);
  ledger.Add(Counts({{"b", 1}}));
  SealAndPersist(ledger);

  // The first send failed (no MarkSent): the next flush sends both again,
  // as a first send, not a resend.
  auto plan = ledger.PlanSend(kStart, false);
  REQUIRE(plan);
  plan = ledger.PlanSend(kStart + 1s, false);
  REQUIRE(plan);
  CHECK(plan->first == 0);
  CHECK(plan->end == 2);
  CHECK_FALSE(plan->resend);
  ledger.MarkSent(0, kStart + 1s);
  ledger.MarkSent(1, kStart + 1s);

  // Sent, not yet applied: nothing to do until resend_after (5 s) has passed
  // with no progress.
  CHECK_FALSE(ledger.PlanSend(kStart + 5s, false));
  plan = ledger.PlanSend(kStart + 6s, false);
  REQUIRE(plan);
  CHECK(plan->resend);
  CHECK(plan->first == 0);  // everything, in number order: admin-api refuses gaps
  CHECK(plan->end == 2);
  ledger.MarkSent(0, kStart + 6s);
  ledger.MarkSent(1, kStart + 6s);
  ledger.FinishResend(*plan);
  // The next resend waits twice as long while nothing is applied.
  CHECK_FALSE(ledger.PlanSend(kStart + 11s, false));
  CHECK(ledger.PlanSend(kStart + 16s, false));
  // Stopping, time is short: a second is enough.
  CHECK(ledger.PlanSend(kStart + 7s, true));

  // While admin-api cannot be asked, nothing is known lost: no resend.
  ledger.OnWatermarkUnavailable();
  CHECK_FALSE(ledger.PlanSend(kStart + 60s, false));

  // A new connection may be to a new stream: everything goes at once.
  ledger.ForgetSent();
  plan = ledger.PlanSend(kStart + 60s, false);
  REQUIRE(plan);
  CHECK_FALSE(plan->resend);
  CHECK(plan->first == 0);
  CHECK(plan->end == 2);
}

TEST_CASE("click ledger: the watermark releases what it covers and renumbers open batches",
          "[click_ledger]") {
  MetricsRegistry metrics;
  ClickLedgerOptions options = Options();
  options.max_in_flight = 2;
  ClickLedger ledger(options, &metrics);
  ledger.OnWatermark(0, kStart);
  ledger.Add(Counts({{"a", 1}}));
  SealAndPersist(ledger);
  ledger.Add(Counts({{"b", 2}}));
  SealAndPersist(ledger);
  ledger.Add(Counts({{"c", 4}}));
  SealAndPersist(ledger);  // two in flight: the third stays open and keeps absorbing
  ledger.Add(Counts({{"c", 4}}));
  CHECK(ledger.pending_batches() == 3);
  CHECK(ledger.next_number() == 4u);

  ledger.OnWatermark(1, kStart + 1s);
  CHECK(ledger.pending_batches() == 2);
  CHECK(ledger.acked_clicks() == 1u);
  CHECK(CounterValue(metrics, "shortlink_redirector_click_batches_acked_total") == 1u);
  ledger.OnWatermark(2, kStart + 2s);
  CHECK(ledger.pending_batches() == 1);
  CHECK(ledger.acked_clicks() == 3u);

  SealAndPersist(ledger);
  auto plan = ledger.PlanSend(kStart + 2s, false);
  REQUIRE(plan);
  ClickBatch third = Decoded(ledger.encoded(0));
  CHECK(third.number == 3u);
  REQUIRE(third.clicks.size() == 1);
  CHECK(third.clicks[0] == ClickEntry("c", 8));

  // A watermark past every number (the state file was lost, say): the open
  // batch takes the next number after it, never one admin-api has applied.
  ledger.OnWatermark(3, kStart + 3s);
  CHECK(ledger.pending_batches() == 0);
  ledger.Add(Counts({{"d", 1}}));
  ledger.OnWatermark(10, kStart + 4s);
  SealAndPersist(ledger);
  CHECK(Decoded(ledger.encoded(0)).number == 11u);
}

TEST_CASE("click ledger: a restart resumes numbering and pending batches from the state",
          "[click_ledger]") {
  MetricsRegistry metrics;
  std::string state, first_sealed;
  {
    ClickLedger before(Options(), &metrics);
    before.OnWatermark(0, kStart);
    before.Add(Counts({{"a", 1}}));
    SealAndPersist(before);
    before.Add(Counts({{"b", 2}}));
    SealAndPersist(before);
    before.Add(Counts({{"c", 3}}));  // open when the node stopped
    first_sealed = before.encoded(0);
    state = before.EncodeState();
  }
  MetricsRegistry metrics_after;
  ClickLedger after(Options(), &metrics_after);
  REQUIRE(after.LoadState(state).ok());
  CHECK(after.pending_batches() == 3);
  CHECK(after.pending_clicks() == 6u);
  CHECK(after.next_number() == 4u);
  CHECK(after.encoded(0) == first_sealed);  // sealed bytes kept, byte for byte

  after.Add(Counts({{"c", 1}}));  // still open: it absorbs
  after.OnWatermark(1, kStart);
  CHECK(after.pending_batches() == 2);
  SealAndPersist(after);
  auto plan = after.PlanSend(kStart, false);
  REQUIRE(plan);
  CHECK(plan->end == 2);
  CHECK(Decoded(after.encoded(0)).number == 2u);
  ClickBatch resumed = Decoded(after.encoded(1));
  CHECK(resumed.number == 3u);
  REQUIRE(resumed.clicks.size() == 1);
  CHECK(resumed.clicks[0] == ClickEntry("c", 4));
  after.Add(Counts({{"d", 1}}));
  CHECK(after.next_number() == 5u);

  // A damaged state starts afresh rather than guessing.
  std::string damaged = state;
  damaged[damaged.size() / 2] ^= 0x40;
  ClickLedger fresh(Options(), &metrics_after);
  CHECK_FALSE(fresh.LoadState(damaged).ok());
  CHECK(fresh.pending_batches() == 0);
  CHECK(fresh.next_number() == 1u);
  // So does another node's state.
  ClickLedgerOptions other = Options();
  other.node_id = "node-b";
  ClickLedger stranger(other, &metrics_after);
  CHECK_FALSE(stranger.LoadState(state).ok());
}

TEST_CASE(
    "click ledger: past its bounds the oldest batch is dropped, counted, and its number "
    "sent empty",
    "[click_ledger]") {
  MetricsRegistry metrics;
  ClickLedgerOptions options = Options();
  options.max_pending_batches = 3;
  ClickLedger ledger(options, &metrics);
  ledger.OnWatermark(0, kStart);
  for (uint64_t i = 1; i <= 4; ++i) {
    ledger.Add(Counts({{"a", i}}));
    SealAndPersist(ledger);
  }
  CHECK(ledger.pending_batches() == 3);
  CHECK(CounterValue(metrics, "shortlink_redirector_click_batches_dropped_total") == 1u);
  CHECK(CounterValue(metrics, "shortlink_redirector_clicks_lost_total") == 1u);

  auto plan = ledger.PlanSend(kStart, false);
  REQUIRE(plan);
  REQUIRE(plan->fillers.size() == 1);  // number 1 is gone: sent empty so the watermark passes it
  ClickBatch filler = Decoded(plan->fillers[0]);
  CHECK(filler.number == 1u);
  CHECK(filler.clicks.empty());
  CHECK(Decoded(ledger.encoded(0)).number == 2u);

  // By bytes as well: one batch of many codes is over a small budget.
  MetricsRegistry small_metrics;
  ClickLedgerOptions small = Options();
  small.max_pending_bytes = 4096;
  ClickLedger tight(small, &small_metrics);
  CodeCounts many;
  for (int i = 0; i < 100; ++i) many["code-" + std::to_string(i)] = 1;
  tight.Add(std::move(many));
  CHECK(tight.pending_batches() == 0);
  CHECK(CounterValue(small_metrics, "shortlink_redirector_clicks_lost_total") == 100u);
}

}  // namespace shortlink::redirector
