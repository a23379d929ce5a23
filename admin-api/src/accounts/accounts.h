// Accounts: users and their API keys.
//
// Only the SHA-256 of a key is stored; the key itself is shown once, when it
// is created. Users and keys are few and read on every request, so all of
// them live in memory (loaded at start); every change is written through to
// RocksDB, synced, before it is visible. Revoking a key takes effect on the
// very next request, and so does a key's expiry (checked on every use).
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "accounts/api_key.h"
#include "common/result.h"
#include "store/database.h"

namespace shortlink::admin {

enum class Role : uint8_t { kMember = 0, kAdmin = 1 };
std::string_view RoleName(Role role);
bool ParseRole(std::string_view text, Role* role);

struct User {
  uint64_t id = 0;
  std::string email;
  Role role = Role::kMember;
  int64_t created_at_ms = 0;
  int64_t locked_at_ms = 0;  // 0: not locked. A locked user's keys and tokens open nothing.

  bool locked() const { return locked_at_ms != 0; }
};

struct ApiKeyInfo {
  uint64_t id = 0;
  uint64_t user = 0;
  uint64_t team = 0;  // the team it acts in (auth/principal.h); a key older than teams: its user's
  uint64_t scopes = ~uint64_t{0};  // auth::Scopes bits; a key older than scopes: every scope
  Environment environment = Environment::kProduction;
  std::string hint;  // the key's last 4 characters, to tell keys apart
  int64_t created_at_ms = 0;
  int64_t last_used_at_ms = 0;  // kept in memory only: a write per request would cost too much
  bool revoked = false;
  int64_t revoked_at_ms = 0;
  int64_t expires_at_ms = 0;  // 0: never expires

  bool Expired(int64_t now_ms) const { return expires_at_ms != 0 && now_ms >= expires_at_ms; }
  bool Live(int64_t now_ms) const { return !revoked && !Expired(now_ms); }
};

struct NewApiKey {
  ApiKeyInfo info;
  std::string secret;  // the whole key; never stored
};

// GoGoWorx's cap: at most 10 live keys per account (our team).
inline constexpr size_t kMaxLiveKeysPerTeam = 10;

struct KeyHolder {
  User user;
  ApiKeyInfo key;
};

class Accounts {
 public:
  static Result<std::unique_ptr<Accounts>> Load(Database* db);

  // Creates a user; kConflict when the email is taken.
  Result<User> CreateUser(std::string_view email, Role role);
  std::optional<User> FindUserByEmail(std::string_view email) const;
  std::optional<User> FindUser(uint64_t id) const;
  std::vector<User> ListUsers() const;  // by id
  // Locks or unlocks `id` (kNotFound if no such user); returns the user as stored.
  Result<User> SetLocked(uint64_t id, bool locked);

  // A key of `user` acting in `team` with `scopes` (auth::Scopes bits). At
  // most kMaxLiveKeysPerTeam live (neither revoked nor expired) keys per team
  // (kInvalidArgument past it). `expires_at_ms` 0: the key never expires.
  Result<NewApiKey> CreateKey(uint64_t user, uint64_t team, Environment environment,
                              int64_t expires_at_ms, uint64_t scopes);
  // A personal-team key with every scope, as keys were before teams.
  Result<NewApiKey> CreateKey(uint64_t user, Environment environment, int64_t expires_at_ms = 0);
  // The keys of `team`; only `user`'s when given.
  std::vector<ApiKeyInfo> ListKeys(uint64_t team, std::optional<uint64_t> user) const;
  // The personal team's keys of `user`, as before teams.
  std::vector<ApiKeyInfo> ListKeys(uint64_t user) const;
  // kNotFound unless the key exists, is live, acts in `team` and (when
  // `user` is given) belongs to `user`.
  Status RevokeKey(uint64_t team, std::optional<uint64_t> user, uint64_t key_id);
  Status RevokeKey(uint64_t user, uint64_t key_id);  // in the user's personal team

  // The user and key of a presented key, if it is live (not revoked, not
  // expired); records its use.
  std::optional<KeyHolder> Authenticate(std::string_view presented_key);
  // A key by id (revoked and expired ones included).
  std::optional<ApiKeyInfo> FindKey(uint64_t key_id) const;

 private:
  explicit Accounts(Database* db) : db_(db) {}

  Database* db_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, User> users_;            // GUARDED_BY(mu_)
  std::unordered_map<std::string, uint64_t> by_email_;  // GUARDED_BY(mu_)
  // GUARDED_BY(mu_), key: SHA-256 of the key, compared in constant time.
  std::unordered_map<std::string, ApiKeyInfo, std::hash<std::string>, DigestEquals> by_hash_;
  std::unordered_map<uint64_t, std::string> hash_by_id_;  // GUARDED_BY(mu_)
  uint64_t next_user_id_ = 1;                             // GUARDED_BY(mu_)
  uint64_t next_key_id_ = 1;                              // GUARDED_BY(mu_)
};

// Emails are compared lowercased and must look like local@domain.
Result<std::string> NormalizeEmail(std::string_view email);

}  // namespace shortlink::admin
