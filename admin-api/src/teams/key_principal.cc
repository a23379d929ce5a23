#include "teams/team_routes.h"

namespace shortlink::admin {

std::optional<auth::Principal> PrincipalOfKey(const TeamApi& api, std::string_view key,
                                              std::string_view account) {
  if (!HasPrefixFor(key, api.environment)) return std::nullopt;
  std::optional<KeyHolder> holder = api.accounts->Authenticate(key);
  if (!holder) return std::nullopt;
  return PrincipalOfHolder(api, *holder, account);
}

std::optional<auth::Principal> PrincipalOfHolder(const TeamApi& api, const KeyHolder& holder,
                                                 std::string_view account) {
  if (holder.user.locked()) return std::nullopt;
  // A member removed from the team keeps its keys on record, but they no
  // longer open anything.
  std::optional<auth::Role> role = api.teams->RoleOf(holder.key.team, holder.user.id);
  if (!role) return std::nullopt;
  if (!account.empty()) {
    std::optional<Team> team = api.teams->Get(holder.key.team);
    if (!team || (account != team->AccountId() && account != team->uuid)) return std::nullopt;
  }
  return auth::UserPrincipal(holder.user.id, holder.key.team, *role,
                             auth::Scopes::FromBits(holder.key.scopes),
                             holder.user.role == Role::kAdmin);
}

}  // namespace shortlink::admin
