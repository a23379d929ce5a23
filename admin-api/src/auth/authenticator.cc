#include "auth/authenticator.h"

#include <boost/algorithm/string/predicate.hpp>

namespace shortlink::admin::auth {
namespace {

Error Unauthorized() { return MakeError(ErrorCode::kUnauthorized, "Unauthorized"); }

}  // namespace

std::string_view BearerToken(std::string_view value) {
  constexpr std::string_view kScheme = "Bearer ";
  if (value.size() <= kScheme.size() ||
      !boost::algorithm::iequals(value.substr(0, kScheme.size()), kScheme))
    return {};
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

std::string Challenge(Credential credential, bool credential_given) {
  std::string_view realm = credential == Credential::kNodeToken ? kNodeRealm : kApiRealm;
  std::string value = "Bearer realm=\"" + std::string(realm) + "\"";
  if (credential_given) value += ", error=\"invalid_token\"";
  return value;
}

Authenticator::Authenticator(ApiKeyCheck api_key, NodeTokenCheck node_token)
    : api_key_(std::move(api_key)), node_token_(std::move(node_token)) {}

Result<Principal> Authenticator::Resolve(Credential credential, const Presented& presented) const {
  std::string_view token =
      presented.authorization ? BearerToken(*presented.authorization) : std::string_view();
  switch (credential) {
    case Credential::kApiKey: {
      if (presented.api_key) {
        if (!token.empty() && token != *presented.api_key) return Unauthorized();
        token = *presented.api_key;
      }
      if (token.empty()) return Unauthorized();
      std::optional<Principal> principal =
          api_key_(token, presented.account.value_or(std::string_view()));
      // A key names a user; anything else it resolved to is refused.
      if (!principal || !principal->is_user()) return Unauthorized();
      return *principal;
    }
    case Credential::kNodeToken:
      // Asked even for an empty token, in constant time: a missing header
      // takes as long to refuse as a wrong one.
      if (!node_token_(token)) return Unauthorized();
      return NodePrincipal();
    case Credential::kNone:
      break;
  }
  return MakeError(ErrorCode::kInternal, "no credential to resolve on this route");
}

}  // namespace shortlink::admin::auth
