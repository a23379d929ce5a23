#include "analytics/analytics_query.h"

#include <boost/unordered/unordered_flat_map.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "common/click_batch.h"
#include "common/string_hash.h"
#include "store/analytics_keys.h"
#include "store/packed_counts.h"

namespace shortlink::admin {
namespace {

namespace ak = analytics_key;
using namespace std::chrono;

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86'400;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

year_month_day CivilOf(int64_t local) {
  return year_month_day(sys_days(days(FloorDiv(local, kDay))));
}

// The local start of the period holding local time `local`, and of the next.
int64_t PeriodFloor(int64_t local, Interval interval) {
  switch (interval) {
    case Interval::kHour:
      return FloorDiv(local, kHour) * kHour;
    case Interval::kDay:
      return FloorDiv(local, kDay) * kDay;
    case Interval::kMonth: {
      year_month_day ymd = CivilOf(local);
      return sys_days(ymd.year() / ymd.month() / 1).time_since_epoch().count() * kDay;
    }
  }
  return local;
}
int64_t NextPeriod(int64_t local_floor, Interval interval) {
  switch (interval) {
    case Interval::kHour:
      return local_floor + kHour;
    case Interval::kDay:
      return local_floor + kDay;
    case Interval::kMonth: {
      year_month_day ymd = CivilOf(local_floor);
      year_month next = ymd.year() / ymd.month() + months(1);
      return sys_days(next / 1).time_since_epoch().count() * kDay;
    }
  }
  return local_floor;
}

std::vector<ValueCount> Top(const std::map<std::string, uint64_t>& values, size_t n) {
  std::vector<ValueCount> out;
  out.reserve(values.size());
  for (const auto& [value, count] : values) out.push_back({value, count});
  auto by_count = [](const ValueCount& a, const ValueCount& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  };
  if (out.size() > n) {
    std::partial_sort(out.begin(), out.begin() + n, out.end(), by_count);
    out.resize(n);
  } else {
    std::sort(out.begin(), out.end(), by_count);
  }
  return out;
}

}  // namespace

std::string PeriodLabel(int64_t local, Interval interval) {
  year_month_day ymd = CivilOf(local);
  char buf[32];
  int y = int(ymd.year());
  unsigned m = unsigned(ymd.month()), d = unsigned(ymd.day());
  if (interval == Interval::kMonth)
    std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
  else if (interval == Interval::kDay)
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  else
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:00", y, m, d,
                  int(FloorDiv(local, kHour) - FloorDiv(local, kDay) * 24));
  return buf;
}

Result<LinkAnalytics> ReadLinkAnalytics(Database* db, std::string_view link_key,
                                        const AnalyticsQuery& q) {
  if (q.end <= q.start)
    return MakeError(ErrorCode::kInvalidArgument, "endTime must be after startTime.");
  // The periods, in local time, each with where it starts in UTC.
  LinkAnalytics out;
  const TimeZone& zone = q.zone;
  int64_t local = PeriodFloor(zone.ToLocal(q.start), q.interval);
  const int64_t local_end = zone.ToLocal(q.end - 1);
  while (local <= local_end) {
    if (out.series.size() >= kMaxPeriods) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "The range holds more than " + std::to_string(kMaxPeriods) +
                           " periods: choose a longer interval or a shorter range.");
    }
    Period p;
    p.start = std::max(zone.ToUtc(local), q.start);
    p.label = PeriodLabel(local, q.interval);
    out.series.push_back(std::move(p));
    local = NextPeriod(local, q.interval);
  }
  auto period_of = [&](int64_t utc) -> Period& {
    auto it = std::upper_bound(out.series.begin(), out.series.end(), utc,
                               [](int64_t t, const Period& p) { return t < p.start; });
    return it == out.series.begin() ? out.series.front() : *(it - 1);
  };
  const bool grouped = !q.group_by.empty();
  std::map<Period*, std::map<uint8_t, std::map<std::string, uint64_t>>> groups;

  auto count_row = [&](int64_t utc, bool hourly, const ak::RowTail& row, uint64_t count) {
    Period& period = period_of(utc);
    if (row.dimension == ak::kTotalDimension) {
      out.clicks += count;
      period.clicks += count;
      if (hourly) {
        int64_t l = zone.ToLocal(utc);
        // 1970-01-01 was a Thursday: (days + 3) % 7 with Monday 0.
        int weekday = int((FloorDiv(l, kDay) % 7 + 7 + 3) % 7);
        out.heatmap[weekday][FloorDiv(l, kHour) - FloorDiv(l, kDay) * 24] += count;
      }
      return;
    }
    if (row.dimension == kClickVisitor && row.value == "unique") {
      out.unique += count;
      period.unique += count;
    }
    if (row.dimension == kClickBot) {
      out.bots += count;
      period.bots += count;
    }
    out.all[row.dimension][std::string(row.value)] += count;
    if (grouped &&
        std::find(q.group_by.begin(), q.group_by.end(), row.dimension) != q.group_by.end())
      groups[&period][row.dimension][std::string(row.value)] += count;
  };

  // Rolled-up days that overlap the range, then the hours in it; of each,
  // the packed rows and the per-value rows an earlier release wrote
  // (store/analytics_keys.h), summed.
  Cursor cursor = db->NewCursor(Table::kAnalytics);
  for (char kind : {ak::kPackedDaily, ak::kDaily, ak::kPackedHourly, ak::kHourly}) {
    const bool hourly = kind == ak::kHourly || kind == ak::kPackedHourly;
    const bool packed = ak::IsPacked(kind);
    const int64_t unit = hourly ? kHour : kDay;
    const uint32_t first = uint32_t(std::max<int64_t>(0, FloorDiv(q.start, unit)));
    const uint32_t last = uint32_t(FloorDiv(q.end - 1, unit));
    const std::string prefix = ak::LinkPrefix(kind, link_key);
    const std::string end = ak::TimeKey(kind, link_key, last + 1);
    for (cursor.Seek(ak::TimeKey(kind, link_key, first)); cursor.Valid(); cursor.Next()) {
      std::string_view key = cursor.key();
      if (key.compare(end) >= 0) break;
      ak::RowTail row;
      if (packed) {
        if (!ak::ParsePackedTail(key.substr(prefix.size()), &row.time)) continue;
        const int64_t utc = std::max<int64_t>(int64_t(row.time) * unit, q.start);
        ForEachPacked(cursor.value(), [&](uint8_t dimension, std::string_view value, uint64_t n) {
          row.dimension = dimension;
          row.value = value;
          count_row(utc, hourly, row, n);
        });
        continue;
      }
      if (!ak::ParseRowTail(key.substr(prefix.size()), &row)) continue;
      int64_t utc = std::max<int64_t>(int64_t(row.time) * unit, q.start);
      count_row(utc, hourly, row, ak::ParseCount(cursor.value()));
    }
    if (!cursor.status().ok()) return cursor.status().error();
  }
  for (auto& [dimension, values] : out.all) out.top[dimension] = Top(values, q.top);
  for (auto& [period, dims] : groups)
    for (auto& [dimension, values] : dims) period->groups[dimension] = Top(values, q.top);
  return out;
}

