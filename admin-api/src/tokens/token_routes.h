// The token routes (Shorten World's token auth, tokens/tokens.h):
//   POST /api/v1/auth/token    {username, key}  -> access + refresh token
//   POST /api/v1/auth/refresh  {refreshToken}   -> a new pair; the old refresh token is spent
//   POST /api/v1/auth/revoke   Bearer <access token> -> the login's tokens are revoked
// and the check that turns an access token into its principal.
#pragma once

#include <optional>
#include <string_view>

#include "auth/principal.h"
#include "http/router.h"
#include "teams/team_routes.h"
#include "tokens/tokens.h"

namespace shortlink::admin {

struct TokenApi {
  Tokens* tokens = nullptr;
  LoginThrottle* throttle = nullptr;
  const TeamApi* teams = nullptr;  // the accounts, teams and environment keys are checked against
};

void RegisterTokenRoutes(Router& router, TokenApi& api);

// The principal of a live access token: its key's team and scopes, for as
// long as the key is live and its user a member of that team. None else.
std::optional<auth::Principal> PrincipalOfToken(const TokenApi& api, std::string_view token,
                                                std::string_view account);

}  // namespace shortlink::admin
