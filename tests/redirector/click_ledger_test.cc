// ClickLedger (clicks/click_ledger.h), the bookkeeping of exactly-once
// clicks, driven directly: no thread, socket or Redis, and time passed in.
// The flusher's tests (click_flusher_test.cc) run the same rules through a
// real redis-server and a real admin-api.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <initializer_list>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "clicks/click_ledger.h"
#include "common/click_batch.h"
#include "common/wire.h"

// A failed comparison of entries says what they were, not "{?}".
template <>
struct Catch::StringMaker<shortlink::ClickEntry> {
  static std::string convert(const shortlink::ClickEntry& e) {
    return "(" + (e.domain.empty() ? std::string("default") : e.domain) + ", " + e.code + ", " +
           std::to_string(e.count) + ")";
  }
};

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

// Clicks on links of any domain: (domain, code, count), "" the default domain.
struct DomainClicks {
  const char* domain;
  const char* code;
  uint64_t count;
};
CodeCounts DomainCounts(std::initializer_list<DomainClicks> counts) {
  CodeCounts out;
  for (const DomainClicks& c : counts) out[ClickKey(c.domain, c.code)] += c.count;
  return out;
}

// A batch's entries in a fixed order, for comparing without the map's order.
std::vector<ClickEntry> Sorted(std::vector<ClickEntry> entries) {
  std::sort(entries.begin(), entries.end(), [](const ClickEntry& a, const ClickEntry& b) {
    return std::tie(a.domain, a.code) < std::tie(b.domain, b.code);
  });
  return entries;
}

