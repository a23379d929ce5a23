// /api/v1/keys: a team's API keys (GoGoWorx: up to 10 per account, each
// enabled per endpoint and per method).
//
// A key is made by a member for itself, in the team its key acts in or in
// another of its teams (teamId), with scopes no wider than those of the key
// it calls with: a key cannot mint a stronger one. Listing and revoking
// reach the caller's own keys; an admin's reach every key of the team.
#include <boost/json.hpp>
#include <charconv>

#include "accounts/account_routes.h"
#include "auth/access.h"
#include "common/clock.h"
#include "http/json_input.h"
#include "teams/team_json.h"
#include "teams/team_routes.h"

namespace shortlink::admin {
namespace {

Reply NotFound(const RequestContext& rc) { return rc.Error(ErrorCode::kNotFound, "Not found."); }

boost::json::object ScopedKeyJson(boost::json::object o, const ApiKeyInfo& key,
                                  const Teams& teams) {
  if (auto team = teams.Get(key.team)) o["teamId"] = team->uuid;
  o["userId"] = key.user;
  o["scopes"] = ScopesToJson(auth::Scopes::FromBits(key.scopes));
  return o;
}

struct KeyRequest {
  int64_t expires_at_ms = 0;
  std::optional<std::string> team_uuid;
  auth::Scopes scopes = auth::Scopes::All();
};

Result<KeyRequest> ParseKeyRequest(std::string_view body, auth::Scopes caller_scopes) {
  KeyRequest out;
  out.scopes = caller_scopes;  // a key made without scopes gets its maker's
  // The body is optional: `curl -X POST .../keys` with none makes a key that
  // never expires, as before expiry existed.
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;
  auto obj = ParseJsonObject(body);
  if (!obj.ok()) return obj.error();
  constexpr std::string_view kFields[] = {"expiresAt", "expiresInDays", "teamId", "scopes"};
  if (Status s = OnlyKnownFields(*obj, kFields); !s.ok()) return s.error();
  auto expires = KeyExpiryOf(*obj, NowMillis());
  if (!expires.ok()) return expires.error();
  out.expires_at_ms = *expires;
  auto team = OptionalString(*obj, "teamId");
  if (!team.ok()) return team.error();
  out.team_uuid = *team;
  simdjson::dom::element scopes;
  if (!obj->at_key("scopes").get(scopes) && !scopes.is_null()) {
    auto parsed = ParseScopes(scopes);
    if (!parsed.ok()) return parsed.error();
    if ((parsed->bits() & ~caller_scopes.bits()) != 0) {
      return MakeError(ErrorCode::kForbidden, "A key cannot grant scopes the key making it lacks.");
    }
    out.scopes = *parsed;
  }
  return out;
}

Awaitable CreateKey(TeamApi& api, RequestContext& rc) {
  const auth::Principal& caller = *rc.principal;
  if (!auth::Allow(caller, auth::Action::kManageOwnKeys)) co_return NotFound(rc);
  auto request = ParseKeyRequest(rc.req.body(), caller.scopes);
  if (!request.ok()) co_return rc.Error(request.error());
  uint64_t team = caller.team;
  if (request->team_uuid) {
    auto named = api.teams->FindByUuid(*request->team_uuid);
    if (!named || !named->Member(caller.user))
      co_return rc.Error(ErrorCode::kNotFound, "Team not found.");
    team = named->number;
  }
  auto key = api.accounts->CreateKey(caller.user, team, api.environment, request->expires_at_ms,
                                     request->scopes.bits());
  if (!key.ok()) co_return rc.Error(key.error());
  co_return rc.Json(http::status::created, boost::json::serialize(ScopedKeyJson(
                                               NewKeyToJson(*key), key->info, *api.teams)));
}

Awaitable ListKeys(TeamApi& api, RequestContext& rc) {
  const auth::Principal& caller = *rc.principal;
  if (!auth::Allow(caller, auth::Action::kManageOwnKeys)) co_return NotFound(rc);
  std::optional<uint64_t> only;
  if (!auth::Allow(caller, auth::Action::kManageTeamKeys)) only = caller.user;
  boost::json::array keys;
  for (const ApiKeyInfo& k : api.accounts->ListKeys(caller.team, only))
    keys.push_back(ScopedKeyJson(KeyToJson(k), k, *api.teams));
  boost::json::object body;
  body["keys"] = std::move(keys);
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

Awaitable RevokeKey(TeamApi& api, RequestContext& rc) {
  const auth::Principal& caller = *rc.principal;
  if (!auth::Allow(caller, auth::Action::kManageOwnKeys)) co_return NotFound(rc);
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(rc.param.data(), rc.param.data() + rc.param.size(), id);
  if (ec != std::errc() || end != rc.param.data() + rc.param.size())
    co_return rc.Error(ErrorCode::kNotFound, "API key not found.");
  std::optional<uint64_t> only;
  if (!auth::Allow(caller, auth::Action::kManageTeamKeys)) only = caller.user;
  Status s = api.accounts->RevokeKey(caller.team, only, id);
  if (!s.ok()) co_return rc.Error(s.error());
  boost::json::object body;
  body["message"] = "API key " + std::to_string(id) + " revoked.";
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

}  // namespace

void RegisterKeyRoutes(Router& router, TeamApi& api) {
  using http::verb;
  router.Add({verb::get, "/api/v1/keys", Auth::kApiKey, Bind(api, ListKeys)});
  router.Add({verb::post, "/api/v1/keys", Auth::kApiKey, Bind(api, CreateKey)});
  router.Add({verb::delete_, "/api/v1/keys/{id}", Auth::kApiKey, Bind(api, RevokeKey)});
}

}  // namespace shortlink::admin
