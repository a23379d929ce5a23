// Retargeting trackers through admin-api (issue 21): the team tracker and
// consent routes, the provider list, and links taking trackers by provider
// + pixel id or by a team tracker's id, each request through a real
// Router, LinkService, Teams, TeamTrackers and RocksDB. Pixel ids that are
// not their provider's pattern (HTML, quotes) are refused with a message.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "auth/authenticator.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "link_test_support.h"
#include "links/link_commands.h"
#include "links/link_routes.h"
#include "links/password_hasher.h"
#include "router_client.h"
#include "teams/teams.h"
#include "trackers/tracker_routes.h"

namespace shortlink::admin {
namespace {

using http::verb;
using Answer = testing::JsonAnswer;
using auth::Role;

struct Api : testing::ServiceFixture {
  Api() {
    teams = std::move(Teams::Load(db.get(), {})).value();
    Team acme = teams->Create(1, "acme").value();
    REQUIRE(teams->AddMember(acme.number, 3, Role::kMember).ok());
    REQUIRE(teams->AddMember(acme.number, 4, Role::kViewer).ok());
    Team other = teams->Create(2, "other").value();
    team_uuid = acme.uuid;
    team = acme.number;
    auto in = [](uint64_t user, uint64_t t, Role role) {
      return auth::UserPrincipal(user, t, role, auth::Scopes::All(), false);
    };
    keys = {{"alice", in(1, acme.number, Role::kOwner)},
            {"carol", in(3, acme.number, Role::kMember)},
            {"victor", in(4, acme.number, Role::kViewer)},
            {"bob", in(2, other.number, Role::kOwner)}};
    links = LinkApiWith(&hasher);
    RegisterLinkRoutes(router, links);
    trackers = std::move(StartTrackers(router, db.get(), teams.get(), links)).value();
  }

  Answer Send(verb method, std::string target, std::string_view key, std::string body = "") {
    return testing::SendJson(router, method, std::move(target), key, std::move(body));
  }
  std::string Trackers() const { return "/api/v1/teams/" + team_uuid + "/trackers"; }

  testing::KeyTable keys;
  MetricsRegistry router_metrics;
  PasswordHasher hasher{1};
  LinkApi links;
  std::unique_ptr<Teams> teams;
  std::unique_ptr<TrackerApi> trackers;
  std::string team_uuid;
  uint64_t team = 0;
  auth::Authenticator authenticator{testing::KeyCheckOf(keys),
                                    [](std::string_view) { return false; }};
  RateLimiter limiter{1e9, std::chrono::seconds(10), [] { return int64_t{1'000'000}; }};
  Router router{&router_metrics, &authenticator, &limiter};
};

}  // namespace

TEST_CASE("trackers: the provider list names every provider with an example id", "[trackers]") {
  Api api;
  Answer a = api.Send(verb::get, "/api/v1/trackers/providers", "victor");
  REQUIRE(a.status == 200);
  const auto& list = a.json.at("providers").as_array();
  CHECK(list.size() == kTrackerProviders.size());
  CHECK(list[0].at("id") == "facebook");
  CHECK(list[0].at("idLabel") == "Pixel ID");
  CHECK(api.Send(verb::get, "/api/v1/trackers/providers", "").status == 401);
}

TEST_CASE("trackers: team trackers are created, listed, changed and deleted by role",
          "[trackers]") {
  Api api;
  Answer made = api.Send(verb::post, api.Trackers(), "carol",
                         R"({"provider":"facebook","pixelId":"1234567890","name":"Main"})");
  INFO(made.body);
  REQUIRE(made.status == 201);
  uint64_t id = made.json.at("id").to_number<uint64_t>();
  CHECK(made.json.at("provider") == "facebook");
  CHECK(made.json.at("pixelId") == "1234567890");
  CHECK(made.json.at("name") == "Main");

  // A viewer reads but does not write; another team sees nothing.
  Answer listed = api.Send(verb::get, api.Trackers(), "victor");
  REQUIRE(listed.status == 200);
  CHECK(listed.json.at("items").as_array().size() == 1);
  CHECK(listed.json.at("consent") == "none");
  CHECK(api.Send(verb::post, api.Trackers(), "victor",
                 R"({"provider":"gtm","pixelId":"GTM-AB12CD3"})")
            .status == 403);
  CHECK(api.Send(verb::get, api.Trackers(), "bob").status == 404);
  CHECK(api.Send(verb::get, api.Trackers() + "/" + std::to_string(id), "bob").status == 404);

  // PATCH checks a new id against the stored provider, and the pair together.
  std::string one = api.Trackers() + "/" + std::to_string(id);
  CHECK(api.Send(verb::patch, one, "carol", R"({"pixelId":"GTM-AB12CD3"})").status == 400);
  Answer changed =
      api.Send(verb::patch, one, "carol", R"({"provider":"gtm","pixelId":"GTM-AB12CD3"})");
  REQUIRE(changed.status == 200);
  CHECK(changed.json.at("provider") == "gtm");
  CHECK(changed.json.at("name") == "Main");
  CHECK(api.Send(verb::get, one, "victor").json.at("pixelId") == "GTM-AB12CD3");

  // Kept across a restart (a new store over the same database).
  auto reloaded = TeamTrackers::Load(api.db.get());
  REQUIRE(reloaded.ok());
  REQUIRE((*reloaded)->List(api.team).size() == 1);
  CHECK((*reloaded)->List(api.team)[0].tracker.pixel_id == "GTM-AB12CD3");

  CHECK(api.Send(verb::delete_, one, "carol").status == 200);
  CHECK(api.Send(verb::get, one, "carol").status == 404);
  CHECK(api.Send(verb::delete_, one, "carol").status == 404);
}

TEST_CASE("trackers: a pixel id that is not its provider's is refused 400 with a message",
          "[trackers]") {
  Api api;
  for (std::string body :
       {R"({"provider":"facebook","pixelId":"123\"><script>alert(1)</script>"})",
        R"({"provider":"facebook","pixelId":"<img src=x>"})",
        R"({"provider":"gtm","pixelId":"GTM-AB'12"})", R"({"provider":"myspace","pixelId":"1"})",
        R"({"provider":"facebook"})", R"({"provider":"facebook","pixelId":12345})"}) {
    INFO(body);
    Answer a = api.Send(verb::post, api.Trackers(), "alice", body);
    CHECK(a.status == 400);
    CHECK_FALSE(a.message().empty());
    CHECK(a.body.find("<script") == std::string::npos);  // never echoed
    Answer l = api.Send(verb::post, "/api/v1/urls", "alice",
                        R"({"longUrl":"https://example.com/","trackers":[)" + body + "]}");
    CHECK(l.status == 400);
    CHECK_FALSE(l.message().empty());
  }
  CHECK(api.trackers->trackers->List(api.team).empty());
}

