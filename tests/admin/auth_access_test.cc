// The access table of auth/access.h: which principal may do which action,
// on which link. Today's answers: a user reaches only its own links, whatever
// its role; only an owner (today's `admin`) creates users; a node syncs and
// does nothing else; a key without a scope cannot use it.
#include "auth/access.h"

#include <catch2/catch.hpp>

namespace shortlink::admin {
namespace {

using auth::Action;
using auth::Allow;

constexpr Action kUserActions[] = {Action::kListLinks,  Action::kCreateLink,
                                   Action::kReadLink,   Action::kUpdateLink,
                                   Action::kDeleteLink, Action::kManageOwnKeys};
constexpr Action kLinkActions[] = {Action::kReadLink, Action::kUpdateLink, Action::kDeleteLink};

Link LinkOf(uint64_t owner) {
  Link link;
  link.code = "abc";
  link.owner = owner;
  return link;
}

}  // namespace

TEST_CASE("today's users: all on their own links, nothing on others'", "[auth]") {
  for (auth::Role role : {auth::Role::kMember, auth::Role::kOwner}) {
    INFO(static_cast<int>(role));
    auth::Principal p = auth::UserPrincipal(7, role);
    for (Action a : kUserActions) CHECK(Allow(p, a));
    for (Action a : kLinkActions) {
      CHECK(Allow(p, a, LinkOf(7)));
      CHECK_FALSE(Allow(p, a, LinkOf(8)));  // an owner too: personal teams share nothing
    }
    CHECK(auth::CanSee(p, LinkOf(7)));
    CHECK_FALSE(auth::CanSee(p, LinkOf(8)));
    CHECK_FALSE(Allow(p, Action::kSyncNode));
  }
}

TEST_CASE("only an owner creates users", "[auth]") {
  CHECK(Allow(auth::UserPrincipal(1, auth::Role::kOwner), Action::kCreateUser));
  CHECK_FALSE(Allow(auth::UserPrincipal(1, auth::Role::kAdmin), Action::kCreateUser));
  CHECK_FALSE(Allow(auth::UserPrincipal(1, auth::Role::kMember), Action::kCreateUser));
  CHECK_FALSE(Allow(auth::UserPrincipal(1, auth::Role::kViewer), Action::kCreateUser));
}

TEST_CASE("a viewer reads its links and keys but writes no link", "[auth]") {
  auth::Principal viewer = auth::UserPrincipal(7, auth::Role::kViewer);
  CHECK(Allow(viewer, Action::kListLinks));
  CHECK(auth::CanSee(viewer, LinkOf(7)));
  CHECK(Allow(viewer, Action::kManageOwnKeys));
  CHECK_FALSE(Allow(viewer, Action::kCreateLink));
  CHECK_FALSE(Allow(viewer, Action::kUpdateLink, LinkOf(7)));
  CHECK_FALSE(Allow(viewer, Action::kDeleteLink, LinkOf(7)));
}

TEST_CASE("a node syncs and nothing else", "[auth]") {
  auth::Principal node = auth::NodePrincipal();
  CHECK(Allow(node, Action::kSyncNode));
  for (Action a : kUserActions) CHECK_FALSE(Allow(node, a));
  CHECK_FALSE(Allow(node, Action::kCreateUser));
  // A link of "user 0" (none exists) is no node's either.
  for (Action a : kLinkActions) CHECK_FALSE(Allow(node, a, LinkOf(0)));
}

TEST_CASE("a credential's scopes bound what any role may do", "[auth]") {
  auth::Principal reader = auth::UserPrincipal(7, auth::Role::kOwner);
  reader.scopes = auth::kLinksRead;
  CHECK(Allow(reader, Action::kListLinks));
  CHECK(auth::CanSee(reader, LinkOf(7)));
  CHECK_FALSE(Allow(reader, Action::kCreateLink));
  CHECK_FALSE(Allow(reader, Action::kUpdateLink, LinkOf(7)));
  CHECK_FALSE(Allow(reader, Action::kManageOwnKeys));
  CHECK_FALSE(Allow(reader, Action::kCreateUser));

  auth::Principal none = auth::UserPrincipal(7, auth::Role::kOwner);
  none.scopes = 0;
  for (Action a : kUserActions) CHECK_FALSE(Allow(none, a));
  // A user's key granted node sync is still no node.
  auth::Principal user_sync = auth::UserPrincipal(7, auth::Role::kOwner);
  user_sync.scopes |= auth::kNodeSync;
  CHECK_FALSE(Allow(user_sync, Action::kSyncNode));
}

}  // namespace shortlink::admin
