#include "table/link_table.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/validation.h"

namespace shortlink::redirector {
namespace {

std::string UrlFor(const std::string& code, int version) {
  return "https://example.com/" + code + "/v" + std::to_string(version);
}

std::optional<std::pair<std::string, LinkState>> Lookup(const LinkTable& table,
                                                        std::string_view code) {
  std::optional<std::pair<std::string, LinkState>> out;
  table.Find(code, [&](const LinkView& v) { out.emplace(std::string(v.long_url), v.state); });
  return out;
}

// The URL a link on (domain, code) has in the domain tests: it names both,
// so a reader can tell whose entry it found.
std::string DomainUrl(std::string_view domain, std::string_view code, int version = 0) {
  return "https://" + std::string(domain.empty() ? "default" : domain) + ".example.org/" +
         std::string(code) + "/v" + std::to_string(version);
}

std::optional<std::string> ByHost(const LinkTable& table, std::string_view host,
                                  std::string_view code) {
  std::optional<std::string> out;
  table.Find(host, code, [&](const LinkView& v) { out.emplace(v.long_url); });
  return out;
}

}  // namespace

TEST_CASE("upsert replaces and erase removes") {
  RcuThreadScope rcu;
  LinkTable table;
  CHECK_FALSE(Lookup(table, "abc"));
  table.Upsert("abc", "https://example.com/1", LinkState::kActive);
  CHECK(Lookup(table, "abc")->first == "https://example.com/1");
  table.Upsert("abc", "https://example.com/2", LinkState::kInactive);
  CHECK(*Lookup(table, "abc") ==
        std::make_pair(std::string("https://example.com/2"), LinkState::kInactive));
  CHECK(table.size() == 1);
  CHECK(table.Erase("abc"));
  CHECK_FALSE(table.Erase("abc"));
  CHECK_FALSE(Lookup(table, "abc"));
  CHECK(table.size() == 0);
  table.Upsert("abc", "https://example.com/3", LinkState::kActive);  // after a tombstone
  CHECK(Lookup(table, "abc")->first == "https://example.com/3");
  CHECK_FALSE(Lookup(table, "ab"));
  CHECK_FALSE(Lookup(table, "abcd"));
}

TEST_CASE("a million links are all found in under 64 bytes of overhead each") {
  RcuThreadScope rcu;
  LinkTable table;
  size_t payload = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    std::string code = "c" + std::to_string(i);
    std::string url = UrlFor(code, 0);
    payload += code.size() + url.size();
    table.Upsert(code, url, LinkState::kActive);
  }
  REQUIRE(table.size() == 1'000'000);
  for (int i = 0; i < 1'000'000; i += 997) {
    std::string code = "c" + std::to_string(i);
    REQUIRE(Lookup(table, code)->first == UrlFor(code, 0));
    REQUIRE_FALSE(Lookup(table, "x" + std::to_string(i)));
  }
  double overhead = double(table.memory_bytes() - payload) / table.size();
  INFO("bytes per link beyond code and URL (malloc's own headers not counted): " << overhead);
  // malloc adds 8-16 bytes per block on top of what memory_bytes counts.
  CHECK(overhead + 16 <= 64);
  // Erasing half and re-adding keeps every link reachable across rehashes.
  for (int i = 0; i < 1'000'000; i += 2) REQUIRE(table.Erase("c" + std::to_string(i)));
  for (int i = 0; i < 1'000'000; i += 2)
    table.Upsert("c" + std::to_string(i), "https://e.com/", LinkState::kActive);
  CHECK(table.size() == 1'000'000);
  CHECK(Lookup(table, "c999999")->first == UrlFor("c999999", 0));
  CHECK(Lookup(table, "c0")->first == "https://e.com/");
}

