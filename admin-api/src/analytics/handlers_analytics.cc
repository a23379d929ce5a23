#include <boost/json.hpp>
#include <optional>
#include <unordered_map>

#include "analytics/analytics_json.h"
#include "analytics/analytics_params.h"
#include "analytics/analytics_query.h"
#include "analytics/analytics_routes.h"
#include "auth/access.h"
#include "common/click_batch.h"
#include "common/clock.h"
#include "common/validation.h"
#include "http/paging.h"
#include "links/link_queries.h"
#include "store/db_keys.h"

namespace shortlink::admin {
namespace {

struct LinkQuery {
  Link link;
  AnalyticsQuery query;
};

// The caller's link the path names (another team's: 404) and the query.
Result<LinkQuery> ReadRequest(AnalyticsApi& api, const RequestContext& rc) {
  auto domain = DomainFromQuery(rc.query);
  if (!domain.ok()) return domain.error();
  auto link = GetLinkAs(*api.links->index, *rc.principal, rc.param, *domain);
  if (!link.ok()) return link.error();
  auto query = ParseAnalyticsQuery(rc.query, NowMillis() / 1000);
  if (!query.ok()) return query.error();
  return LinkQuery{std::move(link).value(), std::move(query).value()};
}

Reply Text(const RequestContext& rc, std::string content_type, std::string body) {
  Response res{http::status::ok, rc.version()};
  res.set(http::field::content_type, content_type);
  res.keep_alive(rc.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return Reply{std::move(res), {}};
}

Awaitable GetAnalytics(AnalyticsApi& api, RequestContext& rc) {
  auto request = ReadRequest(api, rc);
  if (!request.ok()) co_return rc.Error(request.error());
  std::string format = rc.query.count("format") ? rc.query.at("format") : "json";
  if (format != "json" && format != "csv")
    co_return rc.Error(ErrorCode::kInvalidArgument, "format must be json or csv.");
  auto analytics = ReadLinkAnalytics(api.db, dbkey::LinkOf(request->link), request->query);
  if (!analytics.ok()) co_return rc.Error(analytics.error());
  if (format == "csv") {
    Reply reply = Text(rc, "text/csv; charset=utf-8", AnalyticsToCsv(request->query, *analytics));
    reply.response.set(http::field::content_disposition,
                       "attachment; filename=\"" + request->link.code + "-analytics.csv\"");
    co_return reply;
  }
  co_return rc.Json(http::status::ok, boost::json::serialize(AnalyticsToJson(
                                          request->link.code, request->query, *analytics)));
}

Awaitable GetMetrics(AnalyticsApi& api, RequestContext& rc) {
  auto request = ReadRequest(api, rc);
  if (!request.ok()) co_return rc.Error(request.error());
  // metricsMap 1 and 9 are by date: days, with every source of each.
  request->query.interval = Interval::kDay;
  request->query.group_by = {kClickSource};
  request->query.top = 100;
  auto analytics = ReadLinkAnalytics(api.db, dbkey::LinkOf(request->link), request->query);
  if (!analytics.ok()) co_return rc.Error(analytics.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(MetricsMapToJson(
                                          request->query, *analytics, NowMillis())));
}

Awaitable GetHeatmap(AnalyticsApi& api, RequestContext& rc) {
  auto request = ReadRequest(api, rc);
  if (!request.ok()) co_return rc.Error(request.error());
  request->query.interval = Interval::kMonth;  // the series is not answered: few periods
  request->query.group_by.clear();
  auto analytics = ReadLinkAnalytics(api.db, dbkey::LinkOf(request->link), request->query);
  if (!analytics.ok()) co_return rc.Error(analytics.error());
  co_return rc.Json(http::status::ok,
                    boost::json::serialize(HeatmapToJson(request->query, *analytics)));
}

Awaitable GetTopLinks(AnalyticsApi& api, RequestContext& rc) {
  if (auto refused = auth::Refusal(*rc.principal, auth::Action::kListLinks))
    co_return rc.Error(*refused);
  auto query = ParseAnalyticsQuery(rc.query, NowMillis() / 1000);
  if (!query.ok()) co_return rc.Error(query.error());
  size_t limit = 10;
  if (auto it = rc.query.find("limit"); it != rc.query.end()) {
    auto n = ParseCount("limit", it->second, 1, 1000);
    if (!n.ok()) co_return rc.Error(n.error());
    limit = *n;
  }
  std::optional<uint64_t> campaign;
  if (auto it = rc.query.find("campaignId"); it != rc.query.end()) {
    auto n = ParseCount("campaignId", it->second, 1, SIZE_MAX);
    if (!n.ok()) co_return rc.Error(n.error());
    campaign = *n;
  }
  std::optional<std::string> domain;
  if (rc.query.count("domain")) {
    auto d = DomainFromQuery(rc.query);
    if (!d.ok()) co_return rc.Error(d.error());
    domain = std::move(d).value();
  }
  const uint64_t team = rc.principal->team;
  // Each link once from the index: rows of deleted links, of a code made
  // again after the row's day, and of other campaigns or domains are left out.
  auto keep = [&](std::string_view link_key) -> std::optional<uint32_t> {
    LinkKey parsed;
    if (!DecodeLinkKey(link_key, &parsed)) return std::nullopt;
    std::optional<Link> link = api.links->index->Get(parsed);
    if (!link || link->owner != team || (campaign && link->campaign != *campaign) ||
        (domain && link->domain != *domain))
      return std::nullopt;
    return uint32_t(std::max<int64_t>(link->created_at_ms, 0) / 86'400'000);
  };
  uint32_t first_day = uint32_t(query->start / 86'400),
           last_day = uint32_t((query->end - 1) / 86'400);
  auto top = ReadTopLinks(api.db, team, first_day, last_day, limit, api.team_weeks_from, keep);
  if (!top.ok()) co_return rc.Error(top.error());
  boost::json::array links;
  for (const LinkClicks& row : *top) {
    LinkKey parsed;
    std::optional<Link> found;
    if (DecodeLinkKey(row.link_key, &parsed)) found = api.links->index->Get(parsed);
    if (!found) continue;  // deleted since it was read
    const Link& link = *found;
    boost::json::object o;
    o["shortUrl"] = link.code;
    if (!link.domain.empty()) o["domain"] = link.domain;
    o["longUrl"] = link.long_url;
    if (link.campaign != 0) o["campaignId"] = link.campaign;
    o["clicks"] = row.clicks;
    links.push_back(std::move(o));
  }
  boost::json::object body;
  body["startTime"] = FormatIso8601Millis(int64_t(first_day) * 86'400'000);
  body["endTime"] = FormatIso8601Millis((int64_t(last_day) + 1) * 86'400'000);
  body["links"] = std::move(links);
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

}  // namespace

void RegisterAnalyticsRoutes(Router& router, AnalyticsApi& api) {
  using http::verb;
  router.Add(
      {verb::get, "/api/v1/urls/{shortUrl}/analytics", Auth::kApiKey, Bind(api, GetAnalytics)});
  router.Add({verb::get, "/api/v1/urls/{shortUrl}/analytics/metrics", Auth::kApiKey,
              Bind(api, GetMetrics)});
  router.Add({verb::get, "/api/v1/urls/{shortUrl}/analytics/heatmap", Auth::kApiKey,
              Bind(api, GetHeatmap)});
  router.Add({verb::get, "/api/v1/analytics/top-links", Auth::kApiKey, Bind(api, GetTopLinks)});
}

}  // namespace shortlink::admin