TEST_CASE("trackers: a link takes trackers by pixel id or by team tracker, with the consent",
          "[trackers]") {
  Api api;
  Answer made = api.Send(verb::post, api.Trackers(), "alice",
                         R"({"provider":"linkedin","pixelId":"1234567"})");
  REQUIRE(made.status == 201);
  std::string team_tracker = std::to_string(made.json.at("id").to_number<uint64_t>());
  REQUIRE(api.Send(verb::put, "/api/v1/teams/" + api.team_uuid + "/tracker-consent", "carol",
                   R"({"consent":"always"})")
              .status == 403);  // a team setting: admins
  Answer consent = api.Send(verb::put, "/api/v1/teams/" + api.team_uuid + "/tracker-consent",
                            "alice", R"({"consent":"eu"})");
  REQUIRE(consent.status == 200);
  CHECK(consent.json.at("consent") == "eu");
  CHECK(api.Send(verb::put, "/api/v1/teams/" + api.team_uuid + "/tracker-consent", "alice",
                 R"({"consent":"sometimes"})")
            .status == 400);

  Answer link = api.Send(verb::post, "/api/v1/urls", "carol",
                         R"({"longUrl":"https://example.com/t","shortUrl":"tracked","trackers":[)"
                         R"({"provider":"facebook","pixelId":"1234567890"},{"teamTrackerId":)" +
                             team_tracker + "}]}");
  INFO(link.body);
  REQUIRE(link.status == 200);
  const auto& list = link.json.at("trackers").as_array();
  REQUIRE(list.size() == 2);
  CHECK(list[0].at("provider") == "facebook");
  CHECK(list[1].at("provider") == "linkedin");
  CHECK(list[1].at("pixelId") == "1234567");
  CHECK(link.json.at("trackerConsent") == "eu");

  // Stored as rules: the nodes get them with the link.
  auto stored = api.index.Get("tracked");
  REQUIRE(stored);
  REQUIRE(stored->rules.trackers.size() == 2);
  CHECK(stored->rules.tracker_consent == TrackerConsent::kEu);

  // A new consent setting reaches the team's links with trackers.
  Answer again = api.Send(verb::put, "/api/v1/teams/" + api.team_uuid + "/tracker-consent", "alice",
                          R"({"consent":"always"})");
  REQUIRE(again.status == 200);
  CHECK(again.json.at("linksUpdated") == 1);
  CHECK(api.Send(verb::get, "/api/v1/urls/tracked", "carol").json.at("trackerConsent") == "always");
  CHECK(api.index.Get("tracked")->rules.tracker_consent == TrackerConsent::kAlways);
  CHECK(api.Send(verb::put, "/api/v1/teams/" + api.team_uuid + "/tracker-consent", "alice",
                 R"({"consent":"always"})")
            .json.at("linksUpdated") == 0);

  // Another team's tracker id is not one of this team's.
  CHECK(api.Send(verb::post, "/api/v1/urls", "bob",
                 R"({"longUrl":"https://example.com/","trackers":[{"teamTrackerId":)" +
                     team_tracker + "}]}")
            .status == 400);
  // PATCH replaces them; null clears them.
  Answer patched = api.Send(verb::patch, "/api/v1/urls/tracked", "carol",
                            R"({"trackers":[{"provider":"gtm","pixelId":"GTM-AB12CD3"}]})");
  REQUIRE(patched.status == 200);
  CHECK(patched.json.at("trackers").as_array().size() == 1);
  Answer cleared = api.Send(verb::patch, "/api/v1/urls/tracked", "carol", R"({"trackers":null})");
  REQUIRE(cleared.status == 200);
  CHECK_FALSE(cleared.json.as_object().contains("trackers"));
  CHECK(
      api.Send(verb::get, "/api/v1/urls/tracked", "carol").json.as_object().contains("trackers") ==
      false);
  // Too many.
  std::string many = R"({"longUrl":"https://example.com/","trackers":[)";
  for (int i = 0; i <= 10; ++i)
    many += std::string(i ? "," : "") + R"({"provider":"linkedin","pixelId":"1234567"})";
  CHECK(api.Send(verb::post, "/api/v1/urls", "carol", many + "]}").status == 400);
}

}  // namespace shortlink::admin
