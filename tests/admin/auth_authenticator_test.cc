// The principal of a request as auth/ resolves it from its credential
// headers: a live API key (bearer, or GoGoWorx's x-api-key with an optional
// x-account-uuid naming its team) names its user acting in the key's team
// with its role there and the key's scopes; a wrong, revoked or
// other-environment key, a wrong x-account-uuid, a member removed from the
// team and a missing header are 401; the node token names the node
// principal on node routes only. Real Accounts and Teams over a temporary
// RocksDB.
#include "auth/authenticator.h"

#include <catch2/catch.hpp>

#include "accounts/account_routes.h"
#include "nodes/node_routes.h"
#include "support/temp_dir.h"
#include "teams/team_routes.h"

namespace shortlink::admin {
namespace {

const std::string kNodeToken = "node-token-0123456789abcdef";

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<Database> db = std::move(Database::Open(dir.path())).value();
  std::unique_ptr<Accounts> accounts = std::move(Accounts::Load(db.get())).value();
  std::unique_ptr<Teams> teams = std::move(Teams::Load(db.get(), {})).value();
  TeamApi api{teams.get(), accounts.get(), Environment::kProduction, {}};
  auth::Authenticator authenticator{
      [this](std::string_view key, std::string_view account) {
        return PrincipalOfKey(api, key, account);
      },
      [](std::string_view token) { return IsNodeToken(kNodeToken, token); }};

  User UserOf(std::string_view email, Role role) {
    User user = accounts->CreateUser(email, role).value();
    REQUIRE(teams->EnsurePersonal(user).ok());
    return user;
  }
  std::string KeyOf(std::string_view email, Role role) {
    uint64_t user = UserOf(email, role).id;
    return accounts->CreateKey(user, Environment::kProduction).value().secret;
  }
  Result<auth::Principal> Resolve(auth::Credential credential, std::optional<std::string> header) {
    auth::Presented presented;
    if (header) presented.authorization = *header;
    return authenticator.Resolve(credential, presented);
  }
  Result<auth::Principal> ResolveGoGoWorx(std::string_view key,
                                          std::optional<std::string> account) {
    auth::Presented presented;
    presented.api_key = key;
    if (account) presented.account = *account;
    return authenticator.Resolve(auth::Credential::kApiKey, presented);
  }
};

void CheckUnauthorized(const Result<auth::Principal>& r) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnauthorized);
  CHECK(r.error().message == "Unauthorized");
}

}  // namespace

TEST_CASE("a bearer API key resolves to its user in the key's team", "[auth]") {
  Fixture f;
  std::string member = f.KeyOf("member@example.com", Role::kMember);
  std::string admin = f.KeyOf("admin@example.com", Role::kAdmin);

  auto m = f.Resolve(auth::Credential::kApiKey, "Bearer " + member);
  REQUIRE(m.ok());
  CHECK(m->is_user());
  uint64_t member_id = f.accounts->FindUserByEmail("member@example.com")->id;
  CHECK(m->user == member_id);
  CHECK(m->team == auth::PersonalTeamOf(member_id));  // a key made before teams: personal
  CHECK(m->role == auth::Role::kOwner);               // everyone owns its personal team
  CHECK(m->scopes == auth::Scopes::All());
  CHECK_FALSE(m->site_admin);

  // The scheme in any case, spaces around the token.
  auto a = f.Resolve(auth::Credential::kApiKey, "bEaReR   " + admin + "  ");
  REQUIRE(a.ok());
  CHECK(a->user == f.accounts->FindUserByEmail("admin@example.com")->id);
  CHECK(a->site_admin);
}

TEST_CASE("a key of a shared team acts there, with its role and scopes", "[auth]") {
  Fixture f;
  User owner = f.UserOf("owner@example.com", Role::kMember);
  User viewer = f.UserOf("viewer@example.com", Role::kMember);
  Team team = f.teams->Create(owner.id, "acme").value();
  REQUIRE(f.teams->AddMember(team.number, viewer.id, auth::Role::kViewer).ok());
  auth::Scopes read_urls = auth::Scopes::None();
  read_urls.Grant(auth::Endpoint::kUrls, auth::MethodClass::kGet);
  std::string key =
      f.accounts->CreateKey(viewer.id, team.number, Environment::kProduction, 0, read_urls.bits())
          .value()
          .secret;
  auto p = f.Resolve(auth::Credential::kApiKey, "Bearer " + key);
  REQUIRE(p.ok());
  CHECK(p->team == team.number);
  CHECK(p->role == auth::Role::kViewer);
  CHECK(p->scopes == read_urls);

  // Removed from the team: the key opens nothing any more.
  REQUIRE(f.teams->RemoveMember(team.number, viewer.id).ok());
  CheckUnauthorized(f.Resolve(auth::Credential::kApiKey, "Bearer " + key));
}

