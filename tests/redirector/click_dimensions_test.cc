// Click analytics through the ledger: a VisitTally rides beside the clicks
// (clicks/visit_tally.h), is merged like them, joins its links' entries
// when a batch is sealed, and is padded so that every dimension sums to the
// entry's count.
#include <catch2/catch.hpp>
#include <map>

#include "clicks/click_ledger.h"
#include "clicks/visit_classifier.h"
#include "common/click_batch.h"

namespace shortlink::redirector {
namespace {

void Add(VisitTally* tally, std::string_view link, uint8_t dimension, std::string_view value,
         uint64_t n) {
  tally->Add(tally->Link(link), tally->Intern(dimension, value), n);
}

// dimension -> value -> count of an entry.
std::map<int, std::map<std::string, uint64_t>> ByDimension(const ClickEntry& e) {
  std::map<int, std::map<std::string, uint64_t>> out;
  for (const DimensionCount& d : e.dimensions) out[d.dimension][d.value] += d.count;
  return out;
}

}  // namespace

TEST_CASE("a tally interns each value once and merges by value, whatever the ids") {
  VisitTally a, b;
  Add(&a, "abc", kClickCountry, "DE", 2);
  Add(&a, "abc", kClickCountry, "DE", 1);
  Add(&b, "abc", kClickCountry, "SG", 1);  // id 0 in b, another value than a's id 0
  Add(&b, "abc", kClickCountry, "DE", 4);
  Add(&b, "xyz", kClickOs, "iOS 17", 1);
  CHECK(a.Intern(kClickCountry, "DE") == a.Intern(kClickCountry, "DE"));
  CHECK(a.Intern(kClickCountry, "DE") != a.Intern(kClickOs, "DE"));
  a.Merge(b);
  std::map<std::string, uint64_t> abc;
  REQUIRE(
      a.ForEachCount("abc", [&](VisitTally::ValueId id, uint64_t n) { abc[a.value_of(id)] += n; }));
  CHECK(abc == std::map<std::string, uint64_t>{{"DE", 7}, {"SG", 1}});
  CHECK(a.ForEachCount("xyz", [](VisitTally::ValueId, uint64_t) {}));
  CHECK_FALSE(a.ForEachCount("nope", [](VisitTally::ValueId, uint64_t) {}));
  CHECK(a.links() == 2);
}

TEST_CASE("a link with more values than a block holds keeps them all") {
  VisitTally tally;
  VisitTally::LinkRef link = tally.Link("abc");
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 40; ++i)
      tally.Add(link, tally.Intern(kClickReferrerHost, "r" + std::to_string(i)));
  std::map<std::string, uint64_t> seen;
  tally.ForEachCount("abc",
                     [&](VisitTally::ValueId id, uint64_t n) { seen[tally.value_of(id)] += n; });
  REQUIRE(seen.size() == 40);
  for (auto& [value, n] : seen) CHECK(n == 3);
}

TEST_CASE("sealed dimension counts join their entry and are padded to its count") {
  CodeCounts counts;
  counts["abc"] = 5;
  VisitTally tally;
  Add(&tally, "abc", kClickCountry, "DE", 3);
  Add(&tally, "abc", kClickCountry, "SG", 1);
  Add(&tally, "abc", kClickDeviceClass, "mobile", 5);
  Add(&tally, "xyz", kClickBot, "Googlebot", 2);  // a link with bot visits only
  auto batch = DecodeClickBatch(EncodeClickCounts("n1", 7, counts, nullptr, &tally, true));
  REQUIRE(batch.ok());
  REQUIRE(batch->clicks.size() == 2);
  for (const ClickEntry& e : batch->clicks) {
    auto dims = ByDimension(e);
    if (e.code == "abc") {
      CHECK(e.count == 5);
      CHECK(dims[kClickCountry] ==
            std::map<std::string, uint64_t>{{"DE", 3}, {"SG", 1}, {"ZZ", 1}});
      CHECK(dims[kClickDeviceClass] == std::map<std::string, uint64_t>{{"mobile", 5}});
      CHECK(dims[kClickLanguage] == std::map<std::string, uint64_t>{{"none", 5}});
      // Every dimension the padding covers sums to the count; bots and cities are apart.
      for (auto& [dimension, values] : dims) {
        if (dimension == kClickBot || dimension == kClickCity) continue;
        uint64_t sum = 0;
        for (auto& [value, n] : values) sum += n;
        CHECK(sum == 5);
      }
      CHECK(dims.count(kClickHour) == 1);
    } else {
      CHECK(e.code == "xyz");
      CHECK(e.count == 0);
      CHECK(dims[kClickBot] == std::map<std::string, uint64_t>{{"Googlebot", 2}});
    }
  }
}

TEST_CASE("without analytics a batch is what it always was") {
  CodeCounts counts;
  counts["abc"] = 5;
  auto batch = DecodeClickBatch(EncodeClickCounts("n1", 7, counts));
  REQUIRE(batch.ok());
  REQUIRE(batch->clicks.size() == 1);
  CHECK(batch->clicks[0].dimensions.empty());
}

TEST_CASE("the ledger merges dimensions with clicks and keeps them across a state file") {
  MetricsRegistry metrics;
  ClickLedgerOptions options;
  options.node_id = "n1";
  options.analytics = true;
  ClickLedger ledger(options, &metrics);
  CodeCounts counts;
  counts["abc"] = 4;
  VisitTally tally;
  Add(&tally, "abc", kClickBrowser, "Firefox", 4);
  ledger.Add(std::move(counts), std::move(tally));
  CHECK(ledger.pending_clicks() == 4);
  CodeCounts more;
  more["abc"] = 1;
  VisitTally more_tally;
  Add(&more_tally, "abc", kClickBrowser, "Chrome", 1);
  ledger.Add(std::move(more), std::move(more_tally));
  CHECK(ledger.pending_clicks() == 5);

  ClickLedger reloaded(options, &metrics);
  REQUIRE(reloaded.LoadState(ledger.EncodeState()).ok());
  CHECK(reloaded.pending_clicks() == 5);
  reloaded.OnWatermark(0, ClickLedger::Clock::now());
  reloaded.Seal();
  CHECK_FALSE(reloaded.PlanSend(ClickLedger::Clock::now(), false).has_value());  // not durable
  reloaded.MarkPersisted();
  auto plan = reloaded.PlanSend(ClickLedger::Clock::now(), false);
  REQUIRE(plan.has_value());
  auto batch = DecodeClickBatch(reloaded.encoded(plan->first));
  REQUIRE(batch.ok());
  REQUIRE(batch->clicks.size() == 1);
  CHECK(batch->clicks[0].count == 5);
  auto dims = ByDimension(batch->clicks[0]);
  CHECK(dims[kClickBrowser] == std::map<std::string, uint64_t>{{"Chrome", 1}, {"Firefox", 4}});
  CHECK(dims[kClickCountry] == std::map<std::string, uint64_t>{{"ZZ", 5}});  // padded at seal
}

}  // namespace shortlink::redirector
