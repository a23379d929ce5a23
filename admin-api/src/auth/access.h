// The one access check: may this principal do this action (on this link)?
// Every handler and command asks here instead of comparing owners, so the
// rules live in one table (access.cc).
//
// Each action needs a kind of principal (a user, or a node) and a least
// role in the team the principal acts in. Whether its key's scopes allow
// the route at all was checked before, by the router (scopes.h). An action
// on one link also needs the link to be the principal's team's.
//
// A refusal of an action on a record (a link of another team) is answered
// 404 by the callers: another team's object is indistinguishable from none.
// A role too low for an action in the caller's own team is answered 403
// (RoleTooLow names it); creating users, a site admin's power, answers 404
// to others as it always has.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "auth/principal.h"
#include "common/link.h"
#include "common/result.h"

namespace shortlink::admin::auth {

enum class Action {
  kListLinks,  // the team's links
  kCreateLink,
  kReadLink,
  kUpdateLink,
  kDeleteLink,
  kManageOwnKeys,   // create, list and revoke the caller's own API keys in its team
  kManageTeamKeys,  // list and revoke every key of the team
  kCreateUser,
  kSyncNode,  // changes, snapshot, click watermark
  kReadTeam,  // the team, its members
  kRenameTeam,
  kManageMembers,  // add and remove members, change roles (owners: owners only)
  kDeleteTeam,
  kListDomains,
  kManageDomains,
  kSetUsagePolicy,  // the team's quota policy (usage/usage_routes.h)
  kListCampaigns,   // the team's campaigns (campaigns/campaign_routes.h)
  kManageCampaigns,
  kManageWebhooks,  // list, create, change, test and delete the team's webhooks (webhooks/)
  kBackUpDatabase,  // a checkpoint of the whole database (ops/backup_routes.cc): site admins
  kReadNodeDigest,  // the digest of every team's links (nodes/digest_routes.cc): site admins
};

// `action` on no particular record (a list, a create, the caller's keys).
bool Allow(const Principal& principal, Action action);

// `action` on `link`: Allow(principal, action), and `link` is the principal's team's.
bool Allow(const Principal& principal, Action action, const Link& link);

// Whether `link` exists at all for `principal` (kReadLink): a link it may not
// see is answered as missing.
inline bool CanSee(const Principal& principal, const Link& link) {
  return Allow(principal, Action::kReadLink, link);
}

// The least role `action` needs (kViewer for a node action).
Role LeastRole(Action action);

// The 403 message for a user whose role is below LeastRole(action).
std::string RoleTooLow(const Principal& principal, Action action);

// Why `principal` may not `action` (none: it may): kForbidden (RoleTooLow)
// for a user of the right kind whose role is too low, kNotFound "Not found."
// otherwise (a node on a user route, creating users without being a site
// admin), as if the route did not exist.
std::optional<Error> Refusal(const Principal& principal, Action action);

}  // namespace shortlink::admin::auth