TEST_CASE("a bulk load (BeginLoad, InsertNew, EndLoad) is served like upserts, and changes go on") {
  RcuThreadScope rcu;
  LinkTable table;
  constexpr int kLinks = 200'000;
  table.BeginLoad(kLinks);
  size_t reserved_bytes = table.memory_bytes();
  size_t entry_bytes = 0;
  for (int i = 0; i < kLinks; ++i) {
    std::string code = "b" + std::to_string(i);
    std::string url = UrlFor(code, 0);
    table.InsertNew(code, url, i % 3 ? LinkState::kActive : LinkState::kInactive);
    entry_bytes += 4 + code.size() + url.size();  // 4-byte header, then the bytes
  }
  table.EndLoad();
  CHECK(table.size() == kLinks);
  // Sized once: the slot array did not grow during the load.
  CHECK(table.memory_bytes() == reserved_bytes + entry_bytes);
  for (int i = 0; i < kLinks; i += 101) {
    std::string code = "b" + std::to_string(i);
    auto found = Lookup(table, code);
    REQUIRE(found);
    CHECK(found->first == UrlFor(code, 0));
    CHECK(found->second == (i % 3 ? LinkState::kActive : LinkState::kInactive));
  }
  // Live changes after the load: replace, erase, insert past the reserve.
  table.Upsert("b0", "https://replaced.example/", LinkState::kActive);
  CHECK(Lookup(table, "b0")->first == "https://replaced.example/");
  CHECK(table.Erase("b1"));
  CHECK_FALSE(Lookup(table, "b1"));
  for (int i = kLinks; i < 2 * kLinks; ++i) {
    std::string code = "b" + std::to_string(i);
    table.Upsert(code, UrlFor(code, 0), LinkState::kActive);
  }
  CHECK(table.size() == 2 * kLinks - 1);
  CHECK(Lookup(table, "b" + std::to_string(2 * kLinks - 1)));
  CHECK(Lookup(table, "b2"));
}

TEST_CASE(
    "a bulk load past its estimate grows the table, a change before EndLoad sees every link") {
  RcuThreadScope rcu;
  LinkTable table;
  constexpr int kLinks = 50'000;
  table.BeginLoad(1000);  // an estimate far too low: the table grows as it fills
  for (int i = 0; i < kLinks; ++i) {
    std::string code = "g" + std::to_string(i);
    table.InsertNew(code, UrlFor(code, 0), LinkState::kActive);
  }
  // No EndLoad yet: the upsert of a link still held back replaces it rather
  // than adding a second entry for the same code.
  std::string last = "g" + std::to_string(kLinks - 1);
  table.Upsert(last, "https://replaced.example/", LinkState::kActive);
  CHECK(table.size() == kLinks);
  CHECK(Lookup(table, last)->first == "https://replaced.example/");
  for (int i = 0; i < kLinks; i += 7) {
    std::string code = "g" + std::to_string(i);
    if (code == last) continue;
    auto found = Lookup(table, code);
    REQUIRE(found);
    CHECK(found->first == UrlFor(code, 0));
  }
  table.EndLoad();  // nothing left to place: harmless
  CHECK(table.size() == kLinks);
}
TEST_CASE("readers see whole entries while one writer replaces and erases and grows",
          "[concurrent]") {
  LinkTable table;
  constexpr int kCodes = 2000;
  {
    RcuThreadScope rcu;
    for (int i = 0; i < kCodes; ++i)
      table.Upsert("k" + std::to_string(i), UrlFor("k" + std::to_string(i), 0), LinkState::kActive);
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> lookups{0}, inconsistent{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      RcuThreadScope rcu;
      uint64_t n = 0;
      char code[16];
      for (int i = r; !stop.load(std::memory_order_relaxed); i = (i + 7) % (kCodes * 2)) {
        int len = snprintf(code, sizeof code, "k%d", i);
        table.Find(std::string_view(code, len), [&](const LinkView& v) {
          // The URL embeds the code: a torn or freed entry would not match.
          std::string_view want_prefix = "https://example.com/";
          if (v.long_url.substr(0, want_prefix.size()) != want_prefix ||
              v.long_url.substr(want_prefix.size(), len) != std::string_view(code, len) ||
              v.code != std::string_view(code, len)) {
            inconsistent.fetch_add(1);
          }
        });
        ++n;
      }
      lookups.fetch_add(n);
    });
  }
  {
    RcuThreadScope rcu;
    for (int round = 1; round <= 30; ++round) {
      for (int i = 0; i < kCodes * 2; ++i) {
        std::string code = "k" + std::to_string(i);
        if ((i + round) % 5 == 0)
          table.Erase(code);
        else
          table.Upsert(code, UrlFor(code, round),
                       round % 2 ? LinkState::kActive : LinkState::kInactive);
      }
    }
  }
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(inconsistent.load() == 0);
  CHECK(lookups.load() > 0);
}

