// Principal: who sent a request, resolved once per request (authenticator.h)
// and then asked about by the one access check (access.h). Handlers never
// look at a key or compare owners themselves.
//
// Shaped for teams (issue 19): a principal names a user, the team it acts
// in and its role there, and the scopes its credential grants. Today every
// user acts in their personal team (kPersonalTeam), every API key grants
// every user scope, and the roles in use are kOwner (an `admin` user) and
// kMember (a `member` user); accounts/account_routes.h makes the mapping.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>

namespace shortlink::admin::auth {

// A user's role in the team it acts in, from least to most trusted.
enum class Role : uint8_t { kViewer, kMember, kAdmin, kOwner };

// What a credential grants, whatever the role: a key limited to reading
// links may not write them even for an owner.
enum Scope : uint32_t {
  kLinksRead = 1u << 0,
  kLinksWrite = 1u << 1,
  kKeys = 1u << 2,      // the caller's own API keys
  kUsers = 1u << 3,     // creating users
  kNodeSync = 1u << 4,  // the /internal/v1 routes of the redirect nodes
};
using Scopes = uint32_t;

// Every scope a user's key may hold; today's keys hold all of them.
inline constexpr Scopes kAllUserScopes = kLinksRead | kLinksWrite | kKeys | kUsers;

// The team a user acts in when it has no other: its own, shared with nobody.
inline constexpr uint64_t kPersonalTeam = 0;

struct Principal {
  enum class Kind : uint8_t { kUser, kNode };

  Kind kind = Kind::kUser;
  uint64_t user = 0;  // 0 for a node
  uint64_t team = kPersonalTeam;
  Role role = Role::kViewer;
  Scopes scopes = 0;

  bool is_user() const { return kind == Kind::kUser; }
  bool has(Scope scope) const { return (scopes & scope) == scope; }
};

// A user holding an API key of today: its personal team, every user scope.
inline Principal UserPrincipal(uint64_t user, Role role) {
  return Principal{Principal::Kind::kUser, user, kPersonalTeam, role, kAllUserScopes};
}

// A redirect node holding the node token: node sync, nothing else.
inline Principal NodePrincipal() {
  return Principal{Principal::Kind::kNode, 0, kPersonalTeam, Role::kViewer, kNodeSync};
}

}  // namespace shortlink::admin::auth
