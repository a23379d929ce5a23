#include "accounts/api_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstdlib>

namespace shortlink::admin {
namespace {

constexpr size_t kKeyRandomBytes = 32;  // 256 bits: far past guessing
constexpr unsigned kSha256Bytes = 32;

void RandomBytes(unsigned char* out, size_t n) {
  // RAND_bytes only fails when the OS cannot seed it: no safe way on.
  if (RAND_bytes(out, static_cast<int>(n)) != 1) std::abort();
}

std::string Base64Url(const unsigned char* data, size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (size_t i = 0; i < n; ++i) {
    bits = (bits << 8) | data[i];
    count += 8;
    while (count >= 6) {
      out.push_back(kAlphabet[(bits >> (count - 6)) & 63]);
      count -= 6;
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  return out;
}

}  // namespace

std::string_view KeyPrefix(Environment env) {
  return env == Environment::kStaging ? "test_v1_" : "live_v1_";
}

bool HasPrefixFor(std::string_view key, Environment env) {
  std::string_view prefix = KeyPrefix(env);
  return key.size() > prefix.size() && key.substr(0, prefix.size()) == prefix;
}

std::string GenerateKey(Environment env) { return GenerateSecret(KeyPrefix(env)); }

std::string GenerateSecret(std::string_view prefix) {
  std::array<unsigned char, kKeyRandomBytes> bytes;
  RandomBytes(bytes.data(), bytes.size());
  std::string key(prefix);
  key += Base64Url(bytes.data(), bytes.size());
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return key;
}

std::string HashKey(std::string_view key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // Fail closed: an empty "hash" would make ConstantTimeEquals call any two
  // secrets equal. EVP_Digest only fails without memory or without SHA-256.
  if (EVP_Digest(key.data(), key.size(), digest, &len, EVP_sha256(), nullptr) != 1 ||
      len != kSha256Bytes) {
    std::abort();
  }
  return std::string(reinterpret_cast<char*>(digest), len);
}

std::string KeyHint(std::string_view key) {
  return std::string(key.substr(key.size() >= 4 ? key.size() - 4 : 0));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Hash both first: equal-length inputs for CRYPTO_memcmp, and the length
  // of the secret does not leak through an early return either.
  std::string ha = HashKey(a), hb = HashKey(b);
  return CRYPTO_memcmp(ha.data(), hb.data(), ha.size()) == 0;
}

bool DigestEquals::operator()(std::string_view a, std::string_view b) const {
  // Digests all have one length, so comparing lengths first leaks nothing.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomCode(size_t length) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  constexpr unsigned kLimit = 252;  // the largest multiple of 36 below 256: no modulo bias
  std::string code;
  unsigned char buf[32];
  while (code.size() < length) {
    RandomBytes(buf, sizeof buf);
    for (unsigned char b : buf) {
      if (b < kLimit && code.size() < length) code.push_back(kAlphabet[b % 36]);
    }
  }
  return code;
}

}  // namespace shortlink::admin