Result<std::vector<LinkClicks>> ReadTopLinks(
    Database* db, uint64_t team, uint32_t first_day, uint32_t last_day, size_t limit,
    uint32_t team_weeks_from,
    const std::function<std::optional<uint32_t>(std::string_view link_key)>& keep) {
  struct Sum {
    uint64_t clicks = 0;
    std::optional<uint32_t> from;  // keep's answer
  };
  // One allocation per link, not per row: 30 days of a 20,000-link team
  // are 600,000 day rows.
  boost::unordered_flat_map<std::string, Sum, StringHash, std::equal_to<>> sums;
  sums.reserve(4096);
  // Rows of one kind (day or week) for times [first, last].
  auto scan = [&](char kind, uint32_t first, uint32_t last) -> Status {
    auto prefix = [&](uint32_t time) { return ak::TeamRowPrefix(kind, team, time); };
    const std::string end = prefix(last + 1);
    const size_t prefix_size = end.size();
    Cursor cursor = db->NewCursor(Table::kAnalytics, nullptr, Database::ReadPattern::kLong);
    for (cursor.Seek(prefix(first)); cursor.Valid(); cursor.Next()) {
      std::string_view key = cursor.key();
      if (key.compare(end) >= 0) break;
      const uint32_t time = ak::GetU32BE(key.data() + prefix_size - 4);
      const uint32_t last_day_of_row = kind == ak::kTeamWeek ? ak::WeekStartDay(time) + 6 : time;
      std::string_view link_key = key.substr(prefix_size);
      auto it = sums.find(link_key);
      if (it == sums.end()) it = sums.emplace(std::string(link_key), Sum{0, keep(link_key)}).first;
      if (it->second.from && *it->second.from <= last_day_of_row)
        it->second.clicks += ak::ParseCount(cursor.value());
    }
    return cursor.status();
  };
  // Whole weeks inside the range, from the first with week rows: week w is
  // the days [WeekStartDay(w), WeekStartDay(w) + 6].
  const uint32_t first_week = std::max((first_day + 9) / 7, team_weeks_from);
  const uint32_t last_week = ak::WeekOf(last_day + 1) - 1;
  Status s = Status::Ok();
  if (team_weeks_from != ~uint32_t{0} && first_week <= last_week) {
    s = scan(ak::kTeamWeek, first_week, last_week);
    if (s.ok() && first_day < ak::WeekStartDay(first_week))
      s = scan(ak::kTeamDay, first_day, ak::WeekStartDay(first_week) - 1);
    if (s.ok() && ak::WeekStartDay(last_week + 1) <= last_day)
      s = scan(ak::kTeamDay, ak::WeekStartDay(last_week + 1), last_day);
  } else {
    s = scan(ak::kTeamDay, first_day, last_day);
  }
  if (!s.ok()) return s.error();
  std::vector<LinkClicks> out;
  out.reserve(sums.size());
  for (auto& [key, sum] : sums)
    if (sum.clicks > 0) out.push_back({key, sum.clicks});
  auto by_clicks = [](const LinkClicks& a, const LinkClicks& b) {
    return a.clicks != b.clicks ? a.clicks > b.clicks : a.link_key < b.link_key;
  };
  size_t n = std::min(limit, out.size());
  std::partial_sort(out.begin(), out.begin() + n, out.end(), by_clicks);
  out.resize(n);
  return out;
}

}  // namespace shortlink::admin
