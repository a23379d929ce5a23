#include "auth/access.h"

namespace shortlink::admin::auth {
namespace {

struct Rule {
  Principal::Kind kind;
  Role least_role;  // for users; nodes have no role
  bool site_admin = false;
};

constexpr Rule RuleOf(Action action) {
  using K = Principal::Kind;
  switch (action) {
    case Action::kListLinks:
    case Action::kReadLink:
    case Action::kReadTeam:
    case Action::kManageOwnKeys:
    case Action::kListDomains:
    case Action::kListCampaigns:
      return {K::kUser, Role::kViewer};
    case Action::kCreateLink:
    case Action::kUpdateLink:
    case Action::kDeleteLink:
    case Action::kManageCampaigns:
      return {K::kUser, Role::kMember};
    case Action::kManageTeamKeys:
    case Action::kRenameTeam:
    case Action::kManageMembers:
    case Action::kManageDomains:
    case Action::kSetUsagePolicy:
    case Action::kManageWebhooks:  // secrets, and the team's data sent to a URL of their choosing
      return {K::kUser, Role::kAdmin};
    case Action::kDeleteTeam:
      return {K::kUser, Role::kOwner};
    case Action::kCreateUser:
    case Action::kBackUpDatabase:  // every team's links and keys, in one directory
    case Action::kReadNodeDigest:  // a fingerprint of every team's links
      return {K::kUser, Role::kViewer, /*site_admin=*/true};
    case Action::kSyncNode:
      return {K::kNode, Role::kViewer};
  }
  // Unreachable for a valid Action; refuse rather than guess.
  return {K::kNode, Role::kOwner, true};
}

std::string_view ActionText(Action action) {
  switch (action) {
    case Action::kCreateLink:
      return "create links";
    case Action::kUpdateLink:
      return "change links";
    case Action::kDeleteLink:
      return "delete links";
    case Action::kManageTeamKeys:
      return "manage the team's API keys";
    case Action::kRenameTeam:
      return "rename the team";
    case Action::kManageMembers:
      return "manage the team's members";
    case Action::kDeleteTeam:
      return "delete the team";
    case Action::kManageDomains:
      return "manage the team's domains";
    case Action::kSetUsagePolicy:
      return "set the team's usage policy";
    case Action::kManageCampaigns:
      return "manage the team's campaigns";
    case Action::kManageWebhooks:
      return "manage the team's webhooks";
    default:
      return "do this";
  }
}

}  // namespace

Role LeastRole(Action action) { return RuleOf(action).least_role; }

bool Allow(const Principal& principal, Action action) {
  const Rule rule = RuleOf(action);
  if (principal.kind != rule.kind) return false;
  if (rule.kind == Principal::Kind::kNode) return true;
  if (rule.site_admin && !principal.site_admin) return false;
  return principal.role >= rule.least_role;
}

bool Allow(const Principal& principal, Action action, const Link& link) {
  return Allow(principal, action) && link.owner == principal.team;
}

std::string RoleTooLow(const Principal& principal, Action action) {
  return "Your role in this team (" + std::string(RoleName(principal.role)) + ") may not " +
         std::string(ActionText(action)) + ": that needs " +
         std::string(RoleName(LeastRole(action))) + " or above.";
}

std::optional<Error> Refusal(const Principal& principal, Action action) {
  if (Allow(principal, action)) return std::nullopt;
  const Rule rule = RuleOf(action);
  if (principal.kind == Principal::Kind::kUser && rule.kind == principal.kind && !rule.site_admin)
    return MakeError(ErrorCode::kForbidden, RoleTooLow(principal, action));
  return MakeError(ErrorCode::kNotFound, "Not found.");
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kMember:
      return "member";
    case Role::kAdmin:
      return "admin";
    case Role::kOwner:
      return "owner";
  }
  return "viewer";
}

bool ParseRole(std::string_view text, Role* role) {
  for (Role r : {Role::kViewer, Role::kMember, Role::kAdmin, Role::kOwner}) {
    if (text == RoleName(r)) {
      *role = r;
      return true;
    }
  }
  return false;
}

}  // namespace shortlink::admin::auth
