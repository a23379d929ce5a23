// LinkService applying click batches: admin-api's cost per counted click,
// RocksDB write included, as a node's flush brings them (one batch of
// distinct codes walked at random over many links).
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "common/metrics.h"
#include "links/link_index.h"
#include "links/link_service.h"
#include "store/database.h"

namespace shortlink::admin {
namespace {

constexpr size_t kLinks = 200'000;
constexpr size_t kChunk = 4'096;  // creates per commit while filling

struct ClickBench {
  ClickBench() {
    char tmpl[] = "/tmp/bench_click_apply.XXXXXX";
    dir = mkdtemp(tmpl);
    db = std::move(Database::Open(dir, Database::Use::kServing)).value();
    service = std::move(LinkService::Start(db.get(), &index, &metrics)).value();
    std::mt19937_64 rnd(7);
    for (size_t first = 0; first < kLinks; first += kChunk) {
      std::vector<Mutation> creates;
      for (size_t i = first; i < std::min(first + kChunk, kLinks); ++i) {
        CreateLink c;
        c.code = "c" + std::to_string(i);
        c.long_url = "https://www.example-" + std::to_string(rnd() % 1000) + ".com/articles/" +
                     std::to_string(rnd() % 1000000000) + "/Some-Readable-Slug-" +
                     std::to_string(i);
        c.owner = 1;
        creates.emplace_back(std::move(c));
      }
      service->SubmitAndWait(std::move(creates));
    }
  }
  ~ClickBench() {
    service.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }

  std::string dir;
  MetricsRegistry metrics;
  std::unique_ptr<Database> db;
  LinkIndex index;
  std::unique_ptr<LinkService> service;
};

// One batch of state.range(0) distinct codes (kLinks >= range), one click each.
void BM_ApplyClickBatch(benchmark::State& state) {
  static ClickBench bench;
  static uint64_t number = 0;
  static std::vector<size_t> walk = [] {  // every link once, in random order
    std::vector<size_t> v(kLinks);
    for (size_t i = 0; i < kLinks; ++i) v[i] = i;
    std::shuffle(v.begin(), v.end(), std::mt19937_64(42));
    return v;
  }();
  static size_t next = 0;
  const size_t codes = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    ApplyClicks op;
    op.batch.node = "bench";
    op.batch.number = ++number;
    for (size_t i = 0; i < codes; ++i)
      op.batch.clicks.emplace_back("c" + std::to_string(walk[next++ % kLinks]), 1);
    std::vector<Mutation> ms;
    ms.emplace_back(std::move(op));
    state.ResumeTiming();
    auto results = bench.service->SubmitAndWait(std::move(ms));
    if (!results[0].status.ok()) state.SkipWithError("click batch refused");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(codes));
}
BENCHMARK(BM_ApplyClickBatch)->Arg(20'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace shortlink::admin

BENCHMARK_MAIN();
