// The pages a person sees at the edge (404, 410, the password form and its
// 401 and 429), as the responder sends them: one small, accessible HTML set
// with the edge's headers, and no resource from anywhere else.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "edge/request_head.h"
#include "edge/responder.h"
#include "rules/rule_engine.h"
#include "table/link_table.h"

namespace shortlink::redirector {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;  // 2027-01-15
int64_t FixedClock() { return kNow; }

struct Answer {
  std::string head, body;
  bool Has(std::string_view field) const {
    return head.find("\r\n" + std::string(field) + "\r\n") != std::string::npos;
  }
};

// A table with a link for each page, and a responder over it.
struct PageFixture {
  explicit PageFixture(ResponderOptions options = {}) : responder(WithClock(std::move(options))) {
    auto put = [&](const char* code, auto set) {
      Link link;
      link.code = code;
      link.long_url = "https://example.com/secret-target";
      set(link.rules);
      table.Upsert(link.code, link.long_url, link.state, std::make_unique<EdgeRules>(link));
    };
    put("expired", [](LinkRules& r) { r.expires_at_ms = kNow - 1; });
    put("locked", [](LinkRules& r) { r.password_hash = "$argon2id$v=19$x"; });
    table.Upsert("full", "https://example.com/secret-target", LinkState::kActive, [] {
      Link link;
      link.code = "full";
      link.clicks = 1;
      link.rules.max_clicks = 1;
      return std::make_unique<EdgeRules>(link);
    }());
  }
  static ResponderOptions WithClock(ResponderOptions o) {
    o.now_ms = FixedClock;
    return o;
  }

  Answer Get(const std::string& request, VisitFacts facts = {}) {
    RequestHead head;
    REQUIRE(ParseRequestHead(request, &head) == ParseStatus::kOk);
    size_t n =
        responder.Respond(head, table, "Sun, 22 Nov 2026 00:00:00 GMT", out, code, &info, facts);
    REQUIRE(n <= kMaxResponseBytes);
    std::string r(out, n);
    size_t end = r.find("\r\n\r\n");
    REQUIRE(end != std::string::npos);
    return {r.substr(0, end + 2), r.substr(end + 4)};
  }

  RcuThreadScope rcu;
  LinkTable table;
  Responder responder;
  char out[kMaxResponseBytes];
  char code[kCodeBufferBytes];
  ResponseInfo info;
};

// What every page of the set has: a document a browser, a phone and a
// screen reader can use, with nothing loaded from elsewhere.
void CheckPage(const Answer& a) {
  INFO(a.head << a.body);
  CHECK(a.Has("Content-Type: text/html; charset=utf-8"));
  CHECK(a.Has("Cache-Control: no-store"));
  CHECK(a.Has("X-Robots-Tag: noindex"));
  CHECK(a.head.find("\r\nContent-Security-Policy: default-src 'none'; ") != std::string::npos);
  CHECK(a.head.find("Content-Length: " + std::to_string(a.body.size()) + "\r\n") !=
        std::string::npos);
  CHECK(a.body.rfind("<!doctype html>", 0) == 0);
  CHECK(a.body.find("<html lang=\"en\">") != std::string::npos);
  CHECK(a.body.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(a.body.find("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">") !=
        std::string::npos);
  CHECK(a.body.find("<title>") != std::string::npos);
  CHECK(a.body.find("<main>") != std::string::npos);
  CHECK(a.body.find("<h1>") != std::string::npos);
  for (const char* external : {"<script", "src=", "href=", "http://", "https://", "@import"}) {
    INFO(external);
    CHECK(a.body.find(external) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("pages: the built-in 404, 410 and password pages are one accessible HTML set",
          "[pages]") {
  PageFixture f;
  Answer a = f.Get("GET /no-such-link HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(a.head.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
  CheckPage(a);

  a = f.Get("GET /expired HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(a.head.rfind("HTTP/1.1 410 Gone\r\n", 0) == 0);
  CheckPage(a);
  CHECK(a.body.find("This link has expired.") != std::string::npos);

  a = f.Get("GET /full HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(a.head.rfind("HTTP/1.1 410 Gone\r\n", 0) == 0);
  CheckPage(a);
  CHECK(a.body.find("This link has reached its click limit.") != std::string::npos);

  a = f.Get("GET /locked HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(a.head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CheckPage(a);
  CHECK(a.body.find("<form method=\"post\">") != std::string::npos);
  CHECK(a.body.find("<label for=\"password\">") != std::string::npos);
  CHECK(a.body.find("id=\"password\"") != std::string::npos);
  CHECK(a.body.find("role=\"alert\"") == std::string::npos);
  CHECK(a.body.find("secret-target") == std::string::npos);
  CHECK(a.head.find("form-action 'self' https:;") != std::string::npos);  // and the 303 after it

  VisitFacts refused;
  refused.password = PasswordState::kRefused;
  a = f.Get("POST /locked HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", refused);
  CHECK(a.head.rfind("HTTP/1.1 401 Unauthorized\r\n", 0) == 0);
  CheckPage(a);
  CHECK(a.body.find("<label for=\"password\">") != std::string::npos);
  CHECK(a.body.find("role=\"alert\">Wrong password") != std::string::npos);

  VisitFacts throttled = refused;
  throttled.password_throttled = true;
  a = f.Get("POST /locked HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", throttled);
  CHECK(a.head.rfind("HTTP/1.1 429 Too Many Requests\r\n", 0) == 0);
  CheckPage(a);
  CHECK(a.Has("Retry-After: 60"));
  CHECK(a.body.find("role=\"alert\">Too many") != std::string::npos);
}

TEST_CASE("pages: HEAD gets the page's headers and length, no body", "[pages]") {
  PageFixture f;
  for (const char* path : {"/no-such-link", "/expired", "/locked"}) {
    INFO(path);
    Answer get = f.Get("GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    Answer head = f.Get("HEAD " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(head.head == get.head);
    CHECK(head.body.empty());
    CHECK_FALSE(get.body.empty());
  }
}

}  // namespace shortlink::redirector
