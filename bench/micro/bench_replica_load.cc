// Warm start: how long a node takes to load its replica into memory, at 1M
// links (SHORTLINK_BENCH_LINKS to change), in a Release build:
//   build/bin/bench_replica_load
// The replica is written once per run, as a snapshot (the SST path), into a
// temporary directory. SHORTLINK_BENCH_DIR=DIR keeps it in DIR instead and
// reuses it on the next run (for profiling the load alone: `perf record`
// without the write).
//
// Each benchmark opens the replica and loads it into a different sink:
//   BM_OpenScanDecode       open + scan + decode, a sink that only counts
//   BM_WarmStartLinkTable   the node's warm start, into the LinkTable
//   BM_WarmStartHashMap     the same into an unordered_map, for comparison
// Times are per whole load (one iteration is one start).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unordered_map>

#include "sync/change_applier.h"
#include "sync/replica_store.h"
#include "table/link_table.h"
#include "table/link_table_sink.h"

namespace shortlink::redirector {
namespace {

// Copies what LinkTable keeps: key, URL and state.
class HashSink : public LinkSink {
 public:
  explicit HashSink(size_t expected) { map_.reserve(expected); }
  void Upsert(LinkKey key, std::string_view url, LinkState state) override {
    map_.insert_or_assign(EncodeLinkKey(key), std::make_pair(std::string(url), state));
  }
  void Erase(LinkKey key) override { map_.erase(EncodeLinkKey(key)); }
  size_t size() const { return map_.size(); }

 private:
  std::unordered_map<std::string, std::pair<std::string, LinkState>> map_;
};

class CountSink : public LinkSink {
 public:
  void Upsert(LinkKey, std::string_view url, LinkState) override {
    bytes_ += url.size();
    ++n_;
  }
  void Erase(LinkKey) override {}
  size_t n_ = 0, bytes_ = 0;
};

size_t LinkCount() {
  const char* env = std::getenv("SHORTLINK_BENCH_LINKS");
  return env ? std::strtoull(env, nullptr, 10) : 1'000'000;
}

// The replica every benchmark loads: made on first use, removed at exit
// unless SHORTLINK_BENCH_DIR names it.
struct Replica {
  std::string dir;
  bool temporary = false;
  size_t links = 0;

  Replica() {
    links = LinkCount();
    if (const char* kept = std::getenv("SHORTLINK_BENCH_DIR")) {
      dir = kept;
    } else {
      std::string pattern = (std::filesystem::temp_directory_path() / "replica-bench-XXXXXX");
      if (!mkdtemp(pattern.data())) std::abort();
      dir = pattern;
      temporary = true;
    }
    if (!std::filesystem::exists(dir + "/CURRENT")) Write();
  }
  ~Replica() {
    if (temporary) std::filesystem::remove_all(dir);
  }

  void Write() const {
    auto started = std::chrono::steady_clock::now();
    auto store = ReplicaStore::Open(dir);
    if (!store.ok()) std::abort();
    auto writer = (*store)->BeginSnapshot();
    if (!writer.ok()) std::abort();
    std::string record;
    for (size_t i = 0; i < links; ++i) {
      char code[16];
      std::snprintf(code, sizeof code, "%08llx",
                    static_cast<unsigned long long>(i * 2654435761u % (1ull << 32)));
      Link link;
      link.code = code;
      link.long_url = "https://www.example.com/some/landing/page?id=" + std::to_string(i) +
                      "&utm_source=newsletter";
      link.owner = 7;
      link.created_at_ms = link.updated_at_ms = 1'700'000'000'000;
      record.clear();
      EncodeLink(link, &record);
      if (!(*writer)->Add(record).ok()) std::abort();
    }
    if (!(*writer)->Commit(links, nullptr).ok()) std::abort();
    std::fprintf(stderr, "snapshot of %zu links written in %.2f s\n", links,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
};

const Replica& TheReplica() {
  static Replica replica;
  return replica;
}

// Opens the replica and loads it into `sink`; the open is part of the time.
void Load(benchmark::State& state, LinkSink* sink) {
  auto store = ReplicaStore::Open(TheReplica().dir);
  if (!store.ok()) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  ChangeApplier applier(store->get(), sink);
  auto loaded = applier.LoadReplica();
  if (!loaded.ok() || loaded->links != TheReplica().links) {
    state.SkipWithError("the replica did not load whole");
    return;
  }
}

void BM_OpenScanDecode(benchmark::State& state) {
  TheReplica();
  for (auto _ : state) {
    CountSink count;
    Load(state, &count);
    benchmark::DoNotOptimize(count.bytes_);
  }
  state.counters["links"] = static_cast<double>(TheReplica().links);
}
BENCHMARK(BM_OpenScanDecode)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_WarmStartLinkTable(benchmark::State& state) {
  TheReplica();
  double table_mb = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto table = std::make_unique<LinkTable>();
    state.ResumeTiming();
    LinkTableSink sink(table.get());
    Load(state, &sink);
    table_mb = table->memory_bytes() / 1e6;
    state.PauseTiming();
    table.reset();  // the free is not part of a start
    state.ResumeTiming();
  }
  state.counters["links"] = static_cast<double>(TheReplica().links);
  state.counters["table_MB"] = table_mb;
}
BENCHMARK(BM_WarmStartLinkTable)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_WarmStartHashMap(benchmark::State& state) {
  TheReplica();
  for (auto _ : state) {
    HashSink map(TheReplica().links);
    Load(state, &map);
    benchmark::DoNotOptimize(map.size());
  }
}
BENCHMARK(BM_WarmStartHashMap)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace shortlink::redirector

BENCHMARK_MAIN();
