// Custom domains through admin-api (issue 19): the /api/v1/domains routes
// and links on a domain through /api/v1/urls, each request through a real
// Router, LinkService and RocksDB; principals of two teams come from a fixed
// key table. Another team's domain answers exactly as a missing one.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>

#include "auth/authenticator.h"
#include "auth/principal.h"
#include "common/change.h"
#include "domains/domain_routes.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "link_test_support.h"
#include "links/link_commands.h"
#include "links/link_routes.h"
#include "links/password_hasher.h"
#include "router_client.h"

namespace shortlink::admin {
namespace {

using http::verb;

// Keys and whom they name: teams 1 and 2, and three roles in team 1.
const testing::KeyTable& Keys() {
  static const testing::KeyTable keys = testing::TwoTeamsKeys();
  return keys;
}

using Answer = testing::JsonAnswer;

struct Api : testing::ServiceFixture {
  Api() {
    links = LinkApiWith(&hasher);
    RegisterLinkRoutes(router, links);
    RegisterDomainRoutes(router, links);
  }

  Answer Send(verb method, std::string target, std::string_view key, std::string body = "") {
    return testing::SendJson(router, method, std::move(target), key, std::move(body));
  }

  Answer CreateDomain(std::string_view key, std::string body) {
    return Send(verb::post, "/api/v1/domains", key, std::move(body));
  }
  size_t Total(std::string_view key) {
    Answer a = Send(verb::get, "/api/v1/domains", key);
    REQUIRE(a.status == 200);
    return a.json.at("total").to_number<size_t>();
  }

  MetricsRegistry router_metrics;
  PasswordHasher hasher{1};
  LinkApi links;
  auth::Authenticator authenticator{testing::KeyCheckOf(Keys()),
                                    [](std::string_view) { return false; }};
  RateLimiter limiter{1e9, std::chrono::seconds(10), [] { return int64_t{1'000'000}; }};
  Router router{&router_metrics, &authenticator, &limiter};
};

TEST_CASE("domains: a create stores the host normalized, lists show the team's own, paged",
          "[domains]") {
  Api api;
  Answer a = api.CreateDomain("alice", R"({"host": "Links.Example.ORG."})");
  REQUIRE(a.status == 201);
  CHECK(a.json.at("host") == "links.example.org");
  CHECK(a.json.at("teamId") == "team-1");  // the team's id, as serve.cc maps it to its UUID
  CHECK_FALSE(a.json.as_object().contains("rootRedirect"));
  a = api.CreateDomain("alice", R"({"host": "b.example.net:8443",
      "rootRedirect": "https://www.example.net/", "notFoundUrl": "https://www.example.net/404"})");
  REQUIRE(a.status == 201);
  CHECK(a.json.at("host") == "b.example.net");
  CHECK(a.json.at("rootRedirect") == "https://www.example.net/");
  CHECK(a.json.at("notFoundUrl") == "https://www.example.net/404");
  REQUIRE(api.CreateDomain("bob", R"({"host": "bob.example.com"})").status == 201);

  Answer list = api.Send(verb::get, "/api/v1/domains", "alice");
  REQUIRE(list.status == 200);
  CHECK(list.json.at("total") == 2);
  REQUIRE(list.json.at("items").as_array().size() == 2);
  CHECK(list.json.at("items").at(0).at("host") == "b.example.net");  // host order
  CHECK(list.json.at("size") == 20);

  Answer page = api.Send(verb::get, "/api/v1/domains?page=1&size=1", "alice");
  REQUIRE(page.status == 200);
  CHECK(page.json.at("total") == 2);
  REQUIRE(page.json.at("items").as_array().size() == 1);
  CHECK(page.json.at("items").at(0).at("host") == "links.example.org");
  CHECK(api.Send(verb::get, "/api/v1/domains?size=0", "alice").status == 400);
  CHECK(api.Send(verb::get, "/api/v1/domains?page=-1", "alice").status == 400);

