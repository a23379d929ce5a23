// The tracker page (redirector/src/trackers/): what a browser gets from a
// link with retargeting trackers, through the real responder and link
// table: the page, its policy and pixels, who gets the plain redirect
// instead, consent, the loader script, and the bounds.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "edge/request_head.h"
#include "edge/responder.h"
#include "responder_options.h"
#include "table/edge_rules.h"
#include "table/link_table.h"
#include "trackers/tracker_page.h"
#include "trackers/tracker_script.h"

// The count of operator new calls of this binary: hot_path_alloc_test.cc
// includes support/counting_new.h, which replaces the operators (once per
// binary); this is the same inline variable, declared as that header does.
namespace shortlink::testing {
inline std::atomic<uint64_t> g_operator_new_calls{0};
}  // namespace shortlink::testing

namespace shortlink::redirector {
namespace {

constexpr std::string_view kBrowser = "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0 Safari/537.36";
constexpr std::string_view kDate = "Sun, 22 Nov 2026 00:00:00 GMT";

struct Fixture {
  Fixture() {
    Add("fb", "https://example.com/a?x=1&y=\"2\"", {{TrackerProvider::kFacebook, "1234567890"}},
        TrackerConsent::kNone);
    Add("ask", "https://example.com/b",
        {{TrackerProvider::kGoogleAnalytics, "G-ABC123XYZ9"},
         {TrackerProvider::kLinkedIn, "1234567"}},
        TrackerConsent::kAlways);
    Add("eu", "https://example.com/c", {{TrackerProvider::kQuora, std::string(32, 'a')}},
        TrackerConsent::kEu);
    Link ab;
    ab.code = "ab";
    ab.long_url = "https://example.com/ab";
    ab.rules.ab_targets = {{"https://a.example/", 100}};
    ab.rules.trackers = {{TrackerProvider::kPinterest, "2612345678901"}};
    table.Upsert(ab.code, ab.long_url, ab.state, std::make_unique<EdgeRules>(ab));
  }
  void Add(std::string code, std::string url, std::vector<LinkTracker> trackers,
           TrackerConsent consent) {
    Link l;
    l.code = code;
    l.long_url = url;
    l.rules.trackers = std::move(trackers);
    l.rules.tracker_consent = consent;
    table.Upsert(l.code, l.long_url, l.state, std::make_unique<EdgeRules>(l));
  }
  std::string Get(std::string_view target, std::string_view extra = "",
                  std::string_view method = "GET", std::string_view agent = kBrowser) {
    raw = std::string(method) + " " + std::string(target) +
          " HTTP/1.1\r\nHost: go.example\r\nUser-Agent: " + std::string(agent) + "\r\n" +
          std::string(extra) + "\r\n";
    RequestHead head;
    REQUIRE(ParseRequestHead(raw, &head) == ParseStatus::kOk);
    size_t n = responder.Respond(head, table, kDate, out, code, &info);
    return std::string(out, n);
  }

