// API keys and other secrets: generation, hashing, comparison.
//
// A key is `live_v1_` (production) or `test_v1_` (staging) followed by 32
// random bytes in unpadded base64url (43 characters). Only its SHA-256 is
// ever stored. Random short codes come from the same CSPRNG.
//
// Thread safety: every function may be called from any thread.
#pragma once

#include <string>
#include <string_view>

namespace shortlink::admin {

enum class Environment { kProduction, kStaging };

std::string_view KeyPrefix(Environment env);  // "live_v1_" or "test_v1_"
// True when `key` starts with `env`'s prefix and has something after it;
// a key of the other environment is refused before any lookup.
bool HasPrefixFor(std::string_view key, Environment env);

// A new key of `env` from the OS's CSPRNG (OpenSSL RAND_bytes); aborts if
// the CSPRNG cannot be seeded, as no safe key can be made then.
std::string GenerateKey(Environment env);
// `prefix` and 32 random bytes in unpadded base64url, as a key is made: the
// secrets of access and refresh tokens.
std::string GenerateSecret(std::string_view prefix);
// The raw 32-byte SHA-256 digest of `key` (binary, not hex): what the
// database stores and looks keys up by. A plain hash, not a password hash:
// keys carry 256 random bits, so there is nothing to stretch. Aborts if
// OpenSSL cannot hash, rather than return something that compares equal.
std::string HashKey(std::string_view key);
// The last 4 characters, shown in listings to tell keys apart.
std::string KeyHint(std::string_view key);
// Compares secrets (the node token) without an early exit: both are hashed
// to 32 bytes, then compared with CRYPTO_memcmp, so the time says nothing
// about where they differ or whether their lengths match.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Equality for SHA-256 digests used as map keys (Accounts looks keys up by
// the digest of the presented secret): CRYPTO_memcmp, no early exit. The
// digests are not secrets an attacker can use (turning one back into a key
// means inverting SHA-256), so this is defence in depth: no comparison of
// anything derived from a key says where it differs.
struct DigestEquals {
  bool operator()(std::string_view a, std::string_view b) const;
};

// `length` characters of [a-z0-9], uniform (rejection sampling, no modulo
// bias), from the same CSPRNG: short codes are not guessable in sequence.
std::string RandomCode(size_t length);

}  // namespace shortlink::admin
