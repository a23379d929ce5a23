// What the analytics tests share: click entries with dimensions, as a
// redirect node's collector would send them, and the rows of the analytics
// table read back.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analytics/analytics_query.h"
#include "common/click_batch.h"
#include "common/clock.h"
#include "store/analytics_keys.h"
#include "store/database.h"
#include "store/db_keys.h"
#include "store/packed_counts.h"

namespace shortlink::testing {

inline uint32_t NowHour() { return uint32_t(NowMillis() / 3'600'000); }

// `count` clicks on `code` in `hour`, all from one kind of visit, plus `bots`
// Googlebot visits apart; `unique` of the clicks first visits.
inline ClickEntry Visits(std::string code, uint64_t count, uint32_t hour,
                         std::string device = "mobile", std::string country = "SG",
                         uint64_t bots = 0, uint64_t unique = 0) {
  std::vector<DimensionCount> d;
  d.push_back({kClickHour, std::to_string(hour), count});
  if (count > 0) {
    d.push_back({kClickDeviceClass, device, count});
    d.push_back({kClickCountry, country, count});
    d.push_back({kClickOs, device == "mobile" ? "iOS 17" : "Windows 10", count});
    d.push_back({kClickBrowser, device == "mobile" ? "Mobile Safari" : "Chrome", count});
    d.push_back({kClickBrand, device == "mobile" ? "Apple" : "Other", count});
    d.push_back({kClickLanguage, "en", count});
    d.push_back({kClickReferrerHost, "direct", count});
    d.push_back({kClickSource, "newsletter", count});
    d.push_back({kClickCity, country + "/Capital", count});
    if (unique > 0) d.push_back({kClickVisitor, "unique", unique});
    if (count > unique) d.push_back({kClickVisitor, "repeat", count - unique});
  }
  if (bots > 0) d.push_back({kClickBot, "Googlebot", bots});
  return ClickEntry(std::move(code), count, "", std::move(d));
}

// Every row of the analytics table: key -> count (a packed row's: its
// total, kTotalDimension's count).
inline std::map<std::string, uint64_t> AnalyticsRows(admin::Database* db) {
  namespace ak = admin::analytics_key;
  std::map<std::string, uint64_t> rows;
  REQUIRE(db->Scan(admin::Table::kAnalytics, "", [&](std::string_view k, std::string_view v) {
              uint64_t& count = rows[std::string(k)];
              if (!ak::IsPacked(k[0])) {
                count = ak::ParseCount(v);
                return true;
              }
              CHECK(admin::ForEachPacked(v, [&](uint8_t d, std::string_view, uint64_t n) {
                if (d == ak::kTotalDimension) count += n;
              }));
              return true;
            }).ok());
  return rows;
}

// A packed row's map: (dimension, value) -> count.
using PackedMap = std::map<std::pair<uint8_t, std::string>, uint64_t>;
inline PackedMap ReadPackedMap(std::string_view packed) {
  PackedMap map;
  CHECK(admin::ForEachPacked(packed, [&](uint8_t d, std::string_view value, uint64_t n) {
    map[{d, std::string(value)}] += n;
  }));
  return map;
}

// Every packed row of the analytics table: key -> its map.
inline std::map<std::string, PackedMap> PackedRows(admin::Database* db) {
  std::map<std::string, PackedMap> rows;
  REQUIRE(db->Scan(admin::Table::kAnalytics, "", [&](std::string_view k, std::string_view v) {
              if (admin::analytics_key::IsPacked(k[0])) rows[std::string(k)] = ReadPackedMap(v);
              return true;
            }).ok());
  return rows;
}

// A link's analytics (by its code, default domain) over the last 100 days.
inline admin::LinkAnalytics ReadLast100Days(admin::Database* db, const std::string& code) {
  admin::AnalyticsQuery q;
  q.end = NowMillis() / 1000 + 3600;
  q.start = q.end - 100 * 86'400;
  q.top = 100;
  auto a = admin::ReadLinkAnalytics(db, admin::dbkey::Link("", code), q);
  REQUIRE(a.ok());
  return std::move(a).value();
}

// Every dimension a click has (all but bots and newer ones) sums to `total`.
inline void RequireDimensionsSumTo(const admin::LinkAnalytics& a, uint64_t total) {
  CHECK(a.clicks == total);
  for (uint8_t d : {kClickDeviceClass, kClickCountry, kClickReferrerHost, kClickOs, kClickBrowser,
                    kClickBrand, kClickLanguage, kClickSource, kClickCity, kClickVisitor}) {
    uint64_t sum = 0;
    if (auto it = a.all.find(d); it != a.all.end())
      for (const auto& [value, count] : it->second) sum += count;
    INFO("dimension " << int(d));
    CHECK(sum == total);
  }
}

}  // namespace shortlink::testing
