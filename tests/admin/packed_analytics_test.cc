// Packed analytics rows (store/packed_counts.h, store/analytics_keys.h 'H'
// and 'D'): the codec's canonical form and its cap, the table's merge
// operator summing packed maps on real RocksDB (before and after a
// compaction, the 8-byte count rows as before), and a database written by
// the previous release (a row per (link, hour, dimension, value)) read,
// rolled up and deleted together with the packed rows the writer now adds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "analytics/analytics_rollup.h"
#include "analytics_support.h"
#include "link_test_support.h"
#include "store/db_keys.h"
#include "store/packed_counts.h"

namespace shortlink::admin {
namespace {

namespace ak = analytics_key;
using testing::NowHour;
using testing::PackedMap;
using testing::ReadLast100Days;
using testing::ReadPackedMap;
using testing::RequireDimensionsSumTo;

struct Owned {
  uint8_t dimension;
  std::string value;
  uint64_t count;
};

std::string Encode(const std::vector<Owned>& owned) {
  std::vector<PackedEntry> entries;
  for (const Owned& o : owned) entries.push_back({o.dimension, o.value, o.count});
  std::string out;
  EncodeCanonical(&entries, &out);
  return out;
}

// The records of `packed` in their stored order.
std::vector<std::pair<uint8_t, std::string>> Order(std::string_view packed) {
  std::vector<std::pair<uint8_t, std::string>> order;
  REQUIRE(ForEachPacked(packed, [&](uint8_t d, std::string_view v, uint64_t) {
    order.emplace_back(d, std::string(v));
  }));
  return order;
}

uint64_t SumOf(const PackedMap& map, uint8_t dimension) {
  uint64_t sum = 0;
  for (const auto& [entry, count] : map)
    if (entry.first == dimension) sum += count;
  return sum;
}
size_t ValuesOf(const PackedMap& map, uint8_t dimension) {
  return size_t(std::count_if(map.begin(), map.end(),
                              [&](const auto& e) { return e.first.first == dimension; }));
}

// `n` values of `dimension`, "v<i>" counted i + 1 times, from `first`.
std::vector<Owned> ManyValues(uint8_t dimension, int first, int n) {
  std::vector<Owned> out;
  for (int i = first; i < first + n; ++i)
    out.push_back({dimension, "v" + std::to_string(i), uint64_t(i + 1)});
  return out;
}

void Merge(Database* db, std::string_view key, std::string_view operand) {
  WriteBatch wb(*db);
  wb.Merge(Table::kAnalytics, key, operand);
  REQUIRE(db->Write(&wb).ok());
}

std::string GetValue(Database* db, std::string_view key) {
  auto got = db->Get(Table::kAnalytics, key);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  return **got;
}

void Create(testing::ServiceOn& s, std::initializer_list<const char*> codes) {
  std::vector<Mutation> creates;
  for (const char* code : codes)
    creates.emplace_back(CreateLink{1, std::string("https://example.com/") + code, code});
  testing::SubmitOk(s.service.get(), std::move(creates));
}

// The rows the previous release's writer made for `entry` of the link
// `code`: a merge of an 8-byte count per (hour, dimension, value), the
// total as dimension 0 (or, with `kind` kDaily, the same per day).
void WriteOldRows(Database* db, const std::string& code, const ClickEntry& entry, uint32_t hour,
                  char kind = ak::kHourly) {
  const std::string link = dbkey::Link("", code);
  const uint32_t time = kind == ak::kHourly ? hour : hour / 24;
  WriteBatch wb(*db);
  wb.Merge(Table::kAnalytics, ak::Row(kind, link, time, ak::kTotalDimension, ""),
           ak::Count(entry.count));
  for (const DimensionCount& d : entry.dimensions) {
    if (d.dimension == kClickHour) continue;
    wb.Merge(Table::kAnalytics, ak::Row(kind, link, time, d.dimension, d.value),
             ak::Count(d.count));
  }
  REQUIRE(db->Write(&wb).ok());
}

// The times of the link's rows of `kind`.
std::vector<uint32_t> TimesOf(Database* db, const std::string& code, char kind) {
  std::vector<uint32_t> times;
  const std::string prefix = ak::LinkPrefix(kind, dbkey::Link("", code));
  REQUIRE(db->Scan(Table::kAnalytics, prefix, [&](std::string_view key, std::string_view) {
              times.push_back(ak::GetU32BE(key.data() + prefix.size()));
              return true;
            }).ok());
  return times;
}

}  // namespace

TEST_CASE("packed counts: a value round-trips sorted with equal pairs summed and zeros dropped",
          "[analytics][packed]") {
  const std::string packed = Encode({{kClickCountry, "SG", 2},
                                     {ak::kTotalDimension, "", 5},
                                     {kClickDeviceClass, "mobile", 3},
                                     {kClickCountry, "DE", 3},
                                     {kClickDeviceClass, "desktop", 0},
                                     {kClickDeviceClass, "mobile", 2},
                                     {kClickCountry, std::string("a\0b", 3), 0}});
  PackedMap map = ReadPackedMap(packed);
  CHECK(map == PackedMap{{{ak::kTotalDimension, ""}, 5},
                         {{kClickDeviceClass, "mobile"}, 5},
                         {{kClickCountry, "DE"}, 3},
                         {{kClickCountry, "SG"}, 2}});
  auto order = Order(packed);
  CHECK(std::is_sorted(order.begin(), order.end()));
  CHECK(order.size() == 4);
  // Values of any bytes and large counts survive.
  const std::string odd(std::string("\0\xff x", 4));
  PackedMap big = ReadPackedMap(Encode({{kClickCity, odd, ~uint64_t{0}}}));
  CHECK(big == PackedMap{{{kClickCity, odd}, ~uint64_t{0}}});
  CHECK(Encode({}).empty());
}

TEST_CASE("packed counts: equal maps are equal bytes whatever order and split they came in",
          "[analytics][packed]") {
  std::vector<Owned> records = {{ak::kTotalDimension, "", 9}, {kClickCountry, "SG", 4},
                                {kClickCountry, "MY", 5},     {kClickOs, "iOS 17", 9},
                                {kClickBrowser, "Chrome", 1}, {kClickBrowser, "Edge", 8}};
  const std::string canonical = Encode(records);
  std::mt19937_64 rnd(1);
  for (int round = 0; round < 20; ++round) {
    // The same counts split into pieces, shuffled, appended as records.
    std::vector<Owned> pieces;
    for (const Owned& r : records) {
      uint64_t first = r.count / 2;
      pieces.push_back({r.dimension, r.value, first});
      pieces.push_back({r.dimension, r.value, r.count - first});
    }
    std::shuffle(pieces.begin(), pieces.end(), rnd);
    std::string appended;
    for (const Owned& p : pieces) AppendPackedRecord(p.dimension, p.value, p.count, &appended);
    std::vector<PackedEntry> entries;
    REQUIRE(ReadPacked(appended, &entries));
    std::string out;
    EncodeCanonical(&entries, &out);
    CHECK(out == canonical);
  }
}

TEST_CASE("packed counts: a malformed value reads as nothing", "[analytics][packed]") {
  std::string good = Encode({{kClickCountry, "SG", 2}});
  std::vector<PackedEntry> entries;
  CHECK_FALSE(ReadPacked(good.substr(0, good.size() - 1), &entries));
  CHECK(entries.empty());
  std::string bad = good + std::string("\x05\x09", 2);  // a value longer than what is left
  CHECK_FALSE(ReadPacked(bad, &entries));
  CHECK(entries.empty());
}

TEST_CASE(
    "packed counts: a dimension past the cap keeps its largest values and folds the rest "
    "into Other",
    "[analytics][packed]") {
  const int n = int(kMaxValuesPerDimension) + 50;
  std::vector<Owned> records = ManyValues(kClickReferrerHost, 0, n);
  records.push_back({kClickReferrerHost, std::string(kFoldedValue), 7});
  records.push_back({kClickCountry, "SG", 3});  // another dimension is left alone
  uint64_t sum = 7;
  for (const Owned& r : records)
    if (r.dimension == kClickReferrerHost && r.value != kFoldedValue) sum += r.count;
  const std::string packed = Encode(records);
  PackedMap map = ReadPackedMap(packed);
  CHECK(ValuesOf(map, kClickReferrerHost) == kMaxValuesPerDimension);
  CHECK(SumOf(map, kClickReferrerHost) == sum);
  CHECK(map.at({kClickCountry, "SG"}) == 3);
  // The largest counts keep their names: v<n-1> down to v<n-199>.
  const int kept = int(kMaxValuesPerDimension) - 1;
  for (int i = n - kept; i < n; ++i)
    CHECK(map.count({kClickReferrerHost, "v" + std::to_string(i)}) == 1);
  CHECK(map.count({kClickReferrerHost, "v" + std::to_string(n - kept - 1)}) == 0);
  uint64_t folded = 7;
  for (int i = 0; i < n - kept; ++i) folded += uint64_t(i + 1);
  CHECK(map.at({kClickReferrerHost, std::string(kFoldedValue)}) == folded);
  auto order = Order(packed);
  CHECK(std::is_sorted(order.begin(), order.end()));
  // Exactly at the cap: nothing folds.
  PackedMap at_cap = ReadPackedMap(Encode(ManyValues(kClickCity, 0, int(kMaxValuesPerDimension))));
  CHECK(at_cap.size() == kMaxValuesPerDimension);
  CHECK(at_cap.count({kClickCity, std::string(kFoldedValue)}) == 0);
}

TEST_CASE("packed analytics rows: the merge operator sums maps and keeps count rows as they were",
          "[analytics][packed]") {
  testing::TempDir dir;
  auto db = std::move(Database::Open(dir.path())).value();
  const std::string link = dbkey::Link("", "a");
  const std::string hour = ak::TimeKey(ak::kPackedHourly, link, 1000);
  const std::string count_row = ak::Row(ak::kHourly, link, 1000, kClickCountry, "SG");
  Merge(db.get(), hour, Encode({{ak::kTotalDimension, "", 2}, {kClickCountry, "SG", 2}}));
  Merge(db.get(), hour, Encode({{ak::kTotalDimension, "", 3}, {kClickCountry, "DE", 3}}));
  Merge(db.get(), hour, Encode({{ak::kTotalDimension, "", 1}, {kClickCountry, "SG", 1}}));
  Merge(db.get(), count_row, ak::Count(4));
  Merge(db.get(), count_row, ak::Count(5));
  const std::string expected =
      Encode({{ak::kTotalDimension, "", 6}, {kClickCountry, "DE", 3}, {kClickCountry, "SG", 3}});
  CHECK(GetValue(db.get(), hour) == expected);
  CHECK(ak::ParseCount(GetValue(db.get(), count_row)) == 9);
  // Flushed and compacted, then merged on top of the stored value.
  db->TableBytes(Table::kAnalytics, /*compact_first=*/true);
  CHECK(GetValue(db.get(), hour) == expected);
  Merge(db.get(), hour, Encode({{kClickCountry, "SG", 4}, {ak::kTotalDimension, "", 4}}));
  Merge(db.get(), count_row, ak::Count(1));
  CHECK(
      GetValue(db.get(), hour) ==
      Encode({{ak::kTotalDimension, "", 10}, {kClickCountry, "DE", 3}, {kClickCountry, "SG", 7}}));
  CHECK(ak::ParseCount(GetValue(db.get(), count_row)) == 10);
  // A malformed operand counts nothing and spoils nothing.
  Merge(db.get(), hour, std::string("\x05\x09", 2));
  db->TableBytes(Table::kAnalytics, /*compact_first=*/true);
  CHECK(ReadPackedMap(GetValue(db.get(), hour)).at({ak::kTotalDimension, ""}) == 10);
}

TEST_CASE("packed analytics rows: merges of many values stay under the cap with exact sums",
          "[analytics][packed]") {
  testing::TempDir dir;
  auto db = std::move(Database::Open(dir.path())).value();
  const std::string day = ak::TimeKey(ak::kPackedDaily, dbkey::Link("", "a"), 20);
  // Four operands of 150 cities each, overlapping by half: 450 names.
  uint64_t sum = 0;
  for (int k = 0; k < 4; ++k) {
    std::vector<Owned> cities = ManyValues(kClickCity, k * 100, 150);
    for (const Owned& c : cities) sum += c.count;
    Merge(db.get(), day, Encode(cities));
    if (k == 1) db->TableBytes(Table::kAnalytics, /*compact_first=*/true);
  }
  const std::string value = GetValue(db.get(), day);
  PackedMap map = ReadPackedMap(value);
  CHECK(ValuesOf(map, kClickCity) == kMaxValuesPerDimension);
  CHECK(SumOf(map, kClickCity) == sum);
  CHECK(map.count({kClickCity, std::string(kFoldedValue)}) == 1);
  auto order = Order(value);
  CHECK(std::is_sorted(order.begin(), order.end()));
}

TEST_CASE(
    "packed analytics rows: a database of the previous release reads rolls up and deletes "
    "with the new rows",
    "[analytics][packed]") {
  testing::TempDir dir;
  const uint32_t h = NowHour();
  testing::ServiceOn s(dir.path());
  Create(s, {"a", "b"});
  // The previous release's rows: hours of a (one shared with the new
  // writer, one old enough to roll up) and a day already rolled up.
  WriteOldRows(s.db.get(), "a", testing::Visits("a", 4, h, "desktop", "DE", 1, 2), h);
  WriteOldRows(s.db.get(), "a", testing::Visits("a", 3, h - 50, "tablet", "MY", 0, 3), h - 50);
  WriteOldRows(s.db.get(), "a", testing::Visits("a", 2, h - 72, "mobile", "SG"), h - 72,
               ak::kDaily);
  // The new writer's packed rows for the same link and hours, and b's.
  REQUIRE(s.One(ApplyClicks{ClickBatch{
                    "node-1",
                    1,
                    {testing::Visits("a", 5, h, "mobile", "SG", 2, 1),
                     testing::Visits("a", 6, h - 50, "mobile", "SG"), testing::Visits("b", 1, h)}}})
              .status.ok());
  CHECK(testing::PackedRows(s.db.get()).size() == 3);

  LinkAnalytics before = ReadLast100Days(s.db.get(), "a");
  RequireDimensionsSumTo(before, 4 + 3 + 2 + 5 + 6);
  CHECK(before.all[kClickDeviceClass] ==
        std::map<std::string, uint64_t>{{"desktop", 4}, {"tablet", 3}, {"mobile", 13}});
  CHECK(before.all[kClickCountry] ==
        std::map<std::string, uint64_t>{{"DE", 4}, {"MY", 3}, {"SG", 13}});
  CHECK(before.unique == 2 + 3 + 1);
  CHECK(before.bots == 1 + 2);
  // Hour h alone: the old rows' 4 and the packed row's 5.
  AnalyticsQuery hour_h;
  hour_h.start = int64_t(h) * 3600;
  hour_h.end = hour_h.start + 3600;
  hour_h.interval = Interval::kHour;
  auto in_h = ReadLinkAnalytics(s.db.get(), dbkey::Link("", "a"), hour_h);
  REQUIRE(in_h.ok());
  CHECK(in_h->clicks == 9);
  CHECK(in_h->all[kClickDeviceClass] ==
        std::map<std::string, uint64_t>{{"desktop", 4}, {"mobile", 5}});

  // The rollup moves both kinds of hour h - 50 into one packed day.
  auto moved = AnalyticsRollup::RollUp(s.db.get(), h - 1, /*rows_per_write=*/3);
  REQUIRE(moved.ok());
  CHECK(*moved == 1 + 11);  // a packed hour, and the old hour's total + 10 values
  LinkAnalytics after = ReadLast100Days(s.db.get(), "a");
  RequireDimensionsSumTo(after, 20);
  CHECK(after.all == before.all);
  CHECK(after.unique == before.unique);
  CHECK(after.bots == before.bots);
  for (char kind : {ak::kHourly, ak::kPackedHourly})
    for (uint32_t time : TimesOf(s.db.get(), "a", kind)) CHECK(time == h);
  const std::string day_key = ak::TimeKey(ak::kPackedDaily, dbkey::Link("", "a"), (h - 50) / 24);
  PackedMap day = testing::PackedRows(s.db.get()).at(day_key);
  CHECK(day.at({ak::kTotalDimension, ""}) == 9);
  CHECK(day.at({kClickDeviceClass, "mobile"}) == 6);
  CHECK(day.at({kClickDeviceClass, "tablet"}) == 3);

  // A restart reads the same.
  s.service.reset();
  s.db.reset();
  testing::ServiceOn again(dir.path());
  CHECK(ReadLast100Days(again.db.get(), "a").all == before.all);

  // Deleting a takes every row of it, of all four kinds; b keeps its own.
  for (char kind : ak::kLinkRowKinds) CHECK_FALSE(TimesOf(again.db.get(), "a", kind).empty());
  REQUIRE(again.One(DeleteLink{1, "a"}).status.ok());
  for (char kind : ak::kLinkRowKinds) CHECK(TimesOf(again.db.get(), "a", kind).empty());
  CHECK(ReadLast100Days(again.db.get(), "a").clicks == 0);
  RequireDimensionsSumTo(ReadLast100Days(again.db.get(), "b"), 1);
}

}  // namespace shortlink::admin
