// The /api/v1/keys and /api/v1/users routes, and the API key check auth/
// runs on every route that takes a key (auth::ApiKeyCheck).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "accounts/accounts.h"
#include "accounts/api_key.h"
#include "auth/principal.h"
#include "common/result.h"
#include "http/router.h"

namespace shortlink::admin {

// What the account handlers reach; `accounts` outlives the router.
struct AccountApi {
  Accounts* accounts = nullptr;
  Environment environment = Environment::kProduction;
};

// Adds the /api/v1/keys and /api/v1/users routes (API key) to `router`;
// `api` outlives it.
void RegisterAccountRoutes(Router& router, AccountApi& api);

// A user's role as a principal's: an `admin` owns its (personal) team, so it
// may do all an owner may, creating users included; a `member` is a member.
// Until teams (issue 19) nobody reaches another user's links either way.
auth::Role TeamRole(Role role);

// The principal `key` names (auth::ApiKeyCheck): none unless it is a live
// key of `api`'s environment (a key of the other environment is refused
// like a wrong one, before any lookup). Records the key's use.
std::optional<auth::Principal> PrincipalOfKey(const AccountApi& api, std::string_view key);

// The optional expiry in a POST /api/v1/keys body: {"expiresAt": an
// ISO-8601 UTC instant after `now_ms`} or {"expiresInDays": 1-3650}, not
// both. An empty body, {} or nulls: 0, no expiry.
Result<int64_t> ParseKeyExpiry(std::string_view body, int64_t now_ms);

}  // namespace shortlink::admin
