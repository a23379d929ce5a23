// The principal of a request as auth/ resolves it from the Authorization
// header: a live API key names its user (admins as owners, members as
// members, every user scope), a wrong, revoked or other-environment key
// and a missing header are 401, and the node token names the node
// principal on node routes only. Real Accounts over a temporary RocksDB.
#include "auth/authenticator.h"

#include <catch2/catch.hpp>

#include "accounts/account_routes.h"
#include "nodes/node_routes.h"
#include "support/temp_dir.h"

namespace shortlink::admin {
namespace {

const std::string kNodeToken = "node-token-0123456789abcdef";

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<Database> db = std::move(Database::Open(dir.path())).value();
  std::unique_ptr<Accounts> accounts = std::move(Accounts::Load(db.get())).value();
  AccountApi api{accounts.get(), Environment::kProduction};
  auth::Authenticator authenticator{
      [this](std::string_view key) { return PrincipalOfKey(api, key); },
      [](std::string_view token) { return IsNodeToken(kNodeToken, token); }};

  std::string KeyOf(std::string_view email, Role role) {
    uint64_t user = accounts->CreateUser(email, role).value().id;
    return accounts->CreateKey(user, Environment::kProduction).value().secret;
  }
  Result<auth::Principal> Resolve(auth::Credential credential, std::optional<std::string> header) {
    if (!header) return authenticator.Resolve(credential, std::nullopt);
    return authenticator.Resolve(credential, std::string_view(*header));
  }
};

void CheckUnauthorized(const Result<auth::Principal>& r) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnauthorized);
  CHECK(r.error().message == "Unauthorized");
}

}  // namespace

TEST_CASE("a bearer API key resolves to its user's principal", "[auth]") {
  Fixture f;
  std::string member = f.KeyOf("member@example.com", Role::kMember);
  std::string admin = f.KeyOf("admin@example.com", Role::kAdmin);

  auto m = f.Resolve(auth::Credential::kApiKey, "Bearer " + member);
  REQUIRE(m.ok());
  CHECK(m->is_user());
  CHECK(m->user == f.accounts->FindUserByEmail("member@example.com")->id);
  CHECK(m->team == auth::kPersonalTeam);
  CHECK(m->role == auth::Role::kMember);
  CHECK(m->scopes == auth::kAllUserScopes);

  // The scheme in any case, spaces around the token.
  auto a = f.Resolve(auth::Credential::kApiKey, "bEaReR   " + admin + "  ");
  REQUIRE(a.ok());
  CHECK(a->user == f.accounts->FindUserByEmail("admin@example.com")->id);
  CHECK(a->role == auth::Role::kOwner);
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
  CHECK(node->scopes == auth::kNodeSync);

  std::string key = f.KeyOf("admin@example.com", Role::kAdmin);
  CheckUnauthorized(f.Resolve(auth::Credential::kNodeToken, "Bearer " + key));
  CheckUnauthorized(f.Resolve(auth::Credential::kNodeToken, "Bearer wrong-token-wrong-token"));
  CheckUnauthorized(f.Resolve(auth::Credential::kNodeToken, std::nullopt));
  CheckUnauthorized(f.Resolve(auth::Credential::kNodeToken, kNodeToken));  // no scheme

  // Without a configured token (no --node-token-file), nobody is a node.
  auth::Authenticator none{[](std::string_view) { return std::nullopt; },
                           [](std::string_view token) { return IsNodeToken("", token); }};
  CheckUnauthorized(none.Resolve(auth::Credential::kNodeToken, std::string_view("Bearer ")));
  CheckUnauthorized(none.Resolve(auth::Credential::kNodeToken, std::string_view("Bearer x")));
}

TEST_CASE("a 401's challenge names the route's realm", "[auth]") {
  CHECK(auth::Challenge(auth::Credential::kApiKey, false) == "Bearer realm=\"shortlink\"");
  CHECK(auth::Challenge(auth::Credential::kApiKey, true) ==
        "Bearer realm=\"shortlink\", error=\"invalid_token\"");
  CHECK(auth::Challenge(auth::Credential::kNodeToken, true) ==
        "Bearer realm=\"shortlink-nodes\", error=\"invalid_token\"");
}

}  // namespace shortlink::admin
