// Warm start: how long a node takes to load its replica into memory.
// Hidden (run by hand, in a Release build):
//   redirector_test "[.replica_bench]"      SHORTLINK_BENCH_LINKS=1000000 by default
// SHORTLINK_BENCH_DIR=DIR keeps the replica in DIR and reuses it on the next
// run (for profiling the load alone: `perf record` without the write).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unordered_map>

#include "sync/change_applier.h"
#include "sync/replica_store.h"
#include "sync_test_support.h"
#include "table/link_table.h"
#include "table/link_table_sink.h"

namespace shortlink::redirector {
namespace {

// Copies what LinkTable keeps: code, URL and state.
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

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST_CASE("replica warm start", "[.][replica_bench]") {
  size_t n = 1000000;
  if (const char* env = std::getenv("SHORTLINK_BENCH_LINKS")) n = std::strtoull(env, nullptr, 10);
  testing::TempDir temp;
  const char* kept = std::getenv("SHORTLINK_BENCH_DIR");
  const std::string dir = kept ? kept : temp.path();
  if (!kept || !std::filesystem::exists(dir + "/CURRENT")) {
    auto store = ReplicaStore::Open(dir);
    REQUIRE(store.ok());
    auto started = std::chrono::steady_clock::now();
    auto writer = (*store)->BeginSnapshot();
    REQUIRE(writer.ok());
    std::string record;
    for (size_t i = 0; i < n; ++i) {
      char code[16];
      std::snprintf(code, sizeof code, "%08llx",
                    static_cast<unsigned long long>(i * 2654435761u % (1ull << 32)));
      Link link =
          testing::MakeLink(code, std::string("https://www.example.com/some/landing/page?id=") +
                                      std::to_string(i) + "&utm_source=newsletter");
      record.clear();
      EncodeLink(link, &record);
      REQUIRE((*writer)->Add(record).ok());
    }
    REQUIRE((*writer)->Commit(n, [](LinkKey, const Link*) {}).ok());
    std::printf("snapshot of %zu links written in %.2f s\n", n, SecondsSince(started));
  }
  for (int round = 0; round < 2; ++round) {
    auto started = std::chrono::steady_clock::now();
    auto store = ReplicaStore::Open(dir);
    REQUIRE(store.ok());
    double open_s = SecondsSince(started);
    CountSink count;
    ChangeApplier applier(store->get(), &count);
    auto loaded = applier.LoadReplica();
    REQUIRE(loaded.ok());
    REQUIRE(loaded->links == n);
    std::printf("open %.3f s, open+scan+decode %zu links %.3f s\n", open_s, n,
                SecondsSince(started));
  }
  {
    // The node's warm start: the replica into the LinkTable.
    auto started = std::chrono::steady_clock::now();
    auto store = ReplicaStore::Open(dir);
    REQUIRE(store.ok());
    LinkTable table;
    LinkTableSink sink(&table);
    ChangeApplier applier(store->get(), &sink);
    REQUIRE(applier.LoadReplica().ok());
    REQUIRE(table.size() == n);
    std::printf("warm start: open+scan+decode+insert into LinkTable %.3f s (table %.1f MB)\n",
                SecondsSince(started), table.memory_bytes() / 1e6);
  }
  {
    auto started = std::chrono::steady_clock::now();
    auto store = ReplicaStore::Open(dir);
    REQUIRE(store.ok());
    HashSink table(n);
    ChangeApplier applier(store->get(), &table);
    REQUIRE(applier.LoadReplica().ok());
    REQUIRE(table.size() == n);
    std::printf("open+scan+decode+insert into unordered_map %.3f s\n", SecondsSince(started));
  }
}

}  // namespace shortlink::redirector
