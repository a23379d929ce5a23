// The click collector classifying visits (clicks/visit_classifier.h): from
// a worker's visit record to its link's count and every dimension's, as the
// collector thread does it. Issue 20's floor: >= 300,000 classified clicks
// per second on one core with a realistic mix.
//
// The mix: the 14 browser agents of bench/redirect_vs_nginx.py (weighted
// roughly as StatCounter's 2026 global browser/OS shares: Chrome on Android
// and Windows first, Safari on iPhone, then Edge, Samsung Internet,
// Firefox, iPad, Linux, an Android tablet), each with a few minor-version
// variants so that the agent cache sees ~100 distinct agents, nine
// Accept-Language values, half the visits with a referrer, client
// addresses spread over 34 public /8 networks, 100,000 links walked at
// random, and every visit on one link within an hour.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "clicks/visit_classifier.h"

namespace shortlink::redirector {
namespace {

const char* kAgents[] = {
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.%d.0 "
    "Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.%d.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_%d like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_%d) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.%d.0",
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/26.%d Chrome/122.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.%d",
    "Mozilla/5.0 (iPad; CPU OS 17_%d like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.%d.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.%d.0 Safari/537.36",
};
const int kAgentWeights[] = {30, 22, 16, 6, 6, 4, 4, 3, 2, 2};  // per cent
const char* kLanguages[] = {"en-US,en;q=0.9", "en-GB,en;q=0.8", "de-DE,de;q=0.9,en;q=0.8",
                            "es-ES,es;q=0.9", "pt-BR,pt;q=0.9", "fr-FR,fr;q=0.9",
                            "ja-JP,ja;q=0.9", "zh-CN,zh;q=0.9", "hi-IN,hi;q=0.9"};
const char* kReferrers[] = {"",
                            "",
                            "",
                            "",
                            "https://www.google.com/",
                            "https://t.co/x1y2z3",
                            "https://www.facebook.com/",
                            "https://news.example.org/story/42"};
const int kNetworks[] = {3,   8,   13,  24,  31,  37,  41,  45,  52,  62,  77,  81,
                         85,  91,  101, 103, 110, 117, 125, 141, 151, 163, 175, 177,
                         181, 185, 186, 190, 196, 200, 201, 212, 213, 217};

struct Visit {
  std::string code, agent, language, referrer, query;
  char address[4];
};

std::vector<Visit> DrawVisits(size_t count) {
  std::mt19937_64 rnd(5);
  std::discrete_distribution<int> agent_of(std::begin(kAgentWeights), std::end(kAgentWeights));
  std::vector<Visit> visits(count);
  for (Visit& v : visits) {
    v.code = "c" + std::to_string(rnd() % 100'000);
    char agent[512];
    snprintf(agent, sizeof agent, kAgents[agent_of(rnd)], static_cast<int>(rnd() % 10));
    v.agent = agent;
    v.language = kLanguages[rnd() % std::size(kLanguages)];
    v.referrer = kReferrers[rnd() % std::size(kReferrers)];
    if (rnd() % 4 == 0) v.query = "utm_source=newsletter&utm_medium=email";
    v.address[0] = static_cast<char>(kNetworks[rnd() % std::size(kNetworks)]);
    for (int i = 1; i < 4; ++i) v.address[i] = static_cast<char>(rnd());
  }
  return visits;
}

void BM_ClassifyVisits(benchmark::State& state) {
  auto classifier = VisitClassifier::Open({});
  if (!classifier.ok()) {
    state.SkipWithError(classifier.error().message.c_str());
    return;
  }
  std::vector<Visit> visits = DrawVisits(1 << 20);
  CodeCounts counts;
  VisitTally tally;
  size_t next = 0;
  const int64_t noon = 1'796'644'800'000;
  for (auto _ : state) {
    const Visit& v = visits[next++ & (visits.size() - 1)];
    VisitRecord record;
    record.code = v.code;
    record.user_agent = v.agent;
    record.accept_language = v.language;
    record.referer = v.referrer;
    record.query = v.query;
    record.address = std::string_view(v.address, 4);
    (*classifier)->Add(record, noon, &tally);
    // A second's counts go to the ledger and fresh ones start, as in the collector.
    if ((next & 0x1ffff) == 0) {
      tally.ForEachLinkClicks([&counts](std::string_view key, uint64_t n) {
        AddCount(&counts, key, n);  // as the flusher hands them to the ledger
      });
      const size_t links = tally.links();
      counts = CodeCounts();
      counts.reserve(links);  // as the flusher sizes the next second's
      tally = VisitTally();
      tally.Reserve(links);
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClassifyVisits)->MinTime(3);

}  // namespace
}  // namespace shortlink::redirector

BENCHMARK_MAIN();