TEST_CASE("GoGoWorx's x-api-key works, and x-account-uuid must name the key's team", "[auth]") {
  Fixture f;
  std::string key = f.KeyOf("member@example.com", Role::kMember);
  uint64_t user = f.accounts->FindUserByEmail("member@example.com")->id;
  Team personal = *f.teams->Get(auth::PersonalTeamOf(user));
  Team other = f.teams->Create(user, "other-team").value();

  auto bare = f.ResolveGoGoWorx(key, std::nullopt);
  REQUIRE(bare.ok());
  CHECK(bare->user == user);
  CHECK(f.ResolveGoGoWorx(key, personal.AccountId()).ok());      // "<sitename>/<uuid>"
  CHECK(f.ResolveGoGoWorx(key, personal.uuid).ok());             // the uuid alone
  CheckUnauthorized(f.ResolveGoGoWorx(key, other.AccountId()));  // a team of its, not the key's
  CheckUnauthorized(f.ResolveGoGoWorx(key, personal.site_name + "/" + other.uuid));
  CheckUnauthorized(f.ResolveGoGoWorx(key, "nobody/00000000-0000-4000-8000-000000000000"));
  CheckUnauthorized(f.ResolveGoGoWorx("live_v1_not-a-key", std::nullopt));

  // Both headers: they must carry the same key.
  auth::Presented both;
  std::string bearer = "Bearer " + key;
  both.authorization = bearer;
  both.api_key = key;
  CHECK(f.authenticator.Resolve(auth::Credential::kApiKey, both).ok());
  std::string other_key = f.KeyOf("second@example.com", Role::kMember);
  both.api_key = other_key;
  CheckUnauthorized(f.authenticator.Resolve(auth::Credential::kApiKey, both));
}

TEST_CASE("a wrong, revoked or foreign key is refused, as is a missing header", "[auth]") {
  Fixture f;
  std::string key = f.KeyOf("member@example.com", Role::kMember);
  uint64_t user = f.accounts->FindUserByEmail("member@example.com")->id;
  auto revoked = f.accounts->CreateKey(user, Environment::kProduction).value();
  REQUIRE(f.accounts->RevokeKey(user, revoked.info.id).ok());

  CheckUnauthorized(f.Resolve(auth::Credential::kApiKey, std::nullopt));
  CheckUnauthorized(f.Resolve(auth::Credential::kApiKey, ""));
  CheckUnauthorized(f.Resolve(auth::Credential::kApiKey, "Bearer "));
  CheckUnauthorized(f.Resolve(auth::Credential::kApiKey, "Basic " + key));
  CheckUnauthorized(f.Resolve(auth::Credential::kApiKey, key));  // no scheme
  CheckUnauthorized(f.Resolve(auth::Credential::kApiKey, "Bearer " + key + "x"));
  CheckUnauthorized(f.Resolve(auth::Credential::kApiKey, "Bearer " + revoked.secret));
  // The same key of the staging environment: refused before any lookup.
  std::string staging = "test_v1_" + key.substr(KeyPrefix(Environment::kProduction).size());
  CheckUnauthorized(f.Resolve(auth::Credential::kApiKey, "Bearer " + staging));
  // The node token is no API key.
  CheckUnauthorized(f.Resolve(auth::Credential::kApiKey, "Bearer " + kNodeToken));
  // And the key still works: none of the above broke it.
  CHECK(f.Resolve(auth::Credential::kApiKey, "Bearer " + key).ok());
}

TEST_CASE("the node token resolves to the node principal, on node routes only", "[auth]") {
  Fixture f;
  auto node = f.Resolve(auth::Credential::kNodeToken, "Bearer " + kNodeToken);
  REQUIRE(node.ok());
  CHECK_FALSE(node->is_user());
  CHECK(node->scopes == auth::Scopes::None());

  std::string key = f.KeyOf("admin@example.com", Role::kAdmin);
  CheckUnauthorized(f.Resolve(auth::Credential::kNodeToken, "Bearer " + key));
  CheckUnauthorized(f.Resolve(auth::Credential::kNodeToken, "Bearer wrong-token-wrong-token"));
  CheckUnauthorized(f.Resolve(auth::Credential::kNodeToken, std::nullopt));
  CheckUnauthorized(f.Resolve(auth::Credential::kNodeToken, kNodeToken));  // no scheme

  // Without a configured token (no --node-token-file), nobody is a node.
  auth::Authenticator none{
      [](std::string_view, std::string_view) -> std::optional<auth::Principal> {
        return std::nullopt;
      },
      [](std::string_view token) { return IsNodeToken("", token); }};
  auth::Presented empty, wrong;
  empty.authorization = "Bearer ";
  wrong.authorization = "Bearer x";
  CheckUnauthorized(none.Resolve(auth::Credential::kNodeToken, empty));
  CheckUnauthorized(none.Resolve(auth::Credential::kNodeToken, wrong));
}

TEST_CASE("a 401's challenge names the route's realm", "[auth]") {
  CHECK(auth::Challenge(auth::Credential::kApiKey, false) == "Bearer realm=\"shortlink\"");
  CHECK(auth::Challenge(auth::Credential::kApiKey, true) ==
        "Bearer realm=\"shortlink\", error=\"invalid_token\"");
  CHECK(auth::Challenge(auth::Credential::kNodeToken, true) ==
        "Bearer realm=\"shortlink-nodes\", error=\"invalid_token\"");
}

}  // namespace shortlink::admin
