#include "links/link_index.h"

#include <catch2/catch.hpp>

#include "link_test_support.h"

namespace shortlink::admin {
namespace {

using testing::Codes;

Link MakeLink(std::string code, uint64_t owner, int64_t created, uint64_t clicks = 0,
              std::string url = "https://example.com/") {
  Link l;
  l.code = std::move(code);
  l.long_url = std::move(url);
  l.owner = owner;
  l.created_at_ms = l.updated_at_ms = created;
  l.clicks = clicks;
  return l;
}

Link OnDomain(std::string domain, std::string code, uint64_t owner, int64_t created,
              std::string url = "https://example.com/") {
  Link l = MakeLink(std::move(code), owner, created, 0, std::move(url));
  l.domain = std::move(domain);
  return l;
}

// "code" on the default domain, "domain/code" on another.
std::vector<std::string> Names(const ListResult& r) {
  std::vector<std::string> out;
  for (const auto& l : r.urls) out.push_back(l.domain.empty() ? l.code : l.domain + "/" + l.code);
  return out;
}

}  // namespace

TEST_CASE("list orders by createdAt both ways and pages with a full count") {
  LinkIndex index;
  for (int i = 0; i < 10; ++i) index.Put(MakeLink("c" + std::to_string(i), 1, 1000 + i));
  index.Put(MakeLink("other", 2, 5000));
  ListQuery q;
  q.owner = 1;
  q.limit = 3;
  q.offset = 2;
  auto r = index.List(q);
  CHECK(r.count == 10);
  CHECK(Codes(r) == std::vector<std::string>{"c7", "c6", "c5"});
  q.ascending = true;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"c2", "c3", "c4"});
  q.offset = 50;
  r = index.List(q);
  CHECK(r.urls.empty());
  CHECK(r.count == 10);
}

TEST_CASE("list by clicks, search is case-insensitive over code and URL, filters combine") {
  LinkIndex index;
  index.Put(MakeLink("alpha", 1, 1, 5, "https://Example.com/One"));
  index.Put(MakeLink("beta", 1, 2, 50, "https://example.com/two"));
  index.Put(MakeLink("gamma", 1, 3, 7, "https://other.org/ONE"));
  Link inactive = MakeLink("delta", 1, 4, 100, "https://example.com/one-more");
  inactive.state = LinkState::kInactive;
  index.Put(inactive);

  ListQuery q;
  q.owner = 1;
  q.order_by = OrderBy::kClicks;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"delta", "beta", "gamma", "alpha"});
  q.ascending = true;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"alpha", "gamma", "beta", "delta"});
  q.search_text = "ONE";
  CHECK(index.List(q).count == 3);
  q.state = LinkState::kActive;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"alpha", "gamma"});
  q.search_text = "BET";
  q.state.reset();
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"beta"});
  q.is_file = true;
  CHECK(index.List(q).count == 0);
}

TEST_CASE("by clicks, ties go by createdAt then code, in the asked direction, across pages") {
  LinkIndex index;
  index.Put(MakeLink("b", 1, 10, 3));
  index.Put(MakeLink("a", 1, 10, 3));
  index.Put(MakeLink("c", 1, 5, 3));
  index.Put(MakeLink("top", 1, 1, 9));
  index.Put(MakeLink("z", 1, 20, 0));
  ListQuery q;
  q.owner = 1;
  q.order_by = OrderBy::kClicks;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"top", "b", "a", "c", "z"});
  q.ascending = true;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"z", "c", "a", "b", "top"});
  q.limit = 2;
  q.offset = 1;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"c", "a"});
}

