#include "common/validation.h"

#include <catch2/catch.hpp>
#include <set>

namespace shortlink {
namespace {

UrlPolicy Policy() {
  UrlPolicy p;
  p.own_host = "go.example";
  p.blocked_hosts = DefaultShortenerBlocklist();
  return p;
}

bool Valid(std::string_view url) { return ValidateLongUrl(url, Policy()).ok(); }

// The message of the refusal; empty when the URL is accepted.
std::string Why(std::string_view url) {
  Status s = ValidateLongUrl(url, Policy());
  return s.ok() ? "" : s.error().message;
}

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("codes are lowercased and limited to [a-z0-9-], 1-64 chars", "[validation]") {
  CHECK(NormalizeCode("Hello-World-2").value() == "hello-world-2");
  CHECK(NormalizeCode("abc").value() == "abc");
  CHECK(NormalizeCode("0").value() == "0");
  CHECK(NormalizeCode("-").value() == "-");  // the rule is ^[a-z0-9-]+$, nothing more
  CHECK(NormalizeCode(std::string(64, 'a')).ok());
  CHECK(NormalizeCode(std::string(64, 'A')).value() == std::string(64, 'a'));

  auto too_long = NormalizeCode(std::string(65, 'a'));
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().code == ErrorCode::kInvalidArgument);
  CHECK(Contains(too_long.error().message, "64"));
  CHECK_FALSE(NormalizeCode(std::string(100000, 'a')).ok());

