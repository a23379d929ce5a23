// What the analytics tests share: click entries with dimensions, as a
// redirect node's collector would send them, and the rows of the analytics
// table read back.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/click_batch.h"
#include "common/clock.h"
#include "store/analytics_keys.h"
#include "store/database.h"

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

// Every row of the analytics table: key -> count.
inline std::map<std::string, uint64_t> AnalyticsRows(admin::Database* db) {
  std::map<std::string, uint64_t> rows;
  REQUIRE(db->Scan(admin::Table::kAnalytics, "", [&](std::string_view k, std::string_view v) {
              rows[std::string(k)] = admin::analytics_key::ParseCount(v);
              return true;
            }).ok());
  return rows;
}

}  // namespace shortlink::testing