TEST_CASE("clicks are added in place: the counts, the click limit and the order follow") {
  LinkIndex index;
  index.Put(MakeLink("low", 1, 1, 1));
  Link limited = MakeLink("limited", 1, 2, 4);
  limited.rules.max_clicks = 10;
  index.Put(limited);
  auto low = index.FindClickTarget("low");
  REQUIRE(low);
  CHECK(low->clicks == 1u);
  CHECK(low->max_clicks == 0u);
  CHECK(index.FindClickTarget("limited")->max_clicks == 10u);
  CHECK_FALSE(index.FindClickTarget("none"));

  index.AddClicks(low->entry, 9);
  CHECK(index.FindClickTarget("low")->clicks == 10u);
  CHECK(index.Get("low")->clicks == 10u);
  ListQuery q;
  q.owner = 1;
  q.order_by = OrderBy::kClicks;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"low", "limited"});
  q.order_by = OrderBy::kCreatedAt;  // the owner's list is untouched
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"limited", "low"});
}

TEST_CASE("a link read through its entry reference leaves nothing of the last one read") {
  LinkIndex index;
  Link rich = MakeLink("rich", 1, 1, 3);
  rich.title = "Title";
  rich.tags = {"a", "b"};
  rich.rules.max_clicks = 50;
  index.Put(rich);
  index.Put(MakeLink("plain", 1, 2, 5));
  Link out;
  index.Get(index.FindClickTarget("rich")->entry, &out);
  CHECK(out == *index.Get("rich"));
  index.Get(index.FindClickTarget("plain")->entry, &out);
  CHECK(out == *index.Get("plain"));
  CHECK(out.title.empty());
  CHECK(out.tags.empty());
  CHECK(out.rules == LinkRules{});
}

TEST_CASE("put replaces in place, remove forgets") {
  LinkIndex index;
  index.Put(MakeLink("x", 1, 10));
  Link changed = MakeLink("x", 1, 10, 0, "https://example.org/new");
  index.Put(changed);
  CHECK(index.size() == 1);
  CHECK(index.Get("x")->long_url == "https://example.org/new");
  changed.clicks = 7;
  index.Put(changed);
  CHECK(index.Get("x")->clicks == 7);
  Link moved = changed;
  moved.created_at_ms = 5;  // a new place in the owner's order
  index.Put(moved);
  CHECK(index.Get("x")->created_at_ms == 5);
  ListQuery q;
  q.owner = 1;
  CHECK(index.List(q).count == 1);
  index.Remove("x");
  CHECK_FALSE(index.Contains("x"));
  CHECK(index.List(q).count == 0);
}

TEST_CASE("bulk load sorts each owner's links once") {
  LinkIndex index;
  index.LoadUnsorted(MakeLink("late", 1, 300));
  index.LoadUnsorted(MakeLink("early", 1, 100));
  index.LoadUnsorted(MakeLink("mid", 1, 200));
  index.FinishLoad();
  ListQuery q;
  q.owner = 1;
  q.ascending = true;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"early", "mid", "late"});
}

TEST_CASE("one code on two domains is two links, a code alone is the default domain's",
          "[domain]") {
  LinkIndex index;
  index.Put(MakeLink("x", 1, 10, 0, "https://default.example/"));
  index.Put(OnDomain("a.example", "x", 1, 10, "https://a.example/"));
  index.Put(OnDomain("b.example", "x", 2, 11, "https://b.example/"));
  CHECK(index.size() == 3);
  CHECK(index.Get("x")->long_url == "https://default.example/");
  CHECK(index.Get("x")->domain.empty());
  CHECK(index.Get(LinkKey{"a.example", "x"})->long_url == "https://a.example/");
  CHECK(index.Get(LinkKey{"a.example", "x"})->domain == "a.example");
  CHECK_FALSE(index.Get(LinkKey{"c.example", "x"}));
  CHECK(index.Contains(LinkKey{"b.example", "x"}));
  CHECK_FALSE(index.Contains(LinkKey{"b.example", "y"}));
  CHECK(index.FindClickTarget(LinkKey{"a.example", "x"}).has_value());
  CHECK_FALSE(index.FindClickTarget(LinkKey{"c.example", "x"}).has_value());

  // Same owner, createdAt and code, two domains: each is replaced and
  // removed as itself, never the other.
  index.Put(OnDomain("a.example", "x", 1, 10, "https://a.example/v2"));
  CHECK(index.Get(LinkKey{"a.example", "x"})->long_url == "https://a.example/v2");
  CHECK(index.Get("x")->long_url == "https://default.example/");
  index.Remove(LinkKey{"a.example", "x"});
  CHECK_FALSE(index.Contains(LinkKey{"a.example", "x"}));
  CHECK(index.Contains("x"));
  ListQuery q;
  q.owner = 1;
  q.domain.reset();
  CHECK(Names(index.List(q)) == std::vector<std::string>{"x"});
  index.Remove("x");
  CHECK(index.List(q).count == 0);
  CHECK(index.size() == 1);
}

