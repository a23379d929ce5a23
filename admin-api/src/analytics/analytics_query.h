// Reading click analytics (store/analytics_keys.h) into what the API
// answers: a link's totals, time series, top values per dimension and
// weekday x hour heatmap over a time range (ReadLinkAnalytics), and a
// team's most clicked links (ReadTopLinks). Plain functions of the
// database and plain inputs, so tests and bench_analytics call them
// without HTTP.
//
// Hours within the retention are exact to the hour in any time zone; a day
// already rolled up (analytics_rollup.h) is a UTC day, counted whole when
// the range overlaps it and placed at its UTC midnight (or the range's
// start, if later).
//
// Thread safety: pure functions over the database (thread-safe).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/time_zone.h"
#include "common/result.h"
#include "store/database.h"

namespace shortlink::admin {

enum class Interval { kHour, kDay, kMonth };

struct AnalyticsQuery {
  int64_t start = 0;  // Unix seconds, inclusive
  int64_t end = 0;    // Unix seconds, exclusive
  Interval interval = Interval::kDay;
  TimeZone zone = TimeZone::Utc();
  std::vector<uint8_t> group_by;  // ClickDimensions broken down per period
  size_t top = 10;                // values kept per dimension
};

struct ValueCount {
  std::string value;
  uint64_t count = 0;
};

struct Period {
  int64_t start = 0;  // its first instant, Unix seconds
  std::string label;  // local: "2026-12-07T05:00", "2026-12-07" or "2026-12"
  uint64_t clicks = 0;
  uint64_t unique = 0;
  uint64_t bots = 0;
  std::map<uint8_t, std::vector<ValueCount>> groups;  // by group_by dimension, top values
};

struct LinkAnalytics {
  uint64_t clicks = 0;
  uint64_t unique = 0;
  uint64_t bots = 0;  // bot visits: never in clicks
  std::vector<Period> series;
  // Every stored dimension (device, os, ..., bots), its `top` values by count.
  std::map<uint8_t, std::vector<ValueCount>> top;
  // Every dimension's values, all of them (for sums and exports).
  std::map<uint8_t, std::map<std::string, uint64_t>> all;
  // Local weekday (0 Monday .. 6 Sunday) x local hour -> clicks.
  std::array<std::array<uint64_t, 24>, 7> heatmap{};
};

// At most this many periods in one answer (a year of hours is 8,784).
inline constexpr size_t kMaxPeriods = 10'000;

// kInvalidArgument when the range is empty or has more than kMaxPeriods.
Result<LinkAnalytics> ReadLinkAnalytics(Database* db, std::string_view link_key,
                                        const AnalyticsQuery& query);

struct LinkClicks {
  std::string link_key;  // dbkey::Link
  uint64_t clicks = 0;
};
// `team`'s links by clicks in the UTC days [first_day, last_day], most
// first, at most `limit`. `keep(link_key)` is asked once per link: the
// first day whose rows count (the day the link was made), or nothing when
// none do (no such link, or not one the filters want). Whole weeks from
// `team_weeks_from` are read from week rows (store/team_weeks.h), the days
// around them from day rows.
Result<std::vector<LinkClicks>> ReadTopLinks(
    Database* db, uint64_t team, uint32_t first_day, uint32_t last_day, size_t limit,
    uint32_t team_weeks_from,
    const std::function<std::optional<uint32_t>(std::string_view link_key)>& keep);

// The period label of a local time; the local time of `utc` in `zone`.
std::string PeriodLabel(int64_t local, Interval interval);

}  // namespace shortlink::admin
