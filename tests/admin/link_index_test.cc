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

}  // namespace shortlink::admin
