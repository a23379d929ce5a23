// What link.clicked costs the link writer (issue 23: the click path): one
// commit of a click batch naming 100,000 distinct links, with no click
// listener, with the webhook dispatcher as listener but no subscription to
// link.clicked (WantsClicks false: nothing kept), and with one (the
// batch's entries moved to the dispatcher, which then resolves their teams
// on its own thread). Wall time of the commit as the caller sees it.
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <filesystem>

#include "common/click_batch.h"
#include "common/metrics.h"
#include "links/link_index.h"
#include "links/link_service.h"
#include "store/database.h"
#include "webhooks/dispatcher.h"
#include "webhooks/subscriptions.h"

namespace shortlink::admin {
namespace {

constexpr size_t kLinks = 100'000;  // every one clicked in each batch
constexpr uint64_t kTeam = 1;

struct Setup {
  Setup() {
    char tmpl[] = "/tmp/bench_webhook_clicks.XXXXXX";
    dir = mkdtemp(tmpl);
    db = std::move(Database::Open(dir)).value();
    subscriptions = std::move(webhooks::Subscriptions::Load(db.get())).value();
    webhooks::DispatcherOptions options;
    options.click_interval_ms = 3'600'000;  // nothing sent while measuring
    dispatcher =
        std::move(webhooks::Dispatcher::Start(db.get(), subscriptions.get(), &index, options))
            .value();
    service = std::move(LinkService::Start(db.get(), &index, &metrics, {dispatcher.get()})).value();
    for (size_t first = 0; first < kLinks; first += 4096) {
      std::vector<Mutation> creates;
      for (size_t i = first; i < std::min(first + 4096, kLinks); ++i) {
        CreateLink c;
        c.code = "c" + std::to_string(i);
        c.long_url = "https://www.example.com/articles/" + std::to_string(i);
        c.owner = kTeam;
        creates.emplace_back(std::move(c));
      }
      service->SubmitAndWait(std::move(creates));
    }
  }
  ~Setup() {
    service.reset();
    dispatcher.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }

  std::string dir;
  MetricsRegistry metrics;
  std::unique_ptr<Database> db;
  LinkIndex index;
  std::unique_ptr<webhooks::Subscriptions> subscriptions;
  std::unique_ptr<webhooks::Dispatcher> dispatcher;
  std::unique_ptr<LinkService> service;
  uint64_t number = 0;
};

Setup& Get() {
  static Setup setup;
  return setup;
}

enum class Mode { kNoListener, kNobodyListens, kSubscribed };

void CommitClicks(benchmark::State& state, Mode mode) {
  Setup& s = Get();
  s.service->SetClickListener(mode == Mode::kNoListener ? nullptr : s.dispatcher.get());
  std::optional<webhooks::Webhook> hook;
  if (mode == Mode::kSubscribed)
    hook = s.subscriptions->Create(kTeam, "https://hooks.example.com/", webhooks::kLinkClicked, 1)
               .value();
  for (auto _ : state) {
    state.PauseTiming();
    ClickBatch batch;
    batch.node = "bench";
    batch.number = ++s.number;
    batch.clicks.reserve(kLinks);
    for (size_t i = 0; i < kLinks; ++i) batch.clicks.push_back({"c" + std::to_string(i), 1});
    std::vector<Mutation> ms;
    ms.emplace_back(ApplyClicks{std::move(batch)});
    state.ResumeTiming();
    auto results = s.service->SubmitAndWait(std::move(ms));
    if (!results[0].status.ok()) state.SkipWithError("click batch refused");
  }
  if (hook) (void)s.subscriptions->Remove(kTeam, hook->id);
}

void BM_Commit100kClicked_NoListener(benchmark::State& st) { CommitClicks(st, Mode::kNoListener); }
void BM_Commit100kClicked_NobodyListens(benchmark::State& st) {
  CommitClicks(st, Mode::kNobodyListens);
}
void BM_Commit100kClicked_Subscribed(benchmark::State& st) { CommitClicks(st, Mode::kSubscribed); }

BENCHMARK(BM_Commit100kClicked_NoListener)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3);
BENCHMARK(BM_Commit100kClicked_NobodyListens)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3);
BENCHMARK(BM_Commit100kClicked_Subscribed)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3);
BENCHMARK(BM_Commit100kClicked_NoListener)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3);

}  // namespace
}  // namespace shortlink::admin

BENCHMARK_MAIN();
