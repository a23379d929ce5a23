// Token auth (tokens/tokens.h) on a real RocksDB in a temp dir, with an
// injected clock: access tokens live 1 hour and refresh tokens 7 days;
// a refresh token is single use and presenting a spent one revokes its
// whole login; revoking revokes the login; tokens survive a restart and
// expired ones do not; failed logins are throttled per name and address.
#include "tokens/tokens.h"

#include <catch2/catch.hpp>

#include "support/temp_dir.h"

namespace shortlink::admin {
namespace {

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<Database> db = std::move(Database::Open(dir.path())).value();
  int64_t now = 1'800'000'000'000;
  Tokens::Clock clock = [this] { return now; };
  std::unique_ptr<Tokens> tokens = std::move(Tokens::Load(db.get(), clock)).value();
};

}  // namespace

TEST_CASE("an access token lives one hour, a refresh token seven days", "[tokens]") {
  Fixture f;
  TokenPair pair = f.tokens->Issue(7, 3).value();
  CHECK(pair.access_token.starts_with("at_v1_"));
  CHECK(pair.refresh_token.starts_with("rt_v1_"));
  CHECK(pair.access_expires_in_s == 3600);
  CHECK(pair.refresh_expires_in_s == 7 * 24 * 3600);
  auto grant = f.tokens->Resolve(pair.access_token);
  REQUIRE(grant);
  CHECK((grant->user == 7 && grant->key_id == 3));
  CHECK_FALSE(f.tokens->Resolve(pair.refresh_token));  // a refresh token opens nothing

  f.now += kAccessTokenMillis - 1;
  CHECK(f.tokens->Resolve(pair.access_token));
  f.now += 1;
  CHECK_FALSE(f.tokens->Resolve(pair.access_token));

  // The refresh token still gets a new pair, up to its 7 days.
  f.now += kRefreshTokenMillis - kAccessTokenMillis - 1;
  auto renewed = f.tokens->Refresh(pair.refresh_token);
  REQUIRE(renewed.ok());
  CHECK(f.tokens->Resolve(renewed->access_token));
  f.now += kRefreshTokenMillis;
  CHECK(f.tokens->Refresh(renewed->refresh_token).error().code == ErrorCode::kUnauthorized);
}

TEST_CASE("a spent refresh token presented again revokes the whole login", "[tokens]") {
  Fixture f;
  TokenPair first = f.tokens->Issue(7, 3).value();
  TokenPair other_login = f.tokens->Issue(7, 3).value();
  TokenPair second = f.tokens->Refresh(first.refresh_token).value();
  CHECK(second.access_token != first.access_token);
  CHECK(f.tokens->Resolve(second.access_token));

  // The thief (or a replay) uses the spent token: nobody keeps this login.
  CHECK(f.tokens->Refresh(first.refresh_token).error().code == ErrorCode::kUnauthorized);
  CHECK_FALSE(f.tokens->Resolve(second.access_token));
  CHECK_FALSE(f.tokens->Resolve(first.access_token));
  CHECK(f.tokens->Refresh(second.refresh_token).error().code == ErrorCode::kUnauthorized);
  // Another login of the same user is not touched.
  CHECK(f.tokens->Resolve(other_login.access_token));
}

TEST_CASE("revoking a token revokes its login, and unknown tokens are refused", "[tokens]") {
  Fixture f;
  TokenPair pair = f.tokens->Issue(7, 3).value();
  REQUIRE(f.tokens->Revoke(pair.access_token).ok());
  CHECK_FALSE(f.tokens->Resolve(pair.access_token));
  CHECK(f.tokens->Refresh(pair.refresh_token).error().code == ErrorCode::kUnauthorized);
  CHECK(f.tokens->Revoke(pair.access_token).error().code == ErrorCode::kUnauthorized);
  CHECK(f.tokens->Refresh("rt_v1_made-up").error().code == ErrorCode::kUnauthorized);
  CHECK(f.tokens->Refresh("live_v1_an-api-key").error().code == ErrorCode::kUnauthorized);
  CHECK_FALSE(f.tokens->Resolve("at_v1_made-up"));
}

TEST_CASE("tokens survive a restart, and expired ones are dropped at start", "[tokens]") {
  Fixture f;
  TokenPair kept = f.tokens->Issue(7, 3).value();
  TokenPair spent = f.tokens->Issue(8, 4).value();
  TokenPair renewed = f.tokens->Refresh(spent.refresh_token).value();
  f.tokens.reset();
  f.now += 10;
  auto reloaded = std::move(Tokens::Load(f.db.get(), f.clock)).value();
  CHECK(reloaded->Resolve(kept.access_token));
  CHECK(reloaded->Resolve(renewed.access_token));
  // A spent refresh token stays spent across the restart, and still trips the alarm.
  CHECK(reloaded->Refresh(spent.refresh_token).error().code == ErrorCode::kUnauthorized);
  CHECK_FALSE(reloaded->Resolve(renewed.access_token));

  reloaded.reset();
  f.now += kRefreshTokenMillis + 1;
  auto later = std::move(Tokens::Load(f.db.get(), f.clock)).value();
  CHECK(later->Refresh(kept.refresh_token).error().code == ErrorCode::kUnauthorized);
  size_t rows = 0;
  REQUIRE(f.db->Scan(Table::kTokens, "",
                     [&](std::string_view, std::string_view) {
                       ++rows;
                       return true;
                     })
              .ok());
  CHECK(rows == 0);
}

TEST_CASE("failed logins are throttled per username and per address", "[tokens]") {
  int64_t now = 1'000'000;
  LoginThrottle throttle([&] { return now; });
  for (int i = 0; i < LoginThrottle::kMaxFailuresPerUser - 1; ++i)
    throttle.Failed("ann", "10.0.0.1");
  CHECK(throttle.RetryAfterSeconds("ann", "10.0.0.1") == 0);
  throttle.Failed("ann", "10.0.0.1");
  CHECK(throttle.RetryAfterSeconds("ann", "10.0.0.2") == LoginThrottle::kWindowMillis / 1000);
  CHECK(throttle.RetryAfterSeconds("bob", "10.0.0.1") == 0);  // the address is under its limit
  now += LoginThrottle::kWindowMillis;
  CHECK(throttle.RetryAfterSeconds("ann", "10.0.0.1") == 0);  // the window ended

  // One address trying many names is stopped too.
  for (int i = 0; i < LoginThrottle::kMaxFailuresPerAddress; ++i)
    throttle.Failed("name" + std::to_string(i), "10.9.9.9");
  CHECK(throttle.RetryAfterSeconds("somebody", "10.9.9.9") > 0);
  CHECK(throttle.RetryAfterSeconds("somebody", "10.9.9.8") == 0);

  // Failed refreshes name no user: they count against their address only, so
  // nobody's refreshes or logins elsewhere are held up by them.
  for (int i = 0; i < LoginThrottle::kMaxFailuresPerAddress; ++i) throttle.Failed("10.2.2.2");
  CHECK(throttle.RetryAfterSeconds("10.2.2.2") > 0);
  CHECK(throttle.RetryAfterSeconds("10.2.2.3") == 0);
  CHECK(throttle.RetryAfterSeconds("", "10.2.2.3") == 0);

  // A success clears the name's count.
  for (int i = 0; i < LoginThrottle::kMaxFailuresPerUser - 1; ++i)
    throttle.Failed("cat", "10.1.1.1");
  throttle.Succeeded("cat");
  throttle.Failed("cat", "10.1.1.1");
  CHECK(throttle.RetryAfterSeconds("cat", "10.1.1.1") == 0);
}

}  // namespace shortlink::admin