// What a flush leaves on disk: the state file and each sealed batch's file.
struct Saved {
  std::string state;
  std::vector<std::string> sealed;
};
Saved Save(const ClickLedger& ledger) {
  Saved saved{ledger.EncodeState(), {}};
  for (size_t i = 0; i < ledger.pending_batches(); ++i)
    if (!ledger.encoded(i).empty()) saved.sealed.push_back(ledger.encoded(i));
  return saved;
}
// A restart reading them back, as the flusher does.
Status Restore(ClickLedger* ledger, const Saved& saved) {
  Status state = ledger->LoadState(saved.state);
  for (const std::string& bytes : saved.sealed) {
    Status s = ledger->LoadSealed(bytes);
    if (!s.ok()) return s;
  }
  ledger->FinishLoad();
  return state;
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

TEST_CASE("click ledger: a failed send goes again at once, an unapplied one after resend_after",
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
  Saved saved;
  std::string first_sealed;
  {
    ClickLedger before(Options(), &metrics);
    before.OnWatermark(0, kStart);
    before.Add(Counts({{"a", 1}}));
    SealAndPersist(before);
    before.Add(Counts({{"b", 2}}));
    SealAndPersist(before);
    before.Add(Counts({{"c", 3}}));  // open when the node stopped
    first_sealed = before.encoded(0);
    saved = Save(before);
  }
  CHECK(saved.sealed.size() == 2);  // the state file holds the open batch only
  MetricsRegistry metrics_after;
  ClickLedger after(Options(), &metrics_after);
  REQUIRE(Restore(&after, saved).ok());
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
  std::string damaged = saved.state;
  damaged[damaged.size() / 2] ^= 0x40;
  ClickLedger fresh(Options(), &metrics_after);
  CHECK_FALSE(fresh.LoadState(damaged).ok());
  CHECK(fresh.pending_batches() == 0);
  CHECK(fresh.next_number() == 1u);
  // So does another node's state.
  ClickLedgerOptions other = Options();
  other.node_id = "node-b";
  ClickLedger stranger(other, &metrics_after);
  CHECK_FALSE(stranger.LoadState(saved.state).ok());
  CHECK_FALSE(stranger.LoadSealed(saved.sealed[0]).ok());
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

// --- domains -------------------------------------------------------------------

TEST_CASE("click ledger: a custom domain's key splits back into its domain and code",
          "[click_ledger][domain]") {
  CHECK(ClickKey("", "go") == "go");  // the default domain's key is the code, as before domains
  std::string key = ClickKey("b.example", "go");
  CHECK(key != "go");
  CHECK(key != ClickKey("c.example", "go"));
  LinkKey split = SplitClickKey(key);
  CHECK(split.domain == "b.example");
  CHECK(split.code == "go");
  split = SplitClickKey("go");
  CHECK(split.domain.empty());
  CHECK(split.code == "go");
}

TEST_CASE(
    "click ledger: clicks on a custom domain go out under (domain, code), apart from the "
    "same code on the default domain",
    "[click_ledger][domain]") {
  MetricsRegistry metrics;
  ClickLedger ledger(Options(), &metrics);
  ledger.OnWatermark(0, kStart);
  ledger.Add(DomainCounts({{"b.example", "go", 2}, {"", "go", 5}}));
  ledger.Add(DomainCounts({{"b.example", "go", 1}, {"c.example", "go", 4}}));  // merged
  CHECK(ledger.pending_clicks() == 12u);
  SealAndPersist(ledger);
  ClickBatch batch = Decoded(ledger.encoded(0));
  CHECK(Sorted(batch.clicks) == std::vector<ClickEntry>{ClickEntry("go", 5),
                                                        ClickEntry("go", 3, "b.example"),
                                                        ClickEntry("go", 4, "c.example")});
}

TEST_CASE(
    "click ledger: a batch of default-domain clicks is byte for byte the format before "
    "domains",
    "[click_ledger][domain]") {
  MetricsRegistry metrics;
  ClickLedger ledger(Options(), &metrics);
  ledger.OnWatermark(6, kStart);
  ledger.Add(Counts({{"go", 3}, {"docs", 1}, {"a-long-code-0123456789", 300}}));
  SealAndPersist(ledger);
  const std::string& sent = ledger.encoded(0);

  // The batch's own order of entries (a hash map's), rebuilt as the first
  // format wrote it: tag 1 node, tag 2 number, a tag 3 per entry holding
  // varint count | code. No tag 4, no domain.
  ClickBatch decoded = Decoded(sent);
  REQUIRE(decoded.clicks.size() == 3);
  std::string by_hand;
  wire::PutField(1, "node-a", &by_hand);
  wire::PutVarintField(2, 7, &by_hand);
  for (const ClickEntry& e : decoded.clicks) {
    CHECK(e.domain.empty());
    std::string entry;
    wire::PutVarint(e.count, &entry);
    entry.append(e.code);
    wire::PutField(3, entry, &by_hand);
  }
  CHECK(sent == by_hand);

  // And through common's encoder, entries without a domain.
  ClickBatch plain{"node-a", 7, {}};
  for (const ClickEntry& e : decoded.clicks) plain.clicks.emplace_back(e.code, e.count);
  std::string encoded;
  EncodeClickBatch(plain, &encoded);
  CHECK(sent == encoded);
  CHECK(Sorted(decoded.clicks) == std::vector<ClickEntry>{ClickEntry("a-long-code-0123456789", 300),
                                                          ClickEntry("docs", 1),
                                                          ClickEntry("go", 3)});
}

TEST_CASE("click ledger: a restart keeps custom domains' clicks, open and sealed",
          "[click_ledger][domain]") {
  MetricsRegistry metrics;
  Saved saved;
  std::string sealed;
  {
    ClickLedger before(Options(), &metrics);
    before.OnWatermark(0, kStart);
    before.Add(DomainCounts({{"b.example", "go", 1}, {"", "go", 2}}));
    SealAndPersist(before);
    before.Add(DomainCounts({{"b.example", "go", 4}, {"", "go", 8}}));  // open
    sealed = before.encoded(0);
    saved = Save(before);
  }
  MetricsRegistry metrics_after;
  ClickLedger after(Options(), &metrics_after);
  REQUIRE(Restore(&after, saved).ok());
  CHECK(after.pending_batches() == 2);
  CHECK(after.encoded(0) == sealed);
  // The open batch was read back under (domain, code): new clicks on the
  // same links merge into its entries rather than adding others.
  after.Add(DomainCounts({{"b.example", "go", 16}, {"", "go", 32}}));
  after.OnWatermark(0, kStart);
  SealAndPersist(after);
  ClickBatch resumed = Decoded(after.encoded(1));
  CHECK(resumed.number == 2u);
  CHECK(Sorted(resumed.clicks) ==
        std::vector<ClickEntry>{ClickEntry("go", 40), ClickEntry("go", 20, "b.example")});
}

}  // namespace shortlink::redirector

namespace shortlink::redirector {
namespace {

// The previous release's state file: every pending batch inside it, sealed
// ones too (magic | next | count | per batch: sealed byte, length, bytes |
// FNV-1a of all before).
std::string PreviousReleaseState(uint64_t next, const std::vector<std::string>& sealed,
                                 const std::vector<std::string>& open) {
  std::string out("SLCLICK1");
  wire::PutVarint(next, &out);
  wire::PutVarint(sealed.size() + open.size(), &out);
  for (const auto* list : {&sealed, &open}) {
    for (const std::string& bytes : *list) {
      out.push_back(list == &sealed ? 1 : 0);
      wire::PutVarint(bytes.size(), &out);
      out.append(bytes);
    }
  }
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : out) h = (h ^ c) * 1099511628211ull;
  wire::PutFixed64BE(h, &out);
  return out;
}

}  // namespace

TEST_CASE(
    "click ledger: the previous release's state file loads whole and its sealed batches get files "
    "of their own",
    "[click_ledger][upgrade]") {
  const std::string sealed = EncodeClickCounts("node-a", 7, Counts({{"a", 2}}));
  const std::string open = EncodeClickCounts("node-a", 8, Counts({{"b", 3}}));
  const std::string old_state = PreviousReleaseState(9, {sealed}, {open});

  SECTION("the state file alone") {
    MetricsRegistry metrics;
    ClickLedger ledger(Options(), &metrics);
    REQUIRE(ledger.LoadState(old_state).ok());
    ledger.FinishLoad();
    CHECK(ledger.pending_batches() == 2);
    CHECK(ledger.pending_clicks() == 5u);
    CHECK(ledger.encoded(0) == sealed);
    // Not sent before its own file exists; the state file is then rewritten without it.
    ledger.OnWatermark(6, kStart);
    CHECK_FALSE(ledger.PlanSend(kStart, false));
    CHECK(ledger.sealed_unpersisted());
    CHECK(ledger.UnpersistedSealed() == std::vector<size_t>{0});
    CHECK(ledger.state_dirty());
    ledger.MarkDurable(0);
    CHECK_FALSE(ledger.sealed_unpersisted());
    auto plan = ledger.PlanSend(kStart, false);
    REQUIRE(plan);
    CHECK(plan->end == 1);
    // The rewritten state file holds the open batch only.
    ClickLedger reread(Options(), &metrics);
    REQUIRE(reread.LoadState(ledger.EncodeState()).ok());
    CHECK(reread.pending_batches() == 1);
    CHECK(reread.pending_clicks() == 3u);
  }
  SECTION("the state file and the sealed batch's own file (a crash mid-upgrade)") {
    MetricsRegistry metrics;
    ClickLedger ledger(Options(), &metrics);
    REQUIRE(ledger.LoadState(old_state).ok());
    REQUIRE(ledger.LoadSealed(sealed).ok());
    ledger.FinishLoad();
    CHECK(ledger.pending_batches() == 2);  // not twice
    CHECK(ledger.pending_clicks() == 5u);
    CHECK_FALSE(ledger.sealed_unpersisted());
  }
}

TEST_CASE(
    "click ledger: a crash between a sealed batch's file and the state file keeps the sealed batch "
    "once",
    "[click_ledger]") {
  MetricsRegistry metrics;
  Saved on_disk;
  {
    ClickLedger before(Options(), &metrics);
    before.OnWatermark(0, kStart);
    before.Add(Counts({{"a", 1}}));
    on_disk.state = before.EncodeState();  // the state file holds batch 1 open
    before.MarkStateWritten();
    before.Seal();
    CHECK(before.state_dirty());                  // it must be rewritten without batch 1
    on_disk.sealed.push_back(before.encoded(0));  // then the crash
  }
  ClickLedger after(Options(), &metrics);
  REQUIRE(Restore(&after, on_disk).ok());
  CHECK(after.pending_batches() == 1);
  CHECK(after.pending_clicks() == 1u);
  CHECK(after.encoded(0) == on_disk.sealed[0]);
  CHECK(after.next_number() == 2u);
}

TEST_CASE("click ledger: a renumbered open batch is written to the state file before it is sealed",
          "[click_ledger]") {
  MetricsRegistry metrics;
  ClickLedger ledger(Options(), &metrics);
  ledger.OnWatermark(0, kStart);
  ledger.Add(Counts({{"a", 1}}));
  ledger.MarkStateWritten();
  CHECK_FALSE(ledger.numbers_unpersisted());
  ledger.OnWatermark(5, kStart);  // the open batch becomes 6
  CHECK(ledger.numbers_unpersisted());
  Saved on_disk;
  on_disk.state = ledger.EncodeState();  // what the flusher writes first
  ledger.MarkStateWritten();
  ledger.Seal();
  on_disk.sealed.push_back(ledger.encoded(0));
  CHECK(Decoded(on_disk.sealed[0]).number == 6u);
  ClickLedger after(Options(), &metrics);
  REQUIRE(Restore(&after, on_disk).ok());
  CHECK(after.pending_clicks() == 1u);
}

TEST_CASE(
    "click ledger: a second sealed before the state file was written leaves it as it is; released "
    "batches are named",
    "[click_ledger]") {
  MetricsRegistry metrics;
  ClickLedger ledger(Options(), &metrics);
  ledger.OnWatermark(0, kStart);
  ledger.MarkPersisted();
  for (int second = 0; second < 3; ++second) {
    ledger.Add(Counts({{"a", 1}}));
    CHECK(ledger.state_dirty());  // open and changed
    ledger.Seal();
    CHECK_FALSE(ledger.state_dirty());  // sealed before the state file ever held it
    CHECK(ledger.sealed_unpersisted());
    for (size_t i : ledger.UnpersistedSealed()) ledger.MarkDurable(i);
  }
  CHECK(ledger.TakeReleased().empty());
  ledger.OnWatermark(2, kStart);
  CHECK(ledger.TakeReleased() == std::vector<uint64_t>{1, 2});
  CHECK(ledger.TakeReleased().empty());
  CHECK(ledger.pending_batches() == 1);
}

namespace {

// The tags of a batch's top-level fields.
std::vector<uint8_t> TopTags(std::string_view bytes) {
  std::vector<uint8_t> tags;
  wire::Reader reader(bytes);
  while (!reader.done()) {
    uint8_t tag = 0;
    std::string_view field;
    REQUIRE(reader.ReadField(&tag, &field));
    tags.push_back(tag);
  }
  return tags;
}

bool Has(const std::vector<uint8_t>& tags, uint8_t tag) {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

// Adds two clicks on "go", one mobile and one desktop, and seals them:
// the tags of the batch it sent.
std::vector<uint8_t> SealTwoClassifiedClicks(ClickLedger& ledger) {
  VisitTally tally;
  VisitTally::LinkRef link = tally.Link("go");
  tally.Add(link, tally.Intern(kClickDeviceClass, "mobile"));
  tally.Add(link, tally.Intern(kClickDeviceClass, "desktop"));
  ledger.Add(Counts({{"go", 2}}), std::move(tally));
  SealAndPersist(ledger);
  return TopTags(ledger.encoded(ledger.pending_batches() - 1));
}

}  // namespace

TEST_CASE("click ledger: dimensions go per entry until admin-api says it reads the dictionary",
          "[click_ledger][analytics]") {
  MetricsRegistry metrics;
  ClickLedgerOptions options = Options();
  options.analytics = true;
  ClickLedger ledger(options, &metrics);
  ledger.OnWatermark(0, kStart);
  // An admin-api of the release before reads tag 5 only.
  const std::vector<uint8_t> first = SealTwoClassifiedClicks(ledger);
  CHECK(Has(first, 5));
  CHECK_FALSE(Has(first, 6));
  CHECK_FALSE(Has(first, 7));

  ledger.set_admin_reads_dictionary(true);
  const std::vector<uint8_t> second = SealTwoClassifiedClicks(ledger);
  CHECK_FALSE(Has(second, 5));
  CHECK(Has(second, 6));
  CHECK(Has(second, 7));

  // Both forms carry the same dimensions.
  ClickBatch a = Decoded(ledger.encoded(0)), b = Decoded(ledger.encoded(1));
  REQUIRE(a.clicks.size() == 1);
  REQUIRE(b.clicks.size() == 1);
  CHECK(a.clicks[0].dimensions == b.clicks[0].dimensions);
  CHECK(a.clicks[0].count == 2);
  uint64_t device_sum = 0;
  for (const DimensionCount& d : b.clicks[0].dimensions)
    if (d.dimension == kClickDeviceClass) device_sum += d.count;
  CHECK(device_sum == 2);
}

}  // namespace shortlink::redirector
