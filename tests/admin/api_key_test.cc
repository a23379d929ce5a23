#include "api_key.h"

#include <catch2/catch.hpp>
#include <set>

namespace shortlink::admin {

TEST_CASE("keys carry their environment's prefix and 256 random bits") {
  std::string live = GenerateKey(Environment::kProduction);
  std::string test = GenerateKey(Environment::kStaging);
  CHECK(live.rfind("live_v1_", 0) == 0);
  CHECK(test.rfind("test_v1_", 0) == 0);
  CHECK(live.size() == 8 + 43);  // 32 bytes in unpadded base64url
  CHECK(live.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
                               8) == std::string::npos);
  CHECK(HasPrefixFor(live, Environment::kProduction));
  CHECK_FALSE(HasPrefixFor(live, Environment::kStaging));
  CHECK_FALSE(HasPrefixFor("live_v1_", Environment::kProduction));  // a prefix alone is no key
  std::set<std::string> keys;
  for (int i = 0; i < 1000; ++i) keys.insert(GenerateKey(Environment::kProduction));
  CHECK(keys.size() == 1000);
}

TEST_CASE("the stored hash is SHA-256") {
  std::string hash = HashKey("abc");
  REQUIRE(hash.size() == 32);
  // SHA-256("abc") = ba7816bf...
  CHECK(static_cast<unsigned char>(hash[0]) == 0xba);
  CHECK(static_cast<unsigned char>(hash[1]) == 0x78);
  CHECK(static_cast<unsigned char>(hash[31]) == 0xad);
  CHECK(HashKey("abc") != HashKey("abd"));
}

TEST_CASE("hints, constant-time comparison, random codes") {
  CHECK(KeyHint("live_v1_abcdWXYZ") == "WXYZ");
  CHECK(KeyHint("ab") == "ab");
  CHECK(ConstantTimeEquals("secret-token", "secret-token"));
  CHECK_FALSE(ConstantTimeEquals("secret-token", "secret-tokeN"));
  CHECK_FALSE(ConstantTimeEquals("secret-token", "secret"));
  CHECK_FALSE(ConstantTimeEquals("", "x"));

  std::set<char> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string code = RandomCode(8);
    REQUIRE(code.size() == 8);
    REQUIRE(code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos);
    seen.insert(code.begin(), code.end());
  }
  CHECK(seen.size() == 36);  // every character shows up
}

}  // namespace shortlink::admin
