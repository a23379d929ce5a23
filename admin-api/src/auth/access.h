// The one access check: may this principal do this action (on this link)?
// Every handler and command asks here instead of comparing owners, so the
// rules live in one table (access.cc) that teams (issue 19) extend.
//
// Each action needs a kind of principal (a user, or a node), a scope of its
// credential and a least role. An action on one link also needs the link to
// be the principal's: today, owned by the principal's user (everyone acts in
// their personal team, so nobody reaches another user's link, an owner
// included).
//
// A refusal is answered 404 by the callers, as before the check moved here:
// a link of someone else is indistinguishable from none, and so is a route
// the caller may not use (POST /api/v1/users for a member).
//
// Thread safety: pure functions.
#pragma once

#include "auth/principal.h"
#include "common/link.h"

namespace shortlink::admin::auth {

enum class Action {
  kListLinks,  // the caller's own links
  kCreateLink,
  kReadLink,
  kUpdateLink,
  kDeleteLink,
  kManageOwnKeys,  // create, list and revoke the caller's own API keys
  kCreateUser,
  kSyncNode,  // changes, snapshot, click watermark
};

// `action` on no particular record (a list, a create, the caller's keys).
bool Allow(const Principal& principal, Action action);

// `action` on `link`: Allow(principal, action), and `link` is the principal's.
bool Allow(const Principal& principal, Action action, const Link& link);

// Whether `link` exists at all for `principal` (kReadLink): a link it may not
// see is answered as missing.
inline bool CanSee(const Principal& principal, const Link& link) {
  return Allow(principal, Action::kReadLink, link);
}

}  // namespace shortlink::admin::auth
