// Custom domains at the edge (issue 19): the LinkTable's host map with each
// domain's settings (SetDomain, RemoveDomain, Resolve), and the Responder's
// answers by Host: a domain's root redirect and not-found URL, an unknown
// host's 404 or the default domain's answers (--unknown-host default), and
// the default domain by IP address, localhost and no Host at all.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "edge/request_head.h"
#include "edge/responder.h"
#include "responder_options.h"
#include "table/link_table.h"

namespace shortlink::redirector {
namespace {

struct Resolved {
  HostKind kind = HostKind::kDefault;
  std::string domain, root, not_found, url;  // url: the link's, "" when none
};

Resolved Resolve(const LinkTable& table, std::string_view host, std::string_view code = "go") {
  Resolved r;
  table.Resolve(host, code, [&](const DomainView& d, const LinkView* link) {
    r.kind = d.kind;
    r.domain = d.domain;
    r.root = d.root_redirect;
    r.not_found = d.not_found_url;
    if (link) r.url = link->long_url;
  });
  return r;
}

TEST_CASE("domain table: a configured domain is known by every spelling of its Host", "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  REQUIRE(table.Upsert("go", "https://example.com/default", LinkState::kActive));
  REQUIRE(table.SetDomain("b.example", "https://b.example.org/home", "https://b.example.org/404"));
  CHECK(table.domains() == 1);
  for (std::string_view host : {"b.example", "B.EXAMPLE", "b.example.", "B.Example.:8443"}) {
    INFO(host);
    Resolved r = Resolve(table, host);
    CHECK(r.kind == HostKind::kCustom);
    CHECK(r.domain == "b.example");
    CHECK(r.root == "https://b.example.org/home");
    CHECK(r.not_found == "https://b.example.org/404");
    CHECK(r.url.empty());  // "go" lives on the default domain only
  }
  REQUIRE(table.Upsert(LinkKey{"b.example", "go"}, "https://b.example.org/go", LinkState::kActive));
  CHECK(Resolve(table, "b.example:80").url == "https://b.example.org/go");
  for (std::string_view host : {"", "127.0.0.1", "127.0.0.1:8080", "[::1]:8080", "localhost",
                                "LOCALHOST:9000", "10.1.2.3:443"}) {
    INFO(host);
    Resolved r = Resolve(table, host);
    CHECK(r.kind == HostKind::kDefault);
    CHECK(r.url == "https://example.com/default");
  }
  Resolved unknown = Resolve(table, "other.example");
  CHECK(unknown.kind == HostKind::kUnknown);
  CHECK(unknown.url.empty());  // no lookup for an unknown host
  table.SetDefaultHosts({"go.example"});
  CHECK(Resolve(table, "Go.Example:443").kind == HostKind::kDefault);
  // Find by Host keeps its meaning: any host it does not know is the default domain.
  std::string url;
  CHECK(table.Find("other.example", "go", [&](const LinkView& v) { url = v.long_url; }));
  CHECK(url == "https://example.com/default");
}

TEST_CASE("domain table: while no custom domain is known, every host is the default domain",
          "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  REQUIRE(table.Upsert("go", "https://example.com/default", LinkState::kActive));
  CHECK(Resolve(table, "anything.example").kind == HostKind::kDefault);
  CHECK(Resolve(table, "x").url == "https://example.com/default");
  REQUIRE(table.SetDomain("b.example", "", ""));
  CHECK(Resolve(table, "anything.example").kind == HostKind::kUnknown);
  REQUIRE(table.RemoveDomain("b.example"));
  CHECK(table.domains() == 0);
  CHECK(Resolve(table, "anything.example").kind == HostKind::kDefault);
  CHECK(Resolve(table, "b.example").kind == HostKind::kDefault);
}

TEST_CASE("domain table: settings change and go, and links keep a removed domain served",
          "[domain]") {
  RcuThreadScope rcu;
  LinkTable table;
  REQUIRE(table.SetDomain("c.example", "https://c.example.org/", ""));
  REQUIRE(table.SetDomain("c.example", "", "https://c.example.org/missing"));
  Resolved r = Resolve(table, "c.example");
  CHECK(r.root.empty());
  CHECK(r.not_found == "https://c.example.org/missing");
  REQUIRE(table.Upsert(LinkKey{"c.example", "x"}, "https://c.example.org/x", LinkState::kActive));
  CHECK(table.RemoveDomain("c.example"));
  CHECK_FALSE(table.RemoveDomain("c.example"));  // no settings left to remove
  r = Resolve(table, "c.example", "x");
  CHECK(r.kind == HostKind::kCustom);  // known by its link
  CHECK(r.not_found.empty());
  CHECK(r.url == "https://c.example.org/x");
  REQUIRE(table.Erase(LinkKey{"c.example", "x"}));
  CHECK(table.domains() == 0);
  // Configured again after its last link went: a fresh entry.
  REQUIRE(table.SetDomain("c.example", "https://c.example.org/again", ""));
  CHECK(Resolve(table, "c.example").root == "https://c.example.org/again");
}

TEST_CASE("domain table: adding many domains costs O(1) each, not a rebuild per domain",
          "[domain]") {
  RcuThreadScope rcu;
  auto time_adding = [](int domains) {
    LinkTable table;
    auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < domains; ++i) {
      REQUIRE(table.SetDomain("d" + std::to_string(i) + ".example.com", "", ""));
    }
    auto elapsed = std::chrono::steady_clock::now() - started;
    REQUIRE(table.domains() == static_cast<size_t>(domains));
    for (int i = 0; i < domains; i += 997) {
      CHECK(Resolve(table, "D" + std::to_string(i) + ".example.com").kind == HostKind::kCustom);
    }
    return std::chrono::duration<double>(elapsed).count();
  };
  // A rebuild of the host map per domain copies every host each time: 32,000
  // domains made ~512M host copies (a minute). In place it is ~50 ms; a
  // second leaves room for a loaded machine.
  double small = time_adding(4000);
  double large = time_adding(32000);
  INFO("4000 domains: " << small << " s, 32000: " << large << " s");
  CHECK(large < 1.0);
}

// Readers resolve hosts while the writer adds, changes and removes their
// domains (the host map changed in place, grown, and emptied back to the
// fast path): a reader sees a whole entry of the host it asked for, or none.
TEST_CASE("domain table: readers see whole domain entries while the writer changes them",
          "[domain][concurrent]") {
  LinkTable table;
  constexpr int kHosts = 64;
  auto host = [](int i) { return "h" + std::to_string(i) + ".example.com"; };
  std::atomic<bool> done{false};
  std::atomic<uint64_t> seen{0}, torn{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      RcuThreadScope rcu;
      char name[64];
      for (uint64_t n = r; !done.load(std::memory_order_relaxed); ++n) {
        int len = snprintf(name, sizeof name, "H%d.Example.com:8080", static_cast<int>(n % kHosts));
        std::string_view asked(name, static_cast<size_t>(len));
        table.Resolve(asked, "go", [&](const DomainView& d, const LinkView* link) {
          if (d.kind != HostKind::kCustom) return;
          seen.fetch_add(1, std::memory_order_relaxed);
          std::string expected = "https://" + std::string(d.domain) + "/v";
          bool whole = asked.substr(0, asked.find(':')).size() == d.domain.size() &&
                       (d.root_redirect.empty() || d.root_redirect.starts_with(expected)) &&
                       (!link || link->long_url == "https://" + std::string(d.domain) + "/go");
          if (!whole) torn.fetch_add(1, std::memory_order_relaxed);
        });
      }
    });
  }
  {
    RcuThreadScope rcu;
    for (int round = 0; round < 200; ++round) {
      for (int i = 0; i < kHosts; ++i) {
        std::string root = "https://" + host(i) + "/v" + std::to_string(round);
        REQUIRE(table.SetDomain(host(i), root, ""));
        if (i % 3 == 0)
          REQUIRE(table.Upsert(LinkKey{host(i), "go"}, "https://" + host(i) + "/go",
                               LinkState::kActive));
      }
      for (int i = 0; i < kHosts; ++i) {
        if (i % 3 == 0) REQUIRE(table.Erase(LinkKey{host(i), "go"}));
        if (i % 2 == 0 || round % 10 == 0) REQUIRE(table.RemoveDomain(host(i)));
      }
    }
    done = true;
  }
  for (auto& t : readers) t.join();
  CHECK(torn.load() == 0);
  CHECK(seen.load() > 0);
}

