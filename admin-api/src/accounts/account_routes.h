// The /api/v1/users route, and what the key routes (teams/team_routes.h)
// share with it: a key's JSON and the parsing of its expiry.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "accounts/accounts.h"
#include "accounts/api_key.h"
#include "auth/principal.h"
#include "common/result.h"
#include "http/json_input.h"
#include "http/router.h"

namespace shortlink::admin {

// What the account handlers reach; `accounts` outlives the router.
struct AccountApi {
  Accounts* accounts = nullptr;
  Environment environment = Environment::kProduction;
  // Called after a user is created: serve.cc makes its personal team.
  std::function<void(const User&)> on_user_created;
};

// Adds the /api/v1/users route (API key) to `router`; `api` outlives it.
void RegisterAccountRoutes(Router& router, AccountApi& api);

// A key as the API shows it (never its secret, but in NewKeyToJson, once).
boost::json::object KeyToJson(const ApiKeyInfo& key);
boost::json::object NewKeyToJson(const NewApiKey& key);

// The optional expiry in a POST /api/v1/keys body: {"expiresAt": an
// ISO-8601 UTC instant after `now_ms`} or {"expiresInDays": 1-3650}, not
// both. An empty body, {} or nulls: 0, no expiry.
Result<int64_t> ParseKeyExpiry(std::string_view body, int64_t now_ms);
// The same from a parsed body, whose other fields the caller checks.
Result<int64_t> KeyExpiryOf(const simdjson::dom::object& body, int64_t now_ms);

}  // namespace shortlink::admin
