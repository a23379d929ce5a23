// Click totals through the click log and its folds (links/click_totals.h):
// every total exact across restarts, whether the log was folded or not, and
// never a click counted twice when a clicked link is rewritten or deleted.
#include <catch2/catch.hpp>

#include "link_test_support.h"
#include "store/db_keys.h"

namespace shortlink::admin {
namespace {

size_t Records(Database* db, Table table) {
  size_t n = 0;
  REQUIRE(db->Scan(table, "", [&](std::string_view, std::string_view) {
              ++n;
              return true;
            }).ok());
  return n;
}

uint64_t ClicksOf(testing::ServiceOn& s, const std::string& code) {
  auto link = s.index.Get(code);
  REQUIRE(link);
  return link->clicks;
}

void Create(testing::ServiceOn& s, std::initializer_list<const char*> codes) {
  std::vector<Mutation> creates;
  for (const char* code : codes)
    creates.emplace_back(CreateLink{1, std::string("https://example.com/") + code, code});
  for (auto& r : s.service->SubmitAndWait(std::move(creates))) REQUIRE(r.status.ok());
}

void Click(testing::ServiceOn& s, uint64_t number, std::vector<ClickEntry> clicks) {
  REQUIRE(s.One(ApplyClicks{ClickBatch{"node-1", number, std::move(clicks)}}).status.ok());
}

}  // namespace

TEST_CASE("click totals are exact across restarts, from the log and after its fold", "[clicks]") {
  testing::TempDir dir;
  {
    testing::ServiceOn s(dir.path());
    Create(s, {"a", "b"});
    Click(s, 1, {{"a", 3}, {"b", 2}});
    Click(s, 2, {{"a", 1}});
    CHECK(ClicksOf(s, "a") == 4);
    CHECK(ClicksOf(s, "b") == 2);
    // One log record per commit that counted clicks; no total written yet.
    CHECK(Records(s.db.get(), Table::kClickLog) == 2);
    CHECK(Records(s.db.get(), Table::kClicks) == 0);
  }
  {
    testing::ServiceOn s(dir.path());  // the log replayed on the stored totals
    CHECK(ClicksOf(s, "a") == 4);
    CHECK(ClicksOf(s, "b") == 2);
    // The first commit after a replay folds: totals written, log gone.
    Click(s, 3, {{"b", 1}});
    CHECK(Records(s.db.get(), Table::kClickLog) == 0);
    CHECK(Records(s.db.get(), Table::kClicks) == 2);
    CHECK(ClicksOf(s, "b") == 3);
  }
  testing::ServiceOn s(dir.path());
  CHECK(ClicksOf(s, "a") == 4);
  CHECK(ClicksOf(s, "b") == 3);
  CHECK(s.service->click_watermark("node-1") == 3);
}

TEST_CASE("rewriting or deleting a clicked link folds in that commit: no click counted twice",
          "[clicks]") {
  testing::TempDir dir;
  {
    testing::ServiceOn s(dir.path());
    Create(s, {"a", "b", "gone"});
    Click(s, 1, {{"a", 5}, {"b", 1}, {"gone", 4}});
    // The update writes a's record with its total: the log must not add them again.
    UpdateLink update{1, "a", std::string("https://example.com/new"), std::nullopt};
    auto updated = s.One(update);
    REQUIRE(updated.status.ok());
    CHECK(updated.link.clicks == 5);
    CHECK(Records(s.db.get(), Table::kClickLog) == 0);

    // Clicks, then the link deleted and made again under the same code.
    Click(s, 2, {{"gone", 3}, {"b", 1}});
    REQUIRE(s.One(DeleteLink{1, "gone"}).status.ok());
    Create(s, {"gone"});
    Click(s, 3, {{"gone", 1}});
    CHECK(ClicksOf(s, "gone") == 1);
  }
  testing::ServiceOn s(dir.path());
  CHECK(ClicksOf(s, "a") == 5);
  CHECK(ClicksOf(s, "b") == 2);
  CHECK(ClicksOf(s, "gone") == 1);  // the old link's 7 clicks stay with it
}

TEST_CASE("clicks and an update of the same link in one commit count once", "[clicks]") {
  testing::TempDir dir;
  {
    testing::ServiceOn s(dir.path());
    Create(s, {"a"});
    Click(s, 1, {{"a", 2}});
    std::vector<Mutation> ms;
    ms.emplace_back(ApplyClicks{ClickBatch{"node-1", 2, {{"a", 3}}}});
    ms.emplace_back(UpdateLink{1, "a", std::string("https://example.com/new"), std::nullopt});
    ms.emplace_back(ApplyClicks{ClickBatch{"node-1", 3, {{"a", 4}}}});
    for (auto& r : s.service->SubmitAndWait(std::move(ms))) REQUIRE(r.status.ok());
    CHECK(ClicksOf(s, "a") == 9);
  }
  testing::ServiceOn s(dir.path());
  CHECK(ClicksOf(s, "a") == 9);
}

TEST_CASE("a link under its click limit is counted through its record, not the log", "[clicks]") {
  testing::TempDir dir;
  {
    testing::ServiceOn s(dir.path());
    CreateLink limited{1, "https://example.com/l", "limited"};
    limited.fields.max_clicks = 5;
    limited.fields.click_limit_url = "https://example.com/over";
    REQUIRE(s.One(limited).status.ok());
    Click(s, 1, {{"limited", 3}});
    CHECK(Records(s.db.get(), Table::kClickLog) == 0);  // an upsert for the nodes instead
    Click(s, 2, {{"limited", 4}});                      // crosses the limit: still an upsert
    Click(s, 3, {{"limited", 2}});                      // past it: the log
    CHECK(Records(s.db.get(), Table::kClickLog) == 1);
    CHECK(ClicksOf(s, "limited") == 9);
  }
  testing::ServiceOn s(dir.path());
  CHECK(ClicksOf(s, "limited") == 9);
}

TEST_CASE("clicks on a custom domain's link are counted exactly once, and kept across restarts",
          "[clicks]") {
  testing::TempDir dir;
  const LinkKey key{"go.example.com", "promo"};
  {
    testing::ServiceOn s(dir.path());
    DomainRecord domain;
    domain.host = "go.example.com";
    domain.team = 1;
    REQUIRE(s.One(PutDomain{domain, /*create=*/true}).status.ok());
    CreateLink create{1, "https://example.com/promo", "promo"};
    create.domain = "go.example.com";
    create.domain_team = 1;
    REQUIRE(s.One(std::move(create)).status.ok());
    Create(s, {"promo"});  // the same code on the default domain: its own count
    Click(s, 1, {ClickEntry("promo", 3, "go.example.com"), ClickEntry("promo", 1)});
    Click(s, 2,
          {ClickEntry("promo", 2, "go.example.com"), ClickEntry("promo", 2, "go.example.com")});
    Click(s, 2, {ClickEntry("promo", 5, "go.example.com")});  // a batch seen before: ignored
    REQUIRE(s.index.Get(key));
    CHECK(s.index.Get(key)->clicks == 7);
    CHECK(ClicksOf(s, "promo") == 1);
  }
  testing::ServiceOn s(dir.path());
  REQUIRE(s.index.Get(key));
  CHECK(s.index.Get(key)->clicks == 7);
  CHECK(ClicksOf(s, "promo") == 1);
}

}  // namespace shortlink::admin