  RcuThreadScope rcu;
  LinkTable table;
  Responder responder{testing::WithNotFoundPage(302, "", "<p>not found</p>")};
  std::string raw;
  char out[kMaxResponseBytes];
  char code[kCodeBufferBytes];
  ResponseInfo info;
};

std::string HeaderOf(const std::string& response, std::string_view name) {
  size_t at = response.find("\r\n" + std::string(name) + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return response.substr(at, response.find("\r\n", at) - at);
}

}  // namespace

TEST_CASE("trackers: a browser gets the page with the pixel, the policy and the target",
          "[trackers]") {
  Fixture f;
  std::string page = f.Get("/fb");
  CHECK(page.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(f.info.outcome == Outcome::kHit);
  CHECK(f.info.counted == VisitCount::kClick);  // the page view is the click
  CHECK(f.info.status == 200);
  CHECK(HeaderOf(page, "Location").empty());
  std::string policy = HeaderOf(page, "Content-Security-Policy");
  CHECK(policy.find("script-src 'self' https://connect.facebook.net;") != std::string::npos);
  CHECK(policy.find("img-src https://www.facebook.com;") != std::string::npos);
  CHECK(policy.find("default-src 'none';") == 0);
  CHECK(policy.find("unsafe-inline") == policy.rfind("unsafe-inline"));  // style only
  CHECK(policy.find("style-src 'unsafe-inline';") != std::string::npos);
  std::string body = page.substr(page.find("\r\n\r\n") + 4);
  CHECK(std::to_string(body.size()) == HeaderOf(page, "Content-Length"));
  CHECK(body.find("data-trackers=\"facebook:1234567890\"") != std::string::npos);
  CHECK(body.find("https://www.facebook.com/tr?id=1234567890&amp;ev=PageView") !=
        std::string::npos);
  // The target escaped, in the refresh and the link; no inline script.
  CHECK(body.find("content=\"0;url=https://example.com/a?x=1&amp;y=&quot;2&quot;\"") !=
        std::string::npos);
  CHECK(body.find("href=\"https://example.com/a?x=1&amp;y=&quot;2&quot;\"") != std::string::npos);
  CHECK(body.find("<script>") == std::string::npos);
  CHECK(body.find("<script src=\"?sl-trackers.js\"></script>") != std::string::npos);
}

TEST_CASE("trackers: bots, HEAD, Sec-GPC and DNT get the plain redirect", "[trackers]") {
  Fixture f;
  auto plain = [](const std::string& r) {
    return r.rfind("HTTP/1.1 302 Found\r\n", 0) == 0 &&
           HeaderOf(r, "Location") == "https://example.com/a?x=1&y=\"2\"";
  };
  CHECK(plain(f.Get("/fb", "", "GET", "Mozilla/5.0 (compatible; Googlebot/2.1)")));
  CHECK(plain(f.Get("/fb", "", "GET", "facebookexternalhit/1.1")));
  CHECK(plain(f.Get("/fb", "", "HEAD")));
  CHECK(plain(f.Get("/fb", "Sec-GPC: 1\r\n")));
  CHECK(plain(f.Get("/fb", "DNT: 1\r\n")));
  CHECK(plain(f.Get("/fb", "dnt: 1\r\n")));
  // Only "1" opts out.
  CHECK(f.Get("/fb", "DNT: 0\r\n").rfind("HTTP/1.1 200 OK", 0) == 0);
  CHECK(f.Get("/fb", "Sec-GPC: 0\r\n").rfind("HTTP/1.1 200 OK", 0) == 0);
}

TEST_CASE("trackers: with consent the page asks first and loads no pixel", "[trackers]") {
  Fixture f;
  for (std::string_view path : {"/ask", "/eu"}) {
    INFO(path);
    std::string page = f.Get(path);
    CHECK(page.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    std::string body = page.substr(page.find("\r\n\r\n") + 4);
    CHECK(body.find("data-consent=\"ask\"") != std::string::npos);
    CHECK(body.find("id=\"sl-allow\"") != std::string::npos);
    CHECK(body.find("http-equiv=\"refresh\"") == std::string::npos);  // no going on unasked
    CHECK(body.find("<img") == std::string::npos);
    CHECK(body.find("<noscript") == std::string::npos);
  }
  std::string body = f.Get("/ask");
  CHECK(body.find("Google Analytics and LinkedIn") != std::string::npos);
  std::string policy = HeaderOf(body, "Content-Security-Policy");
  CHECK(policy.find("script-src 'self' https://www.googletagmanager.com;") != std::string::npos);
  CHECK(policy.find("https://px.ads.linkedin.com") != std::string::npos);
  CHECK(policy.find("facebook") == std::string::npos);
}

TEST_CASE("trackers: an A/B link's page keeps the sticky cookie and the bucket's target",
          "[trackers]") {
  Fixture f;
  std::string page = f.Get("/ab");
  CHECK(page.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(HeaderOf(page, "Set-Cookie").find("Path=/ab") != std::string::npos);
  CHECK(page.find("href=\"https://a.example/\"") != std::string::npos);
  CHECK(page.find("ct.pinterest.com/v3/?event=init&amp;tid=2612345678901") != std::string::npos);
}

TEST_CASE("trackers: the loader script is served at the link's path and counts nothing",
          "[trackers]") {
  Fixture f;
  std::string script = f.Get("/fb?sl-trackers.js");
  CHECK(script.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(HeaderOf(script, "Content-Type") == "text/javascript; charset=utf-8");
  CHECK(f.info.counted == VisitCount::kNotCounted);
  CHECK(script.substr(script.find("\r\n\r\n") + 4) == TrackerScript());
  CHECK(f.Get("/fb?sl-trackers.js", "", "HEAD").find("\r\n\r\n") + 4 ==
        f.Get("/fb?sl-trackers.js", "", "HEAD").size());
  // Not on a link without trackers: that is a visit like any other.
  f.table.Upsert("plain", "https://example.com/p", LinkState::kActive);
  CHECK(f.Get("/plain?sl-trackers.js").rfind("HTTP/1.1 302", 0) == 0);
}

TEST_CASE("trackers: a page that would not fit, or a bad id, leaves the plain redirect",
          "[trackers]") {
  LinkRules rules;
  rules.trackers = {{TrackerProvider::kFacebook, "1234567890"}};
  char out[kMaxTrackerResponseBytes];
  TrackerPageHead head{kDate, "", ""};
  // 2000 quotes escape to 12 kB, twice: more than the room.
  std::string target = "https://example.com/?q=" + std::string(2000, '"');
  CHECK(WriteTrackerPage(rules, target, head, out, sizeof out) == 0);
  CHECK(WriteTrackerPage(rules, "https://example.com/", head, out, sizeof out) > 0);
  rules.trackers[0].pixel_id = "1\"><script>alert(1)</script>";
  CHECK(WriteTrackerPage(rules, "https://example.com/", head, out, sizeof out) == 0);
  // The largest page: every provider, then up to kMaxLinkTrackers, with a
  // 1 kB target (a 2 kB one, the longest admin-api takes, goes plainly then).
  rules.trackers.clear();
  for (TrackerProvider p : kTrackerProviders)
    rules.trackers.push_back({p, std::string(TrackerIdExample(p))});
  rules.trackers.push_back({TrackerProvider::kSegment, std::string(64, 'a')});
  REQUIRE(rules.trackers.size() == kMaxLinkTrackers);
  CHECK(WriteTrackerPage(rules, "https://example.com/" + std::string(1000, 'x'), head, out,
                         sizeof out) > 0);
}

TEST_CASE("trackers: the page, the loader and the opted-out redirect allocate nothing",
          "[trackers]") {
  Fixture f;
  std::vector<std::string> raws;
  for (std::string_view r :
       {"GET /fb HTTP/1.1\r\nHost: go.example\r\nUser-Agent: Mozilla/5.0 Chrome/124.0\r\n\r\n",
        "GET /ask HTTP/1.1\r\nHost: go.example\r\nUser-Agent: Mozilla/5.0 Chrome/124.0\r\n\r\n",
        "GET /ab HTTP/1.1\r\nHost: go.example\r\nUser-Agent: Mozilla/5.0 Chrome/124.0\r\n\r\n",
        "GET /fb?sl-trackers.js HTTP/1.1\r\nHost: go.example\r\nUser-Agent: Mozilla/5.0\r\n\r\n",
        "GET /fb HTTP/1.1\r\nHost: go.example\r\nUser-Agent: Mozilla/5.0\r\nDNT: 1\r\n\r\n"})
    raws.emplace_back(r);
  std::vector<RequestHead> heads(raws.size());
  for (size_t i = 0; i < raws.size(); ++i)
    REQUIRE(ParseRequestHead(raws[i], &heads[i]) == ParseStatus::kOk);
  uint64_t before = shortlink::testing::g_operator_new_calls.load();
  // The counter is the one the operators count with (the asm keeps the
  // compiler from eliding the allocation).
  int* probe = new int(1);
  asm volatile("" : : "g"(probe) : "memory");
  delete probe;
  REQUIRE(shortlink::testing::g_operator_new_calls.load() == before + 1);
  before += 1;
  size_t pages = 0;
  for (int round = 0; round < 1000; ++round) {
    for (const RequestHead& head : heads) {
      f.responder.Respond(head, f.table, kDate, f.out, f.code, &f.info);
      pages += f.info.status == 200;
    }
  }
  CHECK(shortlink::testing::g_operator_new_calls.load() - before == 0);
  CHECK(pages == 4000);
}

TEST_CASE("trackers: every provider has hosts in the policy", "[trackers]") {
  for (TrackerProvider p : kTrackerProviders) {
    INFO(TrackerProviderName(p));
    LinkRules rules;
    rules.trackers = {{p, std::string(TrackerIdExample(p))}};
    char policy[1024];
    size_t n = WriteTrackerPolicy(rules, policy, sizeof policy);
    REQUIRE(n > 0);
    std::string text(policy, n);
    CHECK(text.find("connect-src https://") != std::string::npos);
    CHECK(text.find("script-src 'self'") != std::string::npos);
  }
}

// Our side of the added latency: rendering the page instead of the redirect.
TEST_CASE("trackers: render cost per request", "[trackers][.bench]") {
  Fixture f;
  std::string raw =
      "GET /ask HTTP/1.1\r\nHost: go.example\r\nUser-Agent: " + std::string(kBrowser) + "\r\n\r\n";
  RequestHead head;
  REQUIRE(ParseRequestHead(raw, &head) == ParseStatus::kOk);
  constexpr int kRounds = 200'000;
  for (std::string_view path : {"/fb", "/ask", "/ab"}) {
    std::string r = "GET " + std::string(path) +
                    " HTTP/1.1\r\nHost: go.example\r\nUser-Agent: " + std::string(kBrowser) +
                    "\r\n\r\n";
    REQUIRE(ParseRequestHead(r, &head) == ParseStatus::kOk);
    for (const char* extra : {"", "DNT: 1\r\n"}) {
      std::string rr = r.substr(0, r.size() - 2) + extra + "\r\n";
      REQUIRE(ParseRequestHead(rr, &head) == ParseStatus::kOk);
      auto start = std::chrono::steady_clock::now();
      size_t bytes = 0;
      for (int i = 0; i < kRounds; ++i)
        bytes += f.responder.Respond(head, f.table, kDate, f.out, f.code, &f.info);
      double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                      .count() /
                  kRounds;
      WARN(std::string(path) + (*extra ? " (DNT: plain redirect)" : " (page)") + ": " +
           std::to_string(ns) + " ns per response, " + std::to_string(bytes / kRounds) + " bytes");
    }
  }
}

}  // namespace shortlink::redirector
