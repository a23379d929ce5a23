#include "tokens/tokens.h"

#include <openssl/rand.h>
#include <algorithm>

#include "common/wire.h"
#include "store/write_batch.h"

namespace shortlink::admin {
namespace {

enum Tag : uint8_t { kKind = 1, kUser = 2, kKey = 3, kFamily = 4, kExpires = 5, kUsed = 6 };

Error Unauthorized() { return MakeError(ErrorCode::kUnauthorized, "Unauthorized"); }

uint64_t NewFamily() {
  uint64_t family = 0;
  while (family == 0) RAND_bytes(reinterpret_cast<unsigned char*>(&family), sizeof family);
  return family;
}

}  // namespace

std::string Tokens::Encode(const Record& r) {
  std::string out;
  wire::PutVarintField(kKind, static_cast<uint64_t>(r.kind), &out);
  wire::PutVarintField(kUser, r.user, &out);
  wire::PutVarintField(kKey, r.key_id, &out);
  wire::PutVarintField(kFamily, r.family, &out);
  wire::PutVarintField(kExpires, static_cast<uint64_t>(r.expires_at_ms), &out);
  if (r.used) wire::PutVarintField(kUsed, 1, &out);
  return out;
}

bool Tokens::Decode(std::string_view bytes, Record* r) {
  wire::Reader reader(bytes);
  while (!reader.done()) {
    uint8_t tag = 0;
    std::string_view field;
    uint64_t n = 0;
    if (!reader.ReadField(&tag, &field) || !wire::ParseVarint(field, &n)) return false;
    switch (tag) {
      case kKind:
        if (n != 1 && n != 2) return false;
        r->kind = static_cast<Kind>(n);
        break;
      case kUser:
        r->user = n;
        break;
      case kKey:
        r->key_id = n;
        break;
      case kFamily:
        r->family = n;
        break;
      case kExpires:
        r->expires_at_ms = static_cast<int64_t>(n);
        break;
      case kUsed:
        r->used = n != 0;
        break;
      default:
        break;
    }
  }
  return r->user != 0 && r->family != 0;
}

Result<std::unique_ptr<Tokens>> Tokens::Load(Database* db, Clock now_ms) {
  std::unique_ptr<Tokens> t(new Tokens(db, std::move(now_ms)));
  const int64_t now = t->now_ms_();
  std::vector<std::string> expired;
  Status s = db->Scan(Table::kTokens, "", [&](std::string_view hash, std::string_view value) {
    Record r;
    if (!Decode(value, &r) || r.expires_at_ms <= now) {
      expired.emplace_back(hash);
      return true;
    }
    t->families_[r.family].emplace_back(hash);
    t->by_hash_.emplace(std::string(hash), r);
    return true;
  });
  if (!s.ok()) return s.error();
  if (!expired.empty()) {
    WriteBatch batch(*db);
    for (const std::string& hash : expired) batch.Delete(Table::kTokens, hash);
    if (Status w = db->Write(&batch); !w.ok()) return w.error();
  }
  return t;
}

Result<TokenPair> Tokens::IssueLocked(uint64_t user, uint64_t key_id, uint64_t family,
                                      const std::string* retired_hash) {
  const int64_t now = now_ms_();
  TokenPair pair;
  pair.access_token = GenerateSecret(kAccessTokenPrefix);
  pair.refresh_token = GenerateSecret(kRefreshTokenPrefix);
  pair.access_expires_in_s = kAccessTokenMillis / 1000;
  pair.refresh_expires_in_s = kRefreshTokenMillis / 1000;
  Record access{Kind::kAccess, user, key_id, family, now + kAccessTokenMillis, false};
  Record refresh{Kind::kRefresh, user, key_id, family, now + kRefreshTokenMillis, false};
  std::string access_hash = HashKey(pair.access_token);
  std::string refresh_hash = HashKey(pair.refresh_token);
  WriteBatch batch(*db_);
  batch.Put(Table::kTokens, access_hash, Encode(access));
  batch.Put(Table::kTokens, refresh_hash, Encode(refresh));
  Record retired;
  if (retired_hash) {
    retired = by_hash_.at(*retired_hash);
    retired.used = true;
    batch.Put(Table::kTokens, *retired_hash, Encode(retired));
  }
  if (Status s = db_->Write(&batch); !s.ok()) return s.error();
  if (retired_hash) by_hash_[*retired_hash] = retired;
  by_hash_[access_hash] = access;
  by_hash_[refresh_hash] = refresh;
  families_[family].push_back(std::move(access_hash));
  families_[family].push_back(std::move(refresh_hash));
  return pair;
}

Result<TokenPair> Tokens::Issue(uint64_t user, uint64_t key_id) {
  std::lock_guard lock(mu_);
  return IssueLocked(user, key_id, NewFamily(), nullptr);
}

Status Tokens::RevokeFamilyLocked(uint64_t family) {
  auto it = families_.find(family);
  if (it == families_.end()) return Status::Ok();
  WriteBatch batch(*db_);
  for (const std::string& hash : it->second) batch.Delete(Table::kTokens, hash);
  if (Status s = db_->Write(&batch); !s.ok()) return s;
  for (const std::string& hash : it->second) by_hash_.erase(hash);
  families_.erase(it);
  return Status::Ok();
}

Result<TokenPair> Tokens::Refresh(std::string_view refresh_token) {
  if (!refresh_token.starts_with(kRefreshTokenPrefix)) return Unauthorized();
  std::string hash = HashKey(refresh_token);
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end() || it->second.kind != Kind::kRefresh ||
      it->second.expires_at_ms <= now_ms_())
    return Unauthorized();
  if (it->second.used) {
    // Presented twice: whoever holds the other copy is not to be trusted,
    // nor is this caller. The family goes.
    if (Status s = RevokeFamilyLocked(it->second.family); !s.ok()) return s.error();
    return Unauthorized();
  }
  Record r = it->second;
  return IssueLocked(r.user, r.key_id, r.family, &hash);
}

