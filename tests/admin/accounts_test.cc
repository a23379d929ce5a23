// API keys in Accounts: expiry (refused from the instant it passes, kept
// across a restart, not counted as live), and the optional expiry of
// POST /api/v1/keys as ParseKeyExpiry reads it.
#include "accounts/accounts.h"

#include <catch2/catch.hpp>
#include <thread>

#include "accounts/account_routes.h"
#include "common/clock.h"
#include "http/iso8601.h"
#include "support/temp_dir.h"

namespace shortlink::admin {
namespace {

constexpr int64_t kDay = 86'400'000;  // milliseconds

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<Database> db = std::move(Database::Open(dir.path())).value();
  std::unique_ptr<Accounts> accounts = std::move(Accounts::Load(db.get())).value();
  uint64_t user = accounts->CreateUser("keys@example.com", Role::kMember).value().id;
};

int64_t Iso(std::string_view text) {
  int64_t ms = -1;
  INFO(text);
  REQUIRE(ParseIso8601Utc(text, &ms));
  return ms;
}

}  // namespace

TEST_CASE("an expired key is refused from its expiry on", "[accounts]") {
  Fixture f;
  auto forever = f.accounts->CreateKey(f.user, Environment::kProduction).value();
  auto soon = f.accounts->CreateKey(f.user, Environment::kProduction, NowMillis() + 300).value();
  CHECK(forever.info.expires_at_ms == 0);
  CHECK(f.accounts->Authenticate(soon.secret));
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  CHECK_FALSE(f.accounts->Authenticate(soon.secret));
  CHECK(f.accounts->Authenticate(forever.secret));
  // Listed, with its expiry, and revocable like any other.
  auto keys = f.accounts->ListKeys(f.user);
  REQUIRE(keys.size() == 2);
  CHECK(keys[1].expires_at_ms == soon.info.expires_at_ms);
  CHECK(keys[1].Expired(NowMillis()));
  CHECK_FALSE(keys[1].Live(NowMillis()));
  CHECK(f.accounts->RevokeKey(f.user, soon.info.id).ok());
}

TEST_CASE("expiry survives a restart", "[accounts]") {
  Fixture f;
  int64_t later = NowMillis() + 10 * kDay;
  auto key = f.accounts->CreateKey(f.user, Environment::kProduction, later).value();
  auto gone = f.accounts->CreateKey(f.user, Environment::kProduction, NowMillis() + 50).value();
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  f.accounts.reset();
  auto reloaded = std::move(Accounts::Load(f.db.get())).value();
  CHECK(reloaded->Authenticate(key.secret));
  CHECK_FALSE(reloaded->Authenticate(gone.secret));
  auto keys = reloaded->ListKeys(f.user);
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].expires_at_ms == later);
}

TEST_CASE("a user locked and unlocked, across a restart", "[accounts]") {
  Fixture f;
  auto key = f.accounts->CreateKey(f.user, Environment::kProduction).value();
  CHECK_FALSE(f.accounts->FindUser(f.user)->locked());
  auto locked = f.accounts->SetLocked(f.user, true);
  REQUIRE(locked.ok());
  CHECK(locked->locked());
  // The key is still the user's (teams/ refuses it), and says whose it is.
  auto holder = f.accounts->Authenticate(key.secret);
  REQUIRE(holder);
  CHECK(holder->user.locked());
  f.accounts.reset();
  auto reloaded = std::move(Accounts::Load(f.db.get())).value();
  CHECK(reloaded->FindUser(f.user)->locked());
  REQUIRE(reloaded->SetLocked(f.user, false).ok());
  CHECK_FALSE(reloaded->Authenticate(key.secret)->user.locked());
  CHECK(reloaded->SetLocked(f.user + 100, true).error().code == ErrorCode::kNotFound);
}

TEST_CASE("expired keys do not count toward the 10 live keys", "[accounts]") {
  Fixture f;
  // Long enough for ten synced writes on a busy machine (50 ms was not).
  int64_t expires = NowMillis() + 1000;
  for (size_t i = 0; i < kMaxLiveKeysPerTeam; ++i) {
    REQUIRE(f.accounts->CreateKey(f.user, Environment::kProduction, expires).ok());
  }
  CHECK_FALSE(f.accounts->CreateKey(f.user, Environment::kProduction).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(expires - NowMillis() + 30));
  CHECK(f.accounts->CreateKey(f.user, Environment::kProduction).ok());
}

