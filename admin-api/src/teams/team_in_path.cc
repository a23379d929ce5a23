#include "teams/team_in_path.h"

namespace shortlink::admin {

std::optional<TeamInPath> FindTeamInPath(const Teams& teams, const RequestContext& rc) {
  std::optional<Team> team = teams.FindByUuid(rc.params.at(0));
  if (!team) return std::nullopt;
  const TeamMember* member = team->Member(rc.principal->user);
  if (!member) return std::nullopt;
  auth::Principal caller = *rc.principal;
  caller.team = team->number;
  caller.role = member->role;
  return TeamInPath{std::move(*team), caller};
}

Reply TeamNotFound(const RequestContext& rc) {
  return rc.Error(ErrorCode::kNotFound, "Team not found.");
}

std::optional<Reply> RefuseRole(const RequestContext& rc, const auth::Principal& caller,
                                auth::Action action) {
  if (auth::Allow(caller, action)) return std::nullopt;
  return rc.Error(ErrorCode::kForbidden, auth::RoleTooLow(caller, action));
}

}  // namespace shortlink::admin
