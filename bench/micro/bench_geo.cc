// GeoLocator over Debian's tor-geoipdb: what the redirector pays at start
// (OpenTorGeoip reads and indexes both files) and per classified click
// (Locate). The click collector locates every counted visit on one core,
// so Locate must stay far below its per-click budget (>= 5M lookups/s).
//
// Addresses are drawn at random in advance and visited in order, so each
// lookup pays the cache misses of a fresh address: IPv4 uniformly over the
// whole space (most land in a placed range), IPv6 inside the file's own
// ranges (uniform IPv6 addresses would nearly all fall in the huge unplaced
// gaps and measure nothing).
//
// Counters: items_per_second is lookups per second; `heap_MB` the heap a
// locator keeps (malloc's count before and after Open, so the file buffers
// freed during loading are not in it).
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "classify/geo.h"

namespace shortlink::classify {
namespace {

constexpr size_t kAddresses = 1 << 20;

const GeoLocator& Tor() {
  static const std::unique_ptr<GeoLocator> locator = [] {
    auto opened = GeoLocator::OpenTorGeoip();
    if (!opened.ok()) {
      fprintf(stderr, "%s\n", opened.error().message.c_str());
      std::abort();
    }
    return std::move(opened).value();
  }();
  return *locator;
}

void BM_OpenTorGeoip(benchmark::State& state) {
  size_t heap_bytes = 0;
  for (auto _ : state) {
    const size_t before = mallinfo2().uordblks;
    auto opened = GeoLocator::OpenTorGeoip();
    heap_bytes = mallinfo2().uordblks - before;
    benchmark::DoNotOptimize(opened);
  }
  state.counters["heap_MB"] = static_cast<double>(heap_bytes) / 1e6;
}
BENCHMARK(BM_OpenTorGeoip)->Unit(benchmark::kMillisecond)->Iterations(10);

std::vector<std::string> RandomV4() {
  std::mt19937 rnd(4);
  std::vector<std::string> addresses;
  for (size_t i = 0; i < kAddresses; ++i) {
    const uint32_t a = htonl(static_cast<uint32_t>(rnd()));
    addresses.emplace_back(reinterpret_cast<const char*>(&a), 4);
  }
  return addresses;
}

std::vector<std::string> RandomV6InFileRanges() {
  std::ifstream in(GeoLocator::kTorGeoip6);
  std::vector<std::string> lows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    unsigned char bytes[16];
    if (inet_pton(AF_INET6, line.substr(0, line.find(',')).c_str(), bytes) == 1) {
      lows.emplace_back(bytes, bytes + 16);
    }
  }
  std::mt19937_64 rnd(6);
  std::vector<std::string> addresses;
  for (size_t i = 0; i < kAddresses && !lows.empty(); ++i) {
    std::string a = lows[rnd() % lows.size()];
    a[15] = static_cast<char>(rnd());  // inside the range's first 256 addresses
    addresses.push_back(std::move(a));
  }
  return addresses;
}

void Locate(benchmark::State& state, const std::vector<std::string>& addresses) {
  const GeoLocator& geo = Tor();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(geo.Locate(addresses[i]));
    i = (i + 1) & (kAddresses - 1);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_LocateV4(benchmark::State& state) {
  static const auto addresses = RandomV4();
  Locate(state, addresses);
}
BENCHMARK(BM_LocateV4);

void BM_LocateV6(benchmark::State& state) {
  static const auto addresses = RandomV6InFileRanges();
  Locate(state, addresses);
}
BENCHMARK(BM_LocateV6);

}  // namespace
}  // namespace shortlink::classify

BENCHMARK_MAIN();
