#include "common/validation.h"

#include <catch2/catch.hpp>

namespace shortlink {
namespace {

UrlPolicy Policy() {
  UrlPolicy p;
  p.own_host = "go.example";
  p.blocked_hosts = DefaultShortenerBlocklist();
  return p;
}

bool Valid(std::string_view url) { return ValidateLongUrl(url, Policy()).ok(); }

std::string Why(std::string_view url) {
  Status s = ValidateLongUrl(url, Policy());
  return s.ok() ? "" : s.error().message;
}

}  // namespace

TEST_CASE("codes are lowercased and limited to [a-z0-9-], 1-64 chars, not reserved") {
  CHECK(NormalizeCode("Hello-World-2").value() == "hello-world-2");
  CHECK(NormalizeCode(std::string(64, 'a')).ok());
  CHECK_FALSE(NormalizeCode(std::string(65, 'a')).ok());
  CHECK_FALSE(NormalizeCode("").ok());
  for (const char* bad :
       {"a_b", "a b", "a/b", "../etc", "%2e", "a.b", "caf\xc3\xa9", "a\r\nb", "\xd0\xb0pple"}) {
    INFO(bad);
    CHECK_FALSE(NormalizeCode(bad).ok());
  }
  for (const char* reserved :
       {"api", "ADMIN", "healthz", "metrics", "login", "logout", "static", "assets", "docs"}) {
    INFO(reserved);
    auto r = NormalizeCode(reserved);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("reserved") != std::string::npos);
  }
}

TEST_CASE("https URLs with a real host are accepted") {
  CHECK(Valid("https://example.com"));
  CHECK(Valid("https://example.com/path?q=1&r=%20x#frag"));
  CHECK(Valid("HTTPS://Example.COM/Path"));
  CHECK(Valid("https://sub.domain.example.co.uk:8443/a"));
  CHECK(Valid("https://xn--bcher-kva.example/"));
  CHECK(Valid("https://example.com/" + std::string(2048 - 20, 'a')));
}

TEST_CASE("other schemes, broken URLs and hostile characters are refused with a reason") {
  CHECK(Why("http://example.com").find("https://") != std::string::npos);
  CHECK(Why("javascript:alert(1)").find("https://") != std::string::npos);
  CHECK(Why("data:text/html,hi").find("https://") != std::string::npos);
  CHECK(Why("file:///etc/passwd").find("https://") != std::string::npos);
  CHECK(Why("ftp://example.com").find("https://") != std::string::npos);
  CHECK(Why("https://example.com/" + std::string(2048, 'a')).find("2048") != std::string::npos);
  CHECK(Why("https://exa mple.com").find("spaces") != std::string::npos);
  CHECK_FALSE(Valid("https://example.com/\r\nSet-Cookie: x=1"));
  CHECK_FALSE(Valid("https://example.com/\t"));
  CHECK_FALSE(Valid("https://example.com/\x7f"));
  CHECK_FALSE(Valid("https://ex\xc3\xa4mple.com/"));
  CHECK_FALSE(Valid(""));
  CHECK_FALSE(Valid("https://"));
  CHECK_FALSE(Valid("https:///path"));
}

TEST_CASE("hosts must be names with a TLD, without credentials") {
  CHECK(Why("https://user:pw@example.com/").find("password") != std::string::npos);
  CHECK_FALSE(Valid("https://user@example.com/"));
  CHECK_FALSE(Valid("https://localhost/"));
  CHECK_FALSE(Valid("https://127.0.0.1/"));
  CHECK_FALSE(Valid("https://[::1]/"));
  CHECK_FALSE(Valid("https://intranet/"));
  CHECK_FALSE(Valid("https://example.c0m/"));
  CHECK_FALSE(Valid("https://example..com/"));
  CHECK_FALSE(Valid("https://.example.com/"));
  CHECK_FALSE(Valid("https://exa_mple.com/"));
  CHECK_FALSE(Valid("https://exa%6dple.com/"));
}

TEST_CASE("our own domain and other shorteners are refused: no redirect loops or chains") {
  CHECK(Why("https://go.example/abc").find("go.example") != std::string::npos);
  CHECK_FALSE(Valid("https://GO.EXAMPLE/abc"));
  CHECK_FALSE(Valid("https://www.go.example/abc"));
  CHECK(Valid("https://notgo.example/abc"));  // a different domain that merely ends alike
  CHECK(Why("https://bit.ly/x").find("bit.ly") != std::string::npos);
  CHECK_FALSE(Valid("https://tinyurl.com/x"));
  CHECK_FALSE(Valid("https://www.tinyurl.com/x"));
  CHECK_FALSE(Valid("https://t.co/x"));
  CHECK(Valid("https://bit.lyrics.com/x"));
}

TEST_CASE("HostOf lowercases and is empty without a host") {
  CHECK(HostOf("https://Go.Example/x") == "go.example");
  CHECK(HostOf("https://go.example:8443") == "go.example");
  CHECK(HostOf("not a url").empty());
  CHECK(HostOf("").empty());
}

}  // namespace shortlink
