// The edge's per-request CPU work outside the kernel: parsing the request
// head, the LinkTable lookup and building the response bytes (and bot
// detection, for a browser's request). Two request shapes:
//   wrk      "GET /code HTTP/1.1" + Host: what load generators send;
//   browser  a current Chrome navigation, ~600 bytes of headers.
// Codes are drawn at random from 1M links, so the lookup pays its cache
// misses. For comparison, BM_BeastParse* parse the same heads with
// Boost.Beast's request_parser (fresh per message, as its hardened example
// does): the hand-written parser is the one the server uses.
#include <benchmark/benchmark.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "edge/request_head.h"
#include "edge/responder.h"
#include "rules/bot_detector.h"
#include "table/link_table.h"

namespace shortlink::redirector {
namespace {

constexpr int kLinks = 1'000'000;
constexpr size_t kCodeLength = 8;
constexpr std::string_view kDate = "Sun, 22 Nov 2026 00:00:00 GMT";

void RegisterReader() { thread_local RcuThreadScope rcu; }

struct Fixture {
  LinkTable table;
  std::vector<std::string> codes;  // present, in random order, each kCodeLength long
};

Fixture& MillionLinks() {
  RegisterReader();
  static Fixture* f = [] {
    auto* fx = new Fixture;
    std::mt19937_64 rnd(7);
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < kLinks; ++i) {
      std::string code(kCodeLength, ' ');
      for (char& c : code) c = kAlphabet[rnd() % 36];
      std::string url = "https://www.example-" + std::to_string(rnd() % 1000) + ".com/articles/" +
                        std::to_string(rnd() % 1000000000) + "/a-readable-slug-" +
                        std::to_string(i) + "?utm_source=news";
      fx->table.Upsert(code, url, LinkState::kActive);
      fx->codes.push_back(std::move(code));
    }
    return fx;
  }();
  return *f;
}

const std::string kWrkRequest = "GET /CODECODE HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

const std::string kBrowserRequest =
    "GET /CODECODE HTTP/1.1\r\n"
    "Host: go.example.org\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "sec-ch-ua-platform: \"Windows\"\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/124.0.0.0 Safari/537.36\r\n"
    "Accept: "
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/"
    "*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
    "Sec-Fetch-Site: none\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: en-GB,en;q=0.9,fr;q=0.8\r\n"
    "\r\n";

// A mutable copy of `request` with the code's place found once; each
// iteration writes the next code there, as the kernel would write a new
// request into the connection's buffer.
struct RequestBuffer {
  explicit RequestBuffer(const std::string& request) : bytes(request) {
    code_at = bytes.find("CODECODE");
  }
  void SetCode(const std::string& code) {
    memcpy(bytes.data() + code_at, code.data(), kCodeLength);
  }
  std::string bytes;
  size_t code_at;
};

void BM_Parse(benchmark::State& state, const std::string& request) {
  RequestBuffer req(request);
  req.SetCode("abcd1234");
  for (auto _ : state) {
    RequestHead head;
    ParseStatus s = ParseRequestHead(req.bytes, &head);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(head);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * int64_t(request.size()));
}
BENCHMARK_CAPTURE(BM_Parse, wrk, kWrkRequest);
BENCHMARK_CAPTURE(BM_Parse, browser, kBrowserRequest);

void BM_BeastParse(benchmark::State& state, const std::string& request) {
  namespace http = boost::beast::http;
  RequestBuffer req(request);
  req.SetCode("abcd1234");
  for (auto _ : state) {
    http::request_parser<http::empty_body> parser;
    parser.header_limit(16 * 1024);
    boost::beast::error_code ec;
    size_t used = parser.put(boost::asio::buffer(req.bytes), ec);
    benchmark::DoNotOptimize(used);
    if (ec || !parser.is_done()) state.SkipWithError("beast did not parse the head");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_BeastParse, wrk, kWrkRequest);
BENCHMARK_CAPTURE(BM_BeastParse, browser, kBrowserRequest);

// Parse + lookup + response bytes (+ the click policy, IsBot for a hit, inside
// Respond, as the server counts a visit): everything a request costs in user space
// except the socket calls.
void BM_ParseRespondHit(benchmark::State& state, const std::string& request) {
  Fixture& f = MillionLinks();
  ResponderOptions options;
  (void)options.pages.SetNotFound("<html><body>Not found</body></html>\n");
  Responder responder(options);
  RequestBuffer req(request);
  static char out[kMaxResponseBytes];
  char code[kCodeBufferBytes];
  size_t i = 0, bytes = 0, bots = 0;
  for (auto _ : state) {
    req.SetCode(f.codes[i]);
    if (++i == f.codes.size()) i = 0;
    RequestHead head;
    if (ParseRequestHead(req.bytes, &head) != ParseStatus::kOk) state.SkipWithError("parse");
    ResponseInfo info;
    bytes += responder.Respond(head, f.table, kDate, out, code, &info);
    if (info.outcome != Outcome::kHit) state.SkipWithError("not a hit");
    bots += info.counted == VisitCount::kBot;  // the click policy ran inside Respond
  }
  benchmark::DoNotOptimize(bytes);
  benchmark::DoNotOptimize(bots);
  state.SetItemsProcessed(state.iterations());
  state.counters["response_B"] = double(bytes) / double(state.iterations());
}
BENCHMARK_CAPTURE(BM_ParseRespondHit, wrk, kWrkRequest);
BENCHMARK_CAPTURE(BM_ParseRespondHit, browser, kBrowserRequest);

void BM_ParseRespondMiss(benchmark::State& state) {
  Fixture& f = MillionLinks();
  ResponderOptions options;
  (void)options.pages.SetNotFound("<html><body>Not found</body></html>\n");
  Responder responder(options);
  RequestBuffer req(kWrkRequest);
  req.SetCode("zz-zz-zz");  // '-' never appears in the fixture's codes
  static char out[kMaxResponseBytes];
  char code[kCodeBufferBytes];
  size_t bytes = 0;
  for (auto _ : state) {
    RequestHead head;
    ParseRequestHead(req.bytes, &head);
    ResponseInfo info;
    bytes += responder.Respond(head, f.table, kDate, out, code, &info);
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseRespondMiss);

void BM_IsBot(benchmark::State& state, std::string_view user_agent) {
  for (auto _ : state) benchmark::DoNotOptimize(IsBot(user_agent));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_IsBot, chrome,
                  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/124.0.0.0 Safari/537.36");
BENCHMARK_CAPTURE(BM_IsBot, googlebot,
                  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");

}  // namespace
}  // namespace shortlink::redirector

BENCHMARK_MAIN();