Status Tokens::Revoke(std::string_view token) {
  std::string hash = HashKey(token);
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return Unauthorized();
  return RevokeFamilyLocked(it->second.family);
}

std::optional<TokenGrant> Tokens::Resolve(std::string_view access_token) const {
  if (!LooksLikeAccessToken(access_token)) return std::nullopt;
  std::string hash = HashKey(access_token);
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end() || it->second.kind != Kind::kAccess ||
      it->second.expires_at_ms <= now_ms_())
    return std::nullopt;
  return TokenGrant{it->second.user, it->second.key_id};
}

int64_t LoginThrottle::BlockedFor(const std::unordered_map<std::string, Window>& map,
                                  const std::string& name, int limit, int64_t now) const {
  auto it = map.find(name);
  if (it == map.end() || it->second.failures < limit) return 0;
  int64_t ends = it->second.started_ms + kWindowMillis;
  return ends > now ? (ends - now + 999) / 1000 : 0;
}

int64_t LoginThrottle::RetryAfterSeconds(std::string_view username,
                                         std::string_view address) const {
  const int64_t now = now_ms_();
  std::lock_guard lock(mu_);
  return std::max(BlockedFor(users_, std::string(username), kMaxFailuresPerUser, now),
                  BlockedFor(addresses_, std::string(address), kMaxFailuresPerAddress, now));
}

void LoginThrottle::Count(std::unordered_map<std::string, Window>& map, const std::string& name,
                          int64_t now) {
  if (map.size() >= kMaxTracked && !map.count(name)) {
    // Forget every window that has ended; if none has, the oldest one.
    std::erase_if(map, [&](const auto& kv) { return kv.second.started_ms + kWindowMillis <= now; });
    if (map.size() >= kMaxTracked) {
      auto oldest = std::min_element(map.begin(), map.end(), [](const auto& a, const auto& b) {
        return a.second.started_ms < b.second.started_ms;
      });
      map.erase(oldest);
    }
  }
  Window& w = map[name];
  if (w.failures == 0 || w.started_ms + kWindowMillis <= now) w = Window{now, 0};
  ++w.failures;
}

void LoginThrottle::Failed(std::string_view username, std::string_view address) {
  const int64_t now = now_ms_();
  std::lock_guard lock(mu_);
  Count(users_, std::string(username), now);
  Count(addresses_, std::string(address), now);
}

int64_t LoginThrottle::RetryAfterSeconds(std::string_view address) const {
  const int64_t now = now_ms_();
  std::lock_guard lock(mu_);
  return BlockedFor(addresses_, std::string(address), kMaxFailuresPerAddress, now);
}

void LoginThrottle::Failed(std::string_view address) {
  const int64_t now = now_ms_();
  std::lock_guard lock(mu_);
  Count(addresses_, std::string(address), now);
}

void LoginThrottle::Succeeded(std::string_view username) {
  std::lock_guard lock(mu_);
  users_.erase(std::string(username));
}

}  // namespace shortlink::admin
