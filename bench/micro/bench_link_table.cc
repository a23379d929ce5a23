// LinkTable at 1M links: lookups that hit and miss (the request threads'
// whole share of the table), concurrent lookups from two threads, and the
// applier's replace rate. Codes are visited in a shuffled order so that each
// lookup pays the cache misses a real request does (slot array, then entry),
// rather than walking memory the previous lookup warmed.
//
// Counters: items_per_second is lookups (or replaces) per second per
// benchmark thread; `overhead_B` is table bytes per link beyond the code and
// URL bytes, `table_B` all table bytes per link (malloc's own per-block
// headers are in neither: memory_bytes() does not see them).
//
// Every link is on the default domain, as every link is today. The ByHost
// lookups go through Find(host, code) as the edge's request path does: with
// no other domain (the Host header is never read) and with a table that
// also holds links of a few custom domains (the header is lowercased,
// stripped of its port and looked up in the host map first).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "table/link_table.h"

namespace shortlink::redirector {
namespace {

constexpr int kLinks = 1'000'000;

// Seven characters of [a-z0-9], as admin-api's random codes are.
std::string RandomCode(std::mt19937_64& rnd) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string code(7, ' ');
  for (char& c : code) c = kAlphabet[rnd() % 36];
  return code;
}

// About 85 bytes, like the URLs of issue 4's benchmark.
std::string RandomUrl(std::mt19937_64& rnd, int i) {
  return "https://www.example-" + std::to_string(rnd() % 1000) + ".com/articles/" +
         std::to_string(rnd() % 1000000000) + "/a-readable-slug-" + std::to_string(i) +
         "?utm_source=news";
}

struct Fixture {
  LinkTable table;
  std::vector<std::string> hits;    // present, shuffled
  std::vector<std::string> misses;  // absent, same shape
  size_t payload_bytes = 0;         // code and URL bytes of every link
};

// Each benchmark thread registers once with RCU, for its whole life.
void RegisterReader() { thread_local RcuThreadScope rcu; }

Fixture& MillionLinks() {
  RegisterReader();  // building uses Find to skip duplicate codes
  static Fixture* f = [] {
    auto* fx = new Fixture;
    std::mt19937_64 rnd(42);
    fx->hits.reserve(kLinks);
    for (int i = 0; i < kLinks; ++i) {
      std::string code = RandomCode(rnd) + std::to_string(i % 10);  // distinct often enough
      std::string url = RandomUrl(rnd, i);
      bool fresh = true;
      fx->table.Find(code, [&](const LinkView&) { fresh = false; });
      if (!fresh) continue;
      fx->payload_bytes += code.size() + url.size();
      fx->table.Upsert(code, url, LinkState::kActive);
      fx->hits.push_back(std::move(code));
    }
    for (size_t i = 0; i < fx->hits.size(); ++i) {
      std::string code = RandomCode(rnd) + "x";  // 'x' never ends a stored code here
      fx->misses.push_back(std::move(code));
    }
    std::shuffle(fx->hits.begin(), fx->hits.end(), rnd);
    return fx;
  }();
  return *f;
}

void Lookups(benchmark::State& state, const std::vector<std::string>& codes,
             std::string_view host = {}) {
  Fixture& f = MillionLinks();
  size_t i = static_cast<size_t>(state.thread_index()) * 7919 % codes.size();
  size_t url_bytes = 0;
  auto visit = [&](const LinkView& v) { url_bytes += v.long_url.size(); };
  for (auto _ : state) {
    if (host.empty())
      f.table.Find(codes[i], visit);
    else
      f.table.Find(host, codes[i], visit);
    if (++i == codes.size()) i = 0;
  }
  benchmark::DoNotOptimize(url_bytes);
  state.SetItemsProcessed(state.iterations());
  // Averaged over threads: each thread reports the same table.
  state.counters["links"] =
      benchmark::Counter(static_cast<double>(f.table.size()), benchmark::Counter::kAvgThreads);
  state.counters["overhead_B"] =
      benchmark::Counter(double(f.table.memory_bytes() - f.payload_bytes) / double(f.table.size()),
                         benchmark::Counter::kAvgThreads);
  state.counters["table_B"] = benchmark::Counter(
      double(f.table.memory_bytes()) / double(f.table.size()), benchmark::Counter::kAvgThreads);
}

void BM_LookupHit(benchmark::State& state) { Lookups(state, MillionLinks().hits); }
BENCHMARK(BM_LookupHit)->ThreadRange(1, 2)->UseRealTime();

void BM_LookupMiss(benchmark::State& state) { Lookups(state, MillionLinks().misses); }
BENCHMARK(BM_LookupMiss)->ThreadRange(1, 2)->UseRealTime();

// The edge's call, Host "go.example.com:8080", while no other domain exists.
void BM_LookupHitByHost(benchmark::State& state) {
  Lookups(state, MillionLinks().hits, "Go.Example.com:8080");
}
BENCHMARK(BM_LookupHitByHost)->UseRealTime();

// The same with 100 custom domains of one link each in the table: the
// Host header is now parsed and looked up (a miss: the default domain).
void BM_LookupHitByHostWithDomains(benchmark::State& state) {
  static LinkTable* once = [] {
    LinkTable* t = &MillionLinks().table;
    for (int d = 0; d < 100; ++d)
      t->Upsert(LinkKey{"custom" + std::to_string(d) + ".example", "promo"},
                "https://example.com/promo", LinkState::kActive);
    return t;
  }();
  Lookups(state, MillionLinks().hits, "Go.Example.com:8080");
  state.counters["domains"] = static_cast<double>(once->domains());
}
BENCHMARK(BM_LookupHitByHostWithDomains)->UseRealTime();

// The same code over and over: the cost of the lookup itself (hash, probe,
// compare, RCU read lock) with everything in cache.
void BM_LookupHitCached(benchmark::State& state) {
  Fixture& f = MillionLinks();
  const std::string& code = f.hits.front();
  size_t url_bytes = 0;
  for (auto _ : state)
    f.table.Find(code, [&](const LinkView& v) { url_bytes += v.long_url.size(); });
  benchmark::DoNotOptimize(url_bytes);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupHitCached);

// The applier's side: replacing existing links (allocation of the new entry,
// a call_rcu for the old one). Runs on a table of its own so that the lookup
// figures above are taken on a table that has never churned.
void BM_Replace(benchmark::State& state) {
  RegisterReader();
  static LinkTable* table = [] {
    auto* t = new LinkTable;
    for (int i = 0; i < 100'000; ++i)
      t->Upsert("r" + std::to_string(i), "https://example.com/start", LinkState::kActive);
    return t;
  }();
  std::vector<std::string> codes;
  for (int i = 0; i < 100'000; ++i) codes.push_back("r" + std::to_string(i));
  std::string url = "https://www.example.com/articles/123456789/a-readable-slug?utm_source=news";
  size_t i = 0;
  for (auto _ : state) {
    table->Upsert(codes[i], url, LinkState::kActive);
    if (++i == codes.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Replace);

}  // namespace
}  // namespace shortlink::redirector

BENCHMARK_MAIN();
