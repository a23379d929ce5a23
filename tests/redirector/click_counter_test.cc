// The per-thread click counter (clicks/click_counter.h): clicks counted by
// the link's (domain, code), a table's list of at most 63 custom domains,
// and what a 64th domain does to the table and to the worker's ThreadClicks.
// The flusher's tests (click_flusher_test.cc) drain these tables through a
// real redis-server; here they are read directly.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <utility>

#include "clicks/click_counter.h"

namespace shortlink::redirector {
namespace {

// (domain, code) -> count, as a table reports them; "" is the default domain.
using Counted = std::map<std::pair<std::string, std::string>, uint64_t>;

Counted Contents(const ClickTable& table) {
  Counted out;
  table.ForEachIn(0, ClickTable::kCapacity,
                  [&](std::string_view domain, std::string_view code, uint64_t count) {
                    out[{std::string(domain), std::string(code)}] += count;
                  });
  return out;
}

// A distinct custom domain per number: "d7.example". (Appended rather than
// `+ ".example"`, which GCC 12 at -O3 falsely warns about: -Wstringop-overflow.)
std::string DomainNumber(size_t i) { return "d" + std::to_string(i).append(".example"); }

// Fills `table` with one click on each of the most custom domains it holds.
void FillDomains(ClickTable& table) {
  for (size_t i = 0; i < ClickTable::kMaxDomains; ++i) REQUIRE(table.Add(DomainNumber(i), "x"));
}

}  // namespace

TEST_CASE("click counter: the same code on a custom domain and the default one counts apart",
          "[click_counter]") {
  ClickTable table;
  CHECK(table.Add("b.example", "go"));
  CHECK(table.Add("b.example", "go"));
  CHECK(table.Add("go"));  // the default domain
  CHECK(table.Add("", "go"));
  CHECK(table.Add("", "go"));
  CHECK(table.Add("c.example", "go"));
  CHECK(table.size() == 3);
  CHECK(Contents(table) ==
        Counted{{{"", "go"}, 3}, {{"b.example", "go"}, 2}, {{"c.example", "go"}, 1}});

  // Cleared, the table forgets its domains with its counts.
  table.Clear();
  CHECK(table.size() == 0);
  CHECK(Contents(table).empty());
  CHECK(table.Add("c.example", "go"));
  CHECK(Contents(table) == Counted{{{"c.example", "go"}, 1}});
}

TEST_CASE(
    "click counter: a 64th custom domain finds the table full, while its 63 domains and the "
    "default one still count",
    "[click_counter]") {
  ClickTable table;
  FillDomains(table);
  CHECK_FALSE(table.Add(DomainNumber(ClickTable::kMaxDomains), "x"));
  CHECK_FALSE(table.Add(DomainNumber(ClickTable::kMaxDomains), "y"));
  // Nothing of the refused domain was kept; the others go on counting.
  CHECK(table.Add(DomainNumber(0), "x"));
  CHECK(table.Add(DomainNumber(ClickTable::kMaxDomains - 1), "new-code"));
  CHECK(table.Add("x"));
  Counted counted = Contents(table);
  CHECK(counted.size() == ClickTable::kMaxDomains + 2);
  CHECK(counted[{DomainNumber(0), "x"}] == 2);
  CHECK(counted[{DomainNumber(ClickTable::kMaxDomains - 1), "new-code"}] == 1);
  CHECK(counted[{"", "x"}] == 1);
  CHECK(counted.count({DomainNumber(ClickTable::kMaxDomains), "x"}) == 0);

  // A cleared table has room for the 64th.
  table.Clear();
  CHECK(table.Add(DomainNumber(ClickTable::kMaxDomains), "x"));
}

TEST_CASE(
    "click counter: a worker's 64th custom domain hands its table over and is counted in the "
    "next",
    "[click_counter]") {
  ThreadClicks clicks;
  for (size_t i = 0; i < ClickTable::kMaxDomains; ++i) clicks.Record(DomainNumber(i), "x");
  CHECK(clicks.TakeFull() == nullptr);  // not full yet: nothing handed over

  clicks.Record(DomainNumber(ClickTable::kMaxDomains), "x");
  ClickTable* full = clicks.TakeFull();
  REQUIRE(full != nullptr);
  Counted first = Contents(*full);
  CHECK(first.size() == ClickTable::kMaxDomains);
  CHECK(first.count({DomainNumber(ClickTable::kMaxDomains), "x"}) == 0);
  clicks.ReturnSpare(full);

  ClickTable* next = clicks.TakeActiveAfterStop();  // the test thread is the worker
  REQUIRE(next != nullptr);
  CHECK(Contents(*next) == Counted{{{DomainNumber(ClickTable::kMaxDomains), "x"}, 1}});
  clicks.ReturnSpare(next);
  CHECK(clicks.clicks() == ClickTable::kMaxDomains + 1);
  CHECK(clicks.dropped() == 0);
}

TEST_CASE(
    "click counter: a 64th custom domain while the last table is still out is dropped and "
    "counted",
    "[click_counter]") {
  ThreadClicks clicks;
  // The first table goes over at the 64th domain; the collector does not
  // take it, so the worker has no spare when the second fills up too.
  for (size_t i = 0; i <= ClickTable::kMaxDomains; ++i) clicks.Record(DomainNumber(i), "x");
  for (size_t i = 0; i < ClickTable::kMaxDomains - 1; ++i)
    clicks.Record(DomainNumber(1000 + i), "x");
  CHECK(clicks.dropped() == 0);
  clicks.Record(DomainNumber(2000), "x");
  CHECK(clicks.dropped() == 1);
  clicks.Record("x");  // the default domain still has room
  CHECK(clicks.dropped() == 1);
  CHECK(clicks.clicks() == 2 * ClickTable::kMaxDomains + 2);

  ClickTable* full = clicks.TakeFull();
  REQUIRE(full != nullptr);
  CHECK(Contents(*full).size() == ClickTable::kMaxDomains);
  clicks.ReturnSpare(full);
  ClickTable* active = clicks.TakeActiveAfterStop();
  REQUIRE(active != nullptr);
  Counted second = Contents(*active);
  CHECK(second.size() == ClickTable::kMaxDomains + 1);  // 63 domains and the default one
  CHECK(second.count({DomainNumber(2000), "x"}) == 0);
  CHECK(second[{"", "x"}] == 1);
  clicks.ReturnSpare(active);
}

}  // namespace shortlink::redirector
