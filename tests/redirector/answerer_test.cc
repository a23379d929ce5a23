// The Answerer (edge/answerer.h) alone, without sockets or threads: bytes
// put in a connection's input come out as answers in its output, counted,
// with the framing the worker relies on (pipelining, a partial head kept,
// a refused head closing, a password POST handed out for checking).
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "edge/answerer.h"
#include "edge/connection.h"
#include "responder_options.h"
#include "table/edge_rules.h"
#include "table/link_table.h"

namespace shortlink::redirector {
namespace {

constexpr std::string_view kDate = "Sun, 22 Nov 2026 00:00:00 GMT";

struct Fixture {
  Fixture() {
    table.Upsert("go", "https://example.com/go", LinkState::kActive);
    Link locked;
    locked.code = "locked";
    locked.long_url = "https://example.com/secret";
    locked.rules.password_hash = "$argon2id$v=19$x";
    table.Upsert(locked.code, locked.long_url, locked.state, std::make_unique<EdgeRules>(locked));
  }
  void Put(std::string_view bytes) {
    memcpy(c->in + c->in_len, bytes.data(), bytes.size());
    c->in_len += bytes.size();
  }
  std::string Output() const { return std::string(c->out, c->out_len); }

  RcuThreadScope rcu;
  LinkTable table;
  Responder responder{testing::WithNotFoundPage(302, "", "<p>not found</p>")};
  WorkerStats stats;
  ThreadClicks clicks;
  Answerer answerer{&responder, &table, ClientAddressSource::kPeer, &stats, &clicks, 1};
  std::unique_ptr<Connection> c = std::make_unique<Connection>();
  PasswordCheck check;
};

}  // namespace

TEST_CASE("answerer: pipelined requests are answered in order, a partial head waits",
          "[answerer]") {
  Fixture f;
  f.Put("GET /go HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /go HT");
  CHECK(f.answerer.Answer(f.c.get(), kDate, 5000, &f.check) == Answerer::Answered::kAnswered);
  std::string out = f.Output();
  CHECK(out.rfind("HTTP/1.1 302 Found\r\nLocation: https://example.com/go\r\n", 0) == 0);
  CHECK(out.find("HTTP/1.1 404 Not Found\r\n") != std::string::npos);
  CHECK(std::string(f.c->in, f.c->in_len) == "GET /go HT");  // kept, moved to the front
  CHECK(f.c->head_started_ms == 5000);                       // the unfinished head's clock starts
  CHECK_FALSE(f.c->closing);
  CHECK(f.stats.hits.load() == 1);
  CHECK(f.stats.misses.load() == 1);
  CHECK(f.stats.responses_404.load() == 1);
  CHECK(f.clicks.clicks() == 1);

  // Nothing new: nothing to answer, and the partial head is not rescanned.
  f.c->out_len = 0;
  CHECK(f.answerer.Answer(f.c.get(), kDate, 6000, &f.check) == Answerer::Answered::kNothing);
  CHECK(f.c->scanned == f.c->in_len);
  f.Put("TP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(f.answerer.Answer(f.c.get(), kDate, 7000, &f.check) == Answerer::Answered::kAnswered);
  CHECK(f.c->in_len == 0);
  CHECK(f.c->head_started_ms == 0);
  CHECK(f.c->closing);  // Connection: close is honoured after the answer
}

TEST_CASE("answerer: a refused head is answered once and closes the connection", "[answerer]") {
  Fixture f;
  f.Put("GET /go HTTP/1.1\nHost: x\n\nGET /go HTTP/1.1\r\n\r\n");  // bare LFs
  CHECK(f.answerer.Answer(f.c.get(), kDate, 1, &f.check) == Answerer::Answered::kAnswered);
  CHECK(f.Output().rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
  CHECK(f.Output().find("HTTP/1.1", 1) == std::string::npos);  // nothing after it
  CHECK(f.c->closing);
  CHECK(f.stats.responses_4xx_other.load() == 1);
}

TEST_CASE("answerer: a password POST is handed out for checking, then answered with the verdict",
          "[answerer]") {
  Fixture f;
  f.Put("POST /locked HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\npassword=pw");
  CHECK(f.answerer.Answer(f.c.get(), kDate, 1, &f.check) == Answerer::Answered::kChecking);
  CHECK(f.c->verifying);
  CHECK(f.c->out_len == 0);
  CHECK(f.check.hash == "$argon2id$v=19$x");
  CHECK(f.check.form == "password=pw");
  CHECK(f.check.client == std::string_view(f.c->peer, f.c->peer_len));

  // The worker clears `verifying` and puts the verdict in; the same request
  // is answered.
  f.c->verifying = false;
  f.c->verdict.password = PasswordState::kAccepted;
  f.c->has_verdict = true;
  CHECK(f.answerer.Answer(f.c.get(), kDate, 2, &f.check) == Answerer::Answered::kAnswered);
  CHECK(f.Output().rfind("HTTP/1.1 303 See Other\r\nLocation: https://example.com/secret\r\n", 0) ==
        0);
  CHECK(f.c->in_len == 0);
  CHECK_FALSE(f.c->has_verdict);
  CHECK(f.clicks.clicks() == 1);
}

// --- domains -------------------------------------------------------------------

namespace {

// A GET a browser sends, for `code` with `host` as its Host field.
std::string BrowserGet(std::string_view code, std::string_view host) {
  return "GET /" + std::string(code) + " HTTP/1.1\r\nHost: " + std::string(host) +
         "\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\r\n\r\n";
}

// The Location of the one answer in `f`'s output, which is then emptied.
std::string TakeLocation(Fixture& f) {
  std::string out = f.Output();
  f.c->out_len = 0;
  size_t at = out.find("\r\nLocation: ");
  if (at == std::string::npos) return out.substr(0, out.find("\r\n"));  // the status line
  at += 12;
  return out.substr(at, out.find("\r\n", at) - at);
}

// (domain, code) -> clicks the answerer recorded; "" is the default domain.
std::map<std::pair<std::string, std::string>, uint64_t> RecordedClicks(Fixture& f) {
  std::map<std::pair<std::string, std::string>, uint64_t> out;
  ClickTable* table = f.clicks.TakeActiveAfterStop();  // the test thread is the worker
  if (!table) return out;
  table->ForEachIn(0, ClickTable::kCapacity,
                   [&](std::string_view domain, std::string_view code, uint64_t n) {
                     out[{std::string(domain), std::string(code)}] += n;
                   });
  f.clicks.ReturnSpare(table);
  return out;
}

}  // namespace

TEST_CASE(
    "answerer: a code on the default domain and on b.example is answered by the request's Host",
    "[answerer][domain]") {
  Fixture f;  // "go" on the default domain: https://example.com/go
  REQUIRE(
      f.table.Upsert(LinkKey{"b.example", "go"}, "https://b.example.org/go", LinkState::kActive));
  REQUIRE(f.table.Upsert(LinkKey{"b.example", "only-b"}, "https://b.example.org/only",
                         LinkState::kActive));

  struct Case {
    const char* host;
    const char* code;
    const char* answer;  // the Location, or the status line of a miss
  };
  for (Case c : {Case{"b.example", "go", "https://b.example.org/go"},
                 Case{"B.Example:8080", "GO", "https://b.example.org/go"},
                 Case{"b.example.", "go", "https://b.example.org/go"},
                 Case{"localhost", "go", "https://example.com/go"},
                 Case{"127.0.0.1:8080", "go", "https://example.com/go"},
                 // A host the node does not know, once it knows a custom domain: 404.
                 Case{"go.example", "go", "HTTP/1.1 404 Not Found"},
                 Case{"b.example", "only-b", "https://b.example.org/only"},
                 Case{"127.0.0.1", "only-b", "HTTP/1.1 404 Not Found"},
                 // b.example holds links, so its codes are its own: no fallback per code.
                 Case{"b.example", "locked", "HTTP/1.1 404 Not Found"}}) {
    INFO(c.host << " /" << c.code);
    f.Put(BrowserGet(c.code, c.host));
    REQUIRE(f.answerer.Answer(f.c.get(), kDate, 1, &f.check) == Answerer::Answered::kAnswered);
    CHECK(TakeLocation(f) == c.answer);
  }
  // An absolute-form target names the host, over the Host field.
  f.Put("GET http://b.example/go HTTP/1.1\r\nHost: go.example\r\n\r\n");
  REQUIRE(f.answerer.Answer(f.c.get(), kDate, 1, &f.check) == Answerer::Answered::kAnswered);
  CHECK(TakeLocation(f) == "https://b.example.org/go");
}

TEST_CASE("answerer: a click is counted under the domain of the link answered",
          "[answerer][domain]") {
  Fixture f;
  REQUIRE(
      f.table.Upsert(LinkKey{"b.example", "go"}, "https://b.example.org/go", LinkState::kActive));
  f.Put(BrowserGet("go", "B.EXAMPLE:8443"));
  f.Put(BrowserGet("go", "b.example"));
  f.Put(BrowserGet("go", "127.0.0.1"));
  f.Put(BrowserGet("go", "localhost:8080"));
  f.Put(BrowserGet("go", "127.0.0.1:80"));
  REQUIRE(f.answerer.Answer(f.c.get(), kDate, 1, &f.check) == Answerer::Answered::kAnswered);
  CHECK(f.c->in_len == 0);  // all five answered
  CHECK(f.clicks.clicks() == 5);
  CHECK(RecordedClicks(f) == std::map<std::pair<std::string, std::string>, uint64_t>{
                                 {{"", "go"}, 3}, {{"b.example", "go"}, 2}});
}

}  // namespace shortlink::redirector
