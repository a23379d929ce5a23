// How teams, members and scoped keys look in the API, and how a key's
// scopes are read from a request body.
#pragma once

#include <simdjson.h>
#include <boost/json/object.hpp>

#include "accounts/accounts.h"
#include "auth/scopes.h"
#include "common/result.h"
#include "teams/team.h"

namespace shortlink::admin {

// {"id": uuid, "siteName", "accountUuid": "<site name>/<uuid>", "personal",
//  "createdAt", "role": the caller's, "memberCount"}.
boost::json::object TeamToJson(const Team& team, auth::Role caller_role);
// {"userId", "email" (when known), "role"}.
boost::json::object MemberToJson(const TeamMember& member, const Accounts& accounts);

// {"urls": ["GET", "POST"], ...}: the endpoints with a method, in a fixed order.
boost::json::object ScopesToJson(auth::Scopes scopes);
// The same shape in; methods "GET", "POST", "PUT", "PATCH" (PUT and PATCH
// are one), "DELETE". An unknown endpoint or method is a 400 naming it.
Result<auth::Scopes> ParseScopes(simdjson::dom::element value);

}  // namespace shortlink::admin
