// The Answerer (edge/answerer.h) alone, without sockets or threads: bytes
// put in a connection's input come out as answers in its output, counted,
// with the framing the worker relies on (pipelining, a partial head kept,
// a refused head closing, a password POST handed out for checking).
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <string_view>

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

TEST_CASE("answerer: pipelined requests are answered in order; a partial head waits",
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

}  // namespace shortlink::redirector
