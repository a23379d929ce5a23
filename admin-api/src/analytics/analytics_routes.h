// The click analytics routes (issue 20), scoped analytics:GET:
//
//   GET /api/v1/urls/{shortUrl}/analytics            totals, time series, top values
//                                                    (?format=csv: text/csv)
//   GET /api/v1/urls/{shortUrl}/analytics/metrics    Shorten World's metricsMap 1-9
//   GET /api/v1/urls/{shortUrl}/analytics/heatmap    GoGovSG's weekday x hour clicks
//   GET /api/v1/analytics/top-links                  the team's most clicked links
//
// A link of another team answers 404, as the link routes do. Reading is
// analytics_query.h; parameters analytics_params.h; answers analytics_json.h.
#pragma once

#include "http/router.h"
#include "links/link_commands.h"
#include "store/database.h"

namespace shortlink::admin {

// What the analytics routes reach; the pointers outlive the router.
struct AnalyticsApi {
  Database* db = nullptr;
  LinkApi* links = nullptr;                 // the index: ownership, top links' fields
  uint32_t team_weeks_from = ~uint32_t{0};  // store/team_weeks.h; none: days only
};

void RegisterAnalyticsRoutes(Router& router, AnalyticsApi& api);

}  // namespace shortlink::admin
