// The /api/v1/teams routes (teams, members) and /api/v1/keys (a team's API
// keys, with scopes), and the API key check auth/ runs on every route that
// takes a key (auth::ApiKeyCheck): keys act in their team, so resolving one
// needs both accounts/ and teams/.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "accounts/accounts.h"
#include "accounts/api_key.h"
#include "auth/principal.h"
#include "http/router.h"
#include "teams/teams.h"

namespace shortlink::admin {

// What the team and key handlers reach; all outlive the router.
struct TeamApi {
  Teams* teams = nullptr;
  Accounts* accounts = nullptr;
  Environment environment = Environment::kProduction;
  // Whether team `number` still owns links (a team holding links is not
  // deleted: 409). Set by serve.cc from the link index.
  std::function<bool(uint64_t number)> team_has_links;
};

void RegisterTeamRoutes(Router& router, TeamApi& api);
void RegisterKeyRoutes(Router& router, TeamApi& api);

// The principal `key` names (auth::ApiKeyCheck): none unless it is a live
// key of `api`'s environment whose user is still a member of the key's team,
// and `account` (x-account-uuid; empty: not sent) names that team as
// "<site name>/<uuid>" (or the bare uuid). Records the key's use.
std::optional<auth::Principal> PrincipalOfKey(const TeamApi& api, std::string_view key,
                                              std::string_view account);
// The same for a key already found live (an access token names its key):
// the user still a member of the key's team, `account` naming that team.
std::optional<auth::Principal> PrincipalOfHolder(const TeamApi& api, const KeyHolder& holder,
                                                 std::string_view account);

}  // namespace shortlink::admin
