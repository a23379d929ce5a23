// What link rules cost per request, in user space: parse + lookup +
// response bytes + click decision for the same browser request against
//   plain      a link without rules (the hot path every link took before);
//   expiry     a link with only an expiry date (the cheapest rule);
//   every      a link with every rule that lets a visit through at once:
//              expiry, click limit, UNIQUE clicks, device targets, A/B
//              split, UTM, forwarded query, a redirect status;
//   password   the password form of a protected link.
// And EvaluateRules alone for "every". The table holds 100k plain links
// beside the ruled ones, so lookups pay realistic cache misses.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "edge/request_head.h"
#include "edge/responder.h"
#include "rules/rule_engine.h"
#include "table/link_table.h"

namespace shortlink::redirector {
namespace {

constexpr std::string_view kDate = "Sun, 22 Nov 2026 00:00:00 GMT";
constexpr int64_t kNow = 1'800'000'000'000;
int64_t FixedClock() { return kNow; }

Link EveryRule() {
  Link link;
  link.code = "every";
  link.long_url = "https://www.example.com/articles/2026/a-readable-slug?ref=home";
  LinkRules& r = link.rules;
  r.expires_at_ms = kNow + 86'400'000;
  r.expired_url = "https://www.example.com/expired";
  r.max_clicks = ~0ull >> 1;
  r.click_limit_url = "https://www.example.com/full";
  r.click_type = ClickType::kUnique;
  r.unique_window_minutes = 60;
  r.devices = {"https://apps.apple.com/app/id1", "https://play.google.com/store/apps/x", "", ""};
  r.ab_targets = {{"https://a.example.com/landing", 50}, {"https://b.example.com/landing", 50}};
  r.utm = {"newsletter", "email", "spring-sale", "", ""};
  r.forward_query = true;
  r.redirect_type = 307;
  return link;
}

struct Fixture {
  LinkTable table;
  Fixture() {
    std::mt19937_64 rnd(7);
    for (int i = 0; i < 100'000; ++i) {
      table.Upsert("p" + std::to_string(i),
                   "https://www.example.com/articles/" + std::to_string(rnd()) + "/slug",
                   LinkState::kActive);
    }
    table.Upsert("plain", "https://www.example.com/articles/2026/a-readable-slug?ref=home",
                 LinkState::kActive);
    Link expiry;
    expiry.code = "expiry";
    expiry.long_url = "https://www.example.com/articles/2026/a-readable-slug?ref=home";
    expiry.rules.expires_at_ms = kNow + 86'400'000;
    Link every = EveryRule();
    Link locked = EveryRule();
    locked.code = "password";
    locked.rules.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
    for (const Link* l : {&expiry, &every, &locked})
      table.Upsert(l->code, l->long_url, l->state, std::make_unique<EdgeRules>(*l));
  }
};

Fixture& Links() {
  thread_local RcuThreadScope rcu;
  static Fixture* f = new Fixture;
  return *f;
}

std::string BrowserRequest(std::string_view code) {
  return "GET /" + std::string(code) +
         "?q=shoes&page=2 HTTP/1.1\r\nHost: sho.rt\r\n"
         "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/124.0.0.0 Safari/537.36\r\n"
         "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
         "Accept-Language: en-US,en;q=0.9\r\nCookie: theme=dark; sl_ab=42\r\n\r\n";
}

void BM_Respond(benchmark::State& state, std::string_view code) {
  Fixture& f = Links();
  ResponderOptions options;
  (void)options.pages.SetNotFound("<p>Not found</p>");
  options.now_ms = FixedClock;
  Responder responder(options);
  std::string request = BrowserRequest(code);
  static char out[kMaxResponseBytes];
  char code_buffer[kCodeBufferBytes];
  VisitFacts facts;
  facts.client_address = "\x7f\x00\x00\x01";
  size_t bytes = 0, bots = 0;
  uint32_t n = 0;
  for (auto _ : state) {
    RequestHead head;
    if (ParseRequestHead(request, &head) != ParseStatus::kOk) state.SkipWithError("parse");
    facts.random = ++n;
    ResponseInfo info;
    bytes += responder.Respond(head, f.table, kDate, out, code_buffer, &info, facts);
    // The click policy ran inside Respond, for plain and ruled links alike.
    bots += info.counted == VisitCount::kBot;
  }
  benchmark::DoNotOptimize(bots);
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(state.iterations());
  state.counters["response_B"] = double(bytes) / double(state.iterations());
}
BENCHMARK_CAPTURE(BM_Respond, plain, "plain");
BENCHMARK_CAPTURE(BM_Respond, expiry, "expiry");
BENCHMARK_CAPTURE(BM_Respond, every, "every");
BENCHMARK_CAPTURE(BM_Respond, password, "password");

void BM_EvaluateEveryRule(benchmark::State& state) {
  EdgeRules rules(EveryRule());
  VisitorFilter visitors;
  Visit visit;
  visit.code = "every";
  visit.user_agent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0.0.0 Safari/537.36";
  visit.cookie = "theme=dark; sl_ab=42";
  visit.client_address = "\x7f\x00\x00\x01";
  visit.now_ms = kNow;
  for (auto _ : state) {
    RuleDecision d = EvaluateRules(rules, "https://www.example.com/x", visit, &visitors);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateEveryRule);

}  // namespace
}  // namespace shortlink::redirector

BENCHMARK_MAIN();
