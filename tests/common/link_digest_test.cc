#include "common/link_digest.h"

#include <catch2/catch.hpp>
#include <functional>
#include <set>
#include <vector>

namespace shortlink {
namespace {

Link Sample() {
  Link link;
  link.domain = "go.example.com";
  link.code = "report";
  link.long_url = "https://example.com/report";
  link.state = LinkState::kActive;
  link.rules.max_clicks = 100;
  link.rules.utm.source = "news";
  return link;
}

LinkDigest DigestOf(const std::vector<Link>& links) {
  LinkDigest digest;
  for (const Link& link : links) digest.Add(link);
  return digest;
}

TEST_CASE("LinkDigest does not depend on the order links are added in", "[link_digest]") {
  std::vector<Link> links;
  for (int i = 0; i < 50; ++i) {
    Link link = Sample();
    link.code = "c" + std::to_string(i);
    link.domain = i % 3 == 0 ? "" : "d" + std::to_string(i % 4) + ".example";
    links.push_back(link);
  }
  LinkDigest forward = DigestOf(links);
  std::vector<Link> reversed(links.rbegin(), links.rend());
  std::vector<Link> shuffled = links;
  std::swap(shuffled[3], shuffled[41]);
  std::swap(shuffled[0], shuffled[17]);
  CHECK(DigestOf(reversed) == forward);
  CHECK(DigestOf(shuffled) == forward);
  CHECK(forward.links == 50);
}

TEST_CASE("LinkDigest changes with every field a node serves", "[link_digest]") {
  const Link base = Sample();
  const uint64_t h = LinkHash(base);
  std::vector<std::pair<const char*, std::function<void(Link&)>>> changes = {
      {"domain", [](Link& l) { l.domain = "go2.example.com"; }},
      {"domain to default", [](Link& l) { l.domain = ""; }},
      {"code", [](Link& l) { l.code = "reports"; }},
      {"long URL", [](Link& l) { l.long_url = "https://example.com/report2"; }},
      {"state", [](Link& l) { l.state = LinkState::kInactive; }},
      {"max clicks", [](Link& l) { l.rules.max_clicks = 101; }},
      {"utm", [](Link& l) { l.rules.utm.source = "mail"; }},
      {"expiry", [](Link& l) { l.rules.expires_at_ms = 1; }},
      {"password", [](Link& l) { l.rules.password_hash = "$argon2id$x"; }},
      {"ab target",
       [](Link& l) {
         l.rules.ab_targets = {{"https://a.example.com/", 100}};
       }},
      {"forward query", [](Link& l) { l.rules.forward_query = true; }},
      {"no rules", [](Link& l) { l.rules = LinkRules{}; }},
  };
  std::set<uint64_t> seen = {h};
  for (auto& [what, change] : changes) {
    Link changed = base;
    change(changed);
    uint64_t changed_hash = LinkHash(changed);
    INFO(what);
    CHECK(changed_hash != h);
    CHECK(seen.insert(changed_hash).second);  // and differs from every other change
    CHECK(DigestOf({changed}) != DigestOf({base}));
  }
}

TEST_CASE("LinkDigest ignores what a node does not serve", "[link_digest]") {
  Link base = Sample();
  Link other = base;
  other.owner = 7;
  other.clicks = 12345;
  other.created_at_ms = 1;
  other.updated_at_ms = 2;
  other.title = "t";
  other.tags = {"x"};
  other.campaign = 3;
  CHECK(LinkHash(other) == LinkHash(base));
  // Rules a node keeps none of (LinkRules::empty(), such as a fallback URL
  // without an expiry) hash as no rules.
  Link plain = base;
  plain.rules = LinkRules{};
  Link unused_rule = plain;
  unused_rule.rules.expired_url = "https://example.com/gone";
  CHECK(LinkHash(unused_rule) == LinkHash(plain));
}

TEST_CASE("LinkDigest fields do not run into each other", "[link_digest]") {
  Link a = Sample();
  a.rules = LinkRules{};
  Link b = a;
  a.domain = "ab.example";
  a.code = "c";
  b.domain = "ab.exampl";
  b.code = "ec";
  CHECK(LinkHash(a) != LinkHash(b));
  Link c = a, d = a;
  c.code = "x";
  c.long_url = "https://yz.example/";
  d.code = "xh";
  d.long_url = "ttps://yz.example/";
  CHECK(LinkHash(c) != LinkHash(d));
}

TEST_CASE("LinkDigest counts links and adds or removes one by one", "[link_digest]") {
  Link one = Sample(), two = Sample();
  two.code = "two";
  LinkDigest both = DigestOf({one, two});
  CHECK(both.links == 2);
  CHECK(both.hash == LinkHash(one) + LinkHash(two));
  CHECK(DigestOf({}) == LinkDigest{});
  CHECK(DigestOf({}).ToJson(0) == R"({"seq":0,"links":0,"hash":"0000000000000000"})");
  LinkDigest d;
  d.hash = 0x0123456789abcdefull;
  d.links = 3;
  CHECK(d.ToJson(42) == R"({"seq":42,"links":3,"hash":"0123456789abcdef"})");
}

TEST_CASE("LinkHash is the same in every process and build", "[link_digest]") {
  // Fixed keys, no seed: a node and admin-api built apart must agree, so the
  // values are pinned. Changing the definition changes these, and then every
  // node and admin-api must be upgraded together: say so in the release.
  Link link;
  link.code = "a";
  link.long_url = "https://example.com/";
  CHECK(LinkHash(link) == 0x31ab56206af0e57aull);
  std::string scratch = "left over";
  CHECK(LinkHash("", "a", "https://example.com/", LinkState::kActive, nullptr, &scratch) ==
        0x31ab56206af0e57aull);
  Link ruled = link;
  ruled.domain = "go.example.com";
  ruled.rules.max_clicks = 5;
  ruled.state = LinkState::kInactive;
  CHECK(LinkHash(ruled) == 0xc331064e6573eaf1ull);
}

}  // namespace
}  // namespace shortlink
