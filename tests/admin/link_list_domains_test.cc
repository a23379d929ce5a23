// GET /api/v1/urls's domain filter (links/link_routes.h ParseListQuery, and
// LinkIndex::List's ListQuery::domains): absent, the default domain's links
// as before; one domain; "*", every domain; several separated by commas,
// "default" naming the default one (Shorten World's domainIds).
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "links/link_index.h"
#include "links/link_routes.h"

namespace shortlink::admin {
namespace {

Link On(std::string domain, std::string code, int64_t created) {
  Link l;
  l.code = std::move(code);
  l.domain = std::move(domain);
  l.long_url = "https://example.com/";
  l.owner = 1;
  l.created_at_ms = l.updated_at_ms = created;
  return l;
}

ListQuery Parsed(std::map<std::string, std::string> params) {
  auto q = ParseListQuery(params, 1);
  INFO((params.count("domain") ? params["domain"] : ""));
  REQUIRE(q.ok());
  return std::move(q).value();
}

std::vector<std::string> Names(const ListResult& r) {
  std::vector<std::string> out;
  for (const auto& l : r.urls) out.push_back(l.domain.empty() ? l.code : l.domain + "/" + l.code);
  return out;
}

TEST_CASE("the domain filter parses one domain every domain or several", "[domain]") {
  CHECK(Parsed({}).domain == std::string());  // the default domain, as before
  CHECK(Parsed({}).domains.empty());
  CHECK(Parsed({{"domain", "Go.Example.com."}}).domain == "go.example.com");
  ListQuery every = Parsed({{"domain", "*"}});
  CHECK((!every.domain && every.domains.empty()));
  ListQuery several = Parsed({{"domain", "b.example.com,default,a.example.com,b.example.com"}});
  CHECK(!several.domain);
  CHECK(several.domains == std::vector<std::string>{"", "a.example.com", "b.example.com"});
  // One left after repeats: that one, as a single domain.
  ListQuery one = Parsed({{"domain", "default,default"}});
  CHECK((one.domain == std::string() && one.domains.empty()));

  for (std::string bad : {"default", "", ",", "a.example.com,", "a.example.com,x", "**"}) {
    INFO(bad);
    CHECK_FALSE(ParseListQuery({{"domain", bad}}, 1).ok());
  }
  std::string many;
  for (int i = 0; i <= 100; ++i) many += (i ? ",d" : "d") + std::to_string(i) + ".example.com";
  CHECK(ParseListQuery({{"domain", many}}, 1).error().message ==
        "domain may name at most 100 domains separated by commas.");
}

TEST_CASE("a list of several domains holds each of their links in order and pages", "[domain]") {
  LinkIndex index;
  index.Put(On("", "d0", 100));
  index.Put(On("a.example", "a0", 110));
  index.Put(On("b.example", "b0", 120));
  index.Put(On("", "d1", 130));
  index.Put(On("c.example", "c0", 140));

  ListQuery q = Parsed({{"domain", "default,b.example"}});
  q.owner = 1;
  ListResult r = index.List(q);
  CHECK(r.count == 3);
  CHECK(Names(r) == std::vector<std::string>{"d1", "b.example/b0", "d0"});
  q.limit = 1;
  q.offset = 1;
  CHECK(Names(index.List(q)) == std::vector<std::string>{"b.example/b0"});
  CHECK(index.List(q).count == 3);

  ListQuery all = Parsed({{"domain", "*"}, {"sortDirection", "asc"}});
  all.owner = 1;
  CHECK(Names(index.List(all)) ==
        std::vector<std::string>{"d0", "a.example/a0", "b.example/b0", "d1", "c.example/c0"});
  ListQuery none = Parsed({{"domain", "x.example,y.example"}});
  none.owner = 1;
  CHECK(index.List(none).count == 0);
}

}  // namespace
}  // namespace shortlink::admin
