// Click analytics (issue 20): the reads the API answers, on a table made
// realistically large, and the writer's cost per (entry, dimension value).
//
// Issue 20's figures: a link's 30-day answer < 20 ms with 1M links and 100M
// clicks aggregated; a team's top links < 100 ms. The fill is scaled down
// so the bench runs in about a minute: the analytics table is written
// in its key layout (store/analytics_keys.h) for
//   - the queried links: 30 days x 24 busy hours, by the link writer (a
//     packed row per hour of ~45 values: a link with ~400 clicks an hour,
//     every dimension holding several values),
//   - kOtherLinks other links, each with a few active days of hourly rows
//     (the per-value 'h' rows of an earlier release, written directly),
//     so the queried rows sit among millions of others (a range read costs
//     a seek per level of the LSM tree plus the rows it reads: the table's
//     size adds a level, not a scan),
//   - a team of kTeamLinks links with a row per link per day for 30 days,
//     and a row per link per week (as the link writer adds them to a
//     database this release made: store/team_weeks.h).
// then flushed and compacted, as a long-running table is.
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <optional>
#include <random>

#include "analytics/analytics_query.h"
#include "common/click_batch.h"
#include "common/clock.h"
#include "links/click_analytics.h"
#include "store/analytics_keys.h"
#include "store/database.h"
#include "store/db_keys.h"

namespace shortlink::admin {
namespace {

namespace ak = analytics_key;

constexpr size_t kOtherLinks = 200'000;
constexpr size_t kOtherRowsPerLink = 40;  // 8M rows in all
constexpr size_t kTeamLinks = 20'000;     // 600k team-day rows
constexpr uint64_t kTeam = 42;

std::string CodeOf(size_t i) { return "c" + std::to_string(i); }

// Values per dimension, as a realistic mix would spread them.
const std::vector<std::pair<uint8_t, std::vector<std::string>>>& Vocabulary() {
  static const std::vector<std::pair<uint8_t, std::vector<std::string>>> v = {
      {kClickDeviceClass, {"mobile", "desktop", "tablet", "other"}},
      {kClickCountry, {"SG", "MY", "ID", "US", "IN", "PH", "GB", "ZZ"}},
      {kClickOs, {"iOS 17", "Android 14", "Windows 10", "Mac OS X 10", "Android 13", "Other"}},
      {kClickBrowser, {"Mobile Safari", "Chrome Mobile", "Chrome", "Edge", "Samsung Internet"}},
      {kClickBrand, {"Apple", "Samsung", "Xiaomi", "Other", "Oppo"}},
      {kClickLanguage, {"en", "zh", "ms", "id", "none"}},
      {kClickReferrerHost, {"direct", "t.co", "www.facebook.com", "l.instagram.com"}},
      {kClickSource, {"direct", "newsletter", "t.co", "www.facebook.com"}},
      {kClickCity, {"SG/Singapore", "MY/Kuala Lumpur", "ID/Jakarta"}},
      {kClickVisitor, {"unique", "repeat"}},
  };
  return v;
}

// The dimensions of `clicks` visits in `hour`, drawn from the vocabulary.
ClickEntry DrawEntry(std::string code, uint64_t clicks, uint32_t hour, std::mt19937_64& rnd) {
  ClickEntry e(std::move(code), clicks);
  e.dimensions.push_back({kClickHour, std::to_string(hour), clicks});
  for (const auto& [dimension, values] : Vocabulary()) {
    std::map<size_t, uint64_t> counts;
    for (uint64_t i = 0; i < clicks; ++i) {
      // Skewed: the first values are the common ones.
      size_t k = std::min(values.size() - 1, size_t(std::geometric_distribution<>(0.5)(rnd)));
      ++counts[k];
    }
    for (const auto& [k, n] : counts) e.dimensions.push_back({dimension, values[k], n});
  }
  return e;
}

struct Fill {
  Fill() {
    char tmpl[] = "/tmp/bench_analytics.XXXXXX";
    dir = mkdtemp(tmpl);
    db = std::move(Database::Open(dir)).value();
    now_hour = uint32_t(NowMillis() / 3'600'000);
    std::mt19937_64 rnd(3);
    // The queried links: every hour of 30 days, written as the writer would.
    for (size_t l = 0; l < kQueried; ++l) {
      ClickAnalytics acc(now_hour, ClickAnalytics::kDefaultRetentionHours);
      for (uint32_t h = now_hour - 30 * 24; h <= now_hour; ++h)
        acc.Add(dbkey::Link("", "hot" + std::to_string(l)), kTeam,
                DrawEntry("hot" + std::to_string(l), 400, h, rnd));
      WriteBatch wb(*db);
      acc.Write(&wb);
      (void)db->Write(&wb);
    }
    // The others: direct puts in the key layout, big batches.
    WriteBatch wb(*db);
    const std::string value = ak::Count(3);
    for (size_t i = 0; i < kOtherLinks; ++i) {
      std::string link = dbkey::Link("", CodeOf(i));
      uint32_t hour = now_hour - uint32_t(rnd() % (60 * 24));
      for (size_t r = 0; r < kOtherRowsPerLink; ++r) {
        const auto& [dimension, values] = Vocabulary()[r % Vocabulary().size()];
        wb.Put(Table::kAnalytics,
               ak::Row(ak::kHourly, link, hour + uint32_t(r / 10), dimension,
                       values[r % values.size()]),
               value);
      }
      if (wb.Count() > 200'000) {
        (void)db->Write(&wb);
        wb = WriteBatch(*db);
      }
    }
    // The team: a row per link per day.
    const uint32_t today = now_hour / 24;
    for (size_t i = 0; i < kTeamLinks; ++i) {
      std::string link = dbkey::Link("", "team" + std::to_string(i));
      std::map<uint32_t, uint64_t> weeks;
      for (uint32_t d = today - 29; d <= today; ++d) {
        const uint64_t clicks = 1 + rnd() % 1000;
        wb.Put(Table::kAnalytics, ak::TeamDay(kTeam, d, link), ak::Count(clicks));
        weeks[ak::WeekOf(d)] += clicks;
      }
      for (const auto& [week, clicks] : weeks)
        wb.Put(Table::kAnalytics, ak::TeamWeek(kTeam, week, link), ak::Count(clicks));
      if (wb.Count() > 200'000) {
        (void)db->Write(&wb);
        wb = WriteBatch(*db);
      }
    }
    (void)db->Write(&wb);
    table_bytes = db->TableBytes(Table::kAnalytics, /*compact_first=*/true);
  }
  ~Fill() {
    db.reset();
    std::filesystem::remove_all(dir);
  }