// --- domains ------------------------------------------------------------------

TEST_CASE("the same code on two domains resolves separately, by Host", "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  for (std::string_view domain : {"", "a.example", "b.example"})
    REQUIRE(table.Upsert(LinkKey{domain, "x"}, DomainUrl(domain, "x"), LinkState::kActive));
  REQUIRE(table.Upsert(LinkKey{"a.example", "only-a"}, DomainUrl("a.example", "only-a"),
                       LinkState::kInactive));
  CHECK(table.size() == 4);
  CHECK(table.domains() == 2);

  CHECK(ByHost(table, "a.example", "x") == DomainUrl("a.example", "x"));
  CHECK(ByHost(table, "b.example", "x") == DomainUrl("b.example", "x"));
  CHECK(Lookup(table, "x")->first == DomainUrl("", "x"));  // Find(code): the default domain
  std::string_view seen_domain = "unset";
  table.Find("unknown.example", "x", [&](const LinkView& v) { seen_domain = v.domain; });
  CHECK(seen_domain.empty());  // an unknown host: the default domain's link
  // A code of one domain is not found on another, nor on the default one.
  CHECK(ByHost(table, "b.example", "only-a") == std::nullopt);
  CHECK_FALSE(Lookup(table, "only-a"));
  bool seen = table.Find("A.Example:8443", "only-a", [&](const LinkView& v) {
    CHECK(v.domain == "a.example");  // the stored name, whatever the Host's spelling
    CHECK(v.code == "only-a");
    CHECK(v.state == LinkState::kInactive);
    CHECK(v.rules == nullptr);
  });
  CHECK(seen);

  // Replacing and erasing touch one domain's link only.
  REQUIRE(
      table.Upsert(LinkKey{"b.example", "x"}, DomainUrl("b.example", "x", 2), LinkState::kActive));
  CHECK(ByHost(table, "b.example", "x") == DomainUrl("b.example", "x", 2));
  CHECK(ByHost(table, "a.example", "x") == DomainUrl("a.example", "x"));
  CHECK(table.Erase(LinkKey{"a.example", "x"}));
  CHECK_FALSE(table.Erase(LinkKey{"a.example", "x"}));
  CHECK_FALSE(table.Erase(LinkKey{"c.example", "x"}));  // a domain the table never held
  CHECK(ByHost(table, "a.example", "x") == std::nullopt);
  CHECK(ByHost(table, "b.example", "x") == DomainUrl("b.example", "x", 2));
  CHECK(Lookup(table, "x")->first == DomainUrl("", "x"));
  CHECK(table.size() == 3);
}

TEST_CASE("a Host that names no domain holding links is the default domain", "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  table.Upsert("x", DomainUrl("", "x"), LinkState::kActive);
  // With no other domain the Host header is not even read.
  CHECK(ByHost(table, "anything.example", "x") == DomainUrl("", "x"));
  table.Upsert(LinkKey{"a.example", "x"}, DomainUrl("a.example", "x"), LinkState::kActive);
  for (std::string_view host : {"", "go.example", "b.example", "example", "127.0.0.1",
                                "127.0.0.1:8080", "[::1]", "[::1]:8080", "a.example.org",
                                "sub.a.example", "xa.example", ".a.example", "a.example.."}) {
    INFO(host);
    CHECK(ByHost(table, host, "x") == DomainUrl("", "x"));
  }
  std::string too_long = std::string(300, 'a') + ".a.example";
  CHECK(ByHost(table, too_long, "x") == DomainUrl("", "x"));
}

