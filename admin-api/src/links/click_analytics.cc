#include "links/click_analytics.h"

#include <algorithm>
#include <charconv>

#include "store/analytics_keys.h"
#include "store/packed_counts.h"

namespace shortlink::admin {
namespace {

// The hour a kClickHour value names; false when it is no number.
bool ParseHour(std::string_view value, uint32_t* hour) {
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), *hour);
  return ec == std::errc() && end == value.data() + value.size();
}

}  // namespace

void ClickAnalytics::Add(std::string_view link_key, uint64_t team, const ClickEntry& entry) {
  if (entry.dimensions.empty()) return;
  uint32_t hour = now_hour_;
  for (const DimensionCount& d : entry.dimensions) {
    uint32_t named = 0;
    if (d.dimension == kClickHour && ParseHour(d.value, &named)) {
      hour = named;
      break;
    }
  }
  const uint32_t day = hour / 24;
  const bool hourly = hour + retention_hours_ >= now_hour_;
  const char kind = hourly ? analytics_key::kPackedHourly : analytics_key::kPackedDaily;
  const uint32_t time = hourly ? hour : day;
  auto [it, made] = links_.try_emplace(std::string(link_key));
  LinkRows& rows = it->second;
  auto row = std::find_if(rows.begin(), rows.end(),
                          [&](const PackedRow& r) { return r.kind == kind && r.time == time; });
  if (row == rows.end()) row = rows.insert(rows.end(), PackedRow{kind, time, {}});
  std::string& records = row->records;

  if (entry.count > 0) {
    AppendPackedRecord(analytics_key::kTotalDimension, "", entry.count, &records);
    team_days_[analytics_key::TeamDay(team, day, link_key)] += entry.count;
    const uint32_t week = analytics_key::WeekOf(day);
    if (week >= team_weeks_from_)
      team_weeks_[analytics_key::TeamWeek(team, week, link_key)] += entry.count;
  }
  for (const DimensionCount& d : entry.dimensions) {
    if (d.dimension == kClickHour || d.dimension == analytics_key::kTotalDimension || d.count == 0)
      continue;
    AppendPackedRecord(d.dimension, d.value, d.count, &records);
  }
}

void ClickAnalytics::Forget(std::string_view link_key) {
  if (!links_.empty()) links_.erase(std::string(link_key));
  // Team rows end with the link key after a fixed prefix.
  const size_t team_key_size = analytics_key::TeamDayPrefix(0, 0).size() + link_key.size();
  for (auto* rows : {&team_days_, &team_weeks_}) {
    std::erase_if(*rows, [&](const auto& row) {
      return row.first.size() == team_key_size && std::string_view(row.first).ends_with(link_key);
    });
  }
}

void ClickAnalytics::DeleteTeamWeeks(std::string_view link_key, uint64_t team,
                                     int64_t created_at_ms, WriteBatch* wb) const {
  if (team_weeks_from_ == kNoTeamWeeks) return;
  const uint32_t created_week =
      analytics_key::WeekOf(uint32_t(std::max<int64_t>(created_at_ms, 0) / 86'400'000));
  const uint32_t this_week = analytics_key::WeekOf(now_hour_ / 24);
  for (uint32_t week = std::max(team_weeks_from_, created_week); week <= this_week; ++week)
    wb->Delete(Table::kAnalytics, analytics_key::TeamWeek(team, week, link_key));
}

void ClickAnalytics::Write(WriteBatch* wb) const {
  std::string key, value;
  std::vector<PackedEntry> entries;
  for (const auto& [link_key, rows] : links_) {
    for (const PackedRow& row : rows) {
      EncodeCanonical(row.records, &entries, &value);
      if (value.empty()) continue;  // a bot-free entry of no clicks
      key = analytics_key::TimeKey(row.kind, link_key, row.time);
      wb->Merge(Table::kAnalytics, key, value);
    }
  }
  for (const auto* rows : {&team_days_, &team_weeks_})
    for (const auto& [key, count] : *rows)
      wb->Merge(Table::kAnalytics, key, analytics_key::Count(count));
}

}  // namespace shortlink::admin
