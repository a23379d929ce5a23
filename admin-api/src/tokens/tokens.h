// Tokens: Shorten World's token auth (../shared/reference/shortenworld-api.txt,
// "Get token"). A user trades a username and one of its API keys for an
// access token (valid 1 hour) and a refresh token (valid 7 days); the access
// token works wherever the key does, with the key's team and scopes, for as
// long as the key itself is live.
//
// Refresh tokens are single use. Each login starts a family; refreshing
// retires the refresh token used and issues a new pair in the same family.
// A retired refresh token presented again means someone else holds a copy
// (theft, or a replayed request): the whole family is revoked, so the thief
// and the user alike must log in again. Revoking a token revokes its family.
//
// Only SHA-256 digests of tokens are stored (Table::kTokens), so tokens
// survive a restart, and nothing here ever logs one.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "accounts/api_key.h"
#include "common/result.h"
#include "store/database.h"

namespace shortlink::admin {

inline constexpr int64_t kAccessTokenMillis = 3600 * 1000;              // 1 hour
inline constexpr int64_t kRefreshTokenMillis = 7 * 24 * 3600 * 1000LL;  // 7 days
inline constexpr std::string_view kAccessTokenPrefix = "at_v1_";
inline constexpr std::string_view kRefreshTokenPrefix = "rt_v1_";

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  int64_t access_expires_in_s = 0;
  int64_t refresh_expires_in_s = 0;
};

// What an access token stands for.
struct TokenGrant {
  uint64_t user = 0;
  uint64_t key_id = 0;  // the API key it was made from: its team and scopes apply
};

class Tokens {
 public:
  using Clock = std::function<int64_t()>;  // milliseconds since the epoch

  // Reads every live token; expired ones are dropped from the table.
  static Result<std::unique_ptr<Tokens>> Load(Database* db, Clock now_ms);

  // A new family: an access and a refresh token for `user`, through `key_id`.
  Result<TokenPair> Issue(uint64_t user, uint64_t key_id);
  // Retires `refresh_token` and issues a new pair of its family. kUnauthorized
  // for an unknown, expired or revoked token, and for one already used, whose
  // whole family is then revoked.
  Result<TokenPair> Refresh(std::string_view refresh_token);
  // Revokes the family of `token` (access or refresh); kUnauthorized if none.
  Status Revoke(std::string_view token);
  // The grant of a live access token; none for anything else.
  std::optional<TokenGrant> Resolve(std::string_view access_token) const;

  static bool LooksLikeAccessToken(std::string_view token) {
    return token.starts_with(kAccessTokenPrefix);
  }

 private:
  enum class Kind : uint8_t { kAccess = 1, kRefresh = 2 };
  struct Record {
    Kind kind = Kind::kAccess;
    uint64_t user = 0;
    uint64_t key_id = 0;
    uint64_t family = 0;
    int64_t expires_at_ms = 0;
    bool used = false;  // a refresh token exchanged already
  };

  Tokens(Database* db, Clock now_ms) : db_(db), now_ms_(std::move(now_ms)) {}
  static std::string Encode(const Record& r);
  static bool Decode(std::string_view bytes, Record* r);
  // Issues a pair in `family`, writing `retired` (the refresh token used,
  // marked used) in the same batch. With mu_ held.
  Result<TokenPair> IssueLocked(uint64_t user, uint64_t key_id, uint64_t family,
                                const std::string* retired_hash);
  Status RevokeFamilyLocked(uint64_t family);

  Database* db_;
  Clock now_ms_;
  mutable std::mutex mu_;
  // By the SHA-256 of the token, compared in constant time. GUARDED_BY(mu_)
  std::unordered_map<std::string, Record, std::hash<std::string>, DigestEquals> by_hash_;
  std::unordered_map<uint64_t, std::vector<std::string>> families_;  // GUARDED_BY(mu_)
};

// Failed logins, counted per username and per client address over a window:
// past the limit, logins are refused (429 "Login too many failed") until the
// window that began with the first failure ends. A success clears the
// username's count. Memory is bounded: at most kMaxTracked names and
// addresses are tracked; past that the oldest windows are forgotten.
class LoginThrottle {
 public:
  static constexpr int kMaxFailuresPerUser = 5;
  static constexpr int kMaxFailuresPerAddress = 20;
  static constexpr int64_t kWindowMillis = 15 * 60 * 1000;
  static constexpr size_t kMaxTracked = 100000;

  explicit LoginThrottle(Tokens::Clock now_ms) : now_ms_(std::move(now_ms)) {}

  // Seconds until a login for `username` from `address` may be tried; 0: now.
  int64_t RetryAfterSeconds(std::string_view username, std::string_view address) const;
  void Failed(std::string_view username, std::string_view address);
  // The same for what names no user (a refresh token): the address alone.
  int64_t RetryAfterSeconds(std::string_view address) const;
  void Failed(std::string_view address);
  void Succeeded(std::string_view username);

 private:
  struct Window {
    int64_t started_ms = 0;
    int failures = 0;
  };
  int64_t BlockedFor(const std::unordered_map<std::string, Window>& map, const std::string& name,
                     int limit, int64_t now) const;
  void Count(std::unordered_map<std::string, Window>& map, const std::string& name, int64_t now);

  Tokens::Clock now_ms_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Window> users_;      // GUARDED_BY(mu_)
  std::unordered_map<std::string, Window> addresses_;  // GUARDED_BY(mu_)
};

}  // namespace shortlink::admin
