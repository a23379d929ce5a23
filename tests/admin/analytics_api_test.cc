// The click analytics routes (analytics/analytics_routes.h) through a real
// Router, LinkService and RocksDB: time series per interval, a time zone
// moving the day boundary, dd/MM/yyyy dates, CSV, Shorten World's
// metricsMap, the heatmap, a team's top links, 404 for another team's link
// and 403 for a key without analytics:GET.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "analytics/analytics_query.h"
#include "analytics/analytics_routes.h"
#include "analytics_support.h"
#include "auth/authenticator.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "link_test_support.h"
#include "links/link_routes.h"
#include "links/password_hasher.h"
#include "router_client.h"

namespace shortlink::admin {
namespace {

using http::verb;
using testing::Visits;

// A member's key that may read links but not analytics.
auth::Scopes UrlsOnly() {
  auth::Scopes scopes = auth::Scopes::None();
  scopes.Grant(auth::Endpoint::kUrls, auth::MethodClass::kGet);
  return scopes;
}

const testing::KeyTable& Keys() {
  static const testing::KeyTable keys = [] {
    testing::KeyTable k = testing::TwoTeamsKeys();
    k.emplace("no-analytics", auth::UserPrincipal(3, 1, auth::Role::kMember, UrlsOnly(), false));
    return k;
  }();
  return keys;
}

using Answer = testing::JsonAnswer;

// Three days ago (UTC), as a day number and as yyyy-MM-dd / dd/MM/yyyy.
struct Day {
  uint32_t number = uint32_t(NowMillis() / 86'400'000) - 3;
  std::string iso(int plus = 0) const {
    return PeriodLabel(int64_t(number + plus) * 86'400, Interval::kDay);
  }
  std::string dmy(int plus = 0) const {
    std::string i = iso(plus);
    return i.substr(8, 2) + "/" + i.substr(5, 2) + "/" + i.substr(0, 4);
  }
  uint32_t hour(int h) const { return number * 24 + h; }
};

struct Api : testing::ServiceFixture {
  Api() {
    links = LinkApiWith(&hasher);
    analytics = AnalyticsApi{db.get(), &links};
    RegisterLinkRoutes(router, links);
    RegisterAnalyticsRoutes(router, analytics);
    testing::SubmitOk(service.get(), {CreateLink{1, "https://example.com/a", "a"},
                                      CreateLink{1, "https://example.com/b", "b"},
                                      CreateLink{2, "https://example.com/theirs", "theirs"}});
    // Link a: 22:00 and 23:00 UTC of day D (Singapore: 06:00 and 07:00 of
    // D+1), and 10:00 of D+1; bots apart.
    ClickBatch batch{"node-1",
                     1,
                     {Visits("a", 3, d.hour(22), "mobile", "SG", 2, 3),
                      Visits("a", 2, d.hour(23), "desktop", "DE", 0, 1),
                      Visits("a", 4, d.hour(24 + 10), "mobile", "SG"), Visits("b", 1, d.hour(12)),
                      Visits("theirs", 50, d.hour(12))}};
    REQUIRE(One(ApplyClicks{batch}).status.ok());
  }

  Answer Get(std::string target, std::string_view key = "alice") {
    return testing::SendJson(router, verb::get, std::move(target), key);
  }
  // The raw answer, for CSV.
  Reply Raw(std::string target, std::string_view key = "alice") {
    Request req{verb::get, target, 11};
    req.set(http::field::host, "x");
    req.set(http::field::authorization, "Bearer " + std::string(key));
    thread_local boost::asio::io_context ioc;
    ioc.restart();
    std::optional<Reply> out;
    boost::asio::co_spawn(
        ioc, [&]() -> boost::asio::awaitable<void> { out = co_await router.Handle(req, "x"); },
        boost::asio::detached);
    ioc.run();
    REQUIRE(out);
    return std::move(*out);
  }

