// LinkIndex::List at 1M links of one user: the admin API's search and
// orderBy=clicks paths (target: under 100 ms each).
#include <benchmark/benchmark.h>

#include <random>

#include "links/link_index.h"

namespace shortlink::admin {
namespace {

// fresh_import: no link has a click yet and each batch of 10,000 shares one
// createdAt, as after `admin-api import`: every order-by-clicks comparison
// is then a tie settled by the code.
LinkIndex* BuildMillionLinks(bool fresh_import) {
  auto* idx = new LinkIndex;
  std::mt19937_64 rnd(42);
  for (int i = 0; i < 1'000'000; ++i) {
    Link l;
    l.code = "imp" + std::to_string(i);
    l.long_url = "https://www.example-" + std::to_string(rnd() % 1000) + ".com/articles/" +
                 std::to_string(rnd() % 1000000000) + "/Some-Readable-Slug-" + std::to_string(i) +
                 "?utm_source=newsletter&ref=" + std::to_string(rnd() % 1000000);
    l.owner = 1;
    l.clicks = fresh_import ? 0 : rnd() % 10000;
    l.created_at_ms = 1'700'000'000'000 + (fresh_import ? i / 10000 : i);
    idx->LoadUnsorted(std::move(l));
  }
  idx->FinishLoad();
  return idx;
}

const LinkIndex& MillionLinks() {
  static LinkIndex* index = BuildMillionLinks(false);
  return *index;
}

const LinkIndex& MillionFreshlyImportedLinks() {
  static LinkIndex* index = BuildMillionLinks(true);
  return *index;
}

void BM_SearchText(benchmark::State& state) {
  const LinkIndex& index = MillionLinks();
  ListQuery q;
  q.owner = 1;
  q.limit = 100;
  q.search_text = "slug-99999";
  for (auto _ : state) benchmark::DoNotOptimize(index.List(q));
}
BENCHMARK(BM_SearchText)->Unit(benchmark::kMillisecond);

void BM_OrderByClicks(benchmark::State& state) {
  const LinkIndex& index = MillionLinks();
  ListQuery q;
  q.owner = 1;
  q.limit = 100;
  q.order_by = OrderBy::kClicks;
  for (auto _ : state) benchmark::DoNotOptimize(index.List(q));
}
BENCHMARK(BM_OrderByClicks)->Unit(benchmark::kMillisecond);

void BM_OrderByClicksAllTied(benchmark::State& state) {
  const LinkIndex& index = MillionFreshlyImportedLinks();
  ListQuery q;
  q.owner = 1;
  q.limit = 100;
  q.order_by = OrderBy::kClicks;
  for (auto _ : state) benchmark::DoNotOptimize(index.List(q));
}
BENCHMARK(BM_OrderByClicksAllTied)->Unit(benchmark::kMillisecond);

void BM_FirstPageByCreatedAt(benchmark::State& state) {
  const LinkIndex& index = MillionLinks();
  ListQuery q;
  q.owner = 1;
  for (auto _ : state) benchmark::DoNotOptimize(index.List(q));
}
BENCHMARK(BM_FirstPageByCreatedAt)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace shortlink::admin

BENCHMARK_MAIN();
