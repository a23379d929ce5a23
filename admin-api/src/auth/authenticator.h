// Authenticator: the principal a request's Authorization header names, for
// the credential its route takes. The router asks once per request and
// hands the principal to the handler; nothing else reads the header.
//
// Credentials are looked up through the checks it is given, so that auth/
// knows neither RocksDB nor the accounts: accounts/account_routes.h turns an
// API key into its user's principal, nodes/node_routes.h compares the node
// token. Both schemes are RFC 6750 bearer tokens; a refusal is 401 with the
// challenge of the route's realm (Challenge).
//
// Thread safety: Resolve may run on any number of threads at once, and so
// must the checks.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "auth/principal.h"
#include "common/result.h"

namespace shortlink::admin::auth {

// The credential a route takes.
enum class Credential { kNone, kApiKey, kNodeToken };

// The realms of the 401 challenges (WWW-Authenticate: Bearer realm="...").
inline constexpr std::string_view kApiRealm = "shortlink";         // API keys
inline constexpr std::string_view kNodeRealm = "shortlink-nodes";  // the node token

// The principal an API key (or access token) names; none for a key that is
// unknown, revoked, expired or of the other environment, and none when
// `account` (GoGoWorx's x-account-uuid, "<sitename>/<uuid>"; empty when not
// sent) does not name the key's team.
using ApiKeyCheck =
    std::function<std::optional<Principal>(std::string_view key, std::string_view account)>;
// True when `token` is the nodes' token (false for all when there is none).
using NodeTokenCheck = std::function<bool(std::string_view token)>;

// The token of an `Authorization: Bearer <token>` value (scheme compared
// case-insensitively, surrounding spaces dropped); empty for another scheme.
std::string_view BearerToken(std::string_view authorization);

// The WWW-Authenticate value of a 401 on a route taking `credential` (RFC
// 6750 3): the scheme and realm, and error="invalid_token" when a credential
// was given and refused.
std::string Challenge(Credential credential, bool credential_given);

// The credential headers of a request, as sent (none when absent).
struct Presented {
  std::optional<std::string_view> authorization;  // "Bearer <key or token>" (Go API, Shorten World)
  std::optional<std::string_view> api_key;        // x-api-key (GoGoWorx)
  std::optional<std::string_view> account;        // x-account-uuid (GoGoWorx)

  bool any() const { return authorization || api_key; }
};

class Authenticator {
 public:
  Authenticator(ApiKeyCheck api_key, NodeTokenCheck node_token);

  // The principal the headers name for a route taking `credential` (not
  // kNone), or kUnauthorized. An API key may come as a bearer token or as
  // x-api-key; given both, they must be the same key.
  Result<Principal> Resolve(Credential credential, const Presented& presented) const;

 private:
  ApiKeyCheck api_key_;
  NodeTokenCheck node_token_;
};

}  // namespace shortlink::admin::auth
