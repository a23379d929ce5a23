// A team's top links from week rows (store/team_weeks.h): the link writer
// adds a week row beside each team-day row, ReadTopLinks reads whole weeks
// from them and the days around from day rows, and the sums are the same
// as from day rows alone, whatever the range's alignment; a delete deletes
// its link's week rows; the first week with them is set once per database.
#include <catch2/catch.hpp>

#include <random>

#include "analytics/analytics_query.h"
#include "analytics_support.h"
#include "link_test_support.h"
#include "store/analytics_keys.h"
#include "store/db_keys.h"
#include "store/team_weeks.h"
#include "store/write_batch.h"
#include "support/temp_dir.h"

namespace shortlink::admin {
namespace {

namespace ak = analytics_key;
using testing::NowHour;
using testing::Visits;

constexpr uint32_t kNoWeeks = ClickAnalytics::kNoTeamWeeks;

std::map<std::string, uint64_t> Top(testing::ServiceOn& s, uint32_t first_day, uint32_t last_day,
                                    uint32_t weeks_from) {
  auto top = ReadTopLinks(s.db.get(), 1, first_day, last_day, 1000, weeks_from,
                          [](std::string_view) { return std::optional<uint32_t>(0); });
  REQUIRE(top.ok());
  std::map<std::string, uint64_t> out;
  for (const LinkClicks& row : *top) out[row.link_key] = row.clicks;
  return out;
}

void Create(testing::ServiceOn& s, std::initializer_list<const char*> codes) {
  std::vector<Mutation> creates;
  for (const char* code : codes)
    creates.emplace_back(CreateLink{1, std::string("https://example.com/") + code, code});
  testing::SubmitOk(s.service.get(), std::move(creates));
}

}  // namespace

TEST_CASE("analytics: top links from week rows equal the day rows' sums for every alignment",
          "[analytics]") {
  testing::ServiceFixture s;
  const uint32_t today = NowHour() / 24;
  // From a week five weeks back: older days have day rows only, as in a
  // database an older release wrote.
  const uint32_t weeks_from = ak::WeekOf(today) - 5;
  s.service->SetTeamWeeksFrom(weeks_from);
  Create(s, {"a", "b", "c", "d"});
  std::mt19937 rnd(7);
  uint64_t number = 0;
  for (uint32_t day = today - 60; day <= today; ++day) {
    std::vector<ClickEntry> clicks;
    for (const char* code : {"a", "b", "c", "d"})
      if (rnd() % 3 != 0) clicks.push_back(Visits(code, 1 + rnd() % 50, day * 24 + rnd() % 24));
    REQUIRE(s.One(ApplyClicks{ClickBatch{"node-1", ++number, std::move(clicks)}}).status.ok());
  }
  int compared = 0;
  for (uint32_t length : {1u, 6u, 7u, 8u, 13u, 14u, 30u, 45u, 61u}) {
    for (uint32_t shift = 0; shift < 7; ++shift) {
      const uint32_t last = today - shift, first = last - (length - 1);
      INFO("days " << first << ".." << last);
      auto by_days = Top(s, first, last, kNoWeeks);
      CHECK(Top(s, first, last, weeks_from) == by_days);
      CHECK(Top(s, first, last, ak::WeekOf(today) - 1) == by_days);
      compared += by_days.empty() ? 0 : 1;
    }
  }
  CHECK(compared > 50);  // the ranges held clicks
}

TEST_CASE("analytics: deleting a link deletes its week rows and a code made again counts its own",
          "[analytics]") {
  testing::ServiceFixture s;
  const uint32_t today = NowHour() / 24;
  s.service->SetTeamWeeksFrom(ak::WeekOf(today) - 3);
  Create(s, {"a", "b"});
  REQUIRE(s.One(ApplyClicks{ClickBatch{"node-1", 1, {Visits("a", 5, NowHour())}}}).status.ok());
  REQUIRE(s.One(ApplyClicks{ClickBatch{"node-1", 2, {Visits("b", 1, NowHour())}}}).status.ok());
  std::vector<Mutation> remove;
  remove.emplace_back(DeleteLink{1, "a"});
  testing::SubmitOk(s.service.get(), std::move(remove));
  Create(s, {"a"});
  REQUIRE(s.One(ApplyClicks{ClickBatch{"node-1", 3, {Visits("a", 2, NowHour())}}}).status.ok());
  // This week whole (its days to come included): read from its week rows only.
  const uint32_t week = ak::WeekOf(today);
  auto top = Top(s, ak::WeekStartDay(week), ak::WeekStartDay(week) + 6, ak::WeekOf(today) - 3);
  CHECK(top ==
        std::map<std::string, uint64_t>{{dbkey::Link("", "a"), 2}, {dbkey::Link("", "b"), 1}});
}

TEST_CASE("analytics: week rows start this week on a new database and next week on an older one",
          "[analytics]") {
  const uint32_t today = NowHour() / 24;
  testing::TempDir fresh;
  {
    auto db = Database::Open(fresh.path());
    REQUIRE(db.ok());
    auto from = LoadTeamWeeksFrom(db->get(), today);
    REQUIRE(from.ok());
    CHECK(*from == ak::WeekOf(today));
  }
  {
    auto db = Database::Open(fresh.path());
    REQUIRE(db.ok());
    auto from = LoadTeamWeeksFrom(db->get(), today + 30);  // kept, not recomputed
    REQUIRE(from.ok());
    CHECK(*from == ak::WeekOf(today));
  }
  testing::TempDir older;
  auto db = Database::Open(older.path());
  REQUIRE(db.ok());
  WriteBatch wb(**db);
  wb.Put(Table::kAnalytics, ak::TeamDay(1, today - 1, dbkey::Link("", "a")), ak::Count(3));
  REQUIRE((*db)->Write(&wb).ok());
  auto from = LoadTeamWeeksFrom(db->get(), today);
  REQUIRE(from.ok());
  CHECK(*from == ak::WeekOf(today) + 1);
}

}  // namespace shortlink::admin
