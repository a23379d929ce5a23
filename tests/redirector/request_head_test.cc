#include "edge/request_head.h"

#include <catch2/catch.hpp>
#include <string>

#include "edge/responder.h"
#include "responder_options.h"
#include "rules/bot_detector.h"

namespace shortlink::redirector {
namespace {

ParseStatus Parse(const std::string& text, RequestHead* head = nullptr) {
  RequestHead scratch;
  return ParseRequestHead(text, head ? head : &scratch);
}

}  // namespace

TEST_CASE("a well-formed GET and HEAD parse, with keep-alive by version") {
  RequestHead h;
  std::string req =
      "GET /Abc?x=1 HTTP/1.1\r\nHost: go.example\r\nUser-Agent: curl/8\r\n\r\nGET /next";
  REQUIRE(Parse(req, &h) == ParseStatus::kOk);
  CHECK(h.method == Method::kGet);
  CHECK(h.target == "/Abc?x=1");
  CHECK(h.keep_alive);
  CHECK(h.user_agent == "curl/8");
  CHECK(req.substr(h.length) == "GET /next");

  REQUIRE(Parse("HEAD / HTTP/1.0\r\n\r\n", &h) == ParseStatus::kOk);
  CHECK(h.method == Method::kHead);
  CHECK(h.http10);
  CHECK_FALSE(h.keep_alive);
  REQUIRE(Parse("GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &h) == ParseStatus::kOk);
  CHECK(h.keep_alive);
  REQUIRE(Parse("GET /a HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n\r\n", &h) ==
          ParseStatus::kOk);
  CHECK_FALSE(h.keep_alive);
  CHECK(Parse("GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n") == ParseStatus::kOk);
}

TEST_CASE("incomplete heads wait for more bytes") {
  CHECK(Parse("") == ParseStatus::kIncomplete);
  CHECK(Parse("GET /a HTTP/1.1\r\nHost: x\r\n") == ParseStatus::kIncomplete);
  CHECK(Parse("GET /a HTTP/1.1\r\nHost: x\r\n\r") == ParseStatus::kIncomplete);
}

TEST_CASE("smuggling, framing and syntax attacks are refused") {
  for (const char* bad : {
           "GET /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
           "GET /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
           "GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
           "GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
           "GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
           "GET /a HTTP/1.1\r\n\r\n",                        // no Host
           "GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",  // two Hosts
           "GET ftp://evil/a HTTP/1.1\r\nHost: x\r\n\r\n",   // absolute form, not http(s)
           "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
           "GET /a HTTP/1.1\nHost: x\n\n",                   // bare LF
           "GET /a HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",  // obs-fold
           "GET /a HTTP/1.1\r\nHost : x\r\n\r\n",            // space before colon
           "GET /a HTTP/1.1\r\nHo\"st: x\r\n\r\n",
           "GET /a HTTP/1.1\r\nHost: x\rInjected: y\r\n\r\n",  // CR inside a value
           "GET /a\r\nb HTTP/1.1\r\nHost: x\r\n\r\n",
           "GET  /a HTTP/1.1\r\nHost: x\r\n\r\n",
           "GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
           "\r\n\r\n",
           "garbage\r\n\r\n",
       }) {
    INFO(bad);
    CHECK(Parse(bad) == ParseStatus::kBadRequest);
  }
  CHECK(Parse("GET /a HTTP/2.0\r\nHost: x\r\n\r\n") == ParseStatus::kVersionNotSupported);
  CHECK(Parse("PUT /a HTTP/1.1\r\nHost: x\r\n\r\n") == ParseStatus::kMethodNotAllowed);
  CHECK(Parse("DELETE /a HTTP/1.1\r\nHost: x\r\n\r\n") == ParseStatus::kMethodNotAllowed);
}

TEST_CASE("POST carries a small form body, framed by Content-Length only") {
  RequestHead head;
  std::string post = "POST /a HTTP/1.1\r\nHost: x\r\nCookie: sl_ab=3\r\nContent-Length: 17\r\n\r\n";
  std::string with_body = post + "password=hunter22";  // the head's views point into it
  REQUIRE(ParseRequestHead(with_body, &head) == ParseStatus::kOk);
  CHECK(head.method == Method::kPost);
  CHECK(head.content_length == 17);
  CHECK(head.length == post.size());  // the head only: the caller waits for the body
  CHECK(head.cookie == "sl_ab=3");
  CHECK(Parse("POST /a HTTP/1.1\r\nHost: x\r\n\r\n") == ParseStatus::kOk);
  CHECK(Parse("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n") == ParseStatus::kOk);
  CHECK(Parse("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n") ==
        ParseStatus::kPayloadTooLarge);
  CHECK(Parse("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n") ==
        ParseStatus::kPayloadTooLarge);
  CHECK(Parse("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n") ==
        ParseStatus::kBadRequest);
  CHECK(Parse("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n") ==
        ParseStatus::kBadRequest);
  CHECK(Parse("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n") ==
        ParseStatus::kBadRequest);
  CHECK(Parse("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 017\r\n\r\n") ==
        ParseStatus::kBadRequest);
  CHECK(Parse("GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 00\r\n\r\n") ==
        ParseStatus::kBadRequest);
  CHECK(Parse("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\n") ==
        ParseStatus::kBadRequest);
}

TEST_CASE("an oversized request line is 414, oversized headers 431") {
  std::string long_target = "GET /" + std::string(kMaxRequestLine, 'a');
  CHECK(Parse(long_target) == ParseStatus::kUriTooLong);  // even before its end arrives
  CHECK(Parse(long_target + " HTTP/1.1\r\nHost: x\r\n\r\n") == ParseStatus::kUriTooLong);
  std::string big_headers = "GET /a HTTP/1.1\r\nHost: x\r\n";
  while (big_headers.size() <= kMaxHead) big_headers += "X-Pad: " + std::string(100, 'p') + "\r\n";
  CHECK(Parse(big_headers) == ParseStatus::kHeadersTooLarge);
  CHECK(Parse(big_headers + "\r\n") == ParseStatus::kHeadersTooLarge);
}

TEST_CASE("the responder redirects hits, hides inactive links and never emits unsafe targets") {
  RcuThreadScope rcu;
  LinkTable table;
  table.Upsert("hello", "https://example.com/x", LinkState::kActive);
  table.Upsert("off", "https://example.com/off", LinkState::kInactive);
  table.Upsert("evil", "https://example.com/\r\nSet-Cookie: a=b", LinkState::kActive);
  Responder responder(testing::WithNotFoundPage(301, "https://home.example/", "<p>nope</p>"));
  char out[kMaxResponseBytes];
  char code[kCodeBufferBytes];
  ResponseInfo info;
  RequestHead head;

  auto respond = [&](const std::string& req) {
    REQUIRE(ParseRequestHead(req, &head) == ParseStatus::kOk);
    return std::string(
        out, responder.Respond(head, table, "Sun, 22 Nov 2026 00:00:00 GMT", out, code, &info));
  };

  std::string r = respond("GET /HeLLo?utm=x HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 301 Moved Permanently\r\nLocation: https://example.com/x\r\n", 0) == 0);
  CHECK(r.find("Cache-Control: no-store\r\n") != std::string::npos);
  CHECK(r.find("X-Robots-Tag: noindex\r\n") != std::string::npos);
  CHECK(info.outcome == Outcome::kHit);
  CHECK(info.code == "hello");

  r = respond("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.substr(r.size() - 4) == "\r\n\r\n");  // no body
  CHECK(r.find("Content-Length: ") != std::string::npos);

  r = respond("GET /off HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
  CHECK(r.find("<p>nope</p>") != std::string::npos);
  CHECK(info.outcome == Outcome::kInactive);

  r = respond("GET /evil HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 500", 0) == 0);
  CHECK(r.find("Set-Cookie") == std::string::npos);
  CHECK(info.outcome == Outcome::kUnsafeTarget);

  r = respond("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  // "/" is not a link: 302 even where links answer 301, as ResponseInfo says.
  CHECK(r.rfind("HTTP/1.1 302 Found\r\nLocation: https://home.example/\r\n", 0) == 0);
  CHECK(info.status == 302);
  r = respond("GET /%0d%0aSet-Cookie:x HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 404", 0) == 0);
  CHECK(r.find("Set-Cookie") == std::string::npos);  // request bytes never reach a header
  r = respond("GET /" + std::string(65, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 404", 0) == 0);
  r = respond("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  CHECK(r.find("Connection: keep-alive\r\n") != std::string::npos);
  r = respond("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(r.find("Connection: close\r\n") != std::string::npos);

  std::string err(out, responder.RespondError(ParseStatus::kMethodNotAllowed, "d", out, &info));
  CHECK(err.rfind("HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n", 0) == 0);
  CHECK(err.find("Connection: close") != std::string::npos);
}

TEST_CASE("bots and previewers are told apart from people") {
  for (const char* ua :
       {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)", "Slackbot-LinkExpanding 1.0",
        "facebookexternalhit/1.1", "Twitterbot/1.0", "WhatsApp/2.23.20.0",
        "TelegramBot (like TwitterBot)", "Mozilla/5.0 (compatible; Discordbot/2.0)",
        "LinkedInBot/1.0", "SomeCrawler/1.0", "my-SPIDER"}) {
    INFO(ua);
    CHECK(IsBot(ua));
  }
  CHECK_FALSE(IsBot(
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36"));
  CHECK_FALSE(IsBot("curl/8.0"));
  CHECK_FALSE(IsBot(""));
}

}  // namespace shortlink::redirector

namespace shortlink::redirector {

// RFC 9112 3.2.2: a server MUST accept the absolute form; its authority is
// the request's host, whatever Host says (3.2.2 again), and the path (and
// query) that follow it are the target.
TEST_CASE("absolute-form targets are accepted: the path follows the authority", "[absolute]") {
  RequestHead h;
  std::string req;  // the head's views point into it
  REQUIRE(Parse(req = "GET http://go.example/Abc?x=1 HTTP/1.1\r\nHost: other\r\n\r\n", &h) ==
          ParseStatus::kOk);
  CHECK(h.target == "/Abc?x=1");
  CHECK(h.host == "go.example");
  REQUIRE(Parse(req = "GET HTTPS://go.example:8443/a HTTP/1.1\r\nHost: x\r\n\r\n", &h) ==
          ParseStatus::kOk);
  CHECK(h.target == "/a");
  CHECK(h.host == "go.example:8443");
  REQUIRE(Parse(req = "HEAD http://[::1]:80/a HTTP/1.0\r\n\r\n", &h) == ParseStatus::kOk);
  CHECK(h.target == "/a");
  CHECK(h.host == "[::1]:80");
  // An empty path is "/" (RFC 9112 3.2.2 and 3.3).
  REQUIRE(Parse(req = "GET http://go.example HTTP/1.1\r\nHost: x\r\n\r\n", &h) == ParseStatus::kOk);
  CHECK(h.target == "/");
  REQUIRE(Parse(req = "GET http://go.example?q=1 HTTP/1.1\r\nHost: x\r\n\r\n", &h) ==
          ParseStatus::kOk);
  CHECK(h.target == "/");  // "/" takes no query: it goes with the empty path
  // The origin form keeps Host's value as the host.
  REQUIRE(Parse(req = "GET /a HTTP/1.1\r\nHost: go.example\r\n\r\n", &h) == ParseStatus::kOk);
  CHECK(h.host == "go.example");
  for (const char* bad : {
           "GET * HTTP/1.1\r\nHost: x\r\n\r\n",                   // asterisk form
           "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",               // (405 aside: 400 first)
           "GET go.example:80 HTTP/1.1\r\nHost: x\r\n\r\n",       // authority form
           "GET ftp://go.example/a HTTP/1.1\r\nHost: x\r\n\r\n",  // not http(s)
           "GET http:/go.example/a HTTP/1.1\r\nHost: x\r\n\r\n",  // not "//"
           "GET http:///a HTTP/1.1\r\nHost: x\r\n\r\n",           // no host (RFC 9110 4.2.1)
           "GET http://user:pw@go.example/a HTTP/1.1\r\nHost: x\r\n\r\n",  // userinfo (9110 4.2.4)
           "GET http://go\"example/a HTTP/1.1\r\nHost: x\r\n\r\n",         // not an authority
           "GET http://go.example/a HTTP/1.1\r\n\r\n",  // HTTP/1.1 still needs Host (9112 3.2)
       }) {
    INFO(bad);
    CHECK(Parse(bad) == ParseStatus::kBadRequest);
  }
}

TEST_CASE("refusals say charset, no-store and noindex, and close", "[errors]") {
  Responder responder(testing::WithNotFoundPage(302, "", "<p>nope</p>"));
  char out[kMaxResponseBytes];
  ResponseInfo info;
  for (auto status : {ParseStatus::kBadRequest, ParseStatus::kMethodNotAllowed,
                      ParseStatus::kUriTooLong, ParseStatus::kHeadersTooLarge,
                      ParseStatus::kPayloadTooLarge, ParseStatus::kVersionNotSupported}) {
    std::string r(out, responder.RespondError(status, "Sun, 22 Nov 2026 00:00:00 GMT", out, &info));
    INFO(r);
    CHECK(r.find("\r\nContent-Type: text/plain; charset=utf-8\r\n") != std::string::npos);
    CHECK(r.find("\r\nCache-Control: no-store\r\n") != std::string::npos);
    CHECK(r.find("\r\nX-Robots-Tag: noindex\r\n") != std::string::npos);
    CHECK(r.find("\r\nConnection: close\r\n") != std::string::npos);
  }
}

TEST_CASE("a 500 for an unsafe target says charset, no-store and noindex", "[errors]") {
  RcuThreadScope rcu;
  LinkTable table;
  table.Upsert("evil", "https://example.com/\r\nSet-Cookie: a=b", LinkState::kActive);
  Responder responder(testing::WithNotFoundPage(302, "", "<p>nope</p>"));
  char out[kMaxResponseBytes];
  char code[kCodeBufferBytes];
  ResponseInfo info;
  RequestHead head;
  REQUIRE(ParseRequestHead("GET /evil HTTP/1.1\r\nHost: x\r\n\r\n", &head) == ParseStatus::kOk);
  std::string r(out, responder.Respond(head, table, "d", out, code, &info));
  INFO(r);
  CHECK(r.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0) == 0);
  CHECK(r.find("\r\nContent-Type: text/plain; charset=utf-8\r\n") != std::string::npos);
  CHECK(r.find("\r\nCache-Control: no-store\r\n") != std::string::npos);
  CHECK(r.find("\r\nX-Robots-Tag: noindex\r\n") != std::string::npos);
  CHECK(r.find("Set-Cookie") == std::string::npos);
}

}  // namespace shortlink::redirector

namespace shortlink::redirector {

TEST_CASE("the Referer and Accept-Language fields are kept for click analytics") {
  RequestHead h;
  const std::string request =  // the head's views point into it
      "GET /a HTTP/1.1\r\nHost: x\r\nreferer: https://ref.example/p?q=1\r\n"
      "ACCEPT-LANGUAGE:  fr-CH, fr;q=0.9 \r\n\r\n";
  REQUIRE(Parse(request, &h) == ParseStatus::kOk);
  CHECK(h.referer == "https://ref.example/p?q=1");
  CHECK(h.accept_language == "fr-CH, fr;q=0.9");
  REQUIRE(Parse("GET /a HTTP/1.1\r\nHost: x\r\n\r\n", &h) == ParseStatus::kOk);
  CHECK(h.referer.empty());
  CHECK(h.accept_language.empty());
}

}  // namespace shortlink::redirector
