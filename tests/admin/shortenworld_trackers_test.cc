// Shorten World's tracker calls as the /api/v1 requests they stand for
// (admin-api/src/shortenworld/tracker_calls.h): the provider and team
// lists, link tracker ids by position, and what a create adds.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "shortenworld/tracker_calls.h"

namespace shortlink::admin::shortenworld {
namespace {

using boost::beast::http::verb;
using boost::json::parse;

Params Body(std::string_view json) {
  auto params = Params::FromRequest({}, json);
  REQUIRE(params.ok());
  return std::move(params).value();
}

TEST_CASE("the tracker lists go to the providers and to the team's trackers by path",
          "[shortenworld]") {
  InnerCall providers = ProviderListCall();
  CHECK((providers.method == verb::get && providers.target == "/api/v1/trackers/providers"));
  auto team = TeamTrackerListCall(Body(R"({"teamId": "6f1c-a b", "page": 1, "size": 5})"));
  REQUIRE(team.ok());
  CHECK(team->target == "/api/v1/teams/6f1c-a%20b/trackers?page=1&size=5");
  CHECK(team->account.empty());
  CHECK(TeamTrackerListCall(Body("{}")).error().message == "teamId is required.");
  CHECK_FALSE(TeamTrackerListCall(Body(R"({"teamId": "t", "size": 101})")).ok());
  CHECK(ReadLinkCall({"r", "go.example.com"}).target == "/api/v1/urls/r?domain=go.example.com");
}

TEST_CASE("a link tracker is named by its link and its position", "[shortenworld]") {
  CHECK(FormatLinkTrackerId({"r", ""}, 0) == "r:0");
  CHECK(FormatLinkTrackerId({"r", "go.example.com"}, 2) == "go.example.com/r:2");
  auto qualified = LinkTrackerIdOf(Body(R"({"linkTrackerId": "go.example.com/r:2"})"));
  REQUIRE(qualified.ok());
  CHECK((qualified->link.code == "r" && qualified->link.domain == "go.example.com" &&
         qualified->position == 2));
  // The position alone, with linkId beside it.
  auto bare = LinkTrackerIdOf(Body(R"({"linkTrackerId": 1, "linkId": "r"})"));
  REQUIRE(bare.ok());
  CHECK((bare->link.code == "r" && bare->link.domain.empty() && bare->position == 1));
  CHECK(LinkTrackerIdOf(Body(R"({"linkTrackerId": "1"})")).error().message ==
        "linkId is required.");
  CHECK(LinkTrackerIdOf(Body("{}")).error().message == "linkTrackerId is required.");
  for (std::string_view bad :
       {R"({"linkTrackerId": "r:"})", R"({"linkTrackerId": "r:-1"})", R"({"linkTrackerId": ":0"})",
        R"({"linkTrackerId": "r:x"})", R"({"linkTrackerId": "x", "linkId": "r"})"}) {
    INFO(bad);
    CHECK_FALSE(LinkTrackerIdOf(Body(bad)).ok());
  }
}

TEST_CASE("a link tracker create adds a provider and pixel id or team trackers", "[shortenworld]") {
  auto pixel = TrackerAdditionOf(Body(R"({"type": "0", "trackerId": "facebook",
      "code": "1234567890"})"));
  REQUIRE(pixel.ok());
  CHECK(boost::json::value(pixel->trackers) ==
        parse(R"([{"provider": "facebook", "pixelId": "1234567890"}])"));
  CHECK_FALSE(pixel->all_team_trackers);
  CHECK(TrackerAdditionOf(Body(R"({"type": 0, "code": "1"})")).error().message ==
        "trackerId is required.");
  CHECK(TrackerAdditionOf(Body(R"({"type": 0, "trackerId": "gtm"})")).error().message ==
        "code is required.");

  auto copies = TrackerAdditionOf(Body(R"({"type": 1, "teamTrackers": ["3", 5]})"));
  REQUIRE(copies.ok());
  CHECK(boost::json::value(copies->trackers) ==
        parse(R"([{"teamTrackerId": 3}, {"teamTrackerId": 5}])"));
  for (std::string_view all :
       {R"({"type": 1, "teamId": "t-1", "teamTrackers": "all-trackers"})",
        R"({"type": 1, "teamId": "t-1", "teamTrackers": ["all-trackers"]})"}) {
    INFO(all);
    auto every = TrackerAdditionOf(Body(all));
    REQUIRE(every.ok());
    CHECK((every->all_team_trackers && every->team == "t-1" && every->trackers.empty()));
  }
  CHECK(TrackerAdditionOf(Body(R"({"type": 1, "teamTrackers": "all-trackers"})")).error().message ==
        "teamId is required to copy all-trackers: the team whose trackers to copy.");
  for (std::string_view bad :
       {R"({})", R"({"type": 2})", R"({"type": 1})", R"({"type": 1, "teamTrackers": []})",
        R"({"type": 1, "teamTrackers": ["x"]})", R"({"type": 1, "teamTrackers": [0]})",
        R"({"type": 1, "teamTrackers": "3"})"}) {
    INFO(bad);
    CHECK_FALSE(TrackerAdditionOf(Body(bad)).ok());
  }
}

TEST_CASE("a link's trackers are read from its answer and written back whole", "[shortenworld]") {
  boost::json::object link = parse(R"({"shortUrl": "r", "trackers": [
      {"provider": "facebook", "pixelId": "1"}, {"provider": "gtm", "pixelId": "GTM-AB12"}]})")
                                 .as_object();
  boost::json::array trackers = LinkTrackersOf(link);
  CHECK(trackers.size() == 2);
  CHECK(LinkTrackersOf(parse(R"({"shortUrl": "r"})").as_object()).empty());
  CHECK(boost::json::value(LinkTrackerAnswers({"r", "go.example.com"}, trackers)) ==
        parse(R"([{"id": "go.example.com/r:0", "position": 0, "provider": "facebook",
            "pixelId": "1"}, {"id": "go.example.com/r:1", "position": 1, "provider": "gtm",
            "pixelId": "GTM-AB12"}])"));

  trackers.push_back(boost::json::object{{"teamTrackerId", 4}});
  InnerCall set = SetTrackersCall({"r", ""}, trackers, "t-1");
  CHECK((set.method == verb::patch && set.target == "/api/v1/urls/r" && set.account == "t-1"));
  CHECK(parse(set.body) == parse(R"({"trackers": [{"provider": "facebook", "pixelId": "1"},
      {"provider": "gtm", "pixelId": "GTM-AB12"}, {"teamTrackerId": 4}]})"));
  CHECK(parse(SetTrackersCall({"r", ""}, {}, "").body) == parse(R"({"trackers": []})"));

  CHECK(boost::json::value(AllTeamTrackers(parse(R"({"items": [{"id": 2, "provider": "gtm"},
      {"id": 7}], "consent": "eu"})")
                                               .as_object())) ==
        parse(R"([{"teamTrackerId": 2}, {"teamTrackerId": 7}])"));
}

}  // namespace
}  // namespace shortlink::admin::shortenworld