  CHECK(api.Total("bob") == 1);
  Answer one = api.Send(verb::get, "/api/v1/domains/LINKS.example.org", "alice");
  REQUIRE(one.status == 200);
  CHECK(one.json.at("host") == "links.example.org");
}

TEST_CASE("domains: bad hosts and URLs are 400 and change nothing", "[domains]") {
  Api api;
  for (const char* body : {
           R"({})",
           R"({"host": ""})",
           R"({"host": "localhost"})",
           R"({"host": "10.0.0.1"})",
           R"({"host": "[::1]"})",
           R"({"host": "a..example.com"})",
           R"({"host": "-a.example.com"})",
           R"({"host": "go.example"})",      // the default domain's host
           R"({"host": "GO.EXAMPLE:443"})",  // the same, as typed
           R"({"host": "x.example.com", "rootRedirect": "http://x.example.com/"})",
           R"({"host": "x.example.com", "notFoundUrl": "not a url"})",
           R"({"host": "x.example.com", "notFoundUrl": "https://bit.ly/x"})",  // a shortener
           R"({"host": "x.example.com", "rootUrl": "https://x.example.com/"})",
           R"({"host": 7})",
       }) {
    INFO(body);
    Answer a = api.CreateDomain("alice", body);
    CHECK(a.status == 400);
    CHECK_FALSE(a.message().empty());
  }
  CHECK(api.Total("alice") == 0);
  CHECK(testing::AllChanges(api.db.get()).empty());
}

TEST_CASE("domains: a host is unique across teams", "[domains]") {
  Api api;
  REQUIRE(api.CreateDomain("alice", R"({"host": "shared.example.com"})").status == 201);
  Answer again = api.CreateDomain("bob", R"({"host": "Shared.Example.com"})");
  CHECK(again.status == 409);
  CHECK(again.message().find("shared.example.com") != std::string::npos);
  CHECK(api.CreateDomain("alice", R"({"host": "shared.example.com"})").status == 409);
  CHECK(api.Total("bob") == 0);
}

TEST_CASE("domains: another team's domain answers 404 exactly like a missing one", "[domains]") {
  Api api;
  REQUIRE(api.CreateDomain("alice", R"({"host": "alice.example.com"})").status == 201);
  for (verb method : {verb::get, verb::patch, verb::delete_}) {
    std::string body = method == verb::patch ? R"({"rootRedirect": "https://e.example.com/"})" : "";
    Answer theirs = api.Send(method, "/api/v1/domains/alice.example.com", "bob", body);
    Answer missing = api.Send(method, "/api/v1/domains/nobody.example.com", "bob", body);
    CHECK(theirs.status == 404);
    CHECK(missing.status == 404);
    CHECK(theirs.message() == "Domain \"alice.example.com\" does not exist.");
    CHECK(missing.message() == "Domain \"nobody.example.com\" does not exist.");
  }
  Answer mine = api.Send(verb::get, "/api/v1/domains/alice.example.com", "alice");
  CHECK(mine.status == 200);
  CHECK_FALSE(mine.json.as_object().contains("rootRedirect"));  // bob's PATCH changed nothing
  CHECK(api.Send(verb::get, "/api/v1/domains/not a host", "alice").status == 404);
}

TEST_CASE("domains: PATCH sets and clears the root redirect and the not-found URL", "[domains]") {
  Api api;
  REQUIRE(api.CreateDomain("alice", R"({"host": "p.example.com"})").status == 201);
  Answer a = api.Send(verb::patch, "/api/v1/domains/p.example.com", "alice",
                      R"({"rootRedirect": "https://home.example.com/",
                          "notFoundUrl": "https://home.example.com/missing"})");
  REQUIRE(a.status == 200);
  CHECK(a.json.at("rootRedirect") == "https://home.example.com/");
  CHECK(a.json.at("notFoundUrl") == "https://home.example.com/missing");
  a = api.Send(verb::patch, "/api/v1/domains/p.example.com", "alice", R"({"notFoundUrl": null})");
  REQUIRE(a.status == 200);
  CHECK(a.json.at("rootRedirect") == "https://home.example.com/");
  CHECK_FALSE(a.json.as_object().contains("notFoundUrl"));
  a = api.Send(verb::patch, "/api/v1/domains/p.example.com", "alice", R"({"rootRedirect": ""})");
  REQUIRE(a.status == 200);
  CHECK_FALSE(a.json.as_object().contains("rootRedirect"));
  CHECK(api.Send(verb::patch, "/api/v1/domains/p.example.com", "alice", "{}").status == 400);
  CHECK(api.Send(verb::patch, "/api/v1/domains/p.example.com", "alice",
                 R"({"host": "q.example.com"})")
            .status == 400);
  CHECK(api.Send(verb::patch, "/api/v1/domains/p.example.com", "alice",
                 R"({"rootRedirect": "ftp://x.example.com/"})")
            .status == 400);
}

TEST_CASE("domains: a viewer and a member list them, only an admin manages them", "[domains]") {
  Api api;
  Answer refused = api.CreateDomain("carol", R"({"host": "m.example.com"})");
  CHECK(refused.status == 403);
  CHECK(refused.message().find("admin") != std::string::npos);
  CHECK(api.CreateDomain("victor", R"({"host": "m.example.com"})").status == 403);
  REQUIRE(api.CreateDomain("alice", R"({"host": "m.example.com"})").status == 201);
  CHECK(api.Total("carol") == 1);
  CHECK(api.Total("victor") == 1);
  CHECK(api.Send(verb::get, "/api/v1/domains/m.example.com", "victor").status == 200);
  CHECK(api.Send(verb::delete_, "/api/v1/domains/m.example.com", "carol").status == 403);
  CHECK(api.Send(verb::patch, "/api/v1/domains/m.example.com", "carol",
                 R"({"rootRedirect": "https://e.example.com/"})")
            .status == 403);
  CHECK(api.Total("alice") == 1);
}

TEST_CASE("domains: a domain holding links cannot be deleted (409), an empty one can",
          "[domains]") {
  Api api;
  REQUIRE(api.CreateDomain("alice", R"({"host": "d.example.com"})").status == 201);
  REQUIRE(api.Send(verb::post, "/api/v1/urls", "carol",
                   R"({"longUrl": "https://example.com/a", "shortUrl": "promo",
                       "domain": "d.example.com"})")
              .status == 200);
  Answer busy = api.Send(verb::delete_, "/api/v1/domains/d.example.com", "alice");
  CHECK(busy.status == 409);
  CHECK(busy.message().find("still has links") != std::string::npos);
  CHECK(api.Total("alice") == 1);
  REQUIRE(api.Send(verb::delete_, "/api/v1/urls/promo?domain=d.example.com", "carol").status ==
          200);
  Answer gone = api.Send(verb::delete_, "/api/v1/domains/d.example.com", "alice");
  CHECK(gone.status == 200);
  CHECK(gone.json.at("host") == "d.example.com");
  CHECK(api.Send(verb::get, "/api/v1/domains/d.example.com", "alice").status == 404);
  CHECK(api.Total("alice") == 0);
}

TEST_CASE(
    "urls: the same code on two domains, each its own link, and domain in JSON off the default",
    "[domains]") {
  Api api;
  REQUIRE(api.CreateDomain("alice", R"({"host": "two.example.com"})").status == 201);
  REQUIRE(api.CreateDomain("bob", R"({"host": "bob.example.com"})").status == 201);
  Answer plain = api.Send(verb::post, "/api/v1/urls", "carol",
                          R"({"longUrl": "https://example.com/default", "shortUrl": "same"})");
  REQUIRE(plain.status == 200);
  CHECK_FALSE(plain.json.as_object().contains("domain"));
  Answer custom = api.Send(verb::post, "/api/v1/urls", "carol",
                           R"({"longUrl": "https://example.com/custom", "shortUrl": "same",
                               "domain": "TWO.example.com."})");
  REQUIRE(custom.status == 200);
  CHECK(custom.json.at("domain") == "two.example.com");
  // The same code again on the same domain is taken (400, as the Go API
  // answers a taken shortUrl); on a domain not the team's, refused.
  Answer taken = api.Send(verb::post, "/api/v1/urls", "carol",
                          R"({"longUrl": "https://example.com/x", "shortUrl": "same",
                              "domain": "two.example.com"})");
  CHECK(taken.status == 400);
  CHECK(taken.json.at("type") == "ShortUrlError");
  Answer foreign = api.Send(verb::post, "/api/v1/urls", "carol",
                            R"({"longUrl": "https://example.com/x", "shortUrl": "other",
                                "domain": "bob.example.com"})");
  CHECK(foreign.status == 400);
  CHECK(foreign.message().find("bob.example.com") != std::string::npos);
  CHECK(api.Send(verb::post, "/api/v1/urls", "carol",
                 R"({"longUrl": "https://example.com/x", "domain": "none.example.com"})")
            .status == 400);
  CHECK(api.Send(verb::post, "/api/v1/urls", "carol",
                 R"({"longUrl": "https://example.com/x", "domain": "localhost"})")
            .status == 400);

  // Lists: the default domain's links unless ?domain= names another.
  Answer listed = api.Send(verb::get, "/api/v1/urls", "carol");
  REQUIRE(listed.status == 200);
  CHECK(listed.json.at("count") == 1);
  CHECK_FALSE(listed.json.at("urls").at(0).as_object().contains("domain"));
  listed = api.Send(verb::get, "/api/v1/urls?domain=Two.Example.com", "carol");
  REQUIRE(listed.status == 200);
  CHECK(listed.json.at("count") == 1);
  CHECK(listed.json.at("urls").at(0).at("longUrl") == "https://example.com/custom");
  CHECK(api.Send(verb::get, "/api/v1/urls?domain=bob.example.com", "carol").json.at("count") == 0);
  CHECK(api.Send(verb::get, "/api/v1/urls?domain=a..b", "carol").status == 400);

  Answer got = api.Send(verb::get, "/api/v1/urls/same", "carol");
  REQUIRE(got.status == 200);
  CHECK(got.json.at("longUrl") == "https://example.com/default");
  got = api.Send(verb::get, "/api/v1/urls/same?domain=two.example.com", "carol");
  REQUIRE(got.status == 200);
  CHECK(got.json.at("longUrl") == "https://example.com/custom");
  CHECK(api.Send(verb::get, "/api/v1/urls/same?domain=bob.example.com", "carol").status == 404);
  CHECK(api.Send(verb::get, "/api/v1/urls/same?domain=..", "carol").status == 404);
  // Bob's team sees neither.
  CHECK(api.Send(verb::get, "/api/v1/urls/same?domain=two.example.com", "bob").status == 404);

  Answer patched = api.Send(verb::patch, "/api/v1/urls/same?domain=two.example.com", "carol",
                            R"({"longUrl": "https://example.com/custom2"})");
  REQUIRE(patched.status == 200);
  CHECK(patched.json.at("domain") == "two.example.com");
  CHECK(api.Send(verb::get, "/api/v1/urls/same", "carol").json.at("longUrl") ==
        "https://example.com/default");
  REQUIRE(api.Send(verb::delete_, "/api/v1/urls/same?domain=two.example.com", "carol").status ==
          200);
  CHECK(api.Send(verb::get, "/api/v1/urls/same", "carol").status == 200);
  CHECK(api.Send(verb::get, "/api/v1/urls/same?domain=two.example.com", "carol").status == 404);
}

TEST_CASE("domains: changes go to the change log as domain ops, and survive a restart",
          "[domains]") {
  testing::TempDir dir;
  {
    testing::ServiceOn s(dir.path());
    DomainRecord d;
    d.host = "log.example.com";
    d.team = 7;
    d.root_redirect = "https://log.example.com/home";
    MutationResult put = s.One(PutDomain{d, /*create=*/true});
    REQUIRE(put.status.ok());
    CHECK(put.domain.created_at_ms > 0);
    d.not_found_url = "https://log.example.com/404";
    REQUIRE(s.One(PutDomain{d, /*create=*/false}).status.ok());
    DomainRecord other{"gone.example.com", 7};
    REQUIRE(s.One(PutDomain{other, /*create=*/true}).status.ok());
    REQUIRE(s.One(RemoveDomain{"gone.example.com", 7}).status.ok());
    CHECK(s.One(RemoveDomain{"log.example.com", 8}).status.error().code == ErrorCode::kNotFound);

    std::vector<Change> changes = testing::AllChanges(s.db.get());
    REQUIRE(changes.size() == 4);
    CHECK(changes[0].op == ChangeOp::kDomainUpsert);
    CHECK(changes[0].domain.host == "log.example.com");
    CHECK(changes[0].domain.not_found_url.empty());
    CHECK(changes[1].op == ChangeOp::kDomainUpsert);
    CHECK(changes[1].domain.not_found_url == "https://log.example.com/404");
    CHECK(changes[2].op == ChangeOp::kDomainUpsert);
    CHECK(changes[3].op == ChangeOp::kDomainDelete);
    CHECK(changes[3].domain.host == "gone.example.com");
    for (size_t i = 0; i < changes.size(); ++i) CHECK(changes[i].seq == i + 1);
  }
  testing::ServiceOn restarted(dir.path());
  std::optional<DomainRecord> kept = restarted.service->domains().Get("log.example.com");
  REQUIRE(kept);
  CHECK(kept->team == 7);
  CHECK(kept->root_redirect == "https://log.example.com/home");
  CHECK(kept->not_found_url == "https://log.example.com/404");
  CHECK_FALSE(restarted.service->domains().Get("gone.example.com"));
  CHECK(restarted.service->last_seq() == 4);
}

TEST_CASE("domains: a snapshot that asks for them starts with every domain, from one view",
          "[domains]") {
  testing::ServiceFixture s;
  REQUIRE(s.One(PutDomain{DomainRecord{"a.example.com", 1}, true}).status.ok());
  REQUIRE(s.One(PutDomain{DomainRecord{"b.example.com", 2}, true}).status.ok());
  REQUIRE(s.One(CreateLink{1, "https://example.com/", "code"}).status.ok());

  SnapshotReader with(s.db.get(), /*domains=*/true);
  CHECK(with.domain_count() == 2);
  std::string stream;
  while (with.Next(1 << 20, &stream).value()) {
  }
  FrameReader frames;
  frames.Feed(stream);
  std::vector<std::string> got;
  std::string_view frame;
  bool corrupt = false;
  while (frames.Next(&frame, &corrupt)) got.emplace_back(frame);
  REQUIRE(got.size() == 3);
  CHECK(DecodeDomain(got[0]).value().host == "a.example.com");
  CHECK(DecodeDomain(got[1]).value().host == "b.example.com");
  CHECK(DecodeLink(got[2]).value().code == "code");

  // A node of a release before domains asks for links only, and gets them.
  SnapshotReader links_only(s.db.get());
  CHECK(links_only.domain_count() == 0);
  std::string plain;
  while (links_only.Next(1 << 20, &plain).value()) {
  }
  FrameReader plain_frames;
  plain_frames.Feed(plain);
  REQUIRE(plain_frames.Next(&frame, &corrupt));
  CHECK(DecodeLink(frame).value().code == "code");
  CHECK_FALSE(plain_frames.Next(&frame, &corrupt));
}

}  // namespace
}  // namespace shortlink::admin
