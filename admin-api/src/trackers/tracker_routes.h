// The retargeting tracker routes (issue 21):
//
//   GET    /api/v1/trackers/providers                   the providers and their id patterns
//   GET    /api/v1/teams/{teamId}/trackers              the team's trackers (paged)
//   POST   /api/v1/teams/{teamId}/trackers              {provider, pixelId, name?}
//   GET    /api/v1/teams/{teamId}/trackers/{trackerId}
//   PATCH  /api/v1/teams/{teamId}/trackers/{trackerId}  {provider?, pixelId?, name?}
//   DELETE /api/v1/teams/{teamId}/trackers/{trackerId}
//   GET    /api/v1/teams/{teamId}/tracker-consent       {"consent": "none" | "eu" | "always"}
//   PUT    /api/v1/teams/{teamId}/tracker-consent
//
// A link carries the consent with its trackers (the nodes know no teams), so
// a PUT of the consent also rewrites every link of the team that has
// trackers and another setting, through the link writer, before it
// answers ("linksUpdated"). A link whose trackers are written while that
// runs may keep the setting its request read; PUT again to be sure.
//
// Scoped as the other /api/v1/teams routes (the "teams" endpoint). A team
// the caller is not a member of answers 404 like a missing one; viewers
// read, members manage trackers, admins set consent (as renaming the team).
// Links take trackers in their own "trackers" field, by provider + pixel id
// or by a team tracker's id (links/link_rules_json.h), resolved here.
#pragma once

#include <memory>

#include "common/result.h"
#include "http/router.h"
#include "links/link_commands.h"
#include "store/database.h"
#include "teams/teams.h"
#include "trackers/team_trackers.h"

namespace shortlink::admin {

// What the tracker routes reach; owns the store.
struct TrackerApi {
  std::unique_ptr<TeamTrackers> trackers;
  Teams* teams = nullptr;
  LinkApi* links = nullptr;  // a consent change is written onto the team's links with trackers
};

// Adds the routes above to `router`; `api` outlives it. A TrackerApi
// without a store serves only the route table (tests/admin/all_routes.h).
void RegisterTrackerRoutes(Router& router, TrackerApi& api);

// Loads the team trackers of `db`, adds their routes to `router`, and lets
// the link routes resolve team trackers and consent (`links`'
// resolve_trackers). The result outlives the router and `links`.
Result<std::unique_ptr<TrackerApi>> StartTrackers(Router& router, Database* db, Teams* teams,
                                                  LinkApi& links);

// LinkApi::resolve_trackers over `trackers`: each teamTrackerId copied as
// provider + pixel id (400 for one the team does not have), and the team's
// consent set on the patch.
Status ResolveTeamTrackers(const TeamTrackers& trackers, uint64_t team, LinkPatch* patch);

}  // namespace shortlink::admin
