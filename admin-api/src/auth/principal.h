// Principal: who sent a request, resolved once per request (authenticator.h)
// and then asked about by the scope check (the router, scopes.h) and the one
// access check (access.h). Handlers never look at a key or compare owners
// themselves.
//
// A user principal acts in one team: the team of the key (or token) it
// presented, with its role there and the scopes of that key. Every link,
// key, campaign and domain belongs to a team, by number (below).
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <string_view>

#include "auth/scopes.h"

namespace shortlink::admin::auth {

// A user's role in a team, from least to most trusted: a viewer reads, a
// member writes links, an admin manages keys and members, the owner may
// delete the team.
enum class Role : uint8_t { kViewer, kMember, kAdmin, kOwner };
std::string_view RoleName(Role role);  // "viewer", "member", "admin", "owner"
bool ParseRole(std::string_view text, Role* role);

// Team numbers. Each user has a personal team numbered as the user: links
// made before teams, owned by their user's id, are thereby their personal
// team's without a rewrite of any record. Teams made through the API are
// numbered from kFirstSharedTeam, above every user id.
inline constexpr uint64_t kFirstSharedTeam = uint64_t{1} << 32;
inline constexpr uint64_t PersonalTeamOf(uint64_t user) { return user; }
inline constexpr bool IsPersonalTeam(uint64_t team) { return team < kFirstSharedTeam; }

struct Principal {
  enum class Kind : uint8_t { kUser, kNode };

  Kind kind = Kind::kUser;
  uint64_t user = 0;  // 0 for a node
  uint64_t team = 0;  // the team it acts in; 0 for a node
  Role role = Role::kViewer;
  Scopes scopes = Scopes::None();  // of the key or token; nodes have none
  bool site_admin = false;         // an `admin` user: may create users

  bool is_user() const { return kind == Kind::kUser; }
};

// A user acting in `team` with `role`, through a key holding `scopes`.
inline Principal UserPrincipal(uint64_t user, uint64_t team, Role role, Scopes scopes,
                               bool site_admin) {
  return Principal{Principal::Kind::kUser, user, team, role, scopes, site_admin};
}

// A user in their personal team (as every user was before teams), through a
// full-scope key: what an upgraded key resolves to, and the CLI acts as.
inline Principal PersonalPrincipal(uint64_t user, Role role, bool site_admin = false) {
  return UserPrincipal(user, PersonalTeamOf(user), role, Scopes::All(), site_admin);
}

// A redirect node holding the node token: node sync, nothing else.
inline Principal NodePrincipal() { return Principal{Principal::Kind::kNode}; }

}  // namespace shortlink::admin::auth
