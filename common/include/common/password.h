// Link passwords: stored only as argon2id hashes (libsodium's encoded form,
// which carries its own salt and cost parameters), checked in constant time.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace shortlink {

inline constexpr size_t kMaxPasswordBytes = 128;

// Hashes `password` with argon2id at OWASP's recommended cost (19 MiB,
// 2 passes): about 30-60 ms of one core, on purpose. Fails only when memory
// runs out.
Result<std::string> HashPassword(std::string_view password);

// True when `password` matches `hash`. Takes as long as HashPassword: call
// it off any thread that serves other requests.
bool VerifyPassword(std::string_view hash, std::string_view password);

// True when `hash` looks like what HashPassword produces.
bool IsPasswordHash(std::string_view hash);

}  // namespace shortlink
