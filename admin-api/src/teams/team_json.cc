#include "teams/team_json.h"

#include <boost/json.hpp>

#include "common/clock.h"

namespace shortlink::admin {

boost::json::object TeamToJson(const Team& team, auth::Role caller_role) {
  boost::json::object o;
  o["id"] = team.uuid;
  o["siteName"] = team.site_name;
  o["accountUuid"] = team.AccountId();
  o["personal"] = team.personal;
  o["createdAt"] = FormatIso8601Millis(team.created_at_ms);
  o["role"] = auth::RoleName(caller_role);
  o["memberCount"] = team.members.size();
  return o;
}

boost::json::object MemberToJson(const TeamMember& member, const Accounts& accounts) {
  boost::json::object o;
  o["userId"] = member.user;
  if (auto user = accounts.FindUser(member.user)) o["email"] = user->email;
  o["role"] = auth::RoleName(member.role);
  return o;
}

boost::json::object ScopesToJson(auth::Scopes scopes) {
  boost::json::object o;
  for (int e = 0; e < auth::kEndpointCount; ++e) {
    boost::json::array methods;
    for (int m = 0; m < auth::kMethodClassCount; ++m) {
      auto endpoint = static_cast<auth::Endpoint>(e);
      auto method = static_cast<auth::MethodClass>(m);
      if (scopes.Allows(endpoint, method)) methods.emplace_back(auth::MethodClassName(method));
    }
    if (!methods.empty())
      o[auth::EndpointName(static_cast<auth::Endpoint>(e))] = std::move(methods);
  }
  return o;
}

Result<auth::Scopes> ParseScopes(simdjson::dom::element value) {
  auto bad = [](std::string message) { return MakeError(ErrorCode::kInvalidArgument, message); };
  simdjson::dom::object obj;
  if (value.get_object().get(obj))
    return bad("scopes must be an object like {\"urls\": [\"GET\", \"POST\"]}.");
  auth::Scopes scopes = auth::Scopes::None();
  for (auto field : obj) {
    std::string_view name = field.key;
    auto endpoint = auth::ParseEndpoint(name);
    if (!endpoint) {
      return bad("scopes: unknown endpoint \"" + std::string(name.substr(0, 64)) +
                 "\" (urls, bulk, keys, users, teams, campaigns, domains, analytics, usage).");
    }
    simdjson::dom::array methods;
    if (field.value.get_array().get(methods))
      return bad("scopes." + std::string(name) + " must be a list of methods.");
    for (auto m : methods) {
      std::string_view text;
      if (m.get_string().get(text))
        return bad("scopes." + std::string(name) + ": methods are strings.");
      auth::MethodClass method;
      if (text == "GET")
        method = auth::MethodClass::kGet;
      else if (text == "POST")
        method = auth::MethodClass::kPost;
      else if (text == "PUT" || text == "PATCH" || text == "PUT/PATCH")
        method = auth::MethodClass::kPutPatch;
      else if (text == "DELETE")
        method = auth::MethodClass::kDelete;
      else
        return bad("scopes." + std::string(name) + ": unknown method \"" +
                   std::string(text.substr(0, 16)) + "\" (GET, POST, PUT, PATCH, DELETE).");
      scopes.Grant(*endpoint, method);
    }
  }
  return scopes;
}

}  // namespace shortlink::admin