  auto empty = NormalizeCode("");
  REQUIRE_FALSE(empty.ok());
  CHECK(Contains(empty.error().message, "empty"));
}

TEST_CASE("codes with any other character are refused", "[validation]") {
  for (std::string_view bad :
       {"a_b",
        "a b",
        " ab",
        "ab ",
        "a/b",
        "../etc",
        "%2e",
        "a%20b",
        "a.b",
        "favicon.ico",
        "robots.txt",
        "a?b",
        "a#b",
        "a+b",
        "a@b",
        "a:b",
        "a\\b",
        "a\tb",
        "a\r\nb",
        "a\x7f",
        "caf\xc3\xa9",               // é in UTF-8
        "\xd0\xb0pple",              // Cyrillic а: a homograph of "apple"
        "\xef\xbc\xa1\xef\xbc\xa2",  // fullwidth ＡＢ
        "\xc4\xb0stanbul",           // Turkish dotted capital I: tolower must not map it
        "\xff",
        "\x80"}) {
    INFO(bad);
    auto r = NormalizeCode(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(Contains(r.error().message, "a-z"));
  }
  CHECK_FALSE(NormalizeCode(std::string("ab\0c", 4)).ok());  // an embedded NUL
}

TEST_CASE("reserved words are refused whatever their case", "[validation]") {
  for (std::string_view reserved : {"api", "ADMIN", "Healthz", "metrics", "login", "logout",
                                    "static", "assets", "docs", "internal"}) {
    INFO(reserved);
    auto r = NormalizeCode(reserved);
    REQUIRE_FALSE(r.ok());
    CHECK(Contains(r.error().message, "reserved"));
  }
  CHECK(IsReservedCode("api"));
  CHECK(IsReservedCode("healthz"));
  CHECK(IsReservedCode("robots"));
  CHECK(IsReservedCode("favicon"));
  // Only whole words: longer codes that merely start with one are fine.
  CHECK_FALSE(IsReservedCode("apis"));
  CHECK_FALSE(IsReservedCode("api-docs"));
  CHECK(NormalizeCode("admin1").ok());
  CHECK(NormalizeCode("my-api").ok());
  CHECK_FALSE(IsReservedCode(""));
}

TEST_CASE("https URLs with a real host are accepted", "[validation]") {
  CHECK(Why("https://example.com") == "");
  CHECK(Valid("https://example.com/"));
  CHECK(Valid("https://example.com/path?q=1&r=%20x#frag"));
  CHECK(Valid("https://example.com?q=1"));
  CHECK(Valid("https://example.com#top"));
  CHECK(Valid("HTTPS://Example.COM/Path"));
  CHECK(Valid("hTTpS://example.com"));
  CHECK(Valid("https://sub.domain.example.co.uk:8443/a"));
  CHECK(Valid("https://example.com:443/"));
  CHECK(Valid("https://example.com:65535/"));
  CHECK(Valid("https://example.com:/"));  // an empty port is the default port
  CHECK(Valid("https://example.com./"));  // the fully qualified form
  CHECK(Valid("https://my-site.example.org/"));
  CHECK(Valid("https://1password.com/"));  // labels may start with a digit
  CHECK(Valid("https://www.gov.sg/"));
  CHECK(Valid("https://xn--bcher-kva.example/"));       // IDN host in punycode
  CHECK(Valid("https://xn--e1afmkfd.xn--p1ai/"));       // IDN top-level domain (.рф)
  CHECK(Valid("https://example.com/a/../b/./c"));       // dot segments are the target's business
  CHECK(Valid("https://example.com/%E2%9C%93?x=%00"));  // percent-encoded anything is fine
  CHECK(Valid("https://example.com/p;a=b/c(d)!$'*,~"));
  CHECK(Valid("https://" + std::string(63, 'a') + ".com/"));
}

TEST_CASE("the length limit is 2048 characters, inclusive", "[validation]") {
  std::string base = "https://example.com/";
  std::string at_limit = base + std::string(kMaxUrlLength - base.size(), 'a');
  REQUIRE(at_limit.size() == 2048);
  CHECK(Valid(at_limit));
  CHECK(Why(at_limit + "a") == "longUrl is longer than 2048 characters.");
  CHECK(Contains(Why(base + std::string(1 << 20, 'a')), "2048"));
  // Length is checked first: a huge hostile input is refused without parsing.
  CHECK(Contains(Why(std::string(1 << 20, '\n')), "2048"));
}

TEST_CASE("anything but https is refused with a message naming https://", "[validation]") {
  for (std::string_view url : {
           "http://example.com",
           "HTTP://example.com",
           "javascript:alert(1)",
           "JavaScript:alert(document.cookie)",
           "javascript://example.com/%0Aalert(1)",
           "data:text/html,<script>alert(1)</script>",
           "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
           "file:///etc/passwd",
           "ftp://example.com",
           "vbscript:msgbox(1)",
           "mailto:someone@example.com",
           "ws://example.com",
           "wss://example.com",
           "https:example.com",
           "https:/example.com",
           "https//example.com",
           "httpss://example.com",
           "//example.com",
           "example.com",
           "/relative/path",
           "https",
           "https:",
       }) {
    INFO(url);
    CHECK(Why(url) == "longUrl must start with https://");
  }
}

TEST_CASE("whitespace, control characters and raw non-ASCII are refused", "[validation]") {
  const std::string message =
      "longUrl must not contain spaces, control characters or unencoded non-ASCII characters.";
  for (std::string_view url : {
           "https://exa mple.com",
           " https://example.com",
           "https://example.com ",
           "https://example.com/a b",
           "https://example.com/\r\nSet-Cookie: x=1",  // header splitting
           "https://example.com/\rx",
           "https://example.com/\nx",
           "https://example.com/%0d%0a\n",
           "https://example.com/\t",
           "https://example.com/\v",
           "https://example.com/\f",
           "https://example.com/\x01",
           "https://example.com/\x1b[31m",
           "https://example.com/\x7f",
           "https://ex\xc3\xa4mple.com/",       // ä in the host
           "https://example.com/caf\xc3\xa9",   // é in the path
           "https://\xd0\xb0pple.com/",         // Cyrillic а: a homograph of apple.com
           "https://example.com/\xe2\x80\xae",  // right-to-left override
           "https://example.com/\xc2\xa0",      // no-break space
           "https://example.com/\xff\xfe",      // not even UTF-8
           "https://example.com/\x80",
       }) {
    INFO(url);
    CHECK(Why(url) == message);
  }
  CHECK(Why(std::string("https://example.com/\0evil", 25)) == message);  // an embedded NUL
  CHECK(Why(std::string_view("\0", 1)) == message);
}

TEST_CASE("empty and malformed URLs are refused", "[validation]") {
  CHECK(Why("") == "longUrl must not be empty.");
  for (std::string_view url : {
           "https://",
           "https:///path",
           "https://./",
           "https://:443/",
           "https://?q",
           "https://#f",
           "https://evil.com\\@good.com",  // browsers read \ as /: the parser must not
           "https://example.com/<script>",
           "https://example.com/{x}",
           "https://example.com/a|b",
           "https://example.com/^",
           "https://example.com/`",
           "https://example.com/\"",
           "https://exa[mple.com/",
           "https://example.com/%zz",  // a broken percent-escape
           "https://example.com/%",
       }) {
    INFO(url);
    std::string why = Why(url);
    CHECK_FALSE(why.empty());
    CHECK(why.rfind("longUrl", 0) == 0);
  }
}

TEST_CASE("ports must be 1-65535 and followed by / ? # or the end", "[validation]") {
  CHECK(Contains(Why("https://example.com:99999/"), "port"));
  CHECK(Contains(Why("https://example.com:65536/"), "port"));
  CHECK(Contains(Why("https://example.com:0/"), "port"));
  CHECK(Contains(Why("https://example.com:000443/"), "port"));
  // Boost.URL 1.81 parses these as a port (or no port) followed by a path
  // that does not start with '/'; RFC 3986 and browsers call them invalid.
  CHECK(Why("https://example.com:abc/") == "longUrl is not a valid URL.");
  CHECK(Why("https://example.com:80x") == "longUrl is not a valid URL.");
  CHECK(Why("https://example.com:1:2/") == "longUrl is not a valid URL.");
  CHECK(Why("https://example.com:443evil.com/") == "longUrl is not a valid URL.");
}

TEST_CASE("credentials in the URL are refused", "[validation]") {
  CHECK(Why("https://user:pw@example.com/") == "longUrl must not contain a user name or password.");
  for (std::string_view url : {
           "https://user@example.com/",
           "https://@example.com/",
           "https://:@example.com/",
           "https://:pw@example.com/",
           "https://user%40corp:pw@example.com/",
           "https://example.com@evil.com/",  // the classic disguise: the host is evil.com
           "https://go.example@evil.com/",
       }) {
    INFO(url);
    CHECK(Contains(Why(url), "user name or password"));
  }
  // Browsers split at the last '@'; the RFC 3986 parser refuses the URL.
  // Either way it is not accepted.
  CHECK_FALSE(Valid("https://a@b@example.com/"));
  CHECK(Valid("https://example.com/path@with-at"));  // '@' after the host is path
  CHECK(Valid("https://example.com/?email=a@b.com"));
}

TEST_CASE("IP addresses and localhost are refused", "[validation]") {
  for (std::string_view url : {
           "https://127.0.0.1/",
           "https://10.0.0.1:8443/",
           "https://169.254.169.254/latest/meta-data/",  // cloud metadata
           "https://[::1]/",
           "https://[::ffff:127.0.0.1]/",
           "https://[fe80::1]/",
           "https://[v1.x]/",
           "https://1.2.3.4.5/",
       }) {
    INFO(url);
    CHECK_FALSE(Valid(url));
  }
  CHECK(Contains(Why("https://127.0.0.1/"), "IP address"));
  CHECK(Contains(Why("https://[::1]/"), "IP address"));
  // Names browsers read as IPv4 addresses: the last label is numeric.
  for (std::string_view url : {"https://127.1/", "https://0x7f.1/", "https://2130706433/",
                               "https://0177.0.0.1.1/", "https://999.1.1.1/"}) {
    INFO(url);
    CHECK(Contains(Why(url), "top-level domain"));
  }
  CHECK_FALSE(Valid("https://localhost/"));
  CHECK_FALSE(Valid("https://LOCALHOST:8080/"));
  CHECK_FALSE(Valid("https://localhost./"));
  CHECK(Why("https://app.localhost/") == "longUrl must not point to localhost.");
  CHECK(Why("https://a.b.localhost./") == "longUrl must not point to localhost.");
  CHECK(Valid("https://localhost.example.com/"));  // only the TLD is special
  CHECK(Valid("https://notlocalhost.com/"));
}

TEST_CASE("host names must be DNS names with a top-level domain", "[validation]") {
  const std::string message =
      "longUrl must have a valid host name with a top-level domain (like example.com).";
  for (std::string_view url : {
           "https://intranet/",      "https://example/",          "https://example.c/",
           "https://example.c0m/",   "https://example.123/",      "https://example.com-/",
           "https://example..com/",  "https://.example.com/",     "https://example.com../",
           "https://-example.com/",  "https://example-.com/",     "https://exa_mple.com/",
           "https://exa%6dple.com/",  // a percent-encoded host hides what it is
           "https://%65xample.com/", "https://example.com%2f@x/", "https://exa!mple.com/",
           "https://exa$mple.com/",  "https://exa'mple.com/",     "https://exa,mple.com/",
           "https://exa;mple.com/",  "https://exa=mple.com/",     "https://exa~mple.com/",
           "https://exa(mple).com/", "https://xn--.com/x",
       }) {
    INFO(url);
    std::string why = Why(url);
    CHECK_FALSE(why.empty());
    if (std::string_view(url).find('@') == std::string_view::npos) CHECK(why == message);
  }
  // Labels are at most 63 characters, names at most 253.
  CHECK(Why("https://" + std::string(64, 'a') + ".com/") == message);
  std::string name;
  while (name.size() < 250) name += std::string(49, 'a') + ".";
  name += "com";  // 253 characters
  REQUIRE(name.size() == 253);
  CHECK(Valid("https://" + name + "/"));
  CHECK(Why("https://a" + name + "/") == message);
}

TEST_CASE("our own domain is refused: a link to ourselves loops", "[validation]") {
  CHECK(Why("https://go.example/abc") ==
        "longUrl must not point to this link service itself (go.example).");
  CHECK_FALSE(Valid("https://go.example"));
  CHECK_FALSE(Valid("https://GO.EXAMPLE/abc"));
  CHECK_FALSE(Valid("https://go.example./abc"));
  CHECK_FALSE(Valid("https://go.example:8443/abc"));
  CHECK_FALSE(Valid("https://www.go.example/abc"));
  CHECK_FALSE(Valid("https://a.b.go.example/abc"));
  CHECK(Valid("https://notgo.example/abc"));  // a different domain that merely ends alike
  CHECK(Valid("https://go.example.com/abc"));
  CHECK(Valid("https://example.com/go.example"));

  UrlPolicy no_own_host;  // a deployment without --public-url checks no self-loop
  CHECK(ValidateLongUrl("https://go.example/abc", no_own_host).ok());
}

TEST_CASE("other link shorteners are refused: no redirect chains", "[validation]") {
  CHECK(Why("https://bit.ly/x") ==
        "longUrl points to a link shortener (bit.ly); link to the destination instead.");
  CHECK(Contains(Why("https://www.tinyurl.com/x"), "(tinyurl.com)"));
  CHECK(Contains(Why("https://T.CO/x"), "(t.co)"));
  CHECK(Contains(Why("https://go.gov.sg/abc"), "(go.gov.sg)"));
  CHECK(Valid("https://bit.lyrics.com/x"));  // ends alike, is not bit.ly
  CHECK(Valid("https://notbit.ly/x"));
  CHECK(Valid("https://www.gov.sg/"));  // go.gov.sg's parent is not blocked
  CHECK(Valid("https://example.com/?next=https://bit.ly/x"));

  for (const std::string& host : DefaultShortenerBlocklist()) {
    INFO(host);
    CHECK(Contains(Why("https://" + host + "/abc"), "link shortener (" + host + ")"));
    CHECK_FALSE(Valid("https://sub." + host + "/abc"));
    CHECK_FALSE(Valid("https://" + host + "./abc"));
  }

  UrlPolicy custom;
  custom.blocked_hosts = {"evil.example"};
  CHECK_FALSE(ValidateLongUrl("https://cdn.evil.example/", custom).ok());
  CHECK(ValidateLongUrl("https://bit.ly/x", custom).ok());  // the list is the policy's
}

TEST_CASE("the default blocklist is a real list of lowercase host names", "[validation]") {
  const auto& hosts = DefaultShortenerBlocklist();
  CHECK(hosts.size() >= 40);
  std::set<std::string> unique(hosts.begin(), hosts.end());
  CHECK(unique.size() == hosts.size());
  for (std::string_view must :
       {"bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
        "cutt.ly", "shorturl.at", "tiny.cc", "bl.ink", "go.gov.sg"}) {
    INFO(must);
    CHECK(unique.count(std::string(must)) == 1);
  }
  for (const std::string& host : hosts) {
    INFO(host);
    CHECK(HostOf("https://" + host + "/") == host);  // lowercase, no port, no dot at the end
    CHECK(ValidateLongUrl("https://" + host + "/", UrlPolicy{}).ok());  // a valid name itself
  }
}

TEST_CASE("every refusal is an InvalidArgument whose message starts with the field name",
          "[validation]") {
  for (std::string_view url :
       {"", "http://x.com", "https://a b.com", "https://u@x.com", "https://1.2.3.4", "https://x",
        "https://go.example", "https://bit.ly", "https://x.com:0", "https://x.com:1x"}) {
    INFO(url);
    Status s = ValidateLongUrl(url, Policy());
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::kInvalidArgument);
    CHECK(s.error().message.rfind("longUrl ", 0) == 0);
  }
}

TEST_CASE("HostOf lowercases and is empty without a host", "[validation]") {
  CHECK(HostOf("https://Go.Example/x") == "go.example");
  CHECK(HostOf("https://go.example:8443") == "go.example");
  CHECK(HostOf("https://go.example.") == "go.example");  // as ValidateLongUrl compares it
  CHECK(HostOf("https://user:pw@go.example/") == "go.example");
  CHECK(HostOf("http://localhost:8080") == "localhost");
  CHECK(HostOf("https://[::1]:8443/") == "[::1]");
  CHECK(HostOf("not a url").empty());
  CHECK(HostOf("mailto:a@b.com").empty());
  CHECK(HostOf("go.example").empty());
  CHECK(HostOf("https:///x").empty());
  CHECK(HostOf("").empty());
}

TEST_CASE("HostOf survives what Boost.URL 1.81 asserts on", "[validation]") {
  // A scheme followed by a character no path may start with tripped an
  // assertion inside Boost.URL (an abort in Debug builds); found by
  // tests/fuzz/validation_fuzz.cc (regressions/validation/).
  CHECK(HostOf("https:<").empty());
  CHECK(HostOf("e.cple.omup6:\xaf").empty());
  CHECK_FALSE(ValidateLongUrl("https:<", UrlPolicy{}).ok());
}

// --- domains ------------------------------------------------------------------

TEST_CASE("domains: lowercase host names with a top-level domain", "[validation][domain]") {
  for (std::string_view ok : {"go.example.com", "a.io", "go.gov.sg", "x-1.example-2.org",
                              "xn--bcher-kva.example", "go.xn--yfro4i67o", "1.example.com"}) {
    INFO(ok);
    CHECK(IsDomainName(ok));
    CHECK(NormalizeDomain(ok).value() == ok);
  }
  // Labels of 63 and names of 253 characters are the limits, inclusive.
  std::string label63(63, 'a');
  CHECK(IsDomainName(label63 + ".com"));
  CHECK_FALSE(IsDomainName(label63 + "a.com"));
  std::string name253 =
      label63 + "." + label63 + "." + label63 + "." + std::string(57, 'b') + ".com";
  REQUIRE(name253.size() == 253);
  CHECK(IsDomainName(name253));
  CHECK_FALSE(IsDomainName("a" + name253));
  CHECK(NormalizeDomain("a" + name253).error().message == "domain must be at most 253 characters.");
}

TEST_CASE("domains: IP literals, ports, single labels and odd characters are refused",
          "[validation][domain]") {
  for (std::string_view bad : {"",
                               "127.0.0.1",
                               "10.1",
                               "0x7f.1",
                               "[::1]",
                               "::1",
                               "example.com:8080",
                               "localhost",
                               "intranet",
                               "-go.example.com",
                               "go-.example.com",
                               "go..example.com",
                               ".example.com",
                               "go.example.c",
                               "go.example.123",
                               "go_1.example.com",
                               "gö.example.com",
                               "go example.com",
                               "ab--cd.example.com",
                               "go.example.com/x",
                               "user@go.example.com"}) {
    INFO(bad);
    CHECK_FALSE(IsDomainName(bad));
    auto normalized = NormalizeDomain(bad);
    REQUIRE_FALSE(normalized.ok());
    CHECK(normalized.error().code == ErrorCode::kInvalidArgument);
    CHECK(normalized.error().message.rfind("domain ", 0) == 0);
  }
}

TEST_CASE("domains: NormalizeDomain lowercases and drops one trailing dot, IsDomainName does not",
          "[validation][domain]") {
  CHECK(NormalizeDomain("Go.Example.COM").value() == "go.example.com");
  CHECK(NormalizeDomain("go.example.com.").value() == "go.example.com");
  CHECK(NormalizeDomain("XN--Bcher-KVA.example").value() == "xn--bcher-kva.example");
  CHECK_FALSE(NormalizeDomain("go.example.com..").ok());
  // The stored form only: what nodes check records against.
  CHECK_FALSE(IsDomainName("Go.Example.com"));
  CHECK_FALSE(IsDomainName("go.example.com."));
}

}  // namespace shortlink
