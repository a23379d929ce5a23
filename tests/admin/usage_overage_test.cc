// GoGoWorx's overage formula (usage/overage.h) at the edges of its blocks,
// the charge's text, and the UTC months the quota counts in (usage/month.h).
#include <catch2/catch.hpp>

#include "usage/month.h"
#include "usage/overage.h"
#include "usage/usage_json.h"

namespace shortlink::admin::usage {
namespace {

TEST_CASE("usage overage: each started 100,000 above the included 50,000 costs 3.50", "[usage]") {
  CHECK(OverageCents(0) == 0);
  CHECK(OverageCents(50'000) == 0);
  CHECK(OverageCents(50'001) == 350);
  CHECK(OverageCents(150'000) == 350);
  CHECK(OverageCents(150'001) == 700);
  CHECK(OverageCents(320'000) == 1050);  // the spec's example: 3 x $3.50
  // Another included amount (--quota-included) moves the blocks with it.
  CHECK(OverageCents(10, 10) == 0);
  CHECK(OverageCents(11, 10) == 350);
  CHECK(OverageCents(100'010, 10) == 350);
  CHECK(OverageCents(100'011, 10) == 700);
}

TEST_CASE("usage overage: the charge is written as dollars and cents", "[usage]") {
  CHECK(FormatCents(0) == "0.00");
  CHECK(FormatCents(350) == "3.50");
  CHECK(FormatCents(1050) == "10.50");
  CHECK(FormatCents(7) == "0.07");
}

TEST_CASE("usage month: instants fall in their UTC calendar month", "[usage]") {
  // 2026-12-31T23:59:59Z and one second later.
  CHECK(FormatMonth(MonthOf(1798761599)) == "2026-12");
  CHECK(FormatMonth(MonthOf(1798761600)) == "2027-01");
  CHECK(SecondsToNextMonth(1798761599) == 1);
  CHECK(SecondsToNextMonth(1798761600) == 31 * 86400);
  // A leap February: 2028-02-01T00:00:00Z to 2028-03-01T00:00:00Z.
  CHECK(FormatMonth(MonthOf(1832976000)) == "2028-02");
  CHECK(SecondsToNextMonth(1832976000) == 29 * 86400);
  CHECK(FormatMonth(MonthOf(0)) == "1970-01");
}

TEST_CASE("usage month: YYYY-MM parses, anything else does not", "[usage]") {
  REQUIRE(ParseMonth("2026-12"));
  CHECK(*ParseMonth("2026-12") == MonthOf(1798761599));
  CHECK(FormatMonth(*ParseMonth("1999-01")) == "1999-01");
  for (const char* bad : {"2026-13", "2026-00", "2026-1", "26-12", "2026/12", "2026-12-01", "",
                          "1969-12", "20x6-12", "2026-+1"}) {
    INFO(bad);
    CHECK_FALSE(ParseMonth(bad));
  }
}

}  // namespace
}  // namespace shortlink::admin::usage
