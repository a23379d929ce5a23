#include "links/click_analytics.h"

#include <algorithm>
#include <charconv>

#include "store/analytics_keys.h"

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
  auto [it, made] = links_.try_emplace(std::string(link_key));
  auto& rows = hourly ? it->second.hourly : it->second.daily;
  const uint32_t time = hourly ? hour : day;

  auto add = [&](uint8_t dimension, std::string_view value, uint64_t count) {
    tail_.clear();
    analytics_key::PutU32BE(time, &tail_);
    tail_.push_back(char(dimension));
    tail_.append(value);
    rows[tail_] += count;
  };
  if (entry.count > 0) {
    add(analytics_key::kTotalDimension, "", entry.count);
    team_days_[analytics_key::TeamDay(team, day, link_key)] += entry.count;
    const uint32_t week = analytics_key::WeekOf(day);
    if (week >= team_weeks_from_)
      team_weeks_[analytics_key::TeamWeek(team, week, link_key)] += entry.count;
  }
  for (const DimensionCount& d : entry.dimensions) {
    if (d.dimension == kClickHour || d.dimension == analytics_key::kTotalDimension || d.count == 0)
      continue;
    add(d.dimension, d.value, d.count);
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
  std::string key;
  for (const auto& [link_key, rows] : links_) {
    for (char kind : {analytics_key::kHourly, analytics_key::kDaily}) {
      const auto& map = kind == analytics_key::kHourly ? rows.hourly : rows.daily;
      if (map.empty()) continue;
      const std::string prefix = analytics_key::LinkPrefix(kind, link_key);
      for (const auto& [tail, count] : map) {
        key.assign(prefix);
        key.append(tail);
        wb->Merge(Table::kAnalytics, key, analytics_key::Count(count));
      }
    }
  }
  for (const auto* rows : {&team_days_, &team_weeks_})
    for (const auto& [key, count] : *rows)
      wb->Merge(Table::kAnalytics, key, analytics_key::Count(count));
}

}  // namespace shortlink::admin
