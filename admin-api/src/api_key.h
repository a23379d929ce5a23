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
bool HasPrefixFor(std::string_view key, Environment env);

// A new key of `env` from the OS's CSPRNG (OpenSSL RAND_bytes).
std::string GenerateKey(Environment env);
// The raw 32-byte SHA-256 digest of `key`: what the database stores.
std::string HashKey(std::string_view key);
// The last 4 characters, shown in listings to tell keys apart.
std::string KeyHint(std::string_view key);
// Compares secrets in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// `length` characters of [a-z0-9], uniform (rejection sampling, no modulo bias).
std::string RandomCode(size_t length);

}  // namespace shortlink::admin
