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
};

struct ApiKeyInfo {
  uint64_t id = 0;
  uint64_t user = 0;
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

inline constexpr size_t kMaxLiveKeysPerUser = 10;

class Accounts {
 public:
  static Result<std::unique_ptr<Accounts>> Load(Database* db);

  // Creates a user; kConflict when the email is taken.
  Result<User> CreateUser(std::string_view email, Role role);
  std::optional<User> FindUserByEmail(std::string_view email) const;
  std::optional<User> FindUser(uint64_t id) const;

  // At most kMaxLiveKeysPerUser live (neither revoked nor expired) keys per
  // user (kInvalidArgument past it). `expires_at_ms` 0: the key never expires.
  Result<NewApiKey> CreateKey(uint64_t user, Environment environment, int64_t expires_at_ms = 0);
  std::vector<ApiKeyInfo> ListKeys(uint64_t user) const;
  // kNotFound unless the key exists, belongs to `user` and is live.
  Status RevokeKey(uint64_t user, uint64_t key_id);

  // The user a presented key belongs to, if it is live (not revoked, not
  // expired); records its use.
  std::optional<User> Authenticate(std::string_view presented_key);

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
