// The hit path allocates nothing: parse the head, look the code up (by Host
// too), build the response, tell bots apart, count the click; and the
// worker's answering of a connection's pipelined requests (edge/answerer.h)
// around them. Proven here by counting every operator new in this test
// binary while that path runs.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <new>
#include <string>

#include "clicks/click_counter.h"
#include "edge/answerer.h"
#include "edge/connection.h"
#include "edge/request_head.h"
#include "edge/responder.h"
#include "responder_options.h"
#include "support/counting_new.h"
#include "table/link_table.h"

namespace {
// Every operator new of this binary, counted (support/counting_new.h).
std::atomic<uint64_t>& g_allocations = shortlink::testing::g_operator_new_calls;
}  // namespace

namespace shortlink::redirector {

TEST_CASE("a redirect hit allocates nothing") {
  RcuThreadScope rcu;
  LinkTable table;
  for (int i = 0; i < 1000; ++i) {
    table.Upsert("code" + std::to_string(i),
                 "https://example.com/some/long/path/" + std::to_string(i), LinkState::kActive);
  }
  Responder responder(testing::WithNotFoundPage(302, "", "<p>not found</p>"));
  ThreadClicks clicks;
  static char out[kMaxResponseBytes];
  char code[kCodeBufferBytes];
  const std::string requests[] = {
      "GET /code17 HTTP/1.1\r\nHost: go.example\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) "
      "Firefox/120.0\r\n"
      "Accept: text/html\r\n\r\n",
      "GET /CODE999?utm_source=x HTTP/1.1\r\nHost: go.example\r\n\r\n",
      "HEAD /code5 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
      "GET /missing HTTP/1.1\r\nHost: go.example\r\nUser-Agent: Googlebot/2.1\r\n\r\n",
  };
  uint64_t before = g_allocations.load();
  size_t bytes = 0;
  for (int round = 0; round < 1000; ++round) {
    for (const std::string& raw : requests) {
      RequestHead head;
      REQUIRE(ParseRequestHead(raw, &head) == ParseStatus::kOk);
      ResponseInfo info;
      bytes += responder.Respond(head, table, "Sun, 22 Nov 2026 00:00:00 GMT", out, code, &info);
      if (info.counted == VisitCount::kClick)  // the click policy answered in Respond
        clicks.Record(info.code);
      else if (info.counted == VisitCount::kBot)
        clicks.RecordBot();
    }
  }
  uint64_t allocations = g_allocations.load() - before;
  CHECK(bytes > 0);
  CHECK(clicks.clicks() == 2000);
  CHECK(clicks.bot_hits() == 1000);
  CHECK(allocations == 0);
}

// With custom domains the Host header is read: lowercased into a stack
// buffer, looked up in the host map, the found link's domain copied into
// the connection's LinkKeyBuffer and counted by (domain, code); a domain's
// root redirect and not-found URL copied from its host entry; an unknown
// host answered 404, or (--unknown-host default) looked up again on the
// default domain.
TEST_CASE("a redirect by Host allocates nothing: a custom domain's link, an unknown host's") {
  RcuThreadScope rcu;
  LinkTable table;
  for (int i = 0; i < 1000; ++i) {
    std::string code = "code" + std::to_string(i);
    table.Upsert(code, "https://example.com/default/" + std::to_string(i), LinkState::kActive);
    table.Upsert(LinkKey{"b.example", code}, "https://b.example.org/" + std::to_string(i),
                 LinkState::kActive);
  }
  REQUIRE(table.SetDomain("b.example", "https://b.example.org/", "https://b.example.org/404"));
  ResponderOptions options = testing::WithNotFoundPage(302, "", "<p>not found</p>");
  Responder responder(options);
  options.unknown_host_default = true;
  Responder lenient(options);
  ThreadClicks clicks;
  static char out[kMaxResponseBytes];
  LinkKeyBuffer key;
  const char* browser = "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\r\n";
  const std::string requests[] = {
      "GET /code17 HTTP/1.1\r\nHost: b.example\r\n" + std::string(browser) + "\r\n",
      "GET /CODE999 HTTP/1.1\r\nHost: B.Example.:8443\r\n" + std::string(browser) + "\r\n",
      "GET /code17 HTTP/1.1\r\nHost: unknown.example\r\n" + std::string(browser) + "\r\n",
      "GET /code5 HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n" + std::string(browser) + "\r\n",
      "GET / HTTP/1.1\r\nHost: b.example\r\n" + std::string(browser) + "\r\n",
      "GET /nope HTTP/1.1\r\nHost: b.example\r\n" + std::string(browser) + "\r\n",
  };
  uint64_t before = g_allocations.load();
  size_t custom_domain_hits = 0, default_hits = 0, domain_redirects = 0, not_found = 0;
  for (int round = 0; round < 1000; ++round) {
    for (const Responder* r : {&responder, &lenient}) {
      for (const std::string& raw : requests) {
        RequestHead head;
        REQUIRE(ParseRequestHead(raw, &head) == ParseStatus::kOk);
        ResponseInfo info;
        r->Respond(head, table, "Sun, 22 Nov 2026 00:00:00 GMT", out, key, &info);
        if (info.outcome == Outcome::kHit)
          ++(info.domain.empty() ? default_hits : custom_domain_hits);
        if (info.outcome != Outcome::kHit && info.status == 302) ++domain_redirects;
        if (info.status == 404) ++not_found;
        if (info.counted == VisitCount::kClick) clicks.Record(info.domain, info.code);
      }
    }
  }
  uint64_t allocations = g_allocations.load() - before;
  CHECK(custom_domain_hits == 4000);
  CHECK(default_hits == 3000);  // the IPv6 literal twice, unknown.example once (lenient)
  CHECK(domain_redirects == 4000);
  CHECK(not_found == 1000);  // unknown.example, strict
  CHECK(clicks.clicks() == 7000);
  CHECK(allocations == 0);
}

TEST_CASE("a redirect through every rule but a password allocates nothing") {
  RcuThreadScope rcu;
  LinkTable table;
  Link link;
  link.code = "every";
  link.long_url = "https://example.com/main?ref=1";
  LinkRules& r = link.rules;
  r.expires_at_ms = int64_t{1} << 60;
  r.expired_url = "https://example.com/over";
  r.max_clicks = uint64_t{1} << 60;
  r.click_type = ClickType::kUnique;
  r.devices.ios = "https://apps.apple.com/x";
  r.ab_targets = {{"https://a.example.com/", 50}, {"https://b.example.com/", 50}};
  r.utm.source = "news letter";
  r.forward_query = true;
  r.redirect_type = 307;
  table.Upsert(link.code, link.long_url, link.state, std::make_unique<EdgeRules>(link));
  Responder responder(testing::WithNotFoundPage(302, "", "<p>not found</p>"));
  static char out[kMaxResponseBytes];
  char code[kCodeBufferBytes];
  const std::string requests[] = {
      "GET /every?q=1&ref=2 HTTP/1.1\r\nHost: go.example\r\nUser-Agent: Mozilla/5.0 (X11)\r\n\r\n",
      "GET /every HTTP/1.1\r\nHost: go.example\r\nUser-Agent: Mozilla/5.0 (iPhone)\r\n\r\n",
      "GET /every HTTP/1.1\r\nHost: go.example\r\nCookie: sl_ab=77\r\n\r\n",
  };
  VisitFacts facts;
  facts.client_address = "\x7f\x00\x00\x01";
  uint64_t before = g_allocations.load();
  size_t bytes = 0, hits = 0;
  for (int round = 0; round < 1000; ++round) {
    for (const std::string& raw : requests) {
      RequestHead head;
      REQUIRE(ParseRequestHead(raw, &head) == ParseStatus::kOk);
      ResponseInfo info;
      facts.random = static_cast<uint32_t>(round);
      bytes +=
          responder.Respond(head, table, "Sun, 22 Nov 2026 00:00:00 GMT", out, code, &info, facts);
      hits += info.outcome == Outcome::kHit;
    }
  }
  uint64_t allocations = g_allocations.load() - before;
  CHECK(bytes > 0);
  CHECK(hits == 3000);
  CHECK(allocations == 0);
}

TEST_CASE("answering a connection's pipelined requests allocates nothing") {
  RcuThreadScope rcu;
  LinkTable table;
  table.Upsert("code1", "https://example.com/1", LinkState::kActive);
  Responder responder(testing::WithNotFoundPage(302, "", "<p>not found</p>"));
  WorkerStats stats;
  ThreadClicks clicks;
  Answerer answerer(&responder, &table, ClientAddressSource::kXForwardedFor, &stats, &clicks, 7);
  auto connection = std::make_unique<Connection>();
  PasswordCheck check;
  const std::string pipeline =
      "GET /code1 HTTP/1.1\r\nHost: go.example\r\nX-Forwarded-For: 192.0.2.1\r\n\r\n"
      "HEAD /CODE1 HTTP/1.1\r\nHost: go.example\r\n\r\n"
      "GET /missing HTTP/1.1\r\nHost: go.example\r\n\r\n";
  uint64_t before = g_allocations.load();
  for (int round = 0; round < 1000; ++round) {
    Connection* c = connection.get();
    memcpy(c->in, pipeline.data(), pipeline.size());
    c->in_len = pipeline.size();
    c->out_len = 0;
    REQUIRE(answerer.Answer(c, "Sun, 22 Nov 2026 00:00:00 GMT", round, &check) ==
            Answerer::Answered::kAnswered);
    REQUIRE(c->in_len == 0);
  }
  uint64_t allocations = g_allocations.load() - before;
  CHECK(clicks.clicks() == 1000);
  CHECK(clicks.bot_hits() == 1000);
  CHECK(stats.misses.load() == 1000);
  CHECK(allocations == 0);
}

// With click analytics on, each counted visit's facts are copied into the
// worker's visit ring (clicks/visit_ring.h) instead: still no allocation.
TEST_CASE("answering with click analytics on allocates nothing") {
  RcuThreadScope rcu;
  LinkTable table;
  table.Upsert("code1", "https://example.com/1", LinkState::kActive);
  Responder responder(testing::WithNotFoundPage(302, "", "<p>not found</p>"));
  WorkerStats stats;
  ThreadClicks clicks;
  clicks.EnableVisits(size_t{1} << 20);
  Answerer answerer(&responder, &table, ClientAddressSource::kXForwardedFor, &stats, &clicks, 7);
  auto connection = std::make_unique<Connection>();
  PasswordCheck check;
  const std::string pipeline =
      "GET /code1?utm_source=news HTTP/1.1\r\nHost: go.example\r\nX-Forwarded-For: 192.0.2.1\r\n"
      "User-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148\r\n"
      "Referer: https://www.example.org/page\r\nAccept-Language: de-DE,de;q=0.9\r\n\r\n"
      "HEAD /CODE1 HTTP/1.1\r\nHost: go.example\r\n\r\n"
      "GET /missing HTTP/1.1\r\nHost: go.example\r\n\r\n";
  uint64_t before = g_allocations.load();
  for (int round = 0; round < 1000; ++round) {
    Connection* c = connection.get();
    memcpy(c->in, pipeline.data(), pipeline.size());
    c->in_len = pipeline.size();
    c->out_len = 0;
    REQUIRE(answerer.Answer(c, "Sun, 22 Nov 2026 00:00:00 GMT", round, &check) ==
            Answerer::Answered::kAnswered);
  }
  uint64_t allocations = g_allocations.load() - before;
  CHECK(allocations == 0);
  CHECK(clicks.clicks() == 1000);
  CHECK(clicks.unclassified() == 0);
  size_t visits = 0, bots = 0;
  clicks.visits()->Read([&](const VisitRecord& v) {
    ++visits;
    bots += v.bot;
    if (!v.bot) {
      CHECK(v.code == "code1");
      CHECK(v.query == "utm_source=news");
      CHECK(v.referer == "https://www.example.org/page");
      CHECK(v.accept_language == "de-DE,de;q=0.9");
      CHECK(v.user_agent.starts_with("Mozilla/5.0 (iPhone"));
      CHECK(v.address == "192.0.2.1");  // X-Forwarded-For's, as text
      CHECK(v.address_is_text);
    }
  });
  CHECK(visits == 2000);  // the HEAD requests are bot hits, recorded for the bot report
  CHECK(bots == 1000);
}

}  // namespace shortlink::redirector