// The responder over a table holding "go" on the default domain and on
// b.example (with both settings), and c.example configured without any.
struct Edge {
  Edge(bool unknown_host_default = false) {
    REQUIRE(table.Upsert("go", "https://example.com/default", LinkState::kActive));
    REQUIRE(
        table.Upsert(LinkKey{"b.example", "go"}, "https://b.example.org/go", LinkState::kActive));
    REQUIRE(table.Upsert(LinkKey{"b.example", "off"}, "https://b.example.org/off",
                         LinkState::kInactive));
    REQUIRE(
        table.SetDomain("b.example", "https://b.example.org/home", "https://b.example.org/404"));
    REQUIRE(table.SetDomain("c.example", "", ""));
    ResponderOptions options =
        testing::WithNotFoundPage(302, "https://home.example.com/", "<p>our 404</p>");
    options.unknown_host_default = unknown_host_default;
    responder.emplace(std::move(options));
  }
  struct Reply {
    int status;
    std::string location;
    Outcome outcome;
  };
  Reply Get(std::string_view target, std::string_view host) {
    // No Host at all: HTTP/1.0 (HTTP/1.1 requires one).
    std::string raw =
        "GET " + std::string(target) + (host.empty() ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
    if (!host.empty()) raw += "Host: " + std::string(host) + "\r\n";
    raw += "\r\n";
    RequestHead head;
    REQUIRE(ParseRequestHead(raw, &head) == ParseStatus::kOk);
    ResponseInfo info;
    size_t n = responder->Respond(head, table, "Sun, 22 Nov 2026 00:00:00 GMT", out, key, &info);
    std::string text(out, n);
    Reply r{info.status, "", info.outcome};
    if (size_t at = text.find("Location: "); at != std::string::npos)
      r.location = text.substr(at + 10, text.find("\r\n", at) - at - 10);
    if (info.status == 404) CHECK(text.find("<p>our 404</p>") != std::string::npos);
    return r;
  }

  RcuThreadScope rcu;
  LinkTable table;
  std::optional<Responder> responder;
  char out[kMaxResponseBytes];
  LinkKeyBuffer key;
};

TEST_CASE("domain edge: a custom domain's links, root redirect and not-found URL", "[domain]") {
  Edge edge;
  Edge::Reply r = edge.Get("/go", "B.example.:8080");
  CHECK(r.status == 302);
  CHECK(r.location == "https://b.example.org/go");
  r = edge.Get("/", "b.example");
  CHECK(r.status == 302);
  CHECK(r.location == "https://b.example.org/home");
  CHECK(r.outcome == Outcome::kHome);
  for (std::string_view target : {"/missing", "/off", "/favicon.ico"}) {
    INFO(target);
    r = edge.Get(target, "b.example");
    CHECK(r.status == 302);
    CHECK(r.location == "https://b.example.org/404");
    CHECK(r.outcome == Outcome::kMiss);
  }
  // c.example has neither: our 404 page, not the default domain's home.
  CHECK(edge.Get("/", "c.example").status == 404);
  CHECK(edge.Get("/go", "c.example").status == 404);
}

TEST_CASE("domain edge: the default domain by IP address, localhost or no Host", "[domain]") {
  Edge edge;
  for (std::string_view host : {"127.0.0.1:8080", "localhost:9000", "[::1]:80", ""}) {
    INFO(host);
    Edge::Reply r = edge.Get("/go", host);
    CHECK(r.status == 302);
    CHECK(r.location == "https://example.com/default");
    r = edge.Get("/", host);
    CHECK(r.location == "https://home.example.com/");
    CHECK(edge.Get("/missing", host).status == 404);
  }
}

TEST_CASE("domain edge: an unknown host is a 404, or the default domain with the flag",
          "[domain]") {
  {
    Edge edge;
    CHECK(edge.Get("/go", "unknown.example").status == 404);
    CHECK(edge.Get("/", "unknown.example").status == 404);
  }
  Edge lenient(/*unknown_host_default=*/true);
  Edge::Reply r = lenient.Get("/go", "unknown.example");
  CHECK(r.status == 302);
  CHECK(r.location == "https://example.com/default");
  CHECK(lenient.Get("/", "unknown.example").location == "https://home.example.com/");
  CHECK(lenient.Get("/missing", "unknown.example").status == 404);
  // The flag changes nothing for a known domain.
  CHECK(lenient.Get("/missing", "b.example").location == "https://b.example.org/404");
}

}  // namespace
}  // namespace shortlink::redirector