  Day d;
  MetricsRegistry router_metrics;
  PasswordHasher hasher{1};
  LinkApi links;
  AnalyticsApi analytics;
  auth::Authenticator authenticator{testing::KeyCheckOf(Keys()),
                                    [](std::string_view) { return false; }};
  RateLimiter limiter{1e9, std::chrono::seconds(10), [] { return int64_t{1'000'000}; }};
  Router router{&router_metrics, &authenticator, &limiter};
};

// The series' clicks by period label.
std::map<std::string, uint64_t> Series(const Answer& a) {
  std::map<std::string, uint64_t> out;
  for (const auto& p : a.json.at("series").as_array())
    out[std::string(p.at("time").as_string())] = p.at("clicks").to_number<uint64_t>();
  return out;
}

}  // namespace

TEST_CASE("analytics api: totals, daily series and top values, bots apart", "[analytics]") {
  Api api;
  Answer a =
      api.Get("/api/v1/urls/a/analytics?startTime=" + api.d.iso() + "&endTime=" + api.d.iso(1));
  INFO(a.body);
  REQUIRE(a.status == 200);
  CHECK(a.json.at("totals").at("clicks") == 9);
  CHECK(a.json.at("totals").at("unique") == 4);
  CHECK(a.json.at("totals").at("bots") == 2);
  auto series = Series(a);
  CHECK(series.size() == 2);
  CHECK(series[api.d.iso()] == 5);
  CHECK(series[api.d.iso(1)] == 4);
  const auto& device = a.json.at("top").at("device").as_array();
  REQUIRE(device.size() == 2);
  CHECK(device[0].at("value") == "mobile");
  CHECK(device[0].at("clicks") == 7);
  CHECK_FALSE(a.json.at("top").as_object().contains("bots"));
  CHECK(a.json.at("bots").as_array()[0].at("value") == "Googlebot");
  // Default range: the last 30 days hold them all.
  CHECK(api.Get("/api/v1/urls/a/analytics").json.at("totals").at("clicks") == 9);
}

TEST_CASE("analytics api: hour and month intervals, and groupBy per period", "[analytics]") {
  Api api;
  std::string range = "startTime=" + api.d.iso() + "&endTime=" + api.d.iso(1);
  Answer hours = api.Get("/api/v1/urls/a/analytics?interval=hour&" + range);
  REQUIRE(hours.status == 200);
  auto series = Series(hours);
  CHECK(series.size() == 48);
  CHECK(series[api.d.iso() + "T22:00"] == 3);
  CHECK(series[api.d.iso() + "T23:00"] == 2);
  CHECK(series[api.d.iso(1) + "T10:00"] == 4);
  Answer months = api.Get("/api/v1/urls/a/analytics?interval=month&" + range);
  REQUIRE(months.status == 200);
  uint64_t sum = 0;
  for (const auto& [label, clicks] : Series(months)) sum += clicks;
  CHECK(sum == 9);
  Answer grouped = api.Get("/api/v1/urls/a/analytics?groupBy=country,device&" + range);
  REQUIRE(grouped.status == 200);
  const auto& first = grouped.json.at("series").as_array()[0].at("groups");
  CHECK(first.at("country").as_array().size() == 2);
  CHECK(first.at("device").as_array()[0].at("value") == "mobile");
  CHECK(api.Get("/api/v1/urls/a/analytics?interval=week").status == 400);
  CHECK(api.Get("/api/v1/urls/a/analytics?groupBy=shoe").status == 400);
}

TEST_CASE("analytics api: a timezone moves the day boundary, dd/MM/yyyy dates", "[analytics]") {
  Api api;
  // In Singapore (UTC+8) the 22:00 and 23:00 UTC clicks are the next morning.
  Answer sg = api.Get("/api/v1/urls/a/analytics?timezone=Asia/Singapore&startTime=" + api.d.dmy() +
                      "&endTime=" + api.d.dmy(1));
  INFO(sg.body);
  REQUIRE(sg.status == 200);
  auto series = Series(sg);
  CHECK(series[api.d.iso()] == 0);
  CHECK(series[api.d.iso(1)] == 9);
  CHECK(sg.json.at("timezone") == "Asia/Singapore");
  // One Singapore day, dd/MM/yyyy: its 24 hours only.
  Answer one =
      api.Get("/api/v1/urls/a/analytics?timezone=Asia/Singapore&startTime=" + api.d.dmy(1) +
              "&endTime=" + api.d.dmy(1));
  CHECK(one.json.at("totals").at("clicks") == 9);
  Answer utc_one =
      api.Get("/api/v1/urls/a/analytics?startTime=" + api.d.dmy(1) + "&endTime=" + api.d.dmy(1));
  CHECK(utc_one.json.at("totals").at("clicks") == 4);
  CHECK(api.Get("/api/v1/urls/a/analytics?timezone=Mars/Olympus").status == 400);
  CHECK(api.Get("/api/v1/urls/a/analytics?timezone=../../etc/passwd").status == 400);
  CHECK(api.Get("/api/v1/urls/a/analytics?startTime=31/02/2026").status == 400);
  CHECK(api.Get("/api/v1/urls/a/analytics?startTime=" + api.d.iso(1) + "&endTime=" + api.d.iso())
            .status == 400);
}

TEST_CASE("analytics api: CSV export with a header line", "[analytics]") {
  Api api;
  Reply r = api.Raw("/api/v1/urls/a/analytics?format=csv&groupBy=device&startTime=" + api.d.iso() +
                    "&endTime=" + api.d.iso());
  REQUIRE(r.response.result_int() == 200);
  CHECK(std::string(r.response[http::field::content_type]).starts_with("text/csv"));
  const std::string& body = r.response.body();
  CHECK(body.starts_with("period,dimension,value,clicks\r\n"));
  CHECK(body.find(api.d.iso() + ",clicks,,5\r\n") != std::string::npos);
  CHECK(body.find(api.d.iso() + ",bots,,2\r\n") != std::string::npos);
  CHECK(body.find(api.d.iso() + ",device,mobile,3\r\n") != std::string::npos);
  CHECK(body.find(api.d.iso() + ",device,desktop,2\r\n") != std::string::npos);
  CHECK(api.Get("/api/v1/urls/a/analytics?format=xml").status == 400);
}

TEST_CASE("analytics api: Shorten World's metricsMap 1-9 and the weekday x hour heatmap",
          "[analytics]") {
  Api api;
  std::string range = "startTime=" + api.d.dmy() + "&endTime=" + api.d.dmy(1);
  Answer m = api.Get("/api/v1/urls/a/analytics/metrics?" + range);
  INFO(m.body);
  REQUIRE(m.status == 200);
  CHECK(m.json.at("status").at("code") == 0);
  const auto& map = m.json.at("metricsMap").as_object();
  for (const char* key : {"1", "2", "3", "4", "5", "6", "7", "8", "9"}) CHECK(map.contains(key));
  CHECK(map.at("1").at(api.d.dmy()).at("newsletter") == 5);
  CHECK(map.at("2").at("mobile") == 7);
  CHECK(map.at("3").at("iOS 17") == 7);
  CHECK(map.at("4").at("Chrome") == 2);
  CHECK(map.at("5").at("Apple") == 7);
  CHECK(map.at("6").at("en") == 9);
  CHECK(map.at("7").at("SG") == 7);
  CHECK(map.at("8").at("Googlebot") == 2);
  CHECK(map.at("9").at(api.d.dmy()) == 5);
  CHECK(map.at("9").at(api.d.dmy(1)) == 4);

  Answer h = api.Get("/api/v1/urls/a/analytics/heatmap?" + range);
  REQUIRE(h.status == 200);
  // Day D's weekday, Monday 0 (1970-01-01 was a Thursday).
  const size_t wd = (api.d.number + 3) % 7;
  const auto& rows = h.json.at("heatmap").as_array();
  REQUIRE(rows.size() == 7);
  CHECK(rows[wd].as_array()[22] == 3);
  CHECK(rows[wd].as_array()[23] == 2);
  CHECK(rows[(wd + 1) % 7].as_array()[10] == 4);
}

TEST_CASE("analytics api: a team's top links, another team's link 404, no scope 403",
          "[analytics]") {
  Api api;
  // Today's clicks. The fixture's, days ago, predate the links (made
  // today): rows before a link's creation day are another link's that had
  // the code before, and are left out.
  const uint32_t h = testing::NowHour();
  REQUIRE(api.One(ApplyClicks{ClickBatch{"node-1",
                                         2,
                                         {Visits("b", 6, h), Visits("a", 2, h), Visits("a", 1, h),
                                          Visits("theirs", 50, h)}}})
              .status.ok());
  Answer top = api.Get("/api/v1/analytics/top-links");
  INFO(top.body);
  REQUIRE(top.status == 200);
  const auto& links = top.json.at("links").as_array();
  REQUIRE(links.size() == 2);  // team 2's link is not listed
  CHECK(links[0].at("shortUrl") == "b");
  CHECK(links[0].at("clicks") == 6);
  CHECK(links[1].at("shortUrl") == "a");
  CHECK(links[1].at("clicks") == 3);
  CHECK(api.Get("/api/v1/analytics/top-links?limit=1").json.at("links").as_array().size() == 1);
  CHECK(api.Get("/api/v1/analytics/top-links?campaignId=7").json.at("links").as_array().empty());
  CHECK(api.Get("/api/v1/analytics/top-links?domain=other.example")
            .json.at("links")
            .as_array()
            .empty());
  Answer theirs = api.Get("/api/v1/analytics/top-links", "bob");
  REQUIRE(theirs.json.at("links").as_array().size() == 1);
  CHECK(theirs.json.at("links").as_array()[0].at("shortUrl") == "theirs");
  // A range before today: nothing.
  CHECK(api.Get("/api/v1/analytics/top-links?startTime=" + api.d.iso() + "&endTime=" + api.d.iso(1))
            .json.at("links")
            .as_array()
            .empty());

  CHECK(api.Get("/api/v1/urls/theirs/analytics").status == 404);
  CHECK(api.Get("/api/v1/urls/theirs/analytics/metrics").status == 404);
  CHECK(api.Get("/api/v1/urls/nosuch/analytics").status == 404);
  Answer refused = api.Get("/api/v1/urls/a/analytics", "no-analytics");
  CHECK(refused.status == 403);
  CHECK(refused.message().find("analytics:GET") != std::string::npos);
  CHECK(api.Get("/api/v1/analytics/top-links", "no-analytics").status == 403);
}
}  // namespace shortlink::admin
