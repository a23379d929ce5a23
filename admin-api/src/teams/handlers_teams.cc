// /api/v1/teams: a user's teams, their members and roles.
//
// A team the caller does not belong to answers 404 like a missing one; in
// its own team a role too low answers 403 saying which role it needs. The
// role checked is the caller's in the team named by the path, whatever team
// its key acts in (the key's scopes were checked by the router).
#include <boost/json.hpp>
#include <charconv>

#include "auth/access.h"
#include "http/json_input.h"
#include "http/paging.h"
#include "teams/team_in_path.h"
#include "teams/team_json.h"
#include "teams/team_routes.h"

namespace shortlink::admin {
namespace {

std::optional<TeamInPath> FindTeam(const TeamApi& api, const RequestContext& rc) {
  return FindTeamInPath(*api.teams, rc);
}

Result<std::string> SiteNameIn(std::string_view body) {
  auto obj = ParseJsonObject(body);
  if (!obj.ok()) return obj.error();
  constexpr std::string_view kFields[] = {"siteName"};
  if (Status s = OnlyKnownFields(*obj, kFields); !s.ok()) return s.error();
  auto name = OptionalString(*obj, "siteName");
  if (!name.ok()) return name.error();
  if (!*name) return MakeError(ErrorCode::kInvalidArgument, "siteName is required.");
  return **name;
}

Reply TeamReply(const RequestContext& rc, http::status status, const Team& team, auth::Role role,
                const Accounts* members_of = nullptr) {
  boost::json::object body = TeamToJson(team, role);
  if (members_of) {
    boost::json::array members;
    for (const TeamMember& m : team.members) members.push_back(MemberToJson(m, *members_of));
    body["members"] = std::move(members);
  }
  return rc.Json(status, boost::json::serialize(body));
}

Awaitable ListTeams(TeamApi& api, RequestContext& rc) {
  auto paging = ParsePaging(rc.query);
  if (!paging.ok()) co_return rc.Error(paging.error());
  std::vector<Team> teams = api.teams->TeamsOf(rc.principal->user);
  boost::json::array items;
  for (size_t i = paging->offset; i < teams.size() && items.size() < paging->limit; ++i)
    items.push_back(TeamToJson(teams[i], teams[i].Member(rc.principal->user)->role));
  boost::json::object body;
  body["items"] = std::move(items);
  paging->Describe(teams.size(), &body);
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

Awaitable CreateTeam(TeamApi& api, RequestContext& rc) {
  auto name = SiteNameIn(rc.req.body());
  if (!name.ok()) co_return rc.Error(name.error());
  auto team = api.teams->Create(rc.principal->user, *name);
  if (!team.ok()) co_return rc.Error(team.error());
  co_return TeamReply(rc, http::status::created, *team, auth::Role::kOwner, api.accounts);
}

Awaitable GetTeam(TeamApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  co_return TeamReply(rc, http::status::ok, found->team, found->caller.role, api.accounts);
}

Awaitable RenameTeam(TeamApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  if (auto refused = RefuseRole(rc, found->caller, auth::Action::kRenameTeam)) co_return *refused;
  auto name = SiteNameIn(rc.req.body());
  if (!name.ok()) co_return rc.Error(name.error());
  auto team = api.teams->Rename(found->team.number, *name);
  if (!team.ok()) co_return rc.Error(team.error());
  co_return TeamReply(rc, http::status::ok, *team, found->caller.role, api.accounts);
}

Awaitable DeleteTeam(TeamApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  if (auto refused = RefuseRole(rc, found->caller, auth::Action::kDeleteTeam)) co_return *refused;
  if (found->team.personal)
    co_return rc.Error(ErrorCode::kInvalidArgument, "A personal team cannot be deleted.");
  if (api.team_has_links && api.team_has_links(found->team.number)) {
    co_return rc.Error(ErrorCode::kStateConflict,
                       "The team still owns links; delete them before the team.");
  }
  // Its keys stop working with it: revoked, so that a team made later can
  // never be reached through them.
  for (const ApiKeyInfo& key : api.accounts->ListKeys(found->team.number, std::nullopt))
    if (!key.revoked) api.accounts->RevokeKey(found->team.number, std::nullopt, key.id);
  if (Status s = api.teams->Delete(found->team.number); !s.ok()) co_return rc.Error(s.error());
  boost::json::object body;
  body["message"] = "Team " + found->team.site_name + " deleted.";
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

Awaitable ListMembers(TeamApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  auto paging = ParsePaging(rc.query);
  if (!paging.ok()) co_return rc.Error(paging.error());
  const auto& members = found->team.members;
  boost::json::array items;
  for (size_t i = paging->offset; i < members.size() && items.size() < paging->limit; ++i)
    items.push_back(MemberToJson(members[i], *api.accounts));
  boost::json::object body;
  body["items"] = std::move(items);
  paging->Describe(members.size(), &body);
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

Result<auth::Role> RoleIn(const simdjson::dom::object& obj, bool required) {
  auto text = OptionalString(obj, "role");
  if (!text.ok()) return text.error();
  auth::Role role = auth::Role::kMember;
  if (!*text) {
    if (required) return MakeError(ErrorCode::kInvalidArgument, "role is required.");
    return role;
  }
  if (!auth::ParseRole(**text, &role))
    return MakeError(ErrorCode::kInvalidArgument, "role must be viewer, member, admin or owner.");
  return role;
}

// Only an owner makes or unmakes owners.
std::optional<Reply> RefuseOwnerChange(const RequestContext& rc, const auth::Principal& caller,
                                       auth::Role from, auth::Role to) {
  if ((from == auth::Role::kOwner || to == auth::Role::kOwner) && caller.role != auth::Role::kOwner)
    return rc.Error(ErrorCode::kForbidden, "Only an owner may make or unmake owners.");
  return std::nullopt;
}

Awaitable AddMember(TeamApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  if (auto refused = RefuseRole(rc, found->caller, auth::Action::kManageMembers))
    co_return *refused;
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  constexpr std::string_view kFields[] = {"email", "role"};
  if (Status s = OnlyKnownFields(*obj, kFields); !s.ok()) co_return rc.Error(s.error());
  auto email = OptionalString(*obj, "email");
  if (!email.ok()) co_return rc.Error(email.error());
  if (!*email) co_return rc.Error(ErrorCode::kInvalidArgument, "email is required.");
  auto role = RoleIn(*obj, false);
  if (!role.ok()) co_return rc.Error(role.error());
  if (auto refused = RefuseOwnerChange(rc, found->caller, auth::Role::kViewer, *role))
    co_return *refused;
  auto user = api.accounts->FindUserByEmail(**email);
  if (!user) co_return rc.Error(ErrorCode::kNotFound, "No user with that email.");
  auto team = api.teams->AddMember(found->team.number, user->id, *role);
  if (!team.ok()) co_return rc.Error(team.error());
  co_return rc.Json(http::status::created,
                    boost::json::serialize(MemberToJson({user->id, *role}, *api.accounts)));
}

std::optional<uint64_t> UserIdIn(const std::string& text) {
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

Awaitable ChangeRole(TeamApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  if (auto refused = RefuseRole(rc, found->caller, auth::Action::kManageMembers))
    co_return *refused;
  auto user = UserIdIn(rc.params.at(1));
  const TeamMember* member = user ? found->team.Member(*user) : nullptr;
  if (!member) co_return rc.Error(ErrorCode::kNotFound, "That user is not a member of the team.");
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  constexpr std::string_view kFields[] = {"role"};
  if (Status s = OnlyKnownFields(*obj, kFields); !s.ok()) co_return rc.Error(s.error());
  auto role = RoleIn(*obj, true);
  if (!role.ok()) co_return rc.Error(role.error());
  if (auto refused = RefuseOwnerChange(rc, found->caller, member->role, *role)) co_return *refused;
  auto team = api.teams->SetRole(found->team.number, *user, *role);
  if (!team.ok()) co_return rc.Error(team.error());
  co_return rc.Json(http::status::ok,
                    boost::json::serialize(MemberToJson({*user, *role}, *api.accounts)));
}

Awaitable RemoveMember(TeamApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  auto user = UserIdIn(rc.params.at(1));
  const TeamMember* member = user ? found->team.Member(*user) : nullptr;
  if (!member) co_return rc.Error(ErrorCode::kNotFound, "That user is not a member of the team.");
  // Anyone may leave; removing another takes an admin (an owner for an owner).
  if (*user != rc.principal->user) {
    if (auto refused = RefuseRole(rc, found->caller, auth::Action::kManageMembers))
      co_return *refused;
    if (auto refused = RefuseOwnerChange(rc, found->caller, member->role, auth::Role::kViewer))
      co_return *refused;
  }
  auto team = api.teams->RemoveMember(found->team.number, *user);
  if (!team.ok()) co_return rc.Error(team.error());
  boost::json::object body;
  body["message"] =
      "User " + std::to_string(*user) + " removed from " + found->team.site_name + ".";
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

}  // namespace

void RegisterTeamRoutes(Router& router, TeamApi& api) {
  using http::verb;
  router.Add({verb::get, "/api/v1/teams", Auth::kApiKey, Bind(api, ListTeams)});
  router.Add({verb::post, "/api/v1/teams", Auth::kApiKey, Bind(api, CreateTeam)});
  router.Add({verb::get, "/api/v1/teams/{teamId}", Auth::kApiKey, Bind(api, GetTeam)});
  router.Add({verb::patch, "/api/v1/teams/{teamId}", Auth::kApiKey, Bind(api, RenameTeam)});
  router.Add({verb::delete_, "/api/v1/teams/{teamId}", Auth::kApiKey, Bind(api, DeleteTeam)});
  router.Add({verb::get, "/api/v1/teams/{teamId}/members", Auth::kApiKey, Bind(api, ListMembers)});
  router.Add({verb::post, "/api/v1/teams/{teamId}/members", Auth::kApiKey, Bind(api, AddMember)});
  router.Add({verb::patch, "/api/v1/teams/{teamId}/members/{userId}", Auth::kApiKey,
              Bind(api, ChangeRole)});
  router.Add({verb::delete_, "/api/v1/teams/{teamId}/members/{userId}", Auth::kApiKey,
              Bind(api, RemoveMember)});
}

}  // namespace shortlink::admin
