// The keys of Table::kAnalytics (click analytics, issue 20). Six kinds of
// row, told apart by their first byte:
//
//   'H' | link key | 0x00 | UTC hour u32 BE                         packed hourly
//   'D' | link key | 0x00 | UTC day  u32 BE                         packed daily
//   'h' | link key | 0x00 | UTC hour u32 BE | dimension u8 | value   hourly (older)
//   'd' | link key | 0x00 | UTC day  u32 BE | dimension u8 | value   daily (older)
//   't' | team u64 BE | UTC day u32 BE | link key                    team top links
//   'w' | team u64 BE | week u32 BE | link key                       the same by week
//
// A packed row's value is the map (dimension, value) -> count of that link
// and hour or day, the total included (store/packed_counts.h); every other
// row's value is a count, 8 bytes BE. The table's merge operator sums both
// (a commit adds to a row without reading it), and tells them apart by the
// key's first byte alone (IsPacked): one compare per merge, and no key of
// one kind can be read as the other's. Their own kinds, rather than a
// reserved dimension byte inside 'h'/'d' keys, also keep every older row's
// key and meaning exactly as the previous release wrote them.
//
// The link writer writes packed rows only: one merge per (link, hour) a
// commit touches, where a row per (link, hour, dimension, value) was ~12
// for a click with every dimension. 'h' and 'd' rows are what a database
// written by an earlier release holds: readers sum them with the packed
// rows, the rollup moves 'h' rows (as it moves 'H' rows) into 'D' rows, and
// 'd' rows stay as they are, read forever.
//
// The link key is dbkey::Link's (domain, 0x00, code); a code never holds
// 0x00, so the 0x00 after it ends it and kind + link key + 0x00 is the
// prefix of exactly one link's rows of that kind (LinkPrefix). Hours are
// hours since the epoch (common/click_batch.h's kClickHour), days are
// hours / 24.
//
// Dimensions are ClickDimension numbers, plus kTotalDimension (0, value
// ""): the link's clicks in that hour or day, stored apart so that totals
// never depend on which dimensions a node sent. kClickHour itself is not
// stored (it is the row's hour). Bot visits (kClickBot) are counted like
// the others and never part of the total.
//
// Hourly rows older than the retention are rolled into daily rows
// (analytics/analytics_rollup.h); a link's delete range-deletes its rows
// of all four link kinds (kLinkRowKinds) in the delete's commit. 't' rows
// cannot be found per link:
// the reader skips those of links that no longer exist, or that were made
// after the row's day (a code deleted and made again).
//
// 'w' rows sum a week of 't' rows (weeks start on Monday, WeekOf), so that
// a team's top links over 30 days read ~4 rows per link, not 30. A delete
// deletes its link's 'w' rows (the weeks it lived), so those of a code
// made again are its own. They are written only for weeks from the one
// the database's kMeta "analytics_team_weeks_from" names (store/team_weeks.h):
// a database that had 't' rows before them has no 'w' rows for its past.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/wire.h"

namespace shortlink::admin::analytics_key {

inline constexpr char kPackedHourly = 'H';
inline constexpr char kPackedDaily = 'D';
inline constexpr char kHourly = 'h';
inline constexpr char kDaily = 'd';
inline constexpr char kTeamDay = 't';
inline constexpr char kTeamWeek = 'w';
inline constexpr uint8_t kTotalDimension = 0;

// The kinds of row that belong to one link (LinkPrefix).
inline constexpr char kLinkRowKinds[] = {kPackedHourly, kPackedDaily, kHourly, kDaily};

// Whether a row of this kind (its key's first byte) holds a packed map
// rather than an 8-byte count.
inline constexpr bool IsPacked(char kind) { return kind == kPackedHourly || kind == kPackedDaily; }

inline void PutU32BE(uint32_t n, std::string* out) {
  char b[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
  out->append(b, 4);
}
inline uint32_t GetU32BE(const char* p) {
  return uint32_t(uint8_t(p[0])) << 24 | uint32_t(uint8_t(p[1])) << 16 |
         uint32_t(uint8_t(p[2])) << 8 | uint32_t(uint8_t(p[3]));
}

// A link row kind, the link key, 0x00: every row of one link of that kind.
inline std::string LinkPrefix(char kind, std::string_view link_key) {
  std::string key;
  key.reserve(2 + link_key.size() + 9);
  key.push_back(kind);
  key.append(link_key);
  key.push_back('\0');
  return key;
}

// LinkPrefix + the hour or day: the first key of that time (and the end
// of the previous one), and a packed row's whole key.
inline std::string TimeKey(char kind, std::string_view link_key, uint32_t time) {
  std::string key = LinkPrefix(kind, link_key);
  PutU32BE(time, &key);
  return key;
}

inline std::string Row(char kind, std::string_view link_key, uint32_t time, uint8_t dimension,
                       std::string_view value) {
  std::string key = TimeKey(kind, link_key, time);
  key.push_back(char(dimension));
  key.append(value);
  return key;
}

// What follows an 'h' or 'd' LinkPrefix: false when the key is too short.
struct RowTail {
  uint32_t time = 0;
  uint8_t dimension = 0;
  std::string_view value;
};
inline bool ParseRowTail(std::string_view tail, RowTail* out) {
  if (tail.size() < 5) return false;
  out->time = GetU32BE(tail.data());
  out->dimension = uint8_t(tail[4]);
  out->value = tail.substr(5);
  return true;
}
// What follows an 'H' or 'D' LinkPrefix: the hour or day alone.
inline bool ParsePackedTail(std::string_view tail, uint32_t* time) {
  if (tail.size() != 4) return false;
  *time = GetU32BE(tail.data());
  return true;
}

// A team row's key: `kind` (kTeamDay or kTeamWeek), the team, the day or
// week, then (TeamRow) the link key.
inline std::string TeamRowPrefix(char kind, uint64_t team, uint32_t time) {
  std::string key(1, kind);
  wire::PutFixed64BE(team, &key);
  PutU32BE(time, &key);
  return key;
}
inline std::string TeamRow(char kind, uint64_t team, uint32_t time, std::string_view link_key) {
  std::string key = TeamRowPrefix(kind, team, time);
  key.append(link_key);
  return key;
}
inline std::string TeamDayPrefix(uint64_t team, uint32_t day) {
  return TeamRowPrefix(kTeamDay, team, day);
}
inline std::string TeamDay(uint64_t team, uint32_t day, std::string_view link_key) {
  return TeamRow(kTeamDay, team, day, link_key);
}
inline std::string TeamWeek(uint64_t team, uint32_t week, std::string_view link_key) {
  return TeamRow(kTeamWeek, team, week, link_key);
}

// Weeks since the epoch, Monday to Sunday: day 0 (1970-01-01) was a
// Thursday, so week 1 starts on day 4.
inline uint32_t WeekOf(uint32_t day) { return (day + 3) / 7; }
inline uint32_t WeekStartDay(uint32_t week) { return week * 7 - 3; }  // week >= 1

// A count as stored, and as a merge operand.
inline std::string Count(uint64_t n) {
  std::string v;
  wire::PutFixed64BE(n, &v);
  return v;
}
inline uint64_t ParseCount(std::string_view v) {
  return v.size() == 8 ? wire::GetFixed64BE(v.data()) : 0;
}

}  // namespace shortlink::admin::analytics_key
