#include "accounts/accounts.h"

#include <algorithm>
#include <cctype>

#include "common/clock.h"
#include "common/wire.h"
#include "store/db_keys.h"

namespace shortlink::admin {
namespace {

// Record encodings: tagged fields, as for links (common/wire.h).
enum UserTag : uint8_t {
  kUserId = 1,
  kUserEmail = 2,
  kUserRole = 3,
  kUserCreated = 4,
  kUserLocked = 5,  // absent in users older than locking, and in any unlocked user
};
enum KeyTag : uint8_t {
  kKeyId = 1,
  kKeyUser = 2,
  kKeyEnv = 3,
  kKeyHint = 4,
  kKeyCreated = 5,
  kKeyRevokedAt = 6,
  kKeyExpiresAt = 7,
  kKeyTeam = 8,    // absent in keys older than teams: the user's personal team
  kKeyScopes = 9,  // absent in keys older than scopes: every scope
};

std::string EncodeUser(const User& u) {
  std::string out;
  wire::PutVarintField(kUserId, u.id, &out);
  wire::PutField(kUserEmail, u.email, &out);
  wire::PutVarintField(kUserRole, static_cast<uint64_t>(u.role), &out);
  wire::PutVarintField(kUserCreated, static_cast<uint64_t>(u.created_at_ms), &out);
  if (u.locked()) wire::PutVarintField(kUserLocked, static_cast<uint64_t>(u.locked_at_ms), &out);
  return out;
}

// A user or key record is one text field among varints: reads the field
// tagged `text_tag` into *text and hands every other field, parsed, to
// on_number(tag, n). False when a field is truncated or a number malformed.
template <typename OnNumber>
bool ReadRecord(std::string_view bytes, uint8_t text_tag, std::string* text, OnNumber on_number) {
  wire::Reader r(bytes);
  while (!r.done()) {
    uint8_t tag;
    std::string_view field;
    uint64_t n = 0;
    if (!r.ReadField(&tag, &field)) return false;
    if (tag == text_tag) {
      text->assign(field);
      continue;
    }
    if (!wire::ParseVarint(field, &n)) return false;
    on_number(tag, n);
  }
  return true;
}

bool DecodeUser(std::string_view bytes, User* u) {
  bool read = ReadRecord(bytes, kUserEmail, &u->email, [u](uint8_t tag, uint64_t n) {
    if (tag == kUserId) u->id = n;
    if (tag == kUserRole) u->role = n == 1 ? Role::kAdmin : Role::kMember;
    if (tag == kUserCreated) u->created_at_ms = static_cast<int64_t>(n);
    if (tag == kUserLocked) u->locked_at_ms = static_cast<int64_t>(n);
  });
  return read && u->id != 0 && !u->email.empty();
}

std::string EncodeKey(const ApiKeyInfo& k) {
  std::string out;
  wire::PutVarintField(kKeyId, k.id, &out);
  wire::PutVarintField(kKeyUser, k.user, &out);
  wire::PutVarintField(kKeyEnv, k.environment == Environment::kStaging ? 1 : 0, &out);
  wire::PutField(kKeyHint, k.hint, &out);
  wire::PutVarintField(kKeyCreated, static_cast<uint64_t>(k.created_at_ms), &out);
  if (k.revoked) wire::PutVarintField(kKeyRevokedAt, static_cast<uint64_t>(k.revoked_at_ms), &out);
  if (k.expires_at_ms != 0)
    wire::PutVarintField(kKeyExpiresAt, static_cast<uint64_t>(k.expires_at_ms), &out);
  if (k.team != k.user) wire::PutVarintField(kKeyTeam, k.team, &out);
  if (k.scopes != ~uint64_t{0}) wire::PutVarintField(kKeyScopes, k.scopes, &out);
  return out;
}

bool DecodeKey(std::string_view bytes, ApiKeyInfo* k) {
  bool read = ReadRecord(bytes, kKeyHint, &k->hint, [k](uint8_t tag, uint64_t n) {
    switch (tag) {
      case kKeyId:
        k->id = n;
        break;
      case kKeyUser:
        k->user = n;
        break;
      case kKeyEnv:
        k->environment = n == 1 ? Environment::kStaging : Environment::kProduction;
        break;
      case kKeyCreated:
        k->created_at_ms = static_cast<int64_t>(n);
        break;
      case kKeyRevokedAt:
        k->revoked = true;
        k->revoked_at_ms = static_cast<int64_t>(n);
        break;
      case kKeyExpiresAt:
        k->expires_at_ms = static_cast<int64_t>(n);
        break;
      case kKeyTeam:
        k->team = n;
        break;
      case kKeyScopes:
        k->scopes = n;
        break;
      default:
        break;
    }
  });
  if (k->team == 0) k->team = k->user;  // personal team: numbered as its user
  return read && k->id != 0 && k->user != 0;
}

std::string Number(uint64_t n) {
  std::string out;
  wire::PutFixed64BE(n, &out);
  return out;
}

}  // namespace

std::string_view RoleName(Role role) { return role == Role::kAdmin ? "admin" : "member"; }

bool ParseRole(std::string_view text, Role* role) {
  if (text == "admin")
    *role = Role::kAdmin;
  else if (text == "member")
    *role = Role::kMember;
  else
    return false;
  return true;
}

Result<std::string> NormalizeEmail(std::string_view email) {
  std::string out(email);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  auto at = out.find('@');
  bool printable =
      std::all_of(out.begin(), out.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
  if (out.size() > 254 || !printable || at == std::string::npos || at == 0 ||
      at + 1 >= out.size() || out.find('@', at + 1) != std::string::npos ||
      out.find('.', at) == std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "email must be a valid address like name@example.com");
  }
  return out;
}

Result<std::unique_ptr<Accounts>> Accounts::Load(Database* db) {
  std::unique_ptr<Accounts> a(new Accounts(db));
  Status s = db->Scan(Table::kUsers, "", [&](std::string_view, std::string_view value) {
    User u;
    if (DecodeUser(value, &u)) {
      a->by_email_[u.email] = u.id;
      a->users_[u.id] = std::move(u);
    }
    return true;
  });
  if (!s.ok()) return s.error();
  s = db->Scan(Table::kKeys, "", [&](std::string_view key_hash, std::string_view value) {
    ApiKeyInfo k;
    if (DecodeKey(value, &k)) {
      std::string hash(key_hash);
      a->hash_by_id_[k.id] = hash;
      a->by_hash_[hash] = std::move(k);
    }
    return true;
  });
  if (!s.ok()) return s.error();
  a->next_user_id_ = std::max<uint64_t>(1, db->GetNumber(Table::kMeta, dbkey::kNextUserId));
  a->next_key_id_ = std::max<uint64_t>(1, db->GetNumber(Table::kMeta, dbkey::kNextKeyId));
  return a;
}

Result<User> Accounts::CreateUser(std::string_view email, Role role) {
  auto normalized = NormalizeEmail(email);
  if (!normalized.ok()) return normalized.error();
  std::lock_guard lock(mu_);
  if (by_email_.count(*normalized)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "A user with email \"" + *normalized + "\" already exists.");
  }
  User u{next_user_id_, *normalized, role, NowMillis()};
  WriteBatch batch(*db_);
  batch.Put(Table::kUsers, dbkey::User(u.id), EncodeUser(u));
  batch.Put(Table::kEmails, u.email, Number(u.id));
  batch.Put(Table::kMeta, dbkey::kNextUserId, Number(u.id + 1));
  Status s = db_->Write(&batch);
  if (!s.ok()) return s.error();
  ++next_user_id_;
  by_email_[u.email] = u.id;
  users_[u.id] = u;
  return u;
}

