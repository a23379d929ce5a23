// The analytics answers, from ReadLinkAnalytics' result: our JSON, Shorten
// World's metricsMap view, GoGovSG's weekday x hour heatmap, and CSV.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "analytics/analytics_query.h"

namespace shortlink::admin {

// {"shortUrl", "startTime", "endTime", "interval", "timezone",
//  "totals": {"clicks", "unique", "bots"}, "series": [{"time", "start",
//  "clicks", "unique", "bots", "groups"?}], "top": {"device": [{"value",
//  "clicks"}], ...}, "bots": [...]}: bots apart, never in totals.clicks.
boost::json::object AnalyticsToJson(std::string_view short_url, const AnalyticsQuery& query,
                                    const LinkAnalytics& analytics);

// Shorten World's "Link analytics": {"status": {"code": 0, "message",
// "timestamp"}, "metricsMap": {"1": {date: {source: clicks}}, "2": devices,
// "3": OS, "4": browsers, "5": brands, "6": languages, "7": countries,
// "8": bots, "9": {date: clicks}}}; dates as dd/MM/yyyy, in the query's zone.
boost::json::object MetricsMapToJson(const AnalyticsQuery& query, const LinkAnalytics& analytics,
                                     int64_t now_ms);

// {"timezone", "weekdays": ["Monday", ...], "hours": [0..23],
//  "heatmap": [[24 counts] x 7]}, Monday first.
boost::json::object HeatmapToJson(const AnalyticsQuery& query, const LinkAnalytics& analytics);

// One header line "period,dimension,value,clicks", then per period its
// clicks, unique and bots rows (dimension "clicks"/"unique"/"bots", value
// empty), then its groupBy values; fields quoted when they need it.
std::string AnalyticsToCsv(const AnalyticsQuery& query, const LinkAnalytics& analytics);

}  // namespace shortlink::admin
