// Token auth: logging in with a username and an API key, refreshing and
// revoking. Failed logins are throttled per username and per address
// (LoginThrottle); no token is ever logged (the access log has no bodies).
#include <boost/json.hpp>

#include "auth/authenticator.h"
#include "common/clock.h"
#include "http/json_input.h"
#include "tokens/token_routes.h"

namespace shortlink::admin {
namespace {

Reply PairReply(const RequestContext& rc, const TokenPair& pair) {
  boost::json::object body;
  body["access_token"] = pair.access_token;
  body["refresh_token"] = pair.refresh_token;
  body["token_type"] = "Bearer";
  body["expires_in"] = pair.access_expires_in_s;
  body["refresh_expires_in"] = pair.refresh_expires_in_s;
  Reply reply = rc.Json(http::status::ok, boost::json::serialize(body));
  reply.response.set(http::field::cache_control, "no-store");
  return reply;
}

// A refused login or refresh, with the challenge every 401 of the API carries.
Reply Unauthorized(const RequestContext& rc) {
  Reply reply = rc.Error(ErrorCode::kUnauthorized, "Unauthorized");
  reply.response.set(http::field::www_authenticate,
                     auth::Challenge(auth::Credential::kApiKey, /*credential_given=*/true));
  return reply;
}

// The user a username names: a personal team's site name (Shorten World
// logs in by username, not email), or the email itself.
std::optional<User> UserNamed(const TeamApi& api, std::string_view username) {
  if (username.find('@') != std::string_view::npos) return api.accounts->FindUserByEmail(username);
  std::optional<Team> team = api.teams->FindBySiteName(username);
  if (!team || !team->personal) return std::nullopt;
  return api.accounts->FindUser(team->members.front().user);
}

Awaitable GetToken(TokenApi& api, RequestContext& rc) {
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  constexpr std::string_view kFields[] = {"username", "key"};
  if (Status s = OnlyKnownFields(*obj, kFields); !s.ok()) co_return rc.Error(s.error());
  auto username = OptionalString(*obj, "username");
  auto key = OptionalString(*obj, "key");
  if (!username.ok()) co_return rc.Error(username.error());
  if (!key.ok()) co_return rc.Error(key.error());
  if (!*username || !*key)
    co_return rc.Error(ErrorCode::kInvalidArgument, "username and key are required.");
  const std::string& name = **username;

  if (int64_t wait = api.throttle->RetryAfterSeconds(name, rc.remote); wait > 0) {
    Reply reply = rc.Error(ErrorCode::kRateLimited, "Login too many failed");
    reply.response.set(http::field::retry_after, std::to_string(wait));
    co_return reply;
  }
  const TeamApi& teams = *api.teams;
  std::optional<User> user = UserNamed(teams, name);
  std::optional<KeyHolder> holder;
  if (user && HasPrefixFor(**key, teams.environment)) holder = teams.accounts->Authenticate(**key);
  if (!holder || holder->user.id != user->id) {
    api.throttle->Failed(name, rc.remote);
    co_return Unauthorized(rc);
  }
  // The right key of a locked user: told so (Shorten World's 403).
  if (holder->user.locked()) co_return rc.Error(ErrorCode::kForbidden, "Your account is locked.");
  if (!PrincipalOfHolder(teams, *holder, "")) {
    api.throttle->Failed(name, rc.remote);
    co_return Unauthorized(rc);
  }
  api.throttle->Succeeded(name);
  auto pair = api.tokens->Issue(user->id, holder->key.id);
  if (!pair.ok()) co_return rc.Error(pair.error());
  co_return PairReply(rc, *pair);
}

Awaitable RefreshToken(TokenApi& api, RequestContext& rc) {
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  constexpr std::string_view kFields[] = {"refreshToken", "refresh_token"};
  if (Status s = OnlyKnownFields(*obj, kFields); !s.ok()) co_return rc.Error(s.error());
  auto camel = OptionalString(*obj, "refreshToken");
  auto snake = OptionalString(*obj, "refresh_token");
  if (!camel.ok()) co_return rc.Error(camel.error());
  if (!snake.ok()) co_return rc.Error(snake.error());
  std::optional<std::string> token = *camel ? *camel : *snake;
  if (!token) co_return rc.Error(ErrorCode::kInvalidArgument, "refreshToken is required.");
  if (int64_t wait = api.throttle->RetryAfterSeconds(rc.remote); wait > 0) {
    Reply reply = rc.Error(ErrorCode::kRateLimited, "Login too many failed");
    reply.response.set(http::field::retry_after, std::to_string(wait));
    co_return reply;
  }
  auto pair = api.tokens->Refresh(*token);
  if (!pair.ok()) {
    if (pair.error().code != ErrorCode::kUnauthorized) co_return rc.Error(pair.error());
    api.throttle->Failed(rc.remote);  // no user to count it against
    co_return Unauthorized(rc);
  }
  // The key behind the login must still open something.
  if (!PrincipalOfToken(api, pair->access_token, "")) {
    api.tokens->Revoke(pair->access_token);
    co_return Unauthorized(rc);
  }
  co_return PairReply(rc, *pair);
}

Awaitable RevokeToken(TokenApi& api, RequestContext& rc) {
  std::string_view token;
  if (auto it = rc.req.find(http::field::authorization); it != rc.req.end())
    token = auth::BearerToken(it->value());
  if (!Tokens::LooksLikeAccessToken(token)) {
    co_return rc.Error(ErrorCode::kInvalidArgument,
                       "Revoke takes an access token (Authorization: Bearer at_v1_...); revoke "
                       "an API key with DELETE /api/v1/keys/{id}.");
  }
  if (Status s = api.tokens->Revoke(token); !s.ok()) co_return rc.Error(s.error());
  boost::json::object body;
  body["message"] = "Token revoked, with every token of its login.";
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

}  // namespace

std::optional<auth::Principal> PrincipalOfToken(const TokenApi& api, std::string_view token,
                                                std::string_view account) {
  std::optional<TokenGrant> grant = api.tokens->Resolve(token);
  if (!grant) return std::nullopt;
  const TeamApi& teams = *api.teams;
  std::optional<ApiKeyInfo> key = teams.accounts->FindKey(grant->key_id);
  std::optional<User> user = teams.accounts->FindUser(grant->user);
  if (!key || !user || !key->Live(NowMillis()) || key->user != user->id) return std::nullopt;
  return PrincipalOfHolder(teams, KeyHolder{*user, *key}, account);
}

void RegisterTokenRoutes(Router& router, TokenApi& api) {
  using http::verb;
  router.Add({verb::post, "/api/v1/auth/token", Auth::kNone, Bind(api, GetToken)});
  router.Add({verb::post, "/api/v1/auth/refresh", Auth::kNone, Bind(api, RefreshToken)});
  router.Add({verb::post, "/api/v1/auth/revoke", Auth::kApiKey, Bind(api, RevokeToken)});
}

}  // namespace shortlink::admin
