#include "auth/access.h"

namespace shortlink::admin::auth {
namespace {

struct Rule {
  Principal::Kind kind;
  Scope scope;
  Role least_role;  // for users; nodes have no role
};

constexpr Rule RuleOf(Action action) {
  using K = Principal::Kind;
  switch (action) {
    case Action::kListLinks:
    case Action::kReadLink:
      return {K::kUser, kLinksRead, Role::kViewer};
    case Action::kCreateLink:
    case Action::kUpdateLink:
    case Action::kDeleteLink:
      return {K::kUser, kLinksWrite, Role::kMember};
    case Action::kManageOwnKeys:
      return {K::kUser, kKeys, Role::kViewer};
    case Action::kCreateUser:
      // Today's `admin` users, mapped to kOwner (accounts/account_routes.h).
      return {K::kUser, kUsers, Role::kOwner};
    case Action::kSyncNode:
      return {K::kNode, kNodeSync, Role::kViewer};
  }
  // Unreachable for a valid Action; refuse rather than guess.
  return {K::kNode, static_cast<Scope>(0xffffffffu), Role::kOwner};
}

}  // namespace

bool Allow(const Principal& principal, Action action) {
  const Rule rule = RuleOf(action);
  if (principal.kind != rule.kind || !principal.has(rule.scope)) return false;
  return rule.kind == Principal::Kind::kNode || principal.role >= rule.least_role;
}

bool Allow(const Principal& principal, Action action, const Link& link) {
  // A team's links (issue 19) will be the principal's too when link and
  // principal share a team; until then every link is its owner's alone.
  return Allow(principal, action) && link.owner == principal.user;
}

}  // namespace shortlink::admin::auth
