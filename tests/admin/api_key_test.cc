#include "accounts/api_key.h"

#include <array>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "common/validation.h"

namespace shortlink::admin {
namespace {

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kCodeAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Decodes unpadded base64url; REQUIREs every character to be valid.
std::string DecodeBase64Url(std::string_view text) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    size_t v = kBase64Url.find(c);
    REQUIRE(v != std::string_view::npos);
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      out.push_back(static_cast<char>((bits >> (count - 8)) & 0xff));
      count -= 8;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("environments have fixed key prefixes", "[api_key]") {
  CHECK(KeyPrefix(Environment::kProduction) == "live_v1_");
  CHECK(KeyPrefix(Environment::kStaging) == "test_v1_");
}

TEST_CASE("keys carry their environment's prefix and 256 random bits", "[api_key]") {
  for (Environment env : {Environment::kProduction, Environment::kStaging}) {
    std::string prefix(KeyPrefix(env));
    INFO(prefix);
    std::string key = GenerateKey(env);
    REQUIRE(key.rfind(prefix, 0) == 0);
    std::string secret = key.substr(prefix.size());
    CHECK(secret.size() == 43);  // 32 bytes in unpadded base64url
    CHECK(secret.find('=') == std::string::npos);
    CHECK(secret.find_first_not_of(kBase64Url) == std::string::npos);
    CHECK(DecodeBase64Url(secret).size() == 32);
    // 256 bits fill 42 characters and 4 bits of the 43rd, whose two low
    // bits are zero padding: the encoding is the canonical one.
    CHECK(kBase64Url.find(secret.back()) % 4 == 0);
    CHECK(HasPrefixFor(key, env));
  }
}

TEST_CASE("keys do not repeat and use the whole alphabet", "[api_key]") {
  std::set<std::string> keys;
  std::set<char> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string key = GenerateKey(Environment::kProduction);
    keys.insert(key);
    seen.insert(key.begin() + 8, key.end());
  }
  CHECK(keys.size() == 2000);
  CHECK(seen.size() == 64);
}

TEST_CASE("a key is accepted only with its own environment's prefix", "[api_key]") {
  std::string live = GenerateKey(Environment::kProduction);
  std::string test = GenerateKey(Environment::kStaging);
  CHECK(HasPrefixFor(live, Environment::kProduction));
  CHECK_FALSE(HasPrefixFor(live, Environment::kStaging));
  CHECK(HasPrefixFor(test, Environment::kStaging));
  CHECK_FALSE(HasPrefixFor(test, Environment::kProduction));
  CHECK_FALSE(HasPrefixFor("live_v1_", Environment::kProduction));  // a prefix alone is no key
  CHECK_FALSE(HasPrefixFor("", Environment::kProduction));
  CHECK_FALSE(HasPrefixFor("live_v1", Environment::kProduction));
  CHECK_FALSE(HasPrefixFor("LIVE_V1_abc", Environment::kProduction));
  CHECK_FALSE(HasPrefixFor("live_v2_abc", Environment::kProduction));
  CHECK_FALSE(HasPrefixFor(" live_v1_abc", Environment::kProduction));
  CHECK_FALSE(HasPrefixFor("Bearer live_v1_abc", Environment::kProduction));
  CHECK(HasPrefixFor("live_v1_x", Environment::kProduction));
}

TEST_CASE("the stored hash is the raw SHA-256 digest", "[api_key]") {
  CHECK(Hex(HashKey("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Hex(HashKey("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Hex(HashKey(std::string("a\0b", 3))) != Hex(HashKey("a")));  // NUL is data, not an end
  std::string key = GenerateKey(Environment::kProduction);
  std::string hash = HashKey(key);
  CHECK(hash.size() == 32);
  CHECK(HashKey(key) == hash);  // deterministic: the lookup key
  std::string other = key;
  other.back() = other.back() == 'A' ? 'B' : 'A';
  CHECK(HashKey(other) != hash);
  CHECK(hash.find(key.substr(8, 8)) == std::string::npos);  // the secret is not in it
}

TEST_CASE("the hint is the last four characters", "[api_key]") {
  CHECK(KeyHint("live_v1_abcdWXYZ") == "WXYZ");
  CHECK(KeyHint("abcd") == "abcd");
  CHECK(KeyHint("ab") == "ab");
  CHECK(KeyHint("") == "");
  std::string key = GenerateKey(Environment::kStaging);
  CHECK(KeyHint(key) == key.substr(key.size() - 4));
}

TEST_CASE("secrets compare equal only when they are equal", "[api_key]") {
  CHECK(ConstantTimeEquals("secret-token", "secret-token"));
  CHECK(ConstantTimeEquals("", ""));
  CHECK_FALSE(ConstantTimeEquals("secret-token", "secret-tokeN"));
  CHECK_FALSE(ConstantTimeEquals("secret-token", "Secret-token"));
  CHECK_FALSE(ConstantTimeEquals("secret-token", "secret"));
  CHECK_FALSE(ConstantTimeEquals("secret", "secret-token"));
  CHECK_FALSE(ConstantTimeEquals("secret-token", "secret-token "));
  CHECK_FALSE(ConstantTimeEquals("", "x"));
  CHECK_FALSE(ConstantTimeEquals("x", ""));
  CHECK_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
  CHECK_FALSE(ConstantTimeEquals(std::string("a\0", 2), "a"));
  std::string long_secret(100000, 's');
  CHECK(ConstantTimeEquals(long_secret, std::string(100000, 's')));
}

TEST_CASE("random codes: the length asked for, from [a-z0-9]", "[api_key]") {
  CHECK(RandomCode(0).empty());
  for (size_t len : {1, 8, 31, 32, 33, 64, 1000}) {
    INFO(len);
    std::string code = RandomCode(len);
    CHECK(code.size() == len);
    CHECK(code.find_first_not_of(kCodeAlphabet) == std::string::npos);
  }
  std::set<std::string> codes;
  for (int i = 0; i < 10000; ++i) codes.insert(RandomCode(8));
  CHECK(codes.size() == 10000);  // 36^8 codes: a repeat here would mean a broken source
}

TEST_CASE("random codes carry 41 bits: every symbol at every position", "[api_key]") {
  // The length the API uses for codes (common/validation.h).
  // 8 independent uniform symbols of 36 are log2(36^8) = 41.4 bits. A
  // generator with a stuck or narrow position (a counter, a timestamp
  // prefix) would leave symbols unseen there: with 10,000 codes each symbol
  // is expected ~278 times per position, and P(some symbol never appears)
  // is below 1e-100.
  constexpr int kCodes = 10000;
  std::array<std::set<char>, kRandomCodeLength> seen;
  std::set<std::string> codes;
  for (int i = 0; i < kCodes; ++i) {
    std::string code = RandomCode(kRandomCodeLength);
    for (size_t p = 0; p < code.size(); ++p) seen[p].insert(code[p]);
    codes.insert(code);
  }
  CHECK(codes.size() == kCodes);
  for (size_t p = 0; p < seen.size(); ++p) {
    INFO("position " << p);
    CHECK(seen[p].size() == kCodeAlphabet.size());
  }
}

TEST_CASE("random codes are uniform: no modulo bias", "[api_key]") {
  // 36 does not divide 256: "byte % 36" would draw the first four symbols
  // 8/256 of the time and the rest 7/256, which this chi-square test sees.
  constexpr int kDraws = 360000;
  std::array<int, 36> counts{};
  std::string all = RandomCode(kDraws);
  for (char c : all) ++counts[kCodeAlphabet.find(c)];
  double expected = kDraws / 36.0, chi2 = 0;
  for (int n : counts) chi2 += (n - expected) * (n - expected) / expected;
  // 35 degrees of freedom: chi2 > 90 has a probability of about 1e-6 for a
  // uniform source; the biased one above scores around 700.
  CHECK(chi2 < 90);
}

TEST_CASE("keys and codes may be made from many threads at once", "[api_key][concurrent]") {
  std::mutex mu;
  std::set<std::string> keys, codes;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        std::string key = GenerateKey(Environment::kProduction);
        std::string code = RandomCode(12);
        std::string hash = HashKey(key);
        bool same = ConstantTimeEquals(key, key);
        std::lock_guard lock(mu);
        keys.insert(key);
        codes.insert(code);
        CHECK(hash.size() == 32);
        CHECK(same);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(keys.size() == 1000);
  CHECK(codes.size() == 1000);
}

}  // namespace shortlink::admin