TEST_CASE("a Host is matched without case, port or trailing dot", "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  table.Upsert("x", DomainUrl("", "x"), LinkState::kActive);
  table.Upsert(LinkKey{"go.example.com", "x"}, DomainUrl("go.example.com", "x"),
               LinkState::kActive);
  for (std::string_view host :
       {"go.example.com", "GO.Example.COM", "go.example.com:8080", "Go.Example.Com:443",
        "go.example.com.", "GO.EXAMPLE.COM.:80", "go.example.com:"}) {
    INFO(host);
    CHECK(ByHost(table, host, "x") == DomainUrl("go.example.com", "x"));
  }
}

// LinkView::domain is the stored name however the Host spelled it: the edge
// counts the click by it, so two spellings must never count apart.
TEST_CASE("a link found by Host reports its domain as stored, the default domain as empty",
          "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  table.Upsert("x", DomainUrl("", "x"), LinkState::kActive);
  table.Upsert(LinkKey{"a.example", "x"}, DomainUrl("a.example", "x"), LinkState::kActive);
  auto domain_seen = [&](std::string_view host) {
    std::optional<std::string> domain;
    table.Find(host, "x", [&](const LinkView& v) { domain.emplace(v.domain); });
    return domain;
  };
  for (std::string_view host : {"a.example", "A.EXAMPLE", "a.example:8080", "A.Example.:443"}) {
    INFO(host);
    CHECK(domain_seen(host) == "a.example");
  }
  for (std::string_view host : {"", "unknown.example", "[::1]:8080"}) {
    INFO(host);
    CHECK(domain_seen(host) == "");
  }
  std::string_view by_code = "unset";
  table.Find("x", [&](const LinkView& v) { by_code = v.domain; });
  CHECK(by_code.empty());
}

// HostName's buffer holds kMaxDomainLength bytes: the longest domain must
// fit once its port and trailing dot are cut, one byte more must not.
TEST_CASE("a Host of the longest domain resolves with its port and trailing dot", "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  std::string longest;
  while (longest.size() + 64 <= kMaxDomainLength) longest += std::string(63, 'a') + ".";
  longest += std::string(kMaxDomainLength - longest.size() - 4, 'b') + ".com";
  REQUIRE(longest.size() == kMaxDomainLength);
  table.Upsert("x", DomainUrl("", "x"), LinkState::kActive);
  REQUIRE(table.Upsert(LinkKey{longest, "x"}, DomainUrl("longest", "x"), LinkState::kActive));
  std::string upper = longest;
  for (char& c : upper) c = static_cast<char>(toupper(c));
  for (const std::string& host : {longest, longest + ".", longest + ":8080", upper + ".:8080"}) {
    INFO(host);
    CHECK(ByHost(table, host, "x") == DomainUrl("longest", "x"));
  }
  CHECK(ByHost(table, "c" + longest, "x") == DomainUrl("", "x"));  // 254 bytes: no domain
}

