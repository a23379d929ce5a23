// The team a route's path names ({teamId}, its first parameter) and the
// caller acting in it with its role there, for the routes under
// /api/v1/teams/{teamId}/... (members, trackers). A team the caller does
// not belong to answers 404 like a missing one; in its own team a role too
// low answers 403 saying which role it needs.
#pragma once

#include <optional>

#include "auth/access.h"
#include "http/request_context.h"
#include "teams/team.h"
#include "teams/teams.h"

namespace shortlink::admin {

struct TeamInPath {
  Team team;
  auth::Principal caller;  // the principal, acting in that team with its role there
};

// None when there is no such team or the caller is not a member.
std::optional<TeamInPath> FindTeamInPath(const Teams& teams, const RequestContext& rc);

Reply TeamNotFound(const RequestContext& rc);

// 403 for a role below what `action` needs; none when allowed.
std::optional<Reply> RefuseRole(const RequestContext& rc, const auth::Principal& caller,
                                auth::Action action);

}  // namespace shortlink::admin
