// Shorten World's retargeting tracker calls as the /api/v1 requests they
// stand for (trackers/tracker_routes.h), in the manner of calls.h:
//
//   /v1 call                       /api/v1 request
//   GET    tracker/list            GET   trackers/providers
//   GET    team/tracker/list       GET   teams/{teamId}/trackers ?page&size
//   GET    link/tracker/list       GET   urls/{code}     (its "trackers", paged here)
//   POST   link/tracker/create     GET   urls/{code}, then PATCH urls/{code} {trackers}
//   DELETE link/tracker/delete     GET   urls/{code}, then PATCH urls/{code} {trackers}
//
// A link's trackers are a list inside the link, copied from the team's or
// given as provider + pixel id, with no ids of their own. So a link tracker
// is named by its position in that list, from 0, qualified by its link:
// linkTrackerId "<linkId>:<position>" ("report:0", "go.example.com/report:1").
// Positions after a deleted tracker move down by one. Create and delete
// read the link's list and write it back whole: two of them on one link at
// the same moment may lose one change (the later write wins).
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "shortenworld/calls.h"
#include "shortenworld/params.h"

namespace shortlink::admin::shortenworld {

// "all-trackers" in teamTrackers: every tracker of the team.
inline constexpr std::string_view kAllTeamTrackers = "all-trackers";

InnerCall ProviderListCall();
// teamId (required) selects the team by path: any team the caller belongs to.
Result<InnerCall> TeamTrackerListCall(const Params& params);
// The link itself, whose "trackers" the link tracker calls read.
InnerCall ReadLinkCall(const LinkId& link);

struct LinkTrackerId {
  LinkId link;
  size_t position = 0;
};
std::string FormatLinkTrackerId(const LinkId& link, size_t position);
// linkTrackerId (required): "<linkId>:<position>", or the position alone
// with linkId beside it. 400 otherwise.
Result<LinkTrackerId> LinkTrackerIdOf(const Params& params);

// What a create adds to a link's trackers. type 0: trackerId (a provider of
// the tracker list) and code (its pixel id), one {provider, pixelId}; type 1:
// teamTrackers, team tracker ids as {teamTrackerId} objects, or
// "all-trackers" (alone, or as the array's one entry), which needs teamId.
struct TrackerAddition {
  boost::json::array trackers;
  bool all_team_trackers = false;
  std::string team;  // teamId: the team whose trackers are copied; "": the key's team
};
Result<TrackerAddition> TrackerAdditionOf(const Params& params);
// `team_list`: the answer of TeamTrackerListCall; its trackers as
// {teamTrackerId} objects.
boost::json::array AllTeamTrackers(const boost::json::object& team_list);

// `link`'s trackers (the "trackers" of its /api/v1 answer, none when absent).
boost::json::array LinkTrackersOf(const boost::json::object& link);
// The PATCH that sets `link`'s trackers to `trackers`, acting in `team`
// (x-account-uuid; "": the key's team).
InnerCall SetTrackersCall(const LinkId& link, boost::json::array trackers, std::string team);

// A link's trackers as answered: {"id": linkTrackerId, "position", "provider", "pixelId"}.
boost::json::array LinkTrackerAnswers(const LinkId& link, const boost::json::array& trackers);

}  // namespace shortlink::admin::shortenworld