// Ids are reused only after a grace period, and only once all 65,535 were
// used: every domain below takes the id a gone one held. Each must find its
// own links and nothing of the domain that held the id before.
TEST_CASE("a domain given a released id finds its own links only", "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  table.Upsert("x", DomainUrl("", "x"), LinkState::kActive);
  constexpr int kIds = 65535;
  for (int i = 0; i < kIds; ++i) {
    std::string domain = "d" + std::to_string(i) + ".example";
    REQUIRE(table.Upsert(LinkKey{domain, "x"}, DomainUrl(domain, "x"), LinkState::kActive));
    REQUIRE(table.Erase(LinkKey{domain, "x"}));
  }
  REQUIRE(table.domains() == 0);
  // A link that outlives its domain's neighbours: it keeps its id throughout.
  REQUIRE(table.Upsert(LinkKey{"stays.example", "y"}, DomainUrl("stays.example", "y"),
                       LinkState::kActive));
  for (int i = 0; i < 100; ++i) {
    std::string domain = "r" + std::to_string(i) + ".example";
    INFO(domain);
    REQUIRE(table.Upsert(LinkKey{domain, "x"}, DomainUrl(domain, "x"), LinkState::kActive));
    CHECK(ByHost(table, domain, "x") == DomainUrl(domain, "x"));
    CHECK(ByHost(table, domain, "y") == std::nullopt);
    // A gone domain's host is the default domain still.
    CHECK(ByHost(table, "d" + std::to_string(i) + ".example", "x") == DomainUrl("", "x"));
  }
  CHECK(table.domains() == 101);
  CHECK(ByHost(table, "stays.example", "y") == DomainUrl("stays.example", "y"));
  CHECK(ByHost(table, "stays.example", "x") == std::nullopt);
  CHECK(table.size() == 102);
}

TEST_CASE("erasing the last link of a domain forgets the domain, it may come back", "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  table.Upsert("y", DomainUrl("", "y"), LinkState::kActive);
  size_t default_only = table.memory_bytes();
  REQUIRE(table.Upsert(LinkKey{"gone.example", "x"}, DomainUrl("gone.example", "x"),
                       LinkState::kActive));
  REQUIRE(table.Upsert(LinkKey{"gone.example", "y"}, DomainUrl("gone.example", "y"),
                       LinkState::kActive));
  CHECK(table.domains() == 1);
  CHECK(ByHost(table, "gone.example", "y") == DomainUrl("gone.example", "y"));

  CHECK(table.Erase(LinkKey{"gone.example", "x"}));
  CHECK(table.domains() == 1);  // one link left: the host still names the domain
  CHECK(ByHost(table, "gone.example", "x") == std::nullopt);
  CHECK(table.Erase(LinkKey{"gone.example", "y"}));
  CHECK(table.domains() == 0);
  // The host names nothing now: it is the default domain, whose "y" it finds.
  CHECK(ByHost(table, "gone.example", "y") == DomainUrl("", "y"));
  CHECK(ByHost(table, "gone.example", "x") == std::nullopt);
  CHECK(table.size() == 1);

  REQUIRE(table.Upsert(LinkKey{"gone.example", "y"}, DomainUrl("gone.example", "y", 3),
                       LinkState::kActive));
  CHECK(table.domains() == 1);
  CHECK(ByHost(table, "gone.example", "y") == DomainUrl("gone.example", "y", 3));
  CHECK(Lookup(table, "y")->first == DomainUrl("", "y"));
  CHECK(table.Erase(LinkKey{"gone.example", "y"}));
  // Every entry and the slot array as before: nothing of the domain is left.
  CHECK(table.memory_bytes() == default_only);
}

TEST_CASE("a link off the default domain costs two bytes more, default links cost nothing more",
          "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  size_t empty = table.memory_bytes();
  table.Upsert("abc", "https://example.com/", LinkState::kActive);
  size_t one_default = table.memory_bytes() - empty;
  CHECK(one_default == 4 + 3 + 20);  // header, code, URL: as before domains
  table.Upsert(LinkKey{"a.example", "abc"}, "https://example.com/", LinkState::kActive);
  CHECK(table.memory_bytes() - empty == 2 * one_default + 2);
}

