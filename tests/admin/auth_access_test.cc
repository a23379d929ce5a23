// The access table of auth/access.h: which principal may do which action,
// on which link. A user reaches only its team's links, whatever its role;
// roles rank viewer < member < admin < owner; only a site admin (an `admin`
// user) creates users; a node syncs and does nothing else.
#include "auth/access.h"

#include <catch2/catch.hpp>

namespace shortlink::admin {
namespace {

using auth::Action;
using auth::Allow;
using auth::Role;

constexpr Action kLinkActions[] = {Action::kReadLink, Action::kUpdateLink, Action::kDeleteLink};

Link LinkOf(uint64_t owner) {
  Link link;
  link.code = "abc";
  link.owner = owner;
  return link;
}

auth::Principal InTeam(uint64_t user, uint64_t team, Role role) {
  return auth::UserPrincipal(user, team, role, auth::Scopes::All(), false);
}

}  // namespace

TEST_CASE("a user reaches its team's links and no other team's", "[auth]") {
  const uint64_t shared = auth::kFirstSharedTeam + 3;
  for (Role role : {Role::kMember, Role::kAdmin, Role::kOwner}) {
    INFO(auth::RoleName(role));
    auth::Principal p = InTeam(7, shared, role);
    for (Action a : kLinkActions) {
      CHECK(Allow(p, a, LinkOf(shared)));
      CHECK_FALSE(Allow(p, a, LinkOf(7)));           // its personal team's: not from this key
      CHECK_FALSE(Allow(p, a, LinkOf(shared + 1)));  // another team's, an owner too
    }
    CHECK_FALSE(Allow(p, Action::kSyncNode));
  }
  // A personal team is numbered as its user: links made before teams are its.
  auth::Principal personal = auth::PersonalPrincipal(7, Role::kOwner);
  CHECK(personal.team == 7);
  CHECK(auth::CanSee(personal, LinkOf(7)));
  CHECK_FALSE(auth::CanSee(personal, LinkOf(8)));
}

TEST_CASE("roles rank what a member may do in its team", "[auth]") {
  struct Case {
    Action action;
    Role least;
  };
  const Case cases[] = {
      {Action::kListLinks, Role::kViewer},     {Action::kReadTeam, Role::kViewer},
      {Action::kManageOwnKeys, Role::kViewer}, {Action::kCreateLink, Role::kMember},
      {Action::kUpdateLink, Role::kMember},    {Action::kDeleteLink, Role::kMember},
      {Action::kManageTeamKeys, Role::kAdmin}, {Action::kManageMembers, Role::kAdmin},
      {Action::kRenameTeam, Role::kAdmin},     {Action::kManageDomains, Role::kAdmin},
      {Action::kDeleteTeam, Role::kOwner},
  };
  for (const Case& c : cases) {
    for (Role role : {Role::kViewer, Role::kMember, Role::kAdmin, Role::kOwner}) {
      INFO(static_cast<int>(c.action) << " as " << auth::RoleName(role));
      CHECK(Allow(InTeam(7, 7, role), c.action) == (role >= c.least));
    }
    CHECK(auth::LeastRole(c.action) == c.least);
  }
}

TEST_CASE("a role too low is told which role it needs", "[auth]") {
  std::string message = auth::RoleTooLow(InTeam(7, 7, Role::kViewer), Action::kCreateLink);
  CHECK(message.find("viewer") != std::string::npos);
  CHECK(message.find("member or above") != std::string::npos);
}

TEST_CASE("only a site admin creates users, whatever its team role", "[auth]") {
  CHECK(Allow(auth::PersonalPrincipal(1, Role::kOwner, /*site_admin=*/true), Action::kCreateUser));
  CHECK(Allow(auth::UserPrincipal(1, 9, Role::kViewer, auth::Scopes::All(), true),
              Action::kCreateUser));
  CHECK_FALSE(Allow(auth::PersonalPrincipal(1, Role::kOwner), Action::kCreateUser));
  CHECK_FALSE(Allow(InTeam(1, 1, Role::kAdmin), Action::kCreateUser));
}

TEST_CASE("a node syncs and nothing else", "[auth]") {
  auth::Principal node = auth::NodePrincipal();
  CHECK(Allow(node, Action::kSyncNode));
  for (Action a : {Action::kListLinks, Action::kCreateLink, Action::kManageOwnKeys,
                   Action::kReadTeam, Action::kCreateUser})
    CHECK_FALSE(Allow(node, a));
  // A link of "team 0" (none exists) is no node's either.
  for (Action a : kLinkActions) CHECK_FALSE(Allow(node, a, LinkOf(0)));
}

TEST_CASE("roles parse and print by name", "[auth]") {
  for (Role role : {Role::kViewer, Role::kMember, Role::kAdmin, Role::kOwner}) {
    Role parsed = Role::kViewer;
    CHECK(auth::ParseRole(auth::RoleName(role), &parsed));
    CHECK(parsed == role);
  }
  Role unchanged = Role::kMember;
  CHECK_FALSE(auth::ParseRole("Owner", &unchanged));
  CHECK_FALSE(auth::ParseRole("superuser", &unchanged));
  CHECK(unchanged == Role::kMember);
}

}  // namespace shortlink::admin
