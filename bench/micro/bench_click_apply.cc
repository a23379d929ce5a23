// admin-api applying click batches: its CPU per click, from the encoded
// batch as it comes off the Redis stream (decode included) to the synced
// RocksDB commit, over 1,000,000 links. Issue 23's floors: >= 1,000,000
// clicks per CPU-second with a Zipf(1.0) mix, >= 300,000 with a uniform one.
//
// A batch is what one node sends after a second of traffic: kClicksPerBatch
// visits drawn from the mix, summed per code (the node counts a code once
// per interval). Rates are per CPU-second of the whole process
// (MeasureProcessCPUTime): the writer thread, the caller and RocksDB's own
// flush and compaction threads, as a core of admin-api would spend them.
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <unordered_map>

#include "common/click_batch.h"
#include "common/metrics.h"
#include "links/link_index.h"
#include "links/link_service.h"
#include "store/database.h"

namespace shortlink::admin {
namespace {

constexpr size_t kLinks = 1'000'000;
constexpr size_t kChunk = 4'096;  // creates per commit while filling
constexpr size_t kClicksPerBatch = 100'000;
constexpr size_t kBatches = 64;  // drawn before timing, applied in turn

std::string CodeOf(size_t i) { return "c" + std::to_string(i); }

struct ClickBench {
  ClickBench() {
    char tmpl[] = "/tmp/bench_click_apply.XXXXXX";
    dir = mkdtemp(tmpl);
    db = std::move(Database::Open(dir, Database::Use::kServing)).value();
    service = std::move(LinkService::Start(db.get(), &index, &metrics)).value();
    // The writer at full speed, as when it catches up. Paced (while clicks
    // keep up) the CPU per click is the same, spread over 5x the time.
    service->SetClicksBehind(true);
    std::mt19937_64 rnd(7);
    for (size_t first = 0; first < kLinks; first += kChunk) {
      std::vector<Mutation> creates;
      for (size_t i = first; i < std::min(first + kChunk, kLinks); ++i) {
        CreateLink c;
        c.code = CodeOf(i);
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
  uint64_t number = 0;  // the bench node's last batch number
};

ClickBench& Bench() {
  static ClickBench bench;
  return bench;
}

// Link ranks with P(rank k) proportional to 1/k^s (s = 1: Zipf(1.0)), or uniform (s = 0).
class RankSampler {
 public:
  RankSampler(double s, size_t n) : cdf_(n) {
    double sum = 0;
    for (size_t k = 0; k < n; ++k) cdf_[k] = sum += 1.0 / std::pow(static_cast<double>(k + 1), s);
    for (double& c : cdf_) c /= sum;
  }
  size_t operator()(std::mt19937_64& rnd) const {
    double u = std::uniform_real_distribution<double>(0, 1)(rnd);
    return std::min(
        cdf_.size() - 1,
        static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin()));
  }

 private:
  std::vector<double> cdf_;
};

// kBatches encoded batches (node and numbers filled in when applied), and
// the mean number of distinct codes per batch.
std::pair<std::vector<ClickBatch>, double> DrawBatches(double zipf_s) {
  RankSampler ranks(zipf_s, kLinks);
  std::vector<size_t> link_of_rank(kLinks);  // popular links spread over the key space
  for (size_t i = 0; i < kLinks; ++i) link_of_rank[i] = i;
  std::shuffle(link_of_rank.begin(), link_of_rank.end(), std::mt19937_64(42));
  std::mt19937_64 rnd(1);
  std::vector<ClickBatch> batches(kBatches);
  size_t entries = 0;
  for (ClickBatch& batch : batches) {
    std::unordered_map<size_t, uint64_t> counts;
    for (size_t i = 0; i < kClicksPerBatch; ++i) ++counts[link_of_rank[ranks(rnd)]];
    for (const auto& [link, count] : counts) batch.clicks.push_back({CodeOf(link), count});
    entries += counts.size();
  }
  return {std::move(batches), static_cast<double>(entries) / kBatches};
}

void ApplyBatches(benchmark::State& state, double zipf_s) {
  ClickBench& bench = Bench();
  auto [batches, mean_entries] = DrawBatches(zipf_s);
  std::vector<std::string> encoded(batches.size());
  size_t next = 0;
  uint64_t applied = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ClickBatch& batch = batches[next++ % batches.size()];
    batch.node = "bench";
    batch.number = ++bench.number;
    encoded[0].clear();
    EncodeClickBatch(batch, &encoded[0]);
    state.ResumeTiming();
    auto decoded = DecodeClickBatch(encoded[0]);  // as the click consumer does
    if (!decoded.ok()) {
      state.SkipWithError("click batch unreadable");
      break;
    }
    std::vector<Mutation> ms;
    ms.emplace_back(ApplyClicks{std::move(decoded).value()});
    auto results = bench.service->SubmitAndWait(std::move(ms));
    if (!results[0].status.ok()) {
      state.SkipWithError("click batch refused");
      break;
    }
    applied += kClicksPerBatch;
  }
  state.SetItemsProcessed(static_cast<int64_t>(applied));
  state.counters["codes_per_batch"] = mean_entries;
  // A rate over the (process CPU) time, inverted: CPU-seconds per 1e9 clicks = ns per click.
  state.counters["cpu_ns_per_click"] =
      benchmark::Counter(static_cast<double>(applied) / 1e9,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_ApplyClickBatch_Zipf1(benchmark::State& state) { ApplyBatches(state, 1.0); }
void BM_ApplyClickBatch_Uniform(benchmark::State& state) { ApplyBatches(state, 0.0); }

BENCHMARK(BM_ApplyClickBatch_Zipf1)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(5);
BENCHMARK(BM_ApplyClickBatch_Uniform)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(5);

}  // namespace
}  // namespace shortlink::admin

BENCHMARK_MAIN();
