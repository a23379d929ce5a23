// Click analytics as the link writer stores them (links/click_analytics.h,
// store/analytics_keys.h) and the rollup moves them (analytics_rollup.h):
// through a real LinkService on RocksDB, every dimension sums to the link's
// click total, a batch applied twice counts once, a restart keeps it all,
// rolling hours into days keeps every sum, and a delete takes them along.
#include <catch2/catch.hpp>

#include "analytics/analytics_query.h"
#include "analytics/analytics_rollup.h"
#include "analytics_support.h"
#include "link_test_support.h"
#include "store/db_keys.h"

namespace shortlink::admin {
namespace {

using testing::NowHour;
using testing::RequireDimensionsSumTo;
using testing::Visits;

void Create(testing::ServiceOn& s, std::initializer_list<const char*> codes, uint64_t team = 1) {
  std::vector<Mutation> creates;
  for (const char* code : codes)
    creates.emplace_back(CreateLink{team, std::string("https://example.com/") + code, code});
  testing::SubmitOk(s.service.get(), std::move(creates));
}

void Apply(testing::ServiceOn& s, uint64_t number, std::vector<ClickEntry> clicks) {
  REQUIRE(s.One(ApplyClicks{ClickBatch{"node-1", number, std::move(clicks)}}).status.ok());
}

LinkAnalytics Read(testing::ServiceOn& s, const std::string& code) {
  return testing::ReadLast100Days(s.db.get(), code);
}

uint64_t ClicksOf(testing::ServiceOn& s, const std::string& code) {
  auto link = s.index.Get(code);
  REQUIRE(link);
  return link->clicks;
}

}  // namespace

TEST_CASE("analytics: every dimension sums to the link's total and bots stay apart",
          "[analytics]") {
  testing::ServiceFixture s;
  Create(s, {"a", "b"});
  const uint32_t h = NowHour();
  Apply(s, 1, {Visits("a", 5, h - 2, "mobile", "SG", 2, 3), Visits("b", 1, h, "desktop", "DE")});
  // Several entries of one link in one batch, a bot-only entry, and a
  // link that does not exist (nothing stored for it).
  Apply(s, 2,
        {Visits("a", 4, h - 1, "desktop", "DE", 0, 1), Visits("a", 0, h, "", "", 7),
         Visits("nosuch", 3, h)});
  CHECK(ClicksOf(s, "a") == 9);
  LinkAnalytics a = Read(s, "a");
  RequireDimensionsSumTo(a, 9);
  CHECK(a.unique == 4);
  CHECK(a.bots == 9);
  CHECK(a.all[kClickDeviceClass]["mobile"] == 5);
  CHECK(a.all[kClickDeviceClass]["desktop"] == 4);
  CHECK(a.all[kClickBot]["Googlebot"] == 9);
  RequireDimensionsSumTo(Read(s, "b"), 1);
  CHECK(Read(s, "nosuch").clicks == 0);
  for (const auto& [key, count] : testing::AnalyticsRows(s.db.get()))
    CHECK(key.find("nosuch") == std::string::npos);
}

TEST_CASE("analytics: a batch applied twice counts once, and a restart keeps everything",
          "[analytics]") {
  testing::TempDir dir;
  const uint32_t h = NowHour();
  {
    testing::ServiceOn s(dir.path());
    Create(s, {"a"});
    ClickBatch batch{"node-1", 1, {Visits("a", 6, h, "mobile", "SG", 1, 2)}};
    REQUIRE(s.One(ApplyClicks{batch}).status.ok());
    REQUIRE(s.One(ApplyClicks{batch}).status.ok());  // the node sent it again
    // Twice in one commit, too.
    ClickBatch second{"node-1", 2, {Visits("a", 1, h, "desktop", "DE")}};
    std::vector<Mutation> twice;
    twice.emplace_back(ApplyClicks{second});
    twice.emplace_back(ApplyClicks{second});
    testing::SubmitOk(s.service.get(), std::move(twice));
    RequireDimensionsSumTo(Read(s, "a"), 7);
    CHECK(ClicksOf(s, "a") == 7);
  }
  testing::ServiceOn s(dir.path());
  LinkAnalytics a = Read(s, "a");
  RequireDimensionsSumTo(a, 7);
  CHECK(a.bots == 1);
  CHECK(ClicksOf(s, "a") == 7);
}

TEST_CASE("analytics: one packed row per link hour per commit, and none without dimensions",
          "[analytics]") {
  testing::ServiceFixture s;
  Create(s, {"a", "plain"});
  const uint32_t h = NowHour();
  Apply(s, 1, {ClickEntry("plain", 5)});
  CHECK(testing::AnalyticsRows(s.db.get()).empty());
  // Ten entries of the same visits in one commit: the same rows as one.
  std::vector<ClickEntry> same(10, Visits("a", 1, h));
  Apply(s, 2, same);
  auto rows = testing::AnalyticsRows(s.db.get());
  // The packed hour and one team-day row.
  CHECK(rows.size() == 2);
  for (const auto& [key, count] : rows) CHECK(count == 10);
  // The hour holds the total and 10 dimension values (visitor: repeat only).
  auto packed = testing::PackedRows(s.db.get());
  REQUIRE(packed.size() == 1);
  CHECK(packed.begin()->first ==
        analytics_key::TimeKey(analytics_key::kPackedHourly, dbkey::Link("", "a"), h));
  const testing::PackedMap& map = packed.begin()->second;
  CHECK(map.size() == 11);
  for (const auto& [entry, count] : map) CHECK(count == 10);
}

TEST_CASE("analytics: rolling hours into days keeps every sum, and a second pass moves nothing",
          "[analytics]") {
  testing::TempDir dir;
  const uint32_t h = NowHour();
  testing::ServiceOn s(dir.path());
  Create(s, {"a", "b"});
  Apply(s, 1,
        {Visits("a", 3, h - 50, "mobile", "SG", 1, 1), Visits("a", 2, h - 49, "desktop"),
         Visits("b", 4, h - 48, "tablet", "DE"), Visits("a", 5, h, "mobile", "SG", 0, 2)});
  LinkAnalytics before = Read(s, "a");
  RequireDimensionsSumTo(before, 10);
  // Hours before h - 1 become days; a small write size makes several writes.
  auto moved = AnalyticsRollup::RollUp(s.db.get(), h - 1, /*rows_per_write=*/4);
  REQUIRE(moved.ok());
  CHECK(*moved > 0);
  auto again = AnalyticsRollup::RollUp(s.db.get(), h - 1);
  REQUIRE(again.ok());
  CHECK(*again == 0);
  LinkAnalytics after = Read(s, "a");
  RequireDimensionsSumTo(after, 10);
  CHECK(after.all == before.all);
  CHECK(after.bots == before.bots);
  CHECK(after.unique == before.unique);
  RequireDimensionsSumTo(Read(s, "b"), 4);
  // Only the recent hour is hourly now: its total and 11 dimension values.
  size_t hourly = 0, daily = 0;
  for (const auto& [key, map] : testing::PackedRows(s.db.get())) {
    if (key[0] == analytics_key::kPackedHourly) {
      ++hourly;
      CHECK(map.size() == 12);
    }
    daily += key[0] == analytics_key::kPackedDaily;
  }
  CHECK(hourly == 1);
  // A packed day per (link, day): a's hours h-50 and h-49, b's h-48.
  CHECK(daily == 1 + ((h - 50) / 24 != (h - 49) / 24) + 1);
  for (const auto& [key, count] : testing::AnalyticsRows(s.db.get()))
    CHECK(!(key[0] == analytics_key::kHourly || key[0] == analytics_key::kDaily));
}

TEST_CASE("analytics: hours older than the writer's retention go straight to days", "[analytics]") {
  testing::ServiceFixture s;
  s.service->SetAnalyticsRetentionHours(24);
  Create(s, {"a"});
  const uint32_t h = NowHour();
  Apply(s, 1, {Visits("a", 2, h - 30), Visits("a", 1, h)});
  size_t hourly = 0, daily = 0;
  for (const auto& [key, map] : testing::PackedRows(s.db.get())) {
    hourly += key[0] == analytics_key::kPackedHourly;
    daily += key[0] == analytics_key::kPackedDaily;
    CHECK(map.size() == 11);  // the total and 10 dimension values
  }
  CHECK(hourly == 1);
  CHECK(daily == 1);
  RequireDimensionsSumTo(Read(s, "a"), 3);
}

TEST_CASE("analytics: deleting a link deletes its analytics in the delete's commit",
          "[analytics]") {
  testing::ServiceFixture s;
  Create(s, {"a", "b"});
  const uint32_t h = NowHour();
  Apply(s, 1, {Visits("a", 3, h), Visits("b", 1, h)});
  // Clicks and the delete in one commit: the clicks go with the link.
  std::vector<Mutation> ms;
  ms.emplace_back(ApplyClicks{ClickBatch{"node-1", 2, {Visits("a", 2, h - 1)}}});
  ms.emplace_back(DeleteLink{1, "a"});
  testing::SubmitOk(s.service.get(), std::move(ms));
  CHECK(Read(s, "a").clicks == 0);
  CHECK(Read(s, "a").all.empty());
  RequireDimensionsSumTo(Read(s, "b"), 1);
  // Made again: it starts from nothing.
  Create(s, {"a"});
  CHECK(Read(s, "a").clicks == 0);
}
}  // namespace shortlink::admin
