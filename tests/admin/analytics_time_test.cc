// The analytics' time handling (analytics/time_zone.h,
// analytics/analytics_params.h): offsets read from the system's tz
// database across DST changes, local midnights of dd/MM/yyyy and
// yyyy-MM-dd dates, the default 30-day range, and refusals.
#include <catch2/catch.hpp>

#include "analytics/analytics_params.h"
#include "analytics/time_zone.h"
#include "common/click_batch.h"

namespace shortlink::admin {

TEST_CASE("time zones: offsets across DST and fixed-offset zones", "[analytics]") {
  auto berlin = TimeZone::Load("Europe/Berlin");
  REQUIRE(berlin.ok());
  // 2026-01-15T12:00Z (winter, +1) and 2026-07-15T12:00Z (summer, +2).
  CHECK(berlin->OffsetAt(1'768'478'400) == 3600);
  CHECK(berlin->OffsetAt(1'784'116'800) == 7200);
  // DST began 2026-03-29T01:00Z: a second before and at it.
  CHECK(berlin->OffsetAt(1'774'746'000 - 1) == 3600);
  CHECK(berlin->OffsetAt(1'774'746'000) == 7200);
  // Local midnight of 2026-07-15 is 22:00Z the day before.
  CHECK(berlin->ToUtc(1'784'073'600) == 1'784'073'600 - 7200);
  auto singapore = TimeZone::Load("Asia/Singapore");
  REQUIRE(singapore.ok());
  CHECK(singapore->OffsetAt(1'784'116'800) == 8 * 3600);
  CHECK(TimeZone::Utc().OffsetAt(0) == 0);
  CHECK_FALSE(TimeZone::Load("Nowhere/Special").ok());
  CHECK_FALSE(TimeZone::Load("../etc/passwd").ok());
  CHECK_FALSE(TimeZone::Load("/etc/passwd").ok());
}

TEST_CASE("analytics dates: dd/MM/yyyy and yyyy-MM-dd at local midnight, ISO 8601 instants",
          "[analytics]") {
  const TimeZone utc = TimeZone::Utc();
  // 2026-12-01T00:00Z = 1,796,083,200.
  CHECK(*ParseAnalyticsTime("01/12/2026", utc, false, "startTime") == 1'796'083'200);
  CHECK(*ParseAnalyticsTime("2026-12-01", utc, false, "startTime") == 1'796'083'200);
  // An end date counts whole.
  CHECK(*ParseAnalyticsTime("01/12/2026", utc, true, "endTime") == 1'796'083'200 + 86'400);
  CHECK(*ParseAnalyticsTime("2026-12-01T06:30:00Z", utc, false, "startTime") ==
        1'796'083'200 + 6 * 3600 + 1800);
  auto sg = std::move(TimeZone::Load("Asia/Singapore")).value();
  CHECK(*ParseAnalyticsTime("01/12/2026", sg, false, "startTime") == 1'796'083'200 - 8 * 3600);
  for (const char* bad : {"31/02/2026", "1/12/2026", "2026-13-01", "yesterday", "01-12-2026"})
    CHECK_FALSE(ParseAnalyticsTime(bad, utc, false, "startTime").ok());
}

TEST_CASE("analytics query: the last 30 days by default, and its refusals", "[analytics]") {
  const int64_t now = 1'796'083'200 + 5 * 3600;  // 2026-12-01T05:00Z
  auto q = ParseAnalyticsQuery({}, now);
  REQUIRE(q.ok());
  CHECK(q->end == now + 1);
  CHECK(q->start == 1'796'083'200 - 29 * 86'400);  // UTC midnight, 29 days before today
  CHECK(q->interval == Interval::kDay);
  CHECK(q->top == 10);
  auto sg = ParseAnalyticsQuery({{"timezone", "Asia/Singapore"}, {"groupBy", "device,os"}}, now);
  REQUIRE(sg.ok());
  // 13:00 in Singapore: its local midnight is 16:00Z the day before.
  CHECK(sg->start == 1'796'083'200 - 8 * 3600 - 29 * 86'400);
  CHECK(sg->group_by == std::vector<uint8_t>{kClickDeviceClass, kClickOs});
  CHECK_FALSE(ParseAnalyticsQuery({{"top", "0"}}, now).ok());
  CHECK_FALSE(ParseAnalyticsQuery({{"top", "101"}}, now).ok());
  CHECK_FALSE(ParseAnalyticsQuery({{"interval", "week"}}, now).ok());
  CHECK_FALSE(ParseAnalyticsQuery({{"groupBy", "device,,os"}}, now).ok());
  CHECK_FALSE(
      ParseAnalyticsQuery({{"startTime", "02/12/2026"}, {"endTime", "01/12/2026"}}, now).ok());
}

}  // namespace shortlink::admin