std::optional<User> Accounts::FindUserByEmail(std::string_view email) const {
  auto normalized = NormalizeEmail(email);
  if (!normalized.ok()) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = by_email_.find(*normalized);
  if (it == by_email_.end()) return std::nullopt;
  return users_.at(it->second);
}

std::vector<User> Accounts::ListUsers() const {
  std::lock_guard lock(mu_);
  std::vector<User> out;
  out.reserve(users_.size());
  for (const auto& [id, user] : users_) out.push_back(user);
  std::sort(out.begin(), out.end(), [](const User& a, const User& b) { return a.id < b.id; });
  return out;
}

Result<User> Accounts::SetLocked(uint64_t id, bool locked) {
  std::lock_guard lock(mu_);
  auto it = users_.find(id);
  if (it == users_.end()) return MakeError(ErrorCode::kNotFound, "No such user.");
  User u = it->second;
  if (u.locked() == locked) return u;
  u.locked_at_ms = locked ? std::max<int64_t>(1, NowMillis()) : 0;
  WriteBatch batch(*db_);
  batch.Put(Table::kUsers, dbkey::User(u.id), EncodeUser(u));
  if (Status s = db_->Write(&batch); !s.ok()) return s.error();
  it->second = u;
  return u;
}

std::optional<User> Accounts::FindUser(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = users_.find(id);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

Result<NewApiKey> Accounts::CreateKey(uint64_t user, Environment environment,
                                      int64_t expires_at_ms) {
  return CreateKey(user, user, environment, expires_at_ms, ~uint64_t{0});
}

Result<NewApiKey> Accounts::CreateKey(uint64_t user, uint64_t team, Environment environment,
                                      int64_t expires_at_ms, uint64_t scopes) {
  std::lock_guard lock(mu_);
  if (!users_.count(user)) return MakeError(ErrorCode::kNotFound, "No such user.");
  int64_t now = NowMillis();
  size_t live = std::count_if(by_hash_.begin(), by_hash_.end(), [&](const auto& kv) {
    return kv.second.team == team && kv.second.Live(now);
  });
  if (live >= kMaxLiveKeysPerTeam) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "A team may hold at most 10 live API keys; revoke one before creating "
                     "another.");
  }
  NewApiKey key;
  key.secret = GenerateKey(environment);
  key.info.id = next_key_id_;
  key.info.user = user;
  key.info.team = team;
  key.info.scopes = scopes;
  key.info.environment = environment;
  key.info.hint = KeyHint(key.secret);
  key.info.created_at_ms = now;
  key.info.expires_at_ms = expires_at_ms;
  std::string hash = HashKey(key.secret);
  WriteBatch batch(*db_);
  batch.Put(Table::kKeys, hash, EncodeKey(key.info));
  batch.Put(Table::kKeyIds, dbkey::KeyId(key.info.id), hash);
  batch.Put(Table::kMeta, dbkey::kNextKeyId, Number(key.info.id + 1));
  Status s = db_->Write(&batch);
  if (!s.ok()) return s.error();
  ++next_key_id_;
  by_hash_[hash] = key.info;
  hash_by_id_[key.info.id] = hash;
  return key;
}