TEST_CASE("key digests compare equal only when equal", "[accounts]") {
  DigestEquals eq;
  std::string a = HashKey("live_v1_a"), b = HashKey("live_v1_b");
  CHECK(eq(a, a));
  CHECK(eq(a, std::string(a)));
  CHECK_FALSE(eq(a, b));
  CHECK_FALSE(eq(a, a.substr(0, 31)));
  CHECK_FALSE(eq("", a));
  CHECK(eq("", ""));
}

TEST_CASE("ISO-8601 UTC times", "[accounts]") {
  CHECK(Iso("1970-01-01T00:00:00Z") == 0);
  CHECK(Iso("2030-01-31T00:00:00Z") == 1'896'048'000'000);
  CHECK(Iso("2030-01-31T00:00:00.5Z") == 1'896'048'000'500);
  CHECK(Iso("2030-01-31T00:00:00.123456789Z") == 1'896'048'000'123);
  CHECK(Iso("2030-01-31T00:00:00+00:00") == 1'896'048'000'000);
  CHECK(Iso("2028-02-29T23:59:59.999Z") == Iso("2028-03-01T00:00:00Z") - 1);
  CHECK(FormatIso8601Millis(Iso("2031-07-04T12:34:56.789Z")) == "2031-07-04T12:34:56.789Z");
  int64_t ms = 0;
  for (const char* bad : {"",
                          "2030-01-31",
                          "2030-01-31T00:00:00",
                          "2030-01-31T00:00:00+08:00",
                          "2030-01-31 00:00:00Z",
                          "2030-1-31T00:00:00Z",
                          "2030-02-30T00:00:00Z",
                          "2029-02-29T00:00:00Z",
                          "2030-13-01T00:00:00Z",
                          "2030-00-01T00:00:00Z",
                          "2030-01-31T24:00:00Z",
                          "2030-01-31T00:60:00Z",
                          "2030-01-31T00:00:60Z",
                          "2030-01-31T00:00:00.Z",
                          "2030-01-31T00:00:00.1234567890Z",
                          "2030-01-31T00:00:00Zjunk",
                          "2030-01-31t00:00:00z",
                          "+2030-01-31T00:00:00Z",
                          "2030-01-31T00:00:00-00:00",
                          "２０３０-01-31T00:00:00Z",
                          "1e10"}) {
    INFO(bad);
    CHECK_FALSE(ParseIso8601Utc(bad, &ms));
  }
}

TEST_CASE("POST /api/v1/keys bodies: expiresAt or expiresInDays", "[accounts]") {
  const int64_t now = Iso("2026-01-01T00:00:00Z");
  auto expiry = [&](std::string_view body) { return ParseKeyExpiry(body, now); };
  CHECK(expiry("").value() == 0);
  CHECK(expiry(" \r\n").value() == 0);
  CHECK(expiry("{}").value() == 0);
  CHECK(expiry(R"({"expiresAt": null, "expiresInDays": null})").value() == 0);
  CHECK(expiry(R"({"expiresAt": "2026-01-01T00:00:01Z"})").value() == now + 1000);
  CHECK(expiry(R"({"expiresInDays": 1})").value() == now + kDay);
  CHECK(expiry(R"({"expiresInDays": 3650})").value() == now + 3650 * kDay);
  auto unknown = expiry(R"({"expiresInDay": 1})");  // a typo is refused, not ignored
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message ==
        "Unknown field \"expiresInDay\" (did you mean \"expiresInDays\"?).");

  for (
      const char* bad : {
          R"({"expiresAt": "2026-01-01T00:00:00Z"})",  // now is not the future
          R"({"expiresAt": "2025-12-31T23:59:59Z"})",
          R"({"expiresAt": "2030-01-31"})",
          R"({"expiresAt": "2030-01-31T00:00:00+08:00"})",
          R"({"expiresAt": 1896048000000})",
          R"({"expiresAt": ["2030-01-31T00:00:00Z"]})",
          R"({"expiresInDays": 0})",
          R"({"expiresInDays": -1})",
          R"({"expiresInDays": 3651})",
          R"({"expiresInDays": 1.5})",
          R"({"expiresInDays": "30"})",
          R"({"expiresInDays": true})",
          R"({"expiresInDays": 99999999999999999999})",
          R"({"expiresAt": "2030-01-31T00:00:00Z", "expiresInDays": 30})",
          "[]",
          "not json",
          R"({"expiresInDays": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})",
      }) {
    INFO(bad);
    auto result = expiry(bad);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::kInvalidArgument);
    CHECK_FALSE(result.error().message.empty());
  }
}

}  // namespace shortlink::admin