TEST_CASE("a bulk load places links of every domain, rules ride along", "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  table.BeginLoad(3000);
  for (int i = 0; i < 1000; ++i) {
    std::string code = "c" + std::to_string(i);
    for (std::string_view domain : {"", "a.example", "b.example"})
      REQUIRE(table.InsertNew(LinkKey{domain, code}, DomainUrl(domain, code), LinkState::kActive));
  }
  Link ruled;
  ruled.domain = "a.example";
  ruled.code = "ruled";
  ruled.long_url = "https://example.com/ruled";
  ruled.rules.max_clicks = 5;
  REQUIRE(table.InsertNew(KeyOf(ruled), ruled.long_url, ruled.state,
                          std::make_unique<EdgeRules>(ruled)));
  table.EndLoad();
  CHECK(table.size() == 3001);
  CHECK(table.domains() == 2);
  for (int i = 0; i < 1000; i += 37) {
    std::string code = "c" + std::to_string(i);
    CHECK(ByHost(table, "a.example", code) == DomainUrl("a.example", code));
    CHECK(ByHost(table, "b.example:8080", code) == DomainUrl("b.example", code));
    CHECK(Lookup(table, code)->first == DomainUrl("", code));
  }
  bool has_rules = false;
  table.Find("A.example", "ruled", [&](const LinkView& v) { has_rules = v.rules != nullptr; });
  CHECK(has_rules);
  CHECK_FALSE(Lookup(table, "ruled"));
}

TEST_CASE("a link is refused, not truncated, when no entry can hold its key", "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  CHECK_FALSE(
      table.Upsert(LinkKey{std::string(254, 'a'), "x"}, "https://e.com/", LinkState::kActive));
  CHECK_FALSE(table.Upsert(std::string(256, 'c'), "https://e.com/", LinkState::kActive));
  CHECK_FALSE(table.Upsert("", "https://e.com/", LinkState::kActive));
  CHECK(table.size() == 0);
  CHECK(table.domains() == 0);
}

TEST_CASE("readers by Host see whole entries of the right domain while domains come and go",
          "[concurrent][domain]") {
  LinkTable table;
  constexpr int kCodes = 500;
  const std::vector<std::string> domains = {"", "a.example", "b.example", "c.example"};
  {
    RcuThreadScope rcu;
    for (int i = 0; i < kCodes; ++i) {
      std::string code = "k" + std::to_string(i);
      table.Upsert(code, DomainUrl("", code), LinkState::kActive);
    }
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> lookups{0}, found{0}, inconsistent{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      RcuThreadScope rcu;
      const char* hosts[] = {"a.example", "B.EXAMPLE:8080", "c.example.", "other.example"};
      const char* owners[] = {"a.example", "b.example", "c.example", ""};
      uint64_t n = 0, hits = 0;
      char code[16];
      for (int i = r; !stop.load(std::memory_order_relaxed); i = (i + 7) % (kCodes * 2)) {
        int len = snprintf(code, sizeof code, "k%d", i);
        int h = (i + r) % 4;
        hits += table.Find(hosts[h], std::string_view(code, len), [&](const LinkView& v) {
          // Either the host's own domain, or (while that domain holds no
          // link) the default one: never another domain, never a torn entry.
          std::string own = DomainUrl(owners[h], std::string_view(code, len));
          std::string fallback = DomainUrl("", std::string_view(code, len));
          std::string_view url = v.long_url;
          bool ok =
              v.code == std::string_view(code, len) &&
              (url.substr(0, own.size() - 1) == std::string_view(own).substr(0, own.size() - 1) ||
               url.substr(0, fallback.size() - 1) ==
                   std::string_view(fallback).substr(0, fallback.size() - 1));
          if (!ok) inconsistent.fetch_add(1);
        });
        ++n;
      }
      lookups.fetch_add(n);
      found.fetch_add(hits);
    });
  }
  {
    RcuThreadScope rcu;
    for (int round = 1; round <= 20; ++round) {
      for (size_t d = 1; d < domains.size(); ++d) {
        // Each domain gains links and, every other round, loses all of them:
        // the host map is replaced under the readers again and again.
        for (int i = 0; i < kCodes; ++i) {
          std::string code = "k" + std::to_string(i);
          if ((round + d) % 2 == 0)
            table.Erase(LinkKey{domains[d], code});
          else
            table.Upsert(LinkKey{domains[d], code}, DomainUrl(domains[d], code, round % 10),
                         LinkState::kActive);
        }
      }
    }
  }
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(inconsistent.load() == 0);
  CHECK(lookups.load() > 0);
  CHECK(found.load() > 0);
}

}  // namespace shortlink::redirector