  static constexpr size_t kQueried = 8;
  std::string dir;
  std::unique_ptr<Database> db;
  uint32_t now_hour = 0;
  uint64_t table_bytes = 0;
};

Fill& Filled() {
  static Fill fill;
  return fill;
}

void BM_LinkAnalytics30Days(benchmark::State& state) {
  Fill& f = Filled();
  AnalyticsQuery q;
  q.end = int64_t(f.now_hour + 1) * 3600;
  q.start = q.end - 30 * 86'400;
  q.zone = std::move(TimeZone::Load("Asia/Singapore")).value();
  size_t l = 0, rows = 0;
  for (auto _ : state) {
    auto a = ReadLinkAnalytics(f.db.get(), dbkey::Link("", "hot" + std::to_string(l++ % 8)), q);
    benchmark::DoNotOptimize(a);
    rows = a->clicks;
  }
  state.counters["clicks_in_answer"] = double(rows);
  state.counters["table_MB"] = double(f.table_bytes) / 1e6;
}
BENCHMARK(BM_LinkAnalytics30Days)->Unit(benchmark::kMillisecond)->MinTime(2);

// state.range(0): 1 with week rows (a database this release made), 0 with
// day rows only (an older one's past).
void BM_TeamTopLinks30Days(benchmark::State& state) {
  Fill& f = Filled();
  const uint32_t today = f.now_hour / 24;
  const uint32_t weeks_from = state.range(0) ? 0 : ClickAnalytics::kNoTeamWeeks;
  for (auto _ : state) {
    auto top = ReadTopLinks(f.db.get(), kTeam, today - 29, today, 10, weeks_from,
                            [](std::string_view) { return std::optional<uint32_t>(0); });
    benchmark::DoNotOptimize(top);
  }
  state.counters["team_links"] = double(kTeamLinks);
}
BENCHMARK(BM_TeamTopLinks30Days)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->MinTime(2);

// The writer's part per commit: summing a batch's dimensions and adding
// them to the WriteBatch (the synced write itself is the commit's, shared
// with the watermark). Per (entry, dimension value).
void BM_AccumulateDimensions(benchmark::State& state) {
  Fill& f = Filled();
  std::mt19937_64 rnd(5);
  std::vector<ClickEntry> entries;
  size_t values = 0;
  for (size_t i = 0; i < 10'000; ++i) {
    entries.push_back(DrawEntry(CodeOf(i), 1 + rnd() % 8, f.now_hour, rnd));
    values += entries.back().dimensions.size();
  }
  for (auto _ : state) {
    ClickAnalytics acc(f.now_hour, ClickAnalytics::kDefaultRetentionHours);
    for (const ClickEntry& e : entries) acc.Add(dbkey::Link("", e.code), 1, e);
    WriteBatch wb(*f.db);
    acc.Write(&wb);
    benchmark::DoNotOptimize(wb.Count());
  }
  state.SetItemsProcessed(int64_t(state.iterations() * values));
  state.counters["ns_per_value"] = benchmark::Counter(
      double(values), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_AccumulateDimensions)->Unit(benchmark::kMillisecond)->MinTime(2);

// A whole commit's analytics: the writer's part (as above) and the synced
// RocksDB write of its merges, with RocksDB's own flushes and compactions
// of them (process CPU), into a fresh table, per batch entry of 1-8
// clicks. state.range(0): 1 as ClickAnalytics writes them (a packed row per
// link hour), 0 the rows the previous release wrote for the same entries (a
// merge per (hour, dimension, value), store/analytics_keys.h 'h'), written
// directly: its writer's hash map left out, so 0 is a lower bound.
void BM_CommitDimensions(benchmark::State& state) {
  const bool packed = state.range(0) == 1;
  char tmpl[] = "/tmp/bench_analytics_commit.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  {
    auto db = std::move(Database::Open(dir)).value();
    const uint32_t now_hour = uint32_t(NowMillis() / 3'600'000);
    std::mt19937_64 rnd(5);
    std::vector<ClickEntry> entries;
    uint64_t clicks = 0;
    for (size_t i = 0; i < 10'000; ++i) {
      entries.push_back(DrawEntry(CodeOf(i * 7919 % 1'000'000), 1 + rnd() % 8, now_hour, rnd));
      clicks += entries.back().count;
    }
    size_t merges = 0;
    for (auto _ : state) {
      WriteBatch wb(*db);
      if (packed) {
        ClickAnalytics acc(now_hour, ClickAnalytics::kDefaultRetentionHours);
        for (const ClickEntry& e : entries) acc.Add(dbkey::Link("", e.code), 1, e);
        acc.Write(&wb);
      } else {
        for (const ClickEntry& e : entries) {
          const std::string link = dbkey::Link("", e.code);
          wb.Merge(Table::kAnalytics, ak::Row(ak::kHourly, link, now_hour, ak::kTotalDimension, ""),
                   ak::Count(e.count));
          for (const DimensionCount& d : e.dimensions) {
            if (d.dimension == kClickHour) continue;
            wb.Merge(Table::kAnalytics, ak::Row(ak::kHourly, link, now_hour, d.dimension, d.value),
                     ak::Count(d.count));
          }
          wb.Merge(Table::kAnalytics, ak::TeamDay(1, now_hour / 24, link), ak::Count(e.count));
        }
      }
      merges = wb.Count();
      (void)db->Write(&wb);
    }
    state.counters["merges_per_entry"] = double(merges) / double(entries.size());
    state.counters["us_per_entry"] = benchmark::Counter(
        double(entries.size()) / 1e6,
        benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
    state.counters["us_per_click"] =
        benchmark::Counter(double(clicks) / 1e6, benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_CommitDimensions)
    ->Arg(0)
    ->Arg(1)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3);

// Bytes per link per active day: kLinks links each clicked through a day
// (every hour, ~100 clicks a day), written as the writer would, then the
// table flushed and compacted.
void BM_BytesPerLinkDay(benchmark::State& state) {
  constexpr size_t kLinks = 2'000;
  for (auto _ : state) {
    char tmpl[] = "/tmp/bench_analytics_day.XXXXXX";
    std::string dir = mkdtemp(tmpl);
    {
      auto db = std::move(Database::Open(dir)).value();
      const uint32_t now_hour = uint32_t(NowMillis() / 3'600'000);
      std::mt19937_64 rnd(11);
      for (uint32_t h = now_hour - 23; h <= now_hour; ++h) {
        ClickAnalytics acc(now_hour, ClickAnalytics::kDefaultRetentionHours);
        for (size_t i = 0; i < kLinks; ++i) {
          uint64_t clicks = std::poisson_distribution<>(4)(rnd);
          if (clicks == 0) continue;
          acc.Add(dbkey::Link("", CodeOf(i * 7919 % 1'000'000)), 1,
                  DrawEntry(CodeOf(i), clicks, h, rnd));
        }
        WriteBatch wb(*db);
        acc.Write(&wb);
        (void)db->Write(&wb);
      }
      uint64_t bytes = db->TableBytes(Table::kAnalytics, /*compact_first=*/true);
      state.counters["bytes_per_link_day"] = double(bytes) / kLinks;
      size_t rows = 0;
      (void)db->Scan(Table::kAnalytics, "", [&](std::string_view, std::string_view) {
        ++rows;
        return true;
      });
      state.counters["rows_per_link_day"] = double(rows) / kLinks;
    }
    std::filesystem::remove_all(dir);
  }
}
BENCHMARK(BM_BytesPerLinkDay)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace shortlink::admin

BENCHMARK_MAIN();