TEST_CASE("lists: the default domain unless asked, one domain, or every domain", "[domain]") {
  LinkIndex index;
  for (int i = 0; i < 4; ++i) index.Put(MakeLink("d" + std::to_string(i), 1, 100 + i));
  index.Put(OnDomain("a.example", "a0", 1, 150));
  index.Put(OnDomain("a.example", "d1", 1, 160));
  index.Put(OnDomain("b.example", "b0", 1, 170));
  index.Put(OnDomain("a.example", "other", 2, 180));  // another owner's

  ListQuery q;  // as the Go API asks: no domain, so the default one
  q.owner = 1;
  auto r = index.List(q);
  CHECK(r.count == 4);
  CHECK(Names(r) == std::vector<std::string>{"d3", "d2", "d1", "d0"});
  q.limit = 2;
  q.offset = 1;
  CHECK(Names(index.List(q)) == std::vector<std::string>{"d2", "d1"});
  CHECK(index.List(q).count == 4);

  q.domain = "a.example";
  q.offset = 0;
  q.limit = 10;
  CHECK(Names(index.List(q)) == std::vector<std::string>{"a.example/d1", "a.example/a0"});
  q.order_by = OrderBy::kClicks;
  q.search_text = "D1";
  CHECK(Names(index.List(q)) == std::vector<std::string>{"a.example/d1"});
  q.search_text.clear();
  q.order_by = OrderBy::kCreatedAt;

  q.domain.reset();  // every domain
  q.ascending = true;
  CHECK(Names(index.List(q)) == std::vector<std::string>{"d0", "d1", "d2", "d3", "a.example/a0",
                                                         "a.example/d1", "b.example/b0"});
  q.domain = "c.example";
  CHECK(index.List(q).count == 0);

  // Once the owner's last link off the default domain is gone, a default
  // list is every link again (and reads only its page).
  index.Remove(LinkKey{"a.example", "a0"});
  index.Remove(LinkKey{"a.example", "d1"});
  index.Remove(LinkKey{"b.example", "b0"});
  q.domain = "";
  CHECK(Names(index.List(q)) == std::vector<std::string>{"d0", "d1", "d2", "d3"});
}

TEST_CASE("a bulk load keeps domains apart", "[domain]") {
  LinkIndex index;
  index.LoadUnsorted(OnDomain("a.example", "x", 1, 300));
  index.LoadUnsorted(MakeLink("x", 1, 300));
  index.LoadUnsorted(MakeLink("early", 1, 100));
  index.FinishLoad();
  CHECK(index.size() == 3);
  ListQuery q;
  q.owner = 1;
  q.ascending = true;
  q.domain.reset();
  CHECK(Names(index.List(q)) == std::vector<std::string>{"early", "x", "a.example/x"});
  q.domain = "";
  CHECK(Names(index.List(q)) == std::vector<std::string>{"early", "x"});
  // A reference from FindClickTarget adds to that domain's link only.
  auto target = index.FindClickTarget(LinkKey{"a.example", "x"});
  REQUIRE(target);
  index.AddClicks(target->entry, 5);
  CHECK(index.Get(LinkKey{"a.example", "x"})->clicks == 5);
  CHECK(index.Get("x")->clicks == 0);
}

}  // namespace shortlink::admin
