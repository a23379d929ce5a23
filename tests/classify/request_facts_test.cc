// PrimaryLanguage, ReferrerHost and SourceOf against header values real
// browsers, apps and campaign tools send, then against hostile ones: every
// function is total (no throw, no crash, a short value of its alphabet).
#include "classify/request_facts.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

namespace shortlink::classify {
namespace {

struct Case {
  std::string input;
  std::string want;
};

TEST_CASE("PrimaryLanguage: Accept-Language values browsers send") {
  const std::vector<Case> cases = {
      {"en-US,en;q=0.9", "en-us"},                                    // Chrome, en-US
      {"en-US,en;q=0.5", "en-us"},                                    // Firefox
      {"en-GB,en-US;q=0.9,en;q=0.8", "en-gb"},                        // Chrome, UK
      {"de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "de-de"},               // Chrome, Germany
      {"fr-FR,fr;q=0.8,en-US;q=0.5,en;q=0.3", "fr-fr"},               // Firefox, France
      {"pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7", "pt-br"},               // Chrome, Brazil
      {"zh-CN,zh;q=0.9", "zh-cn"},                                    // Chrome, China
      {"zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7", "zh-tw"},               //
      {"ja,en-US;q=0.9,en;q=0.8", "ja"},                              // Chrome, Japan
      {"en-us", "en-us"},                                             // Safari (lower case)
      {"en", "en"},                                                   //
      {"es-419,es;q=0.9", "es-419"},                                  // Latin American Spanish
      {"zh-Hans-CN,zh-CN;q=0.9,zh;q=0.8,en;q=0.7", "zh-hans-cn"},     // Safari, script subtag
      {"en-US, en;q=0.9", "en-us"},                                   // spaces after commas
      {" en-US ; q=0.9 , fr ; q=1", "fr"},                            // OWS everywhere
      {"en;q=0.5,de;q=0.8,fr;q=0.8", "de"},                           // highest q, first on ties
      {"en;q=0.8, de", "de"},                                         // no q is 1
      {"en;Q=0.1,fr;Q=0.2", "fr"},                                    // Q upper case
      {"en_US", "en-us"},                                             // Android apps' underscore
      {"*", "none"},                                                  //
      {"*;q=0.5", "none"},                                            //
      {"*, ko;q=0.3", "ko"},                                          // '*' is no language
      {"", "none"},                                                   //
      {"   ", "none"},                                                //
      {"en;q=0", "none"},                                             // not acceptable
      {"en;q=0.000,fr;q=0.001", "fr"},                                //
      {"en;q=0,de;q=0.1", "de"},                                      //
      {"en;q=2,de;q=0.1", "de"},                                      // q above 1: item skipped
      {"en;q=abc,de;q=0.1", "de"},                                    // broken q: skipped
      {"en;q=0.12345,de;q=0.1", "de"},                                // more than 3 decimals
      {"<script>alert(1)</script>", "none"},                          //
      {"en-US,<b>,fr;q=0.1", "en-us"},                                //
      {"12-34", "none"},                                              // must start with a letter
      {"i-klingon", "i-klingon"},                                     // grandfathered tag
      {"x-pig-latin-and-much-more-than-sixteen", "x-pig-latin-and"},  // cut to 16, no trailing '-'
      {"de-CH-1901-with-variants", "de-ch-1901-with"},                // 16 bytes exactly
      {",,,;;;,", "none"},                                            //
      {"en-US;q=0.9;level=1,fr;q=0.8", "en-us"},                      // other parameters
      {std::string("en\0US", 5), "none"},                             // NUL inside
      {"\xc3\xa9n,fr;q=0.5", "fr"},                                   // non-ASCII range skipped
  };
  for (const Case& c : cases) {
    INFO(c.input);
    CHECK(PrimaryLanguage(c.input) == c.want);
  }
}

TEST_CASE("ReferrerHost: Referer values browsers send") {
  const std::vector<Case> cases = {
      {"https://www.Google.com/search?q=x", "google.com"},
      {"https://www.google.com/", "google.com"},
      {"https://t.co/", "t.co"},  // Twitter/X, origin only
      {"https://l.facebook.com/", "l.facebook.com"},
      {"https://lm.facebook.com/l.php?u=https%3A%2F%2Fgo.gov.sg", "lm.facebook.com"},
      {"android-app://com.google.android.gm/", "direct"},  // Gmail app
      {"https://mail.google.com/", "mail.google.com"},
      {"https://www.linkedin.com/", "linkedin.com"},
      {"https://news.ycombinator.com/item?id=1", "news.ycombinator.com"},
      {"http://example.com", "example.com"},
      {"HTTPS://WWW.EXAMPLE.COM/PATH", "example.com"},
      {"https://example.com:8443/x", "example.com"},
      {"https://user:pass@example.com/", "example.com"},
      {"https://a@b@example.com:1/", "example.com"},  // the last '@' ends the userinfo
      {"https://example.com./", "example.com"},       // trailing dot
      {"https://www.example.com.:443/", "example.com"},
      {"https://example.com?x=1", "example.com"},
      {"https://example.com#top", "example.com"},
      {"https://example.com\\evil", "example.com"},
      {"https://192.0.2.7:8080/", "192.0.2.7"},
      {"https://[2001:DB8::1]:8443/x", "[2001:db8::1]"},
      {"https://[::ffff:192.0.2.1]/", "[::ffff:192.0.2.1]"},
      {"https://[2001:db8::1/", "direct"},  // unclosed bracket
      {"https://[zz]/", "direct"},
      {"https://www./", "www"},
      {"https://www.com/", "com"},
      {"  https://example.com/  ", "example.com"},
      {"https://xn--bcher-kva.example/", "xn--bcher-kva.example"},  // IDN as browsers send it
      {"https://b\xc3\xbc"
       "cher.example/",
       "direct"},  // raw UTF-8: not a host
      {"", "direct"},
      {"https://", "direct"},
      {"https:///path", "direct"},
      {"https://:80/", "direct"},
      {"https://user@/", "direct"},
      {"https://exa mple.com/", "direct"},
      {"https://a..b/", "direct"},
      {"https://.example.com/", "direct"},
      {"https://example.com../", "direct"},
      {"ftp://example.com/", "direct"},
      {"file:///etc/passwd", "direct"},
      {"javascript:alert(1)", "direct"},
      {"//example.com/", "direct"},
      {"example.com", "direct"},
      {"httpx://example.com/", "direct"},
      {"about:blank", "direct"},
      {"https://" + std::string(253, 'a') + "/", std::string(253, 'a')},
      {"https://" + std::string(254, 'a') + "/", "direct"},
  };
  for (const Case& c : cases) {
    INFO(c.input);
    CHECK(ReferrerHost(c.input) == c.want);
  }
}

TEST_CASE("SourceOf: utm_source else the referrer host") {
  struct SourceCase {
    std::string query, referrer, want;
  };
  const std::vector<SourceCase> cases = {
      {"utm_source=newsletter&utm_medium=email", "direct", "newsletter"},
      {"utm_medium=social&utm_source=Facebook", "l.facebook.com", "facebook"},
      {"?utm_source=twitter", "t.co", "twitter"},  // a leading '?' is tolerated
      {"utm_source=Spring+Sale", "direct", "spring sale"},
      {"utm_source=Spring%20Sale%21", "direct", "spring sale!"},
      {"utm_source=caf%C3%A9", "direct", "caf"},  // non-ASCII bytes dropped
      {"utm_source=100%", "direct", "100%"},      // a '%' not followed by two hex digits stays
      {"utm_source=%zz%4", "direct", "%zz%4"},
      {"utm_source=a%0Ab%00c", "direct", "abc"},  // control characters dropped
      {"utm_source=", "google.com", "google.com"},
      {"utm_source", "google.com", "google.com"},
      {"utm_source=+%20+", "google.com", "google.com"},  // only spaces
      {"utm_source=&utm_source=second", "direct", "second"},
      {"utm_source=first&utm_source=second", "direct", "first"},
      {"UTM_SOURCE=x", "direct", "direct"},  // the parameter's name is exact
      {"xutm_source=x&utm_sourcex=y", "bing.com", "bing.com"},
      {"utm_medium=email", "bing.com", "bing.com"},
      {"", "bing.com", "bing.com"},
      {"", "", "direct"},
      {"a=1#utm_source=frag", "direct", "direct"},  // a fragment is not the query
      {"utm_source=x#y", "direct", "x"},
      {"utm_source=" + std::string(100, 'A'), "direct", std::string(64, 'a')},
      {"utm_source=" + std::string(100, ' ') + "x", "direct", "x"},
      {"&&&=&==&utm_source==x", "direct", "=x"},
  };
  for (const SourceCase& c : cases) {
    INFO(c.query << " | " << c.referrer);
    CHECK(SourceOf(c.query, c.referrer) == c.want);
  }
}

bool OnlyOf(const std::string& s, bool (*allowed)(unsigned char)) {
  for (unsigned char c : s) {
    if (!allowed(c)) return false;
  }
  return true;
}

// Random bytes, biased toward the characters the parsers split on, must
// give short values of each function's alphabet.
TEST_CASE("Request facts: random and hostile inputs give bounded values of their alphabet") {
  std::mt19937 rnd(20);
  static constexpr char kInteresting[] =
      ",;=q.0123456789-*:/@[]%+&?#\\ \t\r\nwhHtTpPsS\x00\x80\xff";
  const std::string interesting(kInteresting, sizeof kInteresting - 1);  // with the NUL
  const std::vector<std::string> fixed = {std::string(1 << 20, ','),
                                          std::string(1 << 20, '%'),
                                          std::string(1 << 20, '['),
                                          "https://" + std::string(1 << 20, '@'),
                                          std::string(1 << 16, 'a') + ";q=0.5",
                                          "utm_source=" + std::string(1 << 20, '%'),
                                          std::string("\0\0\0", 3)};
  for (int i = 0; i < 20'000 + static_cast<int>(fixed.size()); ++i) {
    std::string input;
    if (i < static_cast<int>(fixed.size())) {
      input = fixed[i];
    } else {
      input = i % 3 == 0 ? "https://" : i % 3 == 1 ? "utm_source=" : "";
      const size_t length = rnd() % 64;
      for (size_t j = 0; j < length; ++j) {
        input.push_back(rnd() % 2 ? interesting[rnd() % interesting.size()]
                                  : static_cast<char>(rnd() % 256));
      }
    }
    INFO(i);
    const std::string language = PrimaryLanguage(input);
    CHECK(language.size() <= 16);
    CHECK(OnlyOf(language, [](unsigned char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    }));
    const std::string host = ReferrerHost(input);
    CHECK(!host.empty());
    CHECK(host.size() <= 253);
    CHECK(OnlyOf(host,
                 [](unsigned char c) { return c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z'); }));
    const std::string source = SourceOf(input, host);
    CHECK(!source.empty());
    CHECK(source.size() <= 253);
    CHECK(OnlyOf(source,
                 [](unsigned char c) { return c >= 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z'); }));
  }
}

}  // namespace
}  // namespace shortlink::classify
