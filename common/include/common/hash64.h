// A seeded 64-bit hash of bytes (wyhash-style multiply-mix): fast on short
// keys, and every input bit reaches the output. The link table hashes codes
// with a seed drawn per process, so nobody can choose codes that collide
// into one long probe run; the link digest hashes fields with a fixed one,
// so that nodes and admin-api agree.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace shortlink {

inline uint64_t Mix64(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t HashBytes64(std::string_view bytes, uint64_t seed) {
  constexpr uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull;
  uint64_t h = seed ^ (bytes.size() * k0);
  const char* p = bytes.data();
  size_t n = bytes.size();
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = Mix64(h ^ w, k1);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  if (n > 0) std::memcpy(&tail, p, n);  // an empty view's data() may be null
  return Mix64(h ^ tail, k1 ^ bytes.size());
}

}  // namespace shortlink