std::vector<ApiKeyInfo> Accounts::ListKeys(uint64_t user) const { return ListKeys(user, user); }

std::vector<ApiKeyInfo> Accounts::ListKeys(uint64_t team, std::optional<uint64_t> user) const {
  std::lock_guard lock(mu_);
  std::vector<ApiKeyInfo> out;
  for (const auto& [hash, info] : by_hash_)
    if (info.team == team && (!user || info.user == *user)) out.push_back(info);
  std::sort(out.begin(), out.end(),
            [](const ApiKeyInfo& a, const ApiKeyInfo& b) { return a.id < b.id; });
  return out;
}

Status Accounts::RevokeKey(uint64_t user, uint64_t key_id) { return RevokeKey(user, user, key_id); }

Status Accounts::RevokeKey(uint64_t team, std::optional<uint64_t> user, uint64_t key_id) {
  std::lock_guard lock(mu_);
  auto id_it = hash_by_id_.find(key_id);
  if (id_it == hash_by_id_.end()) return MakeError(ErrorCode::kNotFound, "API key not found.");
  ApiKeyInfo info = by_hash_.at(id_it->second);
  if (info.team != team || (user && info.user != *user) || info.revoked)
    return MakeError(ErrorCode::kNotFound, "API key not found.");
  info.revoked = true;
  info.revoked_at_ms = NowMillis();
  WriteBatch batch(*db_);
  batch.Put(Table::kKeys, id_it->second, EncodeKey(info));
  Status s = db_->Write(&batch);
  if (!s.ok()) return s;
  by_hash_[id_it->second] = info;
  return Status::Ok();
}

std::optional<ApiKeyInfo> Accounts::FindKey(uint64_t key_id) const {
  std::lock_guard lock(mu_);
  auto id_it = hash_by_id_.find(key_id);
  if (id_it == hash_by_id_.end()) return std::nullopt;
  return by_hash_.at(id_it->second);
}

std::optional<KeyHolder> Accounts::Authenticate(std::string_view presented_key) {
  // Looking the key up by its hash compares hashes, not secrets (and those
  // in constant time, DigestEquals): timing reveals nothing about the key.
  std::string hash = HashKey(presented_key);
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(hash);
  int64_t now = NowMillis();
  if (it == by_hash_.end() || !it->second.Live(now)) return std::nullopt;
  it->second.last_used_at_ms = now;
  auto user = users_.find(it->second.user);
  if (user == users_.end()) return std::nullopt;
  return KeyHolder{user->second, it->second};
}

}  // namespace shortlink::admin
