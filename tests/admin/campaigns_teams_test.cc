// GET /api/v1/campaigns?teamId= (campaigns/campaign_routes.h): another team
// of the caller's, or "*" for every team of the caller's, paged as one list
// (Shorten World's campaign list without teamId); absent, the key's team as
// before. Through a real Router, Campaigns and RocksDB; the caller's teams
// come from CampaignApi::teams_of as serve.cc sets it from teams/.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "campaigns/campaign_routes.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "link_test_support.h"
#include "links/password_hasher.h"
#include "router_client.h"

namespace shortlink::admin {
namespace {

using http::verb;

const testing::KeyTable& Keys() {
  static const testing::KeyTable keys = testing::TwoTeamsKeys();
  return keys;
}

struct Api : testing::ServiceFixture {
  Api() {
    links = LinkApiWith(&hasher);
    campaigns = std::move(Campaigns::Load(db.get())).value();
    service->SetCampaignDirectory(campaigns.get());
    campaign_api = CampaignApi{campaigns.get(), &links};
    // alice (user 1): admin of team 1, viewer of team 2; bob (user 2): team 2 only.
    campaign_api.teams_of = [](uint64_t user) {
      std::vector<CallerTeam> teams;
      if (user == 1) teams.push_back({1, "team-1", auth::Role::kAdmin});
      teams.push_back({2, "team-2", user == 1 ? auth::Role::kViewer : auth::Role::kAdmin});
      return teams;
    };
    RegisterCampaignRoutes(router, campaign_api);
  }

  testing::JsonAnswer Send(verb method, std::string target, std::string_view key,
                           std::string body = "") {
    return testing::SendJson(router, method, std::move(target), key, std::move(body));
  }
  void Made(std::string_view key, std::string_view name) {
    auto a = Send(verb::post, "/api/v1/campaigns", key,
                  boost::json::serialize(boost::json::object{{"name", name}}));
    REQUIRE(a.status == 201);
  }
  // "teamId/name" of each campaign listed.
  std::vector<std::string> Listed(std::string_view key, std::string query) {
    auto a = Send(verb::get, "/api/v1/campaigns" + query, key);
    INFO(a.body);
    REQUIRE(a.status == 200);
    std::vector<std::string> out;
    for (const auto& c : a.json.at("items").as_array())
      out.push_back(std::string(c.at("teamId").as_string()) + "/" +
                    std::string(c.at("name").as_string()));
    return out;
  }

  MetricsRegistry router_metrics;
  PasswordHasher hasher{1};
  LinkApi links;
  std::unique_ptr<Campaigns> campaigns;
  CampaignApi campaign_api;
  auth::Authenticator authenticator{testing::KeyCheckOf(Keys()),
                                    [](std::string_view) { return false; }};
  RateLimiter limiter{1e9, std::chrono::seconds(10), [] { return int64_t{1'000'000}; }};
  Router router{&router_metrics, &authenticator, &limiter};
};

TEST_CASE("campaigns: teamId lists another team of the caller's or every one as one list",
          "[campaigns]") {
  Api api;
  api.Made("alice", "Spring");
  api.Made("alice", "Summer");
  api.Made("bob", "Autumn");
  api.Made("bob", "Winter sale");

  // Absent: the key's team, as before.
  CHECK(api.Listed("alice", "") == std::vector<std::string>{"team-1/Spring", "team-1/Summer"});
  CHECK(api.Listed("alice", "?teamId=team-2") ==
        std::vector<std::string>{"team-2/Autumn", "team-2/Winter sale"});
  CHECK(api.Listed("alice", "?teamId=%2A") ==
        std::vector<std::string>{"team-1/Spring", "team-1/Summer", "team-2/Autumn",
                                 "team-2/Winter sale"});
  // Paged across the teams' boundary, the total over all of them.
  auto page = api.Send(verb::get, "/api/v1/campaigns?teamId=*&page=1&size=3", "alice");
  REQUIRE(page.status == 200);
  CHECK(page.json.at("total") == 4);
  CHECK(api.Listed("alice", "?teamId=*&page=1&size=3") ==
        std::vector<std::string>{"team-2/Winter sale"});
  CHECK(api.Listed("alice", "?teamId=*&size=3") ==
        std::vector<std::string>{"team-1/Spring", "team-1/Summer", "team-2/Autumn"});
  CHECK(api.Listed("alice", "?teamId=*&search=SALE") ==
        std::vector<std::string>{"team-2/Winter sale"});
  CHECK(api.Listed("bob", "?teamId=*") ==
        std::vector<std::string>{"team-2/Autumn", "team-2/Winter sale"});

  // A team the caller is not in answers as a missing one.
  auto other = api.Send(verb::get, "/api/v1/campaigns?teamId=team-1", "bob");
  CHECK(other.status == 404);
  CHECK(other.message() == "Team not found.");
  CHECK(api.Send(verb::get, "/api/v1/campaigns?teamId=nope", "alice").status == 404);
}

}  // namespace
}  // namespace shortlink::admin
