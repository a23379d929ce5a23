#include "common/password.h"

#include <sodium.h>

namespace shortlink {
namespace {

// OWASP's argon2id baseline: m = 19 MiB, t = 2, p = 1 (libsodium uses p = 1).
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 19 * 1024 * 1024;

bool Initialized() {
  static const bool ok = sodium_init() >= 0;  // thread-safe, idempotent
  return ok;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  if (!Initialized()) return MakeError(ErrorCode::kInternal, "libsodium failed to initialize.");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return MakeError(ErrorCode::kInternal, "Out of memory while hashing the password.");
  }
  return std::string(hash);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (!Initialized() || !IsPasswordHash(hash)) return false;
  // libsodium wants a NUL-terminated hash of at most STRBYTES.
  char terminated[crypto_pwhash_STRBYTES] = {};
  hash.copy(terminated, hash.size());
  return crypto_pwhash_str_verify(terminated, password.data(), password.size()) == 0;
}

bool IsPasswordHash(std::string_view hash) {
  return hash.size() < crypto_pwhash_STRBYTES && hash.starts_with("$argon2id$");
}

}  // namespace shortlink
