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

// The principal an API key names; none for a key that is unknown, revoked,
// expired or of the other environment.
using ApiKeyCheck = std::function<std::optional<Principal>(std::string_view key)>;
// True when `token` is the nodes' token (false for all when there is none).
using NodeTokenCheck = std::function<bool(std::string_view token)>;

// The token of an `Authorization: Bearer <token>` value (scheme compared
// case-insensitively, surrounding spaces dropped); empty for another scheme.
std::string_view BearerToken(std::string_view authorization);

// The WWW-Authenticate value of a 401 on a route taking `credential` (RFC
// 6750 3): the scheme and realm, and error="invalid_token" when a credential
// was given and refused.
std::string Challenge(Credential credential, bool credential_given);

class Authenticator {
 public:
  Authenticator(ApiKeyCheck api_key, NodeTokenCheck node_token);

  // The principal `authorization` (the header's value; none when absent)
  // names for a route taking `credential` (not kNone), or kUnauthorized.
  Result<Principal> Resolve(Credential credential,
                            std::optional<std::string_view> authorization) const;

 private:
  ApiKeyCheck api_key_;
  NodeTokenCheck node_token_;
};

}  // namespace shortlink::admin::auth
