// Shorten World's calls as the /api/v1 requests they stand for
// (admin-api/src/shortenworld/calls.h): names, shapes and refusals.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "shortenworld/calls.h"
#include "shortenworld/params.h"

namespace shortlink::admin::shortenworld {
namespace {

using boost::beast::http::verb;

Params Body(std::string_view json, std::map<std::string, std::string> query = {}) {
  auto params = Params::FromRequest(query, json);
  REQUIRE(params.ok());
  return std::move(params).value();
}

boost::json::value JsonOf(const InnerCall& call) { return boost::json::parse(call.body); }

TEST_CASE("params merge the query and the JSON body and read numbers and booleans leniently",
          "[shortenworld]") {
  Params p = Body(R"({"size": "5", "noTitle": "true", "click": 3, "name": 12})", {{"page", "2"}});
  CHECK(p.Whole("page").value() == 2);
  CHECK(p.Whole("size").value() == 5);
  CHECK(p.Whole("click").value() == 3);
  CHECK(p.Bool("noTitle").value() == true);
  CHECK(p.String("name").value() == "12");
  CHECK_FALSE(p.Has("absent"));
  CHECK_FALSE(Params::FromRequest({}, "[1]").ok());
  CHECK_FALSE(Params::FromRequest({}, "{").ok());
  CHECK(Params::FromRequest({}, "  \n").ok());
  CHECK_FALSE(Body(R"({"noTitle": "yes"})").Bool("noTitle").ok());
  CHECK_FALSE(Body(R"({"click": 1.5})").Whole("click").ok());
}

TEST_CASE("linkId is a code or domain slash code", "[shortenworld]") {
  auto plain = LinkIdOf(Body(R"({"linkId": "report"})"));
  REQUIRE(plain.ok());
  CHECK((plain->code == "report" && plain->domain.empty()));
  auto custom = LinkIdOf(Body(R"({"linkId": "go.example.com/report"})"));
  REQUIRE(custom.ok());
  CHECK((custom->code == "report" && custom->domain == "go.example.com"));
  CHECK(FormatLinkId("report", "go.example.com") == "go.example.com/report");
  CHECK(FormatLinkId("report", "") == "report");
  CHECK(LinkIdOf(Body("{}")).error().message == "linkId is required.");
  CHECK_FALSE(LinkIdOf(Body(R"({"linkId": "/report"})")).ok());
  CHECK_FALSE(LinkIdOf(Body(R"({"linkId": "go.example.com/"})")).ok());
}

TEST_CASE("lists page from 0 with size 20 by default and the link list maps every filter",
          "[shortenworld]") {
  auto teams = TeamListCall(Body("{}"));
  REQUIRE(teams.ok());
  CHECK(teams->target == "/api/v1/teams?page=0&size=20");
  CHECK(teams->method == verb::get);
  auto campaigns = CampaignListCall(Body(R"({"teamId": "t-1", "page": 2, "size": 5})"));
  REQUIRE(campaigns.ok());
  // teamId selects the team in the route's query (any team of the
  // caller's); absent: every team of the caller's, as the document says.
  CHECK(campaigns->target == "/api/v1/campaigns?page=2&size=5&teamId=t-1");
  CHECK(campaigns->account.empty());
  CHECK(CampaignListCall(Body("{}"))->target == "/api/v1/campaigns?page=0&size=20&teamId=%2A");
  CHECK_FALSE(DomainListCall(Body(R"({"size": 0})")).ok());
  CHECK_FALSE(DomainListCall(Body(R"({"size": 101})")).ok());

  CallContext context{"sho.rt"};
  auto links = LinkListCall(Body(R"({"teamId": "t-1", "domainIds": "go.example.com",
      "campaignIds": "3,4", "hidden": "true", "search": "spring sale", "size": 10, "page": 3})"),
                            context);
  REQUIRE(links.ok());
  CHECK(links->target ==
        "/api/v1/urls?limit=10&offset=30&searchText=spring%20sale&hidden=true&campaignIds=3%2C4"
        "&domain=go.example.com");
  CHECK(links->account == "t-1");
  for (std::string_view id : {"default", "sho.rt", " default "}) {
    auto by_default = LinkListCall(Params::FromObject({{"domainIds", id}}), context);
    REQUIRE(by_default.ok());
    CHECK(by_default->target == "/api/v1/urls?limit=20&offset=0");
  }
}

TEST_CASE("the link list reads every domain without domainIds and several with a list",
          "[shortenworld]") {
  CallContext context{"sho.rt"};
  for (std::string_view none : {"{}", R"({"domainIds": ""})", R"({"domainIds": " , "})"}) {
    INFO(none);
    CHECK(LinkListCall(Body(none), context)->target == "/api/v1/urls?limit=20&offset=0&domain=%2A");
  }
  CHECK(LinkListCall(Body(R"({"domainIds": "a.example.com, b.example.com"})"), context)->target ==
        "/api/v1/urls?limit=20&offset=0&domain=a.example.com%2Cb.example.com");
  // The default domain in a list, by "default" or by its host.
  CHECK(LinkListCall(Body(R"({"domainIds": "sho.rt,a.example.com"})"), context)->target ==
        "/api/v1/urls?limit=20&offset=0&domain=default%2Ca.example.com");
  CHECK(LinkListCall(Body(R"({"domainIds": "a.example.com,default"})"), context)->target ==
        "/api/v1/urls?limit=20&offset=0&domain=a.example.com%2Cdefault");
}

TEST_CASE("create maps destination utm campaign and domain and requires what the document does",
          "[shortenworld]") {
  CallContext context{"sho.rt"};
  auto call = CreateCall(Body(R"({"teamId": "t-1", "domainId": "go.example.com",
      "campaignId": "7", "noTitle": true, "destination": "https://example.com/p",
      "utmSource": "news", "utmContent": "top"})"),
                         context);
  REQUIRE(call.ok());
  CHECK(call->method == verb::post);
  CHECK(call->target == "/api/v1/urls");
  CHECK(call->account == "t-1");
  CHECK(JsonOf(*call) == boost::json::parse(R"({"longUrl": "https://example.com/p",
      "domain": "go.example.com", "campaignId": "7",
      "utm": {"source": "news", "content": "top"}})"));
  auto on_default = CreateCall(
      Body(R"({"teamId": "t", "domainId": "default", "destination": "https://e.com/"})"), context);
  REQUIRE(on_default.ok());
  CHECK(JsonOf(*on_default) == boost::json::parse(R"({"longUrl": "https://e.com/"})"));
  CHECK(CreateCall(Body(R"({"domainId": "default", "destination": "https://e.com/"})"), context)
            .error()
            .message == "teamId is required.");
  CHECK(CreateCall(Body(R"({"teamId": "t", "destination": "https://e.com/"})"), context)
            .error()
            .message == "domainId is required.");
  CHECK(CreateCall(Body(R"({"teamId": "t", "domainId": "default"})"), context).error().message ==
        "destination is required.");
  CHECK_FALSE(CreateCall(Body(R"({"teamId": "t", "domainId": "default", "noTitle": "maybe",
      "destination": "https://e.com/"})"),
                         context)
                  .ok());
}

TEST_CASE("update maps title tags and hide and refuses a new code", "[shortenworld]") {
  auto call = UpdateCall(Body(R"({"linkId": "go.example.com/report", "title": "T",
      "tags": "spring, sale ,", "hide": "on", "code": "report"})"));
  REQUIRE(call.ok());
  CHECK(call->method == verb::patch);
  CHECK(call->target == "/api/v1/urls/report?domain=go.example.com");
  CHECK(JsonOf(*call) ==
        boost::json::parse(R"({"title": "T", "tags": ["spring", "sale"], "hidden": true})"));
  auto off = UpdateCall(Body(R"({"linkId": "r", "hide": "off", "tags": ["a"]})"));
  REQUIRE(off.ok());
  CHECK(JsonOf(*off) == boost::json::parse(R"({"tags": ["a"], "hidden": false})"));
  CHECK_FALSE(UpdateCall(Body(R"({"linkId": "r", "hide": true})")).ok());
  CHECK_FALSE(UpdateCall(Body(R"({"linkId": "r", "code": "other"})")).ok());
  auto del = DeleteCall(Body(R"({"linkId": "r"})"));
  REQUIRE(del.ok());
  CHECK((del->method == verb::delete_ && del->target == "/api/v1/urls/r" && del->body.empty()));
}

TEST_CASE("redirect mobile expiration password and testing become link patches", "[shortenworld]") {
  auto redirect = RedirectCall(Body(R"({"linkId": "r", "destination": "https://e.com/n",
      "clickType": "1", "uniqueTime": 15, "utmCampaign": "c"})"));
  REQUIRE(redirect.ok());
  CHECK(JsonOf(*redirect) == boost::json::parse(R"({"longUrl": "https://e.com/n",
      "clickType": "UNIQUE", "uniqueWindowMinutes": 15, "utm": {"campaign": "c"}})"));
  CHECK(JsonOf(*RedirectCall(Body(R"({"linkId": "r", "clickType": 0})"))) ==
        boost::json::parse(R"({"clickType": "ALL"})"));
  CHECK_FALSE(RedirectCall(Body(R"({"linkId": "r", "clickType": 2})")).ok());

  auto mobile = MobileCall(Body(R"({"linkId": "r", "ios": "https://i.e.com/",
      "mobile": "https://m.e.com/"})"));
  REQUIRE(mobile.ok());
  CHECK(JsonOf(*mobile) == boost::json::parse(R"({"deviceTargets": {"ios": "https://i.e.com/",
      "mobile": "https://m.e.com/"}})"));

  auto expiration = ExpirationCall(Body(R"({"linkId": "r", "date": "31/01/2030",
      "destinationByDate": "https://e.com/late", "click": 100, "clickType": 1,
      "destinationByClick": "https://e.com/full"})"));
  REQUIRE(expiration.ok());
  CHECK(JsonOf(*expiration) == boost::json::parse(R"({"expiresAt": "2030-01-31T00:00:00Z",
      "expiredUrl": "https://e.com/late", "maxClicks": 100, "clickType": "UNIQUE",
      "clickLimitUrl": "https://e.com/full"})"));
  CHECK_FALSE(ExpirationCall(Body(R"({"linkId": "r", "date": "2030-01-31"})")).ok());

  CHECK(JsonOf(*PasswordCall(Body(R"({"linkId": "r", "password": "s"})"))) ==
        boost::json::parse(R"({"password": "s"})"));
  CHECK(JsonOf(*PasswordCall(Body(R"({"linkId": "r", "password": ""})"))) ==
        boost::json::parse(R"({"password": ""})"));
  CHECK_FALSE(PasswordCall(Body(R"({"linkId": "r"})")).ok());

  auto testing = TestingCall(Body(R"({"linkId": "r", "testing": [
      {"link": "https://a.e.com/", "percentage": 30}, {"link": "https://b.e.com/", "percentage": "70"}]})"));
  REQUIRE(testing.ok());
  CHECK(JsonOf(*testing) == boost::json::parse(R"({"abTargets": [
      {"url": "https://a.e.com/", "percentage": 30}, {"url": "https://b.e.com/", "percentage": 70}]})"));
  CHECK(JsonOf(*TestingCall(Body(R"({"linkId": "r", "testing": []})"))) ==
        boost::json::parse(R"({"abTargets": []})"));
  CHECK_FALSE(TestingCall(Body(R"({"linkId": "r"})")).ok());
  CHECK_FALSE(
      TestingCall(Body(R"({"linkId": "r", "testing": [{"link": "https://a.e.com/"}]})")).ok());
}

TEST_CASE("analytics and tokens go to their routes", "[shortenworld]") {
  auto analytics = AnalyticsCall(Body(R"({"linkId": "go.example.com/r",
      "startTime": "01/01/2030", "endTime": "31/01/2030"})"));
  REQUIRE(analytics.ok());
  CHECK(analytics->target ==
        "/api/v1/urls/r/analytics/metrics?domain=go.example.com&startTime=01%2F01%2F2030"
        "&endTime=31%2F01%2F2030");
  auto token = TokenCall(Body(R"({"username": "ann", "key": "live_v1_x", "extra": 1})"));
  REQUIRE(token.ok());
  CHECK(token->target == "/api/v1/auth/token");
  CHECK(JsonOf(*token) == boost::json::parse(R"({"username": "ann", "key": "live_v1_x"})"));
  auto refresh = RefreshCall(Body(R"({"refreshToken": "rt_v1_x"})"));
  REQUIRE(refresh.ok());
  CHECK(refresh->target == "/api/v1/auth/refresh");
  CHECK(RevokeCall().target == "/api/v1/auth/revoke");
  CHECK(TitleCall({"r", ""}, "A \"title\"").body == R"({"title":"A \"title\""})");
}

TEST_CASE("a code with reserved characters is percent-encoded into the path", "[shortenworld]") {
  auto call = DeleteCall(Body(R"({"linkId": "a b?c#d"})"));
  REQUIRE(call.ok());
  CHECK(call->target == "/api/v1/urls/a%20b%3Fc%23d");
}

}  // namespace
}  // namespace shortlink::admin::shortenworld
